"""Professional days (fagdager), their programme, registrations and anonymous evaluations."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency

from .bodies import Network


class ProfessionalDay(models.Model):
    class Kind(models.TextChoices):
        OPEN = "open", _("Open professional day")
        COLLABORATION = "collaboration", _("Closed cross-agency collaboration day")
        WORKSHOP = "workshop", _("Workshop")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="days", verbose_name=_("network")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    theme = models.CharField(_("theme"), max_length=200)
    date = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online = models.BooleanField(_("online"), default=False)
    online_url = models.URLField(_("online link"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PLANNED
    )
    invited_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="+", verbose_name=_("invited agencies")
    )
    part2_delay_days = models.PositiveSmallIntegerField(
        _("days before evaluation part 2"),
        default=42,
        validators=[MinValueValidator(7), MaxValueValidator(365)],
    )
    part2_sent_at = models.DateTimeField(_("evaluation part 2 sent"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("professional day")
        verbose_name_plural = _("professional days")

    def __str__(self):
        return f"{self.theme} ({self.date:%d.%m.%Y})"


class ProgrammeSegment(models.Model):
    class Kind(models.TextChoices):
        RULES = "rules", _("Law and rule updates")
        PRACTICE = "practice", _("A partner presents its practice")
        CASE_WORK = "case_work", _("Case work in mixed groups")
        EVALUATION = "evaluation", _("Evaluation")
        OTHER = "other", _("Other")

    day = models.ForeignKey(
        ProfessionalDay, on_delete=models.CASCADE, related_name="segments", verbose_name=_("day")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    presenter = models.ForeignKey(
        Agency,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("presenting agency"),
    )

    class Meta:
        ordering = ["day", "order"]
        verbose_name = _("programme segment")
        verbose_name_plural = _("programme segments")
        constraints = [
            models.UniqueConstraint(fields=["day", "order"], name="network_segment_order")
        ]

    def __str__(self):
        return self.title


class Registration(models.Model):
    """An invited or registered person: staff (user) or an outside guest (name + e-mail)."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        REGISTERED = "registered", _("Registered")
        DECLINED = "declined", _("Declined")

    day = models.ForeignKey(
        ProfessionalDay,
        on_delete=models.CASCADE,
        related_name="registrations",
        verbose_name=_("day"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("staff member"),
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail"))
    agency = models.ForeignKey(
        Agency, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVITED
    )
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, default="nb")

    class Meta:
        ordering = ["day", "name"]
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(fields=["day", "email"], name="network_registration_once")
        ]

    def __str__(self):
        return self.name


class EvaluationInvite(models.Model):
    """Who may answer which part, once. Holds the token hash and whether it was used — and
    nothing that joins it to the answer: `EvaluationAnswer` has no link back."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="evaluation_invites"
    )
    part = models.PositiveSmallIntegerField(_("part"), choices=[(1, "1"), (2, "2")])
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("evaluation invitation")
        verbose_name_plural = _("evaluation invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "part"], name="network_evaluation_invite_once"
            )
        ]

    def __str__(self):
        return f"{self.registration.day} part {self.part}"


class EvaluationAnswer(models.Model):
    """One anonymous answer. Deliberately no user, registration, invite or timestamp: only
    the day, the part and the week it came in."""

    class Use(models.TextChoices):
        MUCH = "much", _("To a large degree")
        SOME = "some", _("To some degree")
        LITTLE = "little", _("A little")
        NOT = "not", _("Not at all")

    day = models.ForeignKey(
        ProfessionalDay, on_delete=models.CASCADE, related_name="answers", verbose_name=_("day")
    )
    part = models.PositiveSmallIntegerField(_("part"), choices=[(1, "1"), (2, "2")])
    usefulness = models.PositiveSmallIntegerField(
        _("usefulness (1–5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    most_useful = models.TextField(_("most useful"), blank=True)
    missing_competence = models.TextField(_("competence still missing"), blank=True)
    wished_topics = models.TextField(_("topics wished for"), blank=True)
    competence_used = models.CharField(
        _("competence used at the workplace"), max_length=8, choices=Use.choices, blank=True
    )
    used_how = models.TextField(_("how it was used"), blank=True)
    free_text = models.TextField(_("other comments"), blank=True)
    week = models.DateField(_("week received"))

    class Meta:
        verbose_name = _("evaluation answer")
        verbose_name_plural = _("evaluation answers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(usefulness__isnull=True)
                | models.Q(usefulness__gte=1, usefulness__lte=5),
                name="network_answer_usefulness_range",
            )
        ]

    def __str__(self):
        return f"{self.day} part {self.part}"
