"""Fault tests on a private stack the tests may break at will.

Each test gets its own Redis (`redis-server` on a free port, nothing on disk) and its own
database in a private PostgreSQL cluster (initdb into a temporary folder, started on a free
port; one cluster per session, migrated once, one database per test copied from that
template). The shared PostgreSQL and Redis that the rest of the suite uses are never
touched. Web server (gunicorn), Celery worker and Celery beat run as real subprocesses with
`tests.chaos.chaos_settings`; every wait is bounded and every process is stopped in a
finalizer. Run with `make chaos` (serially, after `make test` in .ci/run).
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
import requests

from kmv.notify.models import OutboxMessage
from tests.chaos import mailbox

BASE_DIR = Path(__file__).resolve().parents[2]
PG_USER = "postgres"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(
    predicate: Callable[[], object],
    timeout: float,
    what: str,
    interval=0.1,
    details: Callable[[], str] | None = None,
):
    """Poll until predicate() is truthy; fail the test after `timeout` seconds (with
    `details()`, e.g. the processes' logs, in the message)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except Exception:  # noqa: BLE001 — "not yet" (server still starting, …)
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            extra = f"\n{details()}" if details else ""
            pytest.fail(f"chaos: timed out after {timeout:.0f} s waiting for {what}{extra}")
        time.sleep(interval)


class Proc:
    """A subprocess in its own process group, output in a log file."""

    def __init__(self, name: str, args: list[str], env: dict, log: Path):
        self.name, self.args, self.env, self.log = name, args, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> Proc:
        with open(self.log, "ab") as out:
            self.popen = subprocess.Popen(
                self.args,
                cwd=BASE_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL the whole group (main process and pool children), no clean-up."""
        if self.alive():
            os.killpg(self.popen.pid, signal.SIGKILL)
        if self.popen is not None:
            self.popen.wait(timeout=10)

    def stop(self, timeout: float = 10) -> None:
        if not self.alive():
            return
        os.killpg(self.popen.pid, signal.SIGTERM)
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
        else:
            with contextlib.suppress(ProcessLookupError):  # pool children left behind
                os.killpg(self.popen.pid, signal.SIGKILL)

    def output(self, tail: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-tail:] if self.log.exists() else ""


# --- private Redis ------------------------------------------------------------------------


class PrivateRedis:
    def __init__(self, workdir: Path):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        binary = shutil.which("redis-server")
        if not binary:
            pytest.fail("chaos: redis-server not found (apt-get install redis-server)")
        self.proc = Proc(
            "redis",
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(workdir)],
            dict(os.environ),
            workdir / "redis.log",
        )

    def ping(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def start(self) -> None:
        self.proc.start()
        wait_for(self.ping, 15, "private Redis to start")

    def stop(self) -> None:
        """Gone, like a crashed or restarted Redis (everything in it is lost too)."""
        self.proc.kill()


# --- private PostgreSQL -------------------------------------------------------------------


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=_version_key)
    if found:
        return found[-1]
    path = shutil.which(name)
    if not path:
        pytest.fail(f"chaos: PostgreSQL server binary {name} not found (postgresql package)")
    return path


def _version_key(path: str):
    part = path.split("/")[4]
    return int(part) if part.isdigit() else 0


class PrivatePostgres:
    """A throwaway cluster. initdb/postgres refuse to run as root: as root they run as the
    `postgres` system user in a folder it owns."""

    TEMPLATE = "kmv_chaos_template"

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="kmv-chaos-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if not runuser:
                pytest.fail("chaos: running as root needs runuser to start PostgreSQL")
            self.as_user = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
        self.root.chmod(0o755)

    def _run(self, *args: str, timeout: float = 60) -> None:
        subprocess.run([*self.as_user, *args], check=True, timeout=timeout, capture_output=True)

    def init(self) -> None:
        self._run(
            _pg_bin("initdb"),
            *("-D", str(self.data), "-U", PG_USER, "-A", "trust", "-E", "UTF8"),
            *("--no-sync", "--locale", "C.UTF-8"),
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            _pg_bin("pg_ctl"),
            *("-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "-o", options),
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run(_pg_bin("pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def restart(self, pause: float) -> None:
        """What a restart (or a failover) looks like to the app: every connection is
        dropped, the server refuses connections for `pause` seconds, then it is back."""
        self.stop("fast")
        time.sleep(pause)
        self.start()

    def url(self, db: str) -> str:
        return f"postgres://{PG_USER}@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "postgres", **kwargs):
        return psycopg.connect(self.url(db), autocommit=True, connect_timeout=5, **kwargs)

    def create_database(self, name: str, template: str | None = None) -> None:
        with self.connect() as conn:
            extra = f" TEMPLATE {template}" if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{extra}')

    def destroy(self) -> None:
        with contextlib.suppress(Exception):  # already down
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def _base_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "REDIS_URL", "PYTEST", "KMV_", "CELERY_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.chaos.chaos_settings",
        # production mode: error pages as users get them (503 on a database outage)
        DEBUG="0",
        SECRET_KEY="chaos-test-only-not-a-secret",
        SECURE_SSL_REDIRECT="0",
        KMV_REQUIRE_2FA="0",
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def private_pg():
    pg = PrivatePostgres()
    try:
        pg.init()
        pg.start()
        pg.create_database(pg.TEMPLATE)
        env = _base_env(
            DATABASE_URL=pg.url(pg.TEMPLATE),
            KMV_CHAOS_MAILBOX=str(pg.root / "unused-mailbox.log"),
            KMV_LOCAL_DIR=str(pg.root / "local"),
        )
        done = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=240,
        )
        if done.returncode:
            pytest.fail(f"chaos: migrate failed:\n{done.stdout}\n{done.stderr}")
        yield pg
    finally:
        pg.destroy()


class Stack:
    """One test's private world: its database, its Redis, its processes, its mailbox."""

    def __init__(self, pg: PrivatePostgres, tmp: Path):
        self.pg = pg
        self.tmp = tmp
        self.db = f"kmv_chaos_{uuid.uuid4().hex[:8]}"
        pg.create_database(self.db, template=pg.TEMPLATE)
        self.redis = PrivateRedis(tmp)
        self.redis.start()
        self.mailbox = tmp / "mailbox.log"
        self.procs: list[Proc] = []
        self.web_url = ""
        self.env = _base_env(
            DATABASE_URL=pg.url(self.db),
            REDIS_URL=self.redis.url,
            KMV_CHAOS_MAILBOX=str(self.mailbox),
            KMV_LOCAL_DIR=str(tmp / "local"),
        )

    # processes

    def _proc(self, name: str, args: list[str], **env) -> Proc:
        proc = Proc(name, args, {**self.env, **env}, self.tmp / f"{name}.log")
        self.procs.append(proc)
        return proc

    def worker(self, name="worker", concurrency=1, **env) -> Proc:
        proc = self._proc(
            name,
            [
                *(sys.executable, "-m", "celery", "-A", "kmv", "worker", "-l", "INFO"),
                *("-P", "prefork", "-c", str(concurrency)),
                *("-n", f"{name}-{uuid.uuid4().hex[:6]}@%h"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            **env,
        ).start()
        self.wait_ready(proc)
        return proc

    def wait_ready(self, proc: Proc, timeout=40) -> None:
        def ready():
            if not proc.alive():
                pytest.fail(f"chaos: {proc.name} exited:\n{proc.output()}")
            return " ready." in proc.output(tail=10**7)

        wait_for(ready, timeout, f"{proc.name} to be ready", interval=0.2)

    def beat(self, name="beat", **env) -> Proc:
        proc = self._proc(
            name,
            [
                *(sys.executable, "-m", "celery", "-A", "kmv", "beat", "-l", "INFO"),
                *("-s", str(self.tmp / f"{name}-schedule")),
            ],
            **env,
        ).start()
        wait_for(lambda: "beat: Starting" in proc.output(), 40, f"{name} to start", interval=0.2)
        return proc

    def web(self) -> Proc:
        port = free_port()
        proc = self._proc(
            "web",
            [
                *(sys.executable, "-m", "gunicorn", "kmv.wsgi", "-b", f"127.0.0.1:{port}"),
                *("-w", "2", "--timeout", "60", "--graceful-timeout", "5"),
            ],
        ).start()
        self.web_url = f"http://127.0.0.1:{port}"

        def up():
            if not proc.alive():
                pytest.fail(f"chaos: gunicorn exited:\n{proc.output()}")
            return requests.get(self.web_url + "/api/", timeout=5).status_code in (401, 403)

        wait_for(up, 60, "gunicorn to serve", interval=0.3)
        return proc

    def close(self) -> None:
        for proc in reversed(self.procs):  # throwaway processes: no graceful shutdown
            proc.kill()
        self.redis.proc.kill()
        try:
            with self.pg.connect() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        except Exception:  # noqa: BLE001 — the cluster is thrown away at the end anyway
            pass

    # data

    def seed(self, what: str, n: int) -> dict:
        done = subprocess.run(
            [sys.executable, "-m", "tests.chaos.seed", what, str(n)],
            cwd=BASE_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            pytest.fail(f"chaos: seeding {what} failed:\n{done.stdout}\n{done.stderr[-4000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def sql(self, query: str, *params):
        with self.pg.connect(self.db) as conn:
            return conn.execute(query, params).fetchall()

    def outbox(self) -> dict[str, str]:
        """Message-ID -> status of every outbox row (the Message-ID as the model makes it)."""
        rows = self.sql("SELECT key, status FROM notify_outboxmessage")
        return {OutboxMessage(key=key).message_id: status for key, status in rows}

    def deliveries(self):
        return mailbox.deliveries(self.mailbox)

    def all_sent_and_delivered(self) -> bool:
        rows = self.outbox()
        return (
            bool(rows)
            and all(status == "sent" for status in rows.values())
            and set(self.deliveries()) >= set(rows)
        )

    def logs_full(self) -> str:
        return "\n".join(p.output(10**8) for p in self.procs)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.output(2500)}" for p in self.procs)


@pytest.fixture
def stack(private_pg, tmp_path):
    made = Stack(private_pg, tmp_path)
    try:
        yield made
    finally:
        made.close()
