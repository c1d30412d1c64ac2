"""The routine (rutinebeskrivelse) is data, and it has versions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Role
from kmv.dates import PlausibleDates
from participants.models import DataCategory


class Bilingual:
    """Routine content is written in bokmål with an English translation beside it."""

    def localized(self, field: str) -> str:
        if (get_language() or "nb").startswith("en"):
            return getattr(self, f"{field}_en") or getattr(self, field)
        return getattr(self, field)


class Routine(PlausibleDates, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    name = models.CharField(_("name"), max_length=200)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    window_before_days = models.PositiveIntegerField(
        _("due window opens (days before the due date)"), default=42
    )
    window_after_days = models.PositiveIntegerField(
        _("due window closes (days after the due date)"), default=28
    )
    based_on = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    change_summary = models.TextField(_("what changed"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        verbose_name = _("routine")
        verbose_name_plural = _("routines")
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="routine_name_version_unique"),
            models.CheckConstraint(
                condition=~models.Q(status="active") | models.Q(effective_from__isnull=False),
                name="routine_active_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.name} v{self.version}"


class Anchor(models.TextChoices):
    INTRO_START = "intro_start", _("Start of the introduction programme")
    ADULT_EDUCATION_END = "adult_education_end", _("End of adult education / primary school")
    UPPER_SECONDARY_END = (
        "upper_secondary_end",
        _("End of upper-secondary or start of apprenticeship"),
    )


class RoutineStage(Bilingual, models.Model):
    class Kind(models.TextChoices):
        MILESTONE = "milestone", _("Milestone meeting")
        HALF_YEARLY = "half_yearly", _("Half-yearly during upper-secondary")
        CONCERN = "concern", _("On concern about progress")

    class Pathways(models.TextChoices):
        ALL = "all", _("All participants")
        WITH_UPPER_SECONDARY = "with_vgo", _("Only with upper-secondary")
        WITHOUT_UPPER_SECONDARY = "without_vgo", _("Only without upper-secondary")

    routine = models.ForeignKey(Routine, on_delete=models.CASCADE, related_name="stages")
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.MILESTONE)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200, blank=True)
    anchor = models.CharField(
        _("anchor milestone"), max_length=32, choices=Anchor.choices, blank=True
    )
    offset_months = models.SmallIntegerField(_("offset in months"), default=0)
    pathways = models.CharField(
        _("applies to"), max_length=16, choices=Pathways.choices, default=Pathways.ALL
    )
    invited_roles = models.JSONField(_("invited roles"), default=list)
    responsible_role = models.CharField(_("responsible role"), max_length=32, choices=Role.choices)
    book_interpreter = models.BooleanField(_("book an interpreter when needed"), default=True)
    book_room = models.BooleanField(_("book a room"), default=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)

    class Meta:
        ordering = ["routine", "number"]
        verbose_name = _("routine stage")
        verbose_name_plural = _("routine stages")
        constraints = [
            models.UniqueConstraint(fields=["routine", "number"], name="stage_number_unique"),
            models.CheckConstraint(
                condition=~models.Q(kind="milestone") | ~models.Q(anchor=""),
                name="stage_milestone_has_anchor",
            ),
        ]

    def __str__(self):
        return f"{self.number}. {self.localized('name')}"

    def clean(self):
        unknown = set(self.invited_roles or []) - set(Role.values)
        if unknown:
            raise ValidationError(
                {"invited_roles": _("Unknown roles: %(r)s") % {"r": ", ".join(unknown)}}
            )


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("Yes / no / not relevant + comment")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    TEXT = "text", _("Free text")


class ChecklistItem(Bilingual, models.Model):
    stage = models.ForeignKey(RoutineStage, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"))
    text = models.CharField(_("text"), max_length=400)
    text_en = models.CharField(_("text (English)"), max_length=400, blank=True)
    owner_role = models.CharField(_("filled by"), max_length=32, choices=Role.choices)
    answer_type = models.CharField(_("answer type"), max_length=16, choices=AnswerType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)  # [{"value", "nb", "en"}]
    profile_fact = models.CharField(
        _("updates profile fact"), max_length=40, blank=True
    )  # a key of participants.facts.FACTS
    # What the answer and its comment are about: only agencies that may see this category
    # (kmv.access.policy.visible_categories) see them, on every channel.
    category = models.CharField(
        _("data category"),
        max_length=32,
        choices=DataCategory.choices,
        default=DataCategory.PLAN_MEETINGS,
    )

    class Meta:
        ordering = ["stage", "order"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["stage", "order"], name="item_order_unique"),
        ]

    def __str__(self):
        return self.localized("text")

    def clean(self):
        if self.answer_type == AnswerType.CHOICE and not self.choices:
            raise ValidationError({"choices": _("A choice question needs choices.")})
        from participants.facts import FACTS

        fact = FACTS.get(self.profile_fact)
        if fact is not None:
            # the answer becomes that fact: it cannot be shared more widely than the fact
            self.category = fact.category
