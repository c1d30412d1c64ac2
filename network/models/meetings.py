"""Network meetings: agenda items (information / decision), documents, minutes."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kmv.access.models import Agency

from .bodies import Body


class NetworkMeeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    body = models.ForeignKey(
        Body,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=pgettext_lazy("network organ", "body"),
    )
    host = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("host")
    )
    title = models.CharField(_("title"), max_length=200)
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    minutes_summary = models.TextField(_("minutes"), blank=True)
    minutes_published_at = models.DateTimeField(_("minutes published"), null=True, blank=True)
    invitations_sequence = models.PositiveIntegerField(_("invitation sequence"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-start"]
        verbose_name = _("network meeting")
        verbose_name_plural = _("network meetings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="network_meeting_end_after"
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.start:%d.%m.%Y})"

    @property
    def minutes_published(self) -> bool:
        return self.minutes_published_at is not None


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        INFORMATION = "information", _("Information")
        DECISION = "decision", _("Decision")

    meeting = models.ForeignKey(
        NetworkMeeting, on_delete=models.CASCADE, related_name="items", verbose_name=_("meeting")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(
        _("kind"), max_length=16, choices=Kind.choices, default=Kind.INFORMATION
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    decision = models.TextField(_("decision / notes"), blank=True)
    document = models.FileField(_("document"), upload_to="network/agenda/%Y/", blank=True)
    status_report = models.ForeignKey(
        "network.StatusReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("solution-group status report"),
    )

    class Meta:
        ordering = ["meeting", "order"]
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="network_agenda_order"),
            models.UniqueConstraint(
                fields=["meeting", "status_report"], name="network_agenda_report_once"
            ),
        ]

    def __str__(self):
        return f"{self.order}. {self.title}"
