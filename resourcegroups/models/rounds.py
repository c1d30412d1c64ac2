"""Rounds of resource-group meetings: one or two intensive days on which each due
participant's group meets in turn. The scheduler (resourcegroups.scheduler) places the
meetings; `RoundBooking` makes the database itself refuse a double booking."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Role
from kmv.dates import PlausibleDates
from participants.models import Language

from .meetings import Meeting
from .routine import RoutineStage

# Bookings are stored per 5-minute cell: slot lengths and buffers are multiples of it.
CELL_MINUTES = 5


class Room(models.Model):
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="rooms", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=120)
    location = models.CharField(_("address / building"), max_length=200, blank=True)
    capacity = models.PositiveSmallIntegerField(_("capacity (people)"), default=8)
    accessible = models.BooleanField(_("step-free access"), default=True)
    # deactivated rooms stay on old rounds but are no longer offered for new ones
    active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("meeting room")
        verbose_name_plural = _("meeting rooms")
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="room_name_unique"),
        ]

    def __str__(self):
        return self.name


class Interpreter(models.Model):
    """An external interpreter, or a person on an interpreter service's roster (`agency`)."""

    name = models.CharField(_("name"), max_length=200)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interpreters",
        verbose_name=_("interpreter service"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="interpreter_profile",
    )
    languages = models.JSONField(_("languages"), default=list)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    authorised = models.BooleanField(_("authorised interpreter"), default=True)
    active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("interpreter")
        verbose_name_plural = _("interpreters")

    def __str__(self):
        return self.name

    def clean(self):
        unknown = set(self.languages or []) - set(Language.values)
        if unknown or not self.languages:
            raise ValidationError({"languages": _("Choose at least one known language.")})


# The steps a solver run reports while it works (Round.solver_step), in order.
SOLVER_STEPS = {
    "loading": _("Reading participants, groups and availability"),
    "model": _("Building the model and placing as many meetings as possible (level 1 of 4)"),
    "level2": _("Making staff days compact (level 2 of 4)"),
    "level3": _("Fewer interpreter bookings (level 3 of 4)"),
    "level4": _("Preferred times (level 4 of 4)"),
    "saving": _("Saving the schedule"),
}


class Round(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        DONE = "done", _("Done")

    class SolverStatus(models.TextChoices):
        IDLE = "", _("Not run")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        OPTIMAL = "optimal", _("Best possible schedule")
        FEASIBLE = "feasible", _("Good schedule (time limit reached)")
        FAILED = "failed", _("Failed")

    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_rounds",
        verbose_name=_("owner"),
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("agency")
    )
    stages = models.ManyToManyField(
        RoutineStage, related_name="rounds", verbose_name=_("stages covered")
    )
    rooms = models.ManyToManyField(Room, blank=True, related_name="rounds", verbose_name=_("rooms"))
    interpreters = models.ManyToManyField(
        Interpreter, blank=True, related_name="rounds", verbose_name=_("interpreters")
    )
    slot_minutes = models.PositiveSmallIntegerField(_("meeting length (minutes)"), default=60)
    buffer_minutes = models.PositiveSmallIntegerField(
        _("buffer between meetings (minutes)"), default=15
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    time_limit_seconds = models.PositiveSmallIntegerField(_("solver time limit (s)"), default=30)
    solver_status = models.CharField(
        _("scheduler"), max_length=16, choices=SolverStatus.choices, default="", blank=True
    )
    solver_progress = models.PositiveSmallIntegerField(default=0)
    solver_objective = models.JSONField(default=list, blank=True)
    solver_message = models.CharField(max_length=300, blank=True)
    # what the running solver is doing now (translated when shown, not when written)
    solver_step = models.CharField(max_length=16, blank=True, default="")
    solver_run = models.PositiveIntegerField(default=0)  # claims: a task acts only on its run
    solver_started_at = models.DateTimeField(null=True, blank=True)
    solver_finished_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(slot_minutes__gte=15) & models.Q(slot_minutes__lte=240),
                name="round_slot_length_range",
            ),
            models.CheckConstraint(
                condition=models.Q(solver_progress__lte=100), name="round_progress_percent"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        for field in ("slot_minutes", "buffer_minutes"):
            value = getattr(self, field)
            if value is not None and value % CELL_MINUTES:
                raise ValidationError(
                    {field: _("Use a multiple of %(n)s minutes.") % {"n": CELL_MINUTES}}
                )

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def solver_step_label(self) -> str:
        return str(SOLVER_STEPS.get(self.solver_step, "")) if self.solver_busy else ""

    @property
    def solver_busy(self) -> bool:
        return self.solver_status in (self.SolverStatus.QUEUED, self.SolverStatus.RUNNING)


class RoundDay(PlausibleDates, models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="days")
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))

    class Meta:
        ordering = ["round", "date"]
        verbose_name = _("round day")
        verbose_name_plural = _("round days")
        constraints = [
            models.UniqueConstraint(fields=["round", "date"], name="round_day_unique"),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="day_end"),
        ]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The day must end after it starts.")})
        if self.start and self.start.minute % CELL_MINUTES:
            raise ValidationError(
                {"start": _("Use a multiple of %(n)s minutes.") % {"n": CELL_MINUTES}}
            )


class Unavailability(models.Model):
    """A block on a round day when a staff member, an interpreter or a participant cannot
    attend (exactly one of them)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="unavailability")
    day = models.ForeignKey(RoundDay, on_delete=models.CASCADE, related_name="unavailability")
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    interpreter = models.ForeignKey(
        Interpreter, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    participant = models.ForeignKey(
        "participants.Participant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["day", "start"]
        verbose_name = _("unavailable block")
        verbose_name_plural = _("unavailable blocks")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(
                        staff__isnull=False, interpreter__isnull=True, participant__isnull=True
                    )
                    | models.Q(
                        staff__isnull=True, interpreter__isnull=False, participant__isnull=True
                    )
                    | models.Q(
                        staff__isnull=True, interpreter__isnull=True, participant__isnull=False
                    )
                ),
                name="unavailability_one_subject",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="unavailability_end"
            ),
        ]

    def __str__(self):
        return f"{self.day} {self.start:%H:%M}–{self.end:%H:%M}"


class StaffBlock(PlausibleDates, models.Model):
    """A time a staff member cannot attend any meeting ("my availability"), independent of
    rounds: every round covering the date treats it as unavailable."""

    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="unavailable_blocks"
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start", "pk"]
        verbose_name = _("unavailable time")
        verbose_name_plural = _("unavailable times")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="staff_block_end"
            ),
        ]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The time must end after it starts.")})


class InterpreterWindow(PlausibleDates, models.Model):
    """A time an interpreter IS available. Rule (applied in services.rounds.load_instance):
    once an interpreter has any window on one of a round's dates, the round treats them as
    unavailable outside their windows on every day of that round; with no window on those
    dates they count as available except for their unavailable blocks."""

    interpreter = models.ForeignKey(
        Interpreter, on_delete=models.CASCADE, related_name="windows", verbose_name=_("interpreter")
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "start", "pk"]
        verbose_name = _("available time")
        verbose_name_plural = _("available times")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="interpreter_window_end"
            ),
        ]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.start:%H:%M}–{self.end:%H:%M}"

    def clean(self):
        if self.start and self.end and self.end <= self.start:
            raise ValidationError({"end": _("The time must end after it starts.")})


class RoundEntry(models.Model):
    """A selected participant's meeting in the round, and its place in the schedule."""

    class Preference(models.TextChoices):
        NONE = "", _("No preference")
        MORNING = "morning", _("Morning")
        AFTERNOON = "afternoon", _("Afternoon")

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="entries")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="round_entries")
    day = models.ForeignKey(
        RoundDay, on_delete=models.SET_NULL, null=True, blank=True, related_name="entries"
    )
    slot = models.PositiveSmallIntegerField(null=True, blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    interpreter = models.ForeignKey(
        Interpreter, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    locked = models.BooleanField(_("locked"), default=False)
    preference = models.CharField(
        _("preferred time"), max_length=16, choices=Preference.choices, blank=True, default=""
    )
    needs_accessible = models.BooleanField(_("needs step-free access"), default=False)
    reasons = models.JSONField(default=list, blank=True)  # why it could not be placed
    gaps = models.JSONField(default=list, blank=True)  # required roles nobody fills

    class Meta:
        ordering = ["round", "day", "slot", "id"]
        verbose_name = _("round entry")
        verbose_name_plural = _("round entries")
        constraints = [
            models.UniqueConstraint(fields=["round", "meeting"], name="round_entry_unique"),
            models.UniqueConstraint(
                fields=["round", "day", "slot", "room"],
                condition=models.Q(day__isnull=False),
                name="round_entry_room_slot_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(day__isnull=True, slot__isnull=True, room__isnull=True)
                | models.Q(day__isnull=False, slot__isnull=False, room__isnull=False),
                name="round_entry_placed_fully",
            ),
        ]

    def __str__(self):
        return str(self.meeting)

    @property
    def is_placed(self) -> bool:
        return self.day_id is not None

    @property
    def gap_labels(self) -> list[str]:
        """The missing roles as the user's language names them (gaps stores role codes)."""
        labels = dict(Role.choices)
        return [str(labels.get(code, code)) for code in self.gaps]


class RoundBooking(models.Model):
    """One row per resource and 5-minute cell a placed meeting (plus its trailing buffer)
    occupies. The unique constraint is the database's refusal of a double booking: two
    advisers placing the same person, room or interpreter at overlapping times — in one
    round or two — cannot both commit. `resource` is "staff:<id>", "participant:<id>",
    "room:<id>" or "interpreter:<id>"."""

    entry = models.ForeignKey(RoundEntry, on_delete=models.CASCADE, related_name="bookings")
    resource = models.CharField(max_length=40)
    cell = models.DateTimeField()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        constraints = [
            models.UniqueConstraint(fields=["resource", "cell"], name="booking_resource_cell"),
        ]

    def __str__(self):
        return f"{self.resource} @ {self.cell:%Y-%m-%d %H:%M}"


class InformationDay(PlausibleDates, models.Model):
    """The joint information day the county career centre and adult education hold for a
    cohort before meeting 3, so general information is not repeated in every group."""

    title = models.CharField(_("title"), max_length=200)
    date = models.DateField(_("date"))
    start = models.TimeField(_("from"))
    end = models.TimeField(_("to"))
    place = models.CharField(_("place"), max_length=200)
    organisers = models.ManyToManyField(
        Agency, related_name="information_days", verbose_name=_("organisers")
    )
    stage = models.ForeignKey(
        RoutineStage,
        on_delete=models.PROTECT,
        related_name="information_days",
        verbose_name=_("before meeting"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = _("joint information day")
        verbose_name_plural = _("joint information days")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="info_day_end"
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.date:%d.%m.%Y}"


class InformationDayInvitation(models.Model):
    class Attendance(models.TextChoices):
        UNKNOWN = "", _("Not recorded")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")

    day = models.ForeignKey(InformationDay, on_delete=models.CASCADE, related_name="invitations")
    participant = models.ForeignKey(
        "participants.Participant", on_delete=models.CASCADE, related_name="information_days"
    )
    # the participant's meeting 3: its page links to the day, and the day to it
    meeting = models.ForeignKey(
        Meeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="information_days",
    )
    attendance = models.CharField(
        _("attendance"), max_length=16, choices=Attendance.choices, blank=True, default=""
    )
    invited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["day", "participant__last_name", "participant__first_name"]
        verbose_name = _("information day invitation")
        verbose_name_plural = _("information day invitations")
        constraints = [
            models.UniqueConstraint(fields=["day", "participant"], name="info_day_invite_once"),
        ]

    def __str__(self):
        return f"{self.participant} – {self.day}"
