"""Challenges and opportunities, triage, solution groups with meetings, actions, checks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency
from kmv.dates import PlausibleDates

from .bodies import Network
from .days import ProfessionalDay


class Challenge(models.Model):
    class Kind(models.TextChoices):
        CHALLENGE = "challenge", _("Challenge")
        OPPORTUNITY = "opportunity", _("Opportunity")

    class Source(models.TextChoices):
        PROFESSIONAL_DAY = "professional_day", _("Professional day")
        WORKING_GROUP = "working_group", _("Working group")
        RESOURCE_GROUP = "resource_group", _("Resource-group minutes")
        PARTICIPANT_FEEDBACK = "participant_feedback", _("Participant feedback")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        DAY_TOPIC = "day_topic", _("Topic for a professional day")
        SOLUTION_GROUP = "solution_group", _("Solution group")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="challenges", verbose_name=_("network")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.CHALLENGE)
    title = models.CharField(_("what"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    source_day = models.ForeignKey(
        ProfessionalDay,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="raised_challenges",
        verbose_name=_("from professional day"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_by_agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.NEW
    )
    closed_reason = models.TextField(_("reason for closing"), blank=True)
    topic_day = models.ForeignKey(
        ProfessionalDay,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="topics",
        verbose_name=_("topic for professional day"),
    )
    triaged_at = models.DateTimeField(_("triaged"), null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("challenge")
        verbose_name_plural = _("challenges")

    def __str__(self):
        return self.title


class SolutionGroup(PlausibleDates, models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Working")
        IMPLEMENTING = "implementing", _("Implementing")
        SOLVED = "solved", _("Solved")
        CLOSED = "closed", _("Closed without solution")

    challenge = models.OneToOneField(
        Challenge,
        on_delete=models.CASCADE,
        related_name="solution_group",
        verbose_name=_("challenge"),
    )
    topic = models.CharField(_("topic"), max_length=200)
    target_meetings = models.PositiveSmallIntegerField(
        _("target number of meetings"), choices=[(1, "1"), (2, "2")], default=2
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    outcome = models.TextField(_("outcome"), blank=True)
    solved_on = models.DateField(_("solved on"), null=True, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="SolutionGroupMember",
        related_name="solution_groups",
    )

    class Meta:
        ordering = ["-challenge__raised_at"]
        verbose_name = _("solution group")
        verbose_name_plural = _("solution groups")

    def __str__(self):
        return self.topic


class SolutionGroupMember(models.Model):
    group = models.ForeignKey(SolutionGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    decision_power = models.BooleanField(_("decision power"), default=False)
    budget_responsibility = models.BooleanField(_("budget responsibility"), default=False)

    class Meta:
        verbose_name = _("solution-group member")
        verbose_name_plural = _("solution-group members")
        constraints = [
            models.UniqueConstraint(fields=["group", "user"], name="network_solution_member_once")
        ]

    def __str__(self):
        return f"{self.user} ({self.agency})"


class SolutionMeeting(models.Model):
    group = models.ForeignKey(SolutionGroup, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField(_("date"))
    options_discussed = models.TextField(_("options discussed"), blank=True)
    agreed_alternative = models.TextField(_("alternative agreed"), blank=True)

    class Meta:
        ordering = ["group", "date", "pk"]
        verbose_name = _("solution-group meeting")
        verbose_name_plural = _("solution-group meetings")

    def __str__(self):
        return f"{self.group} {self.date:%d.%m.%Y}"


class Action(models.Model):
    meeting = models.ForeignKey(SolutionMeeting, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(_("responsibility"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="network_actions"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField(_("due"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self):
        return self.description


class PartyCheck(models.Model):
    """Per party: does the agreed alternative work here, and when is it implemented."""

    group = models.ForeignKey(SolutionGroup, on_delete=models.CASCADE, related_name="checks")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    works = models.BooleanField(_("works at this party"), null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    checked_at = models.DateTimeField(null=True, blank=True)
    implementation_date = models.DateField(_("implementation date"), null=True, blank=True)

    class Meta:
        verbose_name = _("party check")
        verbose_name_plural = _("party checks")
        constraints = [
            models.UniqueConstraint(fields=["group", "agency"], name="network_party_check_once")
        ]

    def __str__(self):
        return f"{self.group}: {self.agency}"


class StatusReport(models.Model):
    """Lands on the next working-group and steering-group agenda by itself."""

    group = models.ForeignKey(
        SolutionGroup, on_delete=models.CASCADE, related_name="status_reports"
    )
    text = models.TextField(_("status"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")

    def __str__(self):
        return f"{self.group} {self.created_at:%d.%m.%Y}"
