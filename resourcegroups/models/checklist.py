from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency

from .meetings import Meeting
from .routine import ChecklistItem


class ChecklistAnswer(models.Model):
    """One answer per meeting and item. `value` holds {"answer", "comment", "date", "text"}
    depending on the item's answer type. `version` guards against lost updates."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("answer"), default=dict, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+", null=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["meeting", "item__order"]
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "item"], name="answer_one_per_item"),
        ]

    def __str__(self):
        return f"{self.item} = {self.value}"

    @property
    def is_answered(self) -> bool:
        return any(str(v).strip() for k, v in (self.value or {}).items() if k != "comment")
