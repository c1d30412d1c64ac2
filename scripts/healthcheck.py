"""Container health checks: `python scripts/healthcheck.py web|worker|beat`.

web:    the login page answers 200 (sent as HTTPS from the proxy, with an allowed Host).
worker: the local Celery worker answers a ping over the broker.
beat:   the beat schedule file was written recently (beat syncs it every few minutes).
"""

import glob
import os
import socket
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def web() -> bool:
    hosts = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost").split(",") if h.strip()]
    host = next((h.strip() for h in hosts if not h.startswith((".", "*"))), "localhost")
    request = urllib.request.Request(  # noqa: S310 (fixed local URL)
        f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/konto/logg-inn/",
        headers={"Host": host, "X-Forwarded-Proto": "https"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return response.status == 200


def worker() -> bool:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kmv.settings")
    from kmv.celery import app

    replies = app.control.ping(destination=[f"celery@{socket.gethostname()}"], timeout=5)
    return bool(replies)


def beat(max_age: float = 600.0) -> bool:
    local = os.environ.get("KMV_LOCAL_DIR", str(ROOT / ".local"))
    files = glob.glob(os.path.join(local, "celerybeat-schedule*"))
    return bool(files) and time.time() - max(os.path.getmtime(f) for f in files) < max_age


if __name__ == "__main__":
    checks = {"web": web, "worker": worker, "beat": beat}
    if len(sys.argv) != 2 or sys.argv[1] not in checks:
        sys.exit("usage: healthcheck.py web|worker|beat")
    try:
        ok = checks[sys.argv[1]]()
    except Exception as exc:  # noqa: BLE001 (any failure means unhealthy)
        print(f"unhealthy: {exc}")
        sys.exit(1)
    sys.exit(0 if ok else 1)
