"""Personas (after healthchecks' alice/bob/charlie):

- nav_adviser (alice): programme adviser at the NAV office that registered the participant
- teacher (bob): teacher at adult education, a group member with consent
- counsellor (charlie): career counsellor at the county career centre, no consent
- coordinator, leader, sysadmin, interpreter: roles that see no individuals by default
"""

import pytest
from django.conf import settings
from django.core.cache import cache

from kmv.access.models import Agency, Role
from participants import services as participant_services
from resourcegroups import services as group_services
from tests.factories import AgencyFactory, MunicipalityFactory, UserFactory


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.KMV_REQUIRE_2FA = False
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True
    cache.clear()  # rate-limit counters (password reset) and cached figures start empty


@pytest.fixture
def municipality(db):
    return MunicipalityFactory(number="4204", name="Kristiansand")


@pytest.fixture
def agencies(db, municipality):
    made = {
        "nav": AgencyFactory(name="NAV Kristiansand", kind=Agency.Kind.NAV_INTEGRATION),
        "nav_follow_up": AgencyFactory(
            name="NAV Kristiansand oppfølging", kind=Agency.Kind.NAV_FOLLOW_UP
        ),
        "adult_ed": AgencyFactory(name="Voksenopplæringen", kind=Agency.Kind.ADULT_EDUCATION),
        "career": AgencyFactory(name="Karriere Agder", kind=Agency.Kind.CAREER_CENTRE),
        "school": AgencyFactory(name="Tangen vgs", kind=Agency.Kind.UPPER_SECONDARY),
        "interpreters": AgencyFactory(name="Tolketjenesten", kind=Agency.Kind.INTERPRETER_SERVICE),
    }
    for agency in made.values():
        agency.municipalities.add(municipality)
    return made


@pytest.fixture
def personas(agencies):
    return {
        "nav_adviser": UserFactory(
            username="alice", agency=agencies["nav"], role=Role.PROGRAMME_ADVISER
        ),
        "follow_up": UserFactory(
            username="frank", agency=agencies["nav_follow_up"], role=Role.FOLLOW_UP_ADVISER
        ),
        "teacher": UserFactory(username="bob", agency=agencies["adult_ed"], role=Role.TEACHER),
        "counsellor": UserFactory(
            username="charlie", agency=agencies["career"], role=Role.CAREER_COUNSELLOR
        ),
        "school_adviser": UserFactory(
            username="sara", agency=agencies["school"], role=Role.SCHOOL_ADVISER
        ),
        "coordinator": UserFactory(
            username="cora", agency=agencies["career"], role=Role.NETWORK_COORDINATOR
        ),
        "leader": UserFactory(username="leo", agency=agencies["nav"], role=Role.AGENCY_LEADER),
        "sysadmin": UserFactory(
            username="root", agency=None, role=Role.SYSTEM_ADMIN, is_staff=True, is_superuser=True
        ),
        "interpreter": UserFactory(
            username="ina", agency=agencies["interpreters"], role=Role.INTERPRETER
        ),
    }


@pytest.fixture
def participant(personas, municipality):
    """Registered by alice (NAV); bob (adult education) is a member with consent; charlie's
    career centre is in the group but has no consent."""
    from datetime import date

    alice = personas["nav_adviser"]
    p = participant_services.participant_create(
        user=alice,
        first_name="Amina",
        last_name="Haile",
        date_of_birth=date(1991, 3, 14),
        municipality=municipality,
        intro_programme_start=date(2025, 1, 6),
        preferred_language="ti",
        interpreter_needed=True,
        interpreter_language="ti",
    )
    participant_services.consent_record(
        user=alice,
        participant=p,
        agency=personas["teacher"].agency,
        category="education_mapping",
        purpose="Resource group",
    )
    group_services.membership_add(user=alice, participant=p, staff=personas["teacher"])
    return p


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


assert settings.LANGUAGE_CODE == "nb"


# --- a real Celery worker (tests marked chaos that run where .ci/run runs: PG + Redis) -------


def _database_url() -> str:
    from urllib.parse import quote

    from django.db import connection

    db = connection.settings_dict
    auth = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(tmp_path):
    """A Celery worker subprocess on the test database that consumes and publishes on a queue
    of its own (KMV_CELERY_QUEUE), so nothing else on the Redis server takes its tasks.
    Yields (queue, mail directory, log path)."""
    import os
    import subprocess
    import sys
    import uuid
    from pathlib import Path

    from django.db import connection

    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        pytest.skip("needs PostgreSQL + Redis: run via .ci/run")
    queue = f"kmv-test-{uuid.uuid4().hex[:10]}"
    mail_dir = tmp_path / "mail"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "KMV_MAIL_FILE_PATH": str(mail_dir),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "KMV_CELERY_QUEUE": queue,
    }
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115 — closed below
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "kmv", "worker"),
            *("-P", "solo", "-Q", queue, "-l", "INFO"),
            *("--without-gossip", "--without-mingle", "--without-heartbeat"),
        ],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield queue, mail_dir, tmp_path / "worker.log"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


@pytest.fixture
def not_eager():
    """Tasks go to the broker instead of running in the test process."""
    from kmv.celery import app

    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = eager
