from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Role
from kmv.dates import PlausibleDates
from participants.models import Language, Participant

from .routine import Routine, RoutineStage


class Meeting(PlausibleDates, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        BOOKED = "booked", _("Booked")
        INVITED = "invited", _("Invited")
        HELD = "held", _("Held")
        MINUTES_APPROVED = "minutes_approved", _("Minutes approved")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("Participant did not come")

    OPEN_STATUSES = (Status.PLANNED, Status.BOOKED, Status.INVITED)
    DONE_STATUSES = (Status.HELD, Status.MINUTES_APPROVED)

    participant = models.ForeignKey(
        Participant,
        on_delete=models.CASCADE,
        related_name="meetings",
        verbose_name=_("participant"),
    )
    routine = models.ForeignKey(
        Routine,
        on_delete=models.PROTECT,
        related_name="meetings",
        verbose_name=_("routine version"),
    )
    stage = models.ForeignKey(
        RoutineStage, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("stage")
    )
    # 0 for the milestone stages; 1, 2, … for repeated kinds (half-yearly, on concern)
    sequence = models.PositiveSmallIntegerField(_("number in series"), default=0)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    planned_start = models.DateTimeField(_("start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("end"), null=True, blank=True)
    place = models.CharField(_("place / room"), max_length=200, blank=True)
    interpreter_needed = models.BooleanField(_("interpreter needed"), default=False)
    interpreter_language = models.CharField(
        _("interpreter language"), max_length=8, choices=Language.choices, blank=True
    )
    interpreter_booked = models.CharField(_("booked interpreter"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    hand_edited = models.BooleanField(
        _("time set by hand"),
        default=False,
        help_text=_("A milestone change moves only meetings nobody has scheduled by hand."),
    )
    needs_review = models.BooleanField(_("needs review after a milestone change"), default=False)
    concern_reason = models.CharField(_("reason"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_date", "planned_start", "id"]
        verbose_name = _("resource-group meeting")
        verbose_name_plural = _("resource-group meetings")
        indexes = [
            models.Index(fields=["status", "due_date"], name="meeting_status_due"),
            models.Index(fields=["planned_start"], name="meeting_start"),
            # routine-compliance grouping in reports (covering: status, stage, version, due)
            models.Index(
                fields=["status", "stage", "routine", "due_date"], name="meeting_compliance"
            ),
        ]
        constraints = [
            # one generated milestone meeting per participant and stage that is still alive
            models.UniqueConstraint(
                fields=["participant", "stage", "sequence"],
                condition=~models.Q(status__in=["cancelled", "no_show"]),
                name="meeting_one_live_per_stage",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_end__isnull=True)
                | models.Q(planned_start__isnull=True)
                | models.Q(planned_end__gt=models.F("planned_start")),
                name="meeting_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.stage} – {self.participant}"

    def clean(self):
        if self.planned_start and self.planned_end and self.planned_end <= self.planned_start:
            raise ValidationError({"planned_end": _("The meeting must end after it starts.")})
        if self.interpreter_needed and not self.interpreter_language:
            raise ValidationError(
                {"interpreter_language": _("Choose the language the interpreter must speak.")}
            )

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE_STATUSES


class Attendance(models.TextChoices):
    UNKNOWN = "", _("Not recorded")
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    EXCUSED = "excused", _("Excused")


class MeetingInvitee(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="invitees")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_invitations"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, default="", blank=True
    )

    class Meta:
        ordering = ["meeting", "agency__name"]
        verbose_name = _("invited member")
        verbose_name_plural = _("invited members")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "staff"], name="invitee_unique"),
        ]
        indexes = [
            # attendance rate per agency in reports
            models.Index(fields=["meeting", "agency", "attendance"], name="invitee_attendance"),
        ]

    def __str__(self):
        return f"{self.staff} ({self.agency})"


class MeetingEvent(models.Model):
    """History of a meeting: reschedules, status changes, milestone moves. Never edited."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Planned")
        RESCHEDULED = "rescheduled", _("Rescheduled")
        STATUS = "status", _("Status changed")
        MOVED_BY_MILESTONE = "moved", _("Moved by a milestone change")
        REVIEW = "review", _("Flagged for review after a milestone change")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["meeting", "at", "id"]
        verbose_name = _("meeting event")
        verbose_name_plural = _("meeting events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
