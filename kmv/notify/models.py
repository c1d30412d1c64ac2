"""The outbox: every message the app sends is first a row here, written in the same
transaction as the change that caused it. Delivery is a separate step (the sweep), so a
broker or mail server that is down delays a message but never loses it, and the unique
key makes a second attempt a no-op ("is this message already sent?" lives in one place:
the `key` column)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    class Kind(models.TextChoices):
        INVITATION = "invitation", _("Invitation")
        CANCELLATION = "cancellation", _("Cancellation")
        INTERPRETER = "interpreter", _("Interpreter booking")
        WINDOW_OPEN = "window_open", _("Time to book")
        REMINDER = "reminder", _("Reminder")
        OVERDUE = "overdue", _("Overdue")
        OUT_OF_WINDOW = "out_of_window", _("Meeting outside its window")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    # e.g. "meeting:12:invitation:3:to:alice@example.org" — unique: one message per key, ever
    key = models.CharField(max_length=255, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    # plain id, no foreign key: messages outlive meetings, and notify knows no app's models
    meeting_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    to = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8, default="nb")
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    ics = models.TextField(blank=True)
    ics_method = models.CharField(max_length=16, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    send_after = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["send_after", "id"]
        verbose_name = _("outgoing message")
        verbose_name_plural = _("outgoing messages")
        indexes = [
            # the sweep's claim: pending rows whose time has come, oldest first
            models.Index(fields=["status", "send_after"], name="outbox_due"),
        ]

    def __str__(self):
        return self.key

    @property
    def message_id(self) -> str:
        """Stable Message-ID from the key: a resend after a crash between "handed to the mail
        server" and "marked sent" carries the same id, so receivers can drop the duplicate."""
        digest = hashlib.sha256(self.key.encode()).hexdigest()[:32]
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "kmv.local"
        return f"<{digest}@{domain}>"


class MeetingCalendar(models.Model):
    """The iCalendar state of one meeting: RFC 5545 wants SEQUENCE to rise strictly with every
    significant change (time, place, status), and clients ignore an update whose SEQUENCE is
    not higher than the one they hold. `fingerprint` is what the last invitation said."""

    meeting = models.OneToOneField(
        "resourcegroups.Meeting", on_delete=models.CASCADE, related_name="calendar"
    )
    sequence = models.PositiveIntegerField(default=0)
    fingerprint = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting calendar state")
        verbose_name_plural = _("meeting calendar states")

    def __str__(self):
        return f"meeting {self.meeting_id} seq {self.sequence}"


class CalendarFeedToken(models.Model):
    """A private subscription URL. Only the SHA-256 of the token is stored: the database
    alone does not open anybody's calendar."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=8, help_text="first characters, to tell tokens apart")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed token")
        verbose_name_plural = _("calendar feed tokens")

    def __str__(self):
        return f"{self.hint}… ({self.user_id})"

    @staticmethod
    def hash(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
