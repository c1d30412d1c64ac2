"""Participant feedback after a held resource-group meeting: anonymous, by link or paper.

The invite knows the meeting id (to make one link per meeting); the response knows only the
stage number, the month and the language — never the meeting or the participant.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

SCALE = [MinValueValidator(1), MaxValueValidator(5)]


class FeedbackInvite(models.Model):
    meeting_id = models.PositiveBigIntegerField(_("resource-group meeting id"), unique=True)
    stage_number = models.PositiveSmallIntegerField(_("stage"))
    period = models.DateField(_("month"))
    language = models.CharField(_("language"), max_length=8, default="nb")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    used = models.BooleanField(_("answered"), default=False)

    class Meta:
        verbose_name = _("feedback invitation")
        verbose_name_plural = _("feedback invitations")

    def __str__(self):
        return f"meeting {self.meeting_id}"


class FeedbackResponse(models.Model):
    class Channel(models.TextChoices):
        LINK = "link", _("Link")
        PAPER = "paper", _("Paper, entered by staff")

    stage_number = models.PositiveSmallIntegerField(_("stage"))
    period = models.DateField(_("month"))
    language = models.CharField(_("language"), max_length=8, default="nb")
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    heard = models.PositiveSmallIntegerField(_("I was listened to"), validators=SCALE)
    understood = models.PositiveSmallIntegerField(_("I understood the plan"), validators=SCALE)
    useful = models.PositiveSmallIntegerField(_("The meeting helped me"), validators=SCALE)
    free_text = models.TextField(_("anything else"), blank=True)
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    challenge = models.ForeignKey(
        "network.Challenge", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period", "stage_number", "pk"]
        verbose_name = _("participant feedback")
        verbose_name_plural = _("participant feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(heard__gte=1, heard__lte=5)
                & models.Q(understood__gte=1, understood__lte=5)
                & models.Q(useful__gte=1, useful__lte=5),
                name="network_feedback_scale",
            )
        ]

    def __str__(self):
        return f"stage {self.stage_number} {self.period:%m.%Y}"
