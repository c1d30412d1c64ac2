"""Run the local stack in one terminal: Django dev server, Celery worker and Celery beat.

Output is forwarded with a prefix per process. Ctrl-C (or SIGTERM) stops all three; if one
of them exits on its own, the others are stopped too and the exit code is non-zero.
"""

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL = Path(os.environ.get("KMV_LOCAL_DIR", ROOT / ".local"))
PY = sys.executable
ADDR = os.environ.get("KMV_RUN_ADDR", "127.0.0.1:8000")

PROCESSES = {
    "web": [PY, "manage.py", "runserver", ADDR],
    "worker": [PY, "-m", "celery", "-A", "kmv", "worker", "-l", "info", "--concurrency", "2"],
    # beat keeps its schedule in .local/ (CELERY_BEAT_SCHEDULE_FILENAME)
    "beat": [PY, "-m", "celery", "-A", "kmv", "beat", "-l", "info"],
}
COLOURS = {"web": "32", "worker": "36", "beat": "35"}

_print_lock = threading.Lock()


def _forward(name: str, stream) -> None:
    width = max(len(n) for n in PROCESSES)
    label = f"{name:<{width}} |"
    if sys.stdout.isatty():
        label = f"\033[{COLOURS[name]}m{label}\033[0m"
    for raw in iter(stream.readline, b""):
        line = raw.decode("utf-8", "replace").rstrip("\n")
        with _print_lock:
            print(f"{label} {line}", flush=True)


def _stop(procs: dict[str, subprocess.Popen], timeout: float = 15.0) -> None:
    """Celery gets SIGTERM on its main process (warm shutdown, it stops its own pool);
    runserver's whole group is signalled (the autoreloader parent does not stop its child).
    Anything left in a group afterwards is killed."""
    for name, proc in procs.items():
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                if name == "web":
                    os.killpg(proc.pid, signal.SIGTERM)
                else:
                    proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in procs.values():
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(max(0.1, deadline - time.monotonic()))
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def main() -> int:
    LOCAL.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    procs: dict[str, subprocess.Popen] = {}
    threads = []
    stopping = threading.Event()

    def on_signal(signum, _frame):
        stopping.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    for name, cmd in PROCESSES.items():
        procs[name] = subprocess.Popen(  # noqa: S603 (fixed commands)
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches only us; we stop the children in order
        )
        thread = threading.Thread(target=_forward, args=(name, procs[name].stdout), daemon=True)
        thread.start()
        threads.append(thread)

    print(f"KMV is starting on http://{ADDR}/  (Ctrl-C stops web, worker and beat)", flush=True)
    exit_code = 0
    while not stopping.is_set():
        for name, proc in procs.items():
            if proc.poll() is not None:
                print(f"{name} exited with code {proc.returncode}: stopping the others", flush=True)
                exit_code = proc.returncode or 1
                stopping.set()
                break
        stopping.wait(0.5)

    print("Stopping web, worker and beat ...", flush=True)
    _stop(procs)
    for thread in threads:
        thread.join(timeout=2)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
