"""Settings for the processes the chaos tests start (web server, Celery worker and beat).

The production settings, with two test hooks: mail goes to a delivery log that every
process appends to (so the test counts deliveries across processes and kills), and
KMV_CHAOS_BEAT_SECONDS shortens the beat periods (the two-beat test needs several periods
in a few seconds; the Redis test keeps the production schedule).
"""

import os

from kmv.settings import *  # noqa: F403
from kmv.settings import CELERY_BEAT_SCHEDULE

MAILERS = {
    "default": {
        "BACKEND": "tests.chaos.mailbox.DeliveryLogBackend",
        "OPTIONS": {
            "path": os.environ["KMV_CHAOS_MAILBOX"],
            "delay": float(os.environ.get("KMV_CHAOS_SEND_DELAY", "0")),
        },
    }
}

if os.environ.get("KMV_CHAOS_BEAT_SECONDS"):
    _period = float(os.environ["KMV_CHAOS_BEAT_SECONDS"])
    CELERY_BEAT_SCHEDULE = {
        name: {**entry, "schedule": _period, "options": {"expires": _period * 5}}
        for name, entry in CELERY_BEAT_SCHEDULE.items()
        if name in {"send-outbox", "plan-reminders", "expire-consents"}
    }
