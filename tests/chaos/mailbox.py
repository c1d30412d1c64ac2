"""A mail backend that plays the receiving mail server for the chaos tests.

Every process appends one line per event to one log file (O_APPEND writes of one short
line are atomic): `begin <Message-ID> <pid>` when the hand-over of a message starts and
`deliver <Message-ID> <pid>` when the server has accepted it. `delay` stretches the
hand-over like a slow SMTP server, so a test can kill a worker in the middle of a send;
the file named by KMV_CHAOS_STALL_ONCE, while it exists, makes one process wait right after
an acceptance (and removes the file).
"""

import os
import time
from collections import Counter
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


def _append(path: str, line: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


class DeliveryLogBackend(BaseEmailBackend):
    def __init__(self, *, path, delay=0.0, **kwargs):
        super().__init__(**kwargs)
        self.path = path
        self.delay = delay

    def send_messages(self, email_messages):
        for message in email_messages:
            message_id = message.extra_headers["Message-ID"]
            _append(self.path, f"begin {message_id} {os.getpid()}")
            time.sleep(self.delay)
            message.message()  # render it, as a real backend would
            _append(self.path, f"deliver {message_id} {os.getpid()}")
            stall = os.environ.get("KMV_CHAOS_STALL_ONCE")
            if stall and os.path.exists(stall):
                # hold the process between "accepted" and the sweep's commit, once, so a
                # test can kill it exactly there
                os.unlink(stall)
                time.sleep(30)
        return len(email_messages)


def read(path: Path) -> list[tuple[str, str, int]]:
    """(event, Message-ID, pid) lines, in order."""
    if not path.exists():
        return []
    rows = []
    for line in path.read_text().splitlines():
        event, message_id, pid = line.split(" ")
        rows.append((event, message_id, int(pid)))
    return rows


def deliveries(path: Path) -> Counter:
    return Counter(mid for event, mid, _ in read(path) if event == "deliver")
