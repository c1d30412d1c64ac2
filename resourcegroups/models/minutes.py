from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency
from kmv.dates import PlausibleDates
from participants.models import DataCategory

from .meetings import Meeting


class MeetingNote(models.Model):
    """Each agency's own notes: one row per agency, visible only to that agency (its own
    record, so consent to share does not come into it; the category says what it is)."""

    CATEGORY = DataCategory.PLAN_MEETINGS

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="notes")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("notes"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("agency notes")
        verbose_name_plural = _("agency notes")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "agency"], name="note_one_per_agency"),
        ]

    def __str__(self):
        return f"{self.agency}: {self.meeting}"


class Minutes(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FOR_APPROVAL = "for_approval", _("Sent for approval")
        APPROVED = "approved", _("Approved and locked")

    # The shared text sections are the meeting's plan-and-meetings record: an agency without
    # that category sees a neutral marker in their place (resourcegroups.selectors).
    SECTION_CATEGORIES = {
        "decisions": DataCategory.PLAN_MEETINGS,
        "summary": DataCategory.PLAN_MEETINGS,
        "next_meeting": DataCategory.PLAN_MEETINGS,
        "plain_summary": DataCategory.PLAN_MEETINGS,
    }

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="minutes")
    decisions = models.TextField(_("agreed decisions"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    next_meeting = models.CharField(_("next meeting"), max_length=300, blank=True)
    plain_summary = models.TextField(_("plain-language summary for the participant"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    composed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    locked_at = models.DateTimeField(_("locked"), null=True, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    pdf = models.FileField(upload_to="minutes/", blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self):
        return str(self.meeting)

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.APPROVED


class MinutesAction(PlausibleDates, models.Model):
    """A next step: what, who (staff and agency), by when."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(_("next step"), max_length=400)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="+", verbose_name=_("agency")
    )
    due_date = models.DateField(_("due date"))
    category = models.CharField(
        _("data category"),
        max_length=32,
        choices=DataCategory.choices,
        default=DataCategory.PLAN_MEETINGS,
    )

    class Meta:
        ordering = ["minutes", "order", "id"]
        verbose_name = _("next step")
        verbose_name_plural = _("next steps")

    def __str__(self):
        return self.text


class MinutesApproval(models.Model):
    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="approvals")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minutes", "approved_at"]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")
        constraints = [
            models.UniqueConstraint(fields=["minutes", "agency"], name="approval_one_per_agency"),
        ]

    def __str__(self):
        return f"{self.agency}: {self.approved_at:%Y-%m-%d %H:%M}"


class MinutesAddendum(models.Model):
    """Corrections after approval are addenda, never edits."""

    minutes = models.ForeignKey(Minutes, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField(_("addendum"))
    category = models.CharField(
        _("data category"),
        max_length=32,
        choices=DataCategory.choices,
        default=DataCategory.PLAN_MEETINGS,
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["minutes", "written_at"]
        verbose_name = _("addendum")
        verbose_name_plural = _("addenda")

    def __str__(self):
        return f"{self.agency}: {self.written_at:%Y-%m-%d}"
