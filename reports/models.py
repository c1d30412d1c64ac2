import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A checked import file being committed in the background (large files), with its
    progress. The worker claims it with a conditional UPDATE (queued → running)."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Nothing imported")

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    name = models.CharField(max_length=200)
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)  # [[row number, [messages]]]
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self):
        return f"{self.name} ({self.state})"

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


class CellKeySecret(models.Model):
    """The random secret behind the record keys of the cell-key method
    (`reports.suppression`). One row, made on first use; it must never change (new keys
    would give every cell a second, independent perturbation, and the two could be
    averaged), so it is independent of SECRET_KEY, which may be rotated. The setting
    KMV_CELL_KEY_SECRET, when set, is used instead."""

    value = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cell-key secret")
        verbose_name_plural = _("cell-key secrets")

    def __str__(self):
        return f"cell-key secret ({self.created_at:%Y-%m-%d})"
