"""Read the file-based e-mail backend's folder, so a demo user sees what the app sent."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.utils import timezone


@dataclass
class OutboxMessage:
    key: str
    sent: datetime
    subject: str
    sender: str
    to: str
    body: str
    attachments: list[str] = field(default_factory=list)


def enabled() -> bool:
    backend = settings.MAILERS.get("default", {}).get("BACKEND", "")
    return backend == "django.core.mail.backends.filebased.EmailBackend"


def _folder() -> Path:
    return Path(settings.MAILERS["default"]["OPTIONS"]["file_path"])


def _parse(path: Path) -> list[OutboxMessage]:
    """The file backend appends every message of one connection to one .log file,
    separated by a line of 79 dashes."""
    raw = path.read_bytes()
    chunks = [c.strip(b"\n") for c in raw.split(b"-" * 79)]
    out = []
    for index, chunk in enumerate(c for c in chunks if c.strip()):
        msg = email.message_from_bytes(chunk, policy=email.policy.default)
        body_part = msg.get_body(preferencelist=("plain", "html"))
        attachments = [
            part.get_filename() or part.get_content_type() for part in msg.iter_attachments()
        ]
        out.append(
            OutboxMessage(
                key=f"{path.name}:{index}",
                sent=timezone.make_aware(datetime.fromtimestamp(path.stat().st_mtime)),
                subject=str(msg.get("Subject", "")),
                sender=str(msg.get("From", "")),
                to=str(msg.get("To", "")),
                body=body_part.get_content() if body_part else "",
                attachments=attachments,
            )
        )
    return out


def messages(limit: int = 200) -> list[OutboxMessage]:
    folder = _folder()
    if not folder.is_dir():
        return []
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True)
    result: list[OutboxMessage] = []
    for path in files:
        result.extend(reversed(_parse(path)))
        if len(result) >= limit:
            break
    return result[:limit]
