from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Role
from kmv.dates import PlausibleDates
from participants.models import Participant


class ResourceGroup(models.Model):
    participant = models.OneToOneField(
        Participant,
        on_delete=models.CASCADE,
        related_name="resource_group",
        verbose_name=_("participant"),
    )
    contact_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("resource group")
        verbose_name_plural = _("resource groups")

    def __str__(self):
        return str(_("Resource group for %(participant)s") % {"participant": self.participant})


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return self.filter(start_date__lte=on).filter(
            models.Q(end_date__isnull=True) | models.Q(end_date__gt=on)
        )


class Membership(PlausibleDates, models.Model):
    """A dated membership: history is kept, never deleted ("who was in the group in 2019")."""

    group = models.ForeignKey(ResourceGroup, on_delete=models.CASCADE, related_name="memberships")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("staff member"),
    )
    # Agency and role are copied at the time of joining: people change jobs, history must not.
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"), null=True, blank=True)
    end_reason = models.CharField(_("reason for ending"), max_length=200, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        editable=False,
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["group", "start_date", "id"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="membership_end_after_start",
            ),
            models.UniqueConstraint(
                fields=["group", "staff"],
                condition=models.Q(end_date__isnull=True),
                name="membership_one_open_per_staff",
            ),
        ]

    def __str__(self):
        return f"{self.staff} ({self.agency})"

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("A membership cannot end before it starts.")})
