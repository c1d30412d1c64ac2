"""The outbox sweep: deliver pending messages, each exactly once.

One row at a time, each in its own transaction: claim it with
SELECT … FOR UPDATE SKIP LOCKED (two sweeps running side by side take different rows;
SQLite has no row locks and ignores SKIP LOCKED, but its writes are serialised anyway),
hand it to the mail backend, mark it sent, commit. If the process dies between sending and
committing, the row is still pending and is sent again by the next sweep — with the same
Message-ID, so receivers can drop the duplicate; that tiny window is the only one, and it
is the price of never losing a message. A failure to send leaves the row pending with
backoff (2^attempts minutes) until MAX_ATTEMPTS, then marks it failed for an administrator.
"""

from __future__ import annotations

import logging
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import OutboxMessage
from .services import retry_in

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8


def build_email(row: OutboxMessage) -> EmailMessage:
    message = EmailMessage(
        subject=row.subject,
        body=row.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.to],
        headers={"Message-ID": row.message_id, "X-KMV-Key": row.key[:200]},
    )
    if row.ics:
        # text/calendar; method=REQUEST|CANCEL; charset=UTF-8 — the method parameter on the
        # MIME part is what makes Outlook treat it as a scheduling message
        part = MIMEPart()
        part.set_content(
            row.ics,
            subtype="calendar",
            charset="utf-8",
            params={"method": row.ics_method or "REQUEST"},
            disposition="attachment",
            filename="invite.ics" if row.ics_method != "CANCEL" else "cancel.ics",
        )
        message.attach(part)
    return message


def _claim(now):
    return (
        OutboxMessage.objects.select_for_update(skip_locked=True)
        .filter(status=OutboxMessage.Status.PENDING, send_after__lte=now)
        .order_by("send_after", "id")
        .first()
    )


def send_one(now=None) -> OutboxMessage | None:
    """Claim and send one due message; None when nothing is due."""
    now = now or timezone.now()
    with transaction.atomic():
        row = _claim(now)
        if row is None:
            return None
        try:
            build_email(row).send()
        except Exception as exc:  # noqa: BLE001 — SMTP/backends raise many kinds
            row.attempts += 1
            row.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                row.status = OutboxMessage.Status.FAILED
                log.error("outbox: giving up on %s after %s attempts", row.pk, row.attempts)
            else:
                row.send_after = timezone.now() + retry_in(row.attempts)
            row.save(update_fields=["attempts", "last_error", "status", "send_after"])
            return row
        row.status = OutboxMessage.Status.SENT
        row.sent_at = timezone.now()
        row.attempts += 1
        row.last_error = ""
        row.save(update_fields=["status", "sent_at", "attempts", "last_error"])
        return row


def send_due(*, limit: int = 500) -> int:
    """Send what is due now; returns the number of messages sent. `limit` bounds one
    run (the next run goes on); rows that fail move into the future, so the loop ends."""
    now = timezone.now()
    sent = 0
    for _ in range(limit):
        row = send_one(now)
        if row is None:
            break
        sent += row.status == OutboxMessage.Status.SENT
    return sent
