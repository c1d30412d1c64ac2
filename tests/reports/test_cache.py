"""The short-lived cache of dashboard sections (`reports.cache`): hits save the queries, the
viewer's suppression limit is part of the key (nothing leaks between viewers), saving an
outcome refreshes the figures, the page and the API say how old the figures are."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from kmv.access import policy
from participants.models import OutcomeStatus
from reports import cache as report_cache
from reports import selectors
from tests.factories import AgencyFactory, MunicipalityFactory, ParticipantFactory
from tests.reports.conftest import add_outcome

pytestmark = pytest.mark.django_db

S = OutcomeStatus


@pytest.fixture(autouse=True)
def _cached():
    """Caching on (the suite runs with it off), in a cache of this test's own."""
    with override_settings(
        KMV_REPORT_CACHE_SECONDS=60,
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "reports-cache-test",
            }
        },
    ):
        from django.core.cache import cache

        cache.clear()
        yield
        cache.clear()


@pytest.fixture
def place(participant, agencies, municipality):
    """Amina (alice's) started upper-secondary in 2024, in Kristiansand; six strangers
    elsewhere, owned by another agency."""
    add_outcome(
        participant, S.UPPER_SECONDARY_STARTED, date(2024, 8, 1), agencies["nav"], cohort=2024
    )
    elsewhere = MunicipalityFactory(number="4998", name="Elsewhere")
    other = AgencyFactory(name="NAV Elsewhere")
    for _i in range(6):
        p = ParticipantFactory(municipality=elsewhere, owner_agency=other)
        add_outcome(p, S.UPPER_SECONDARY_STARTED, date(2024, 8, 1), other, cohort=2024)
    return selectors.Filters(municipality=municipality.pk, year_from=2022, year_to=2026)


def _cohorts(sections):
    return next(s for s in sections if s.key == "cohorts")


def test_second_view_is_served_from_the_cache(place, personas):
    coordinator = personas["coordinator"]
    with CaptureQueriesContext(connection) as first:
        one = selectors.dashboard(place, viewer=coordinator)
    with CaptureQueriesContext(connection) as second:
        two = selectors.dashboard(place, viewer=coordinator)
    assert len(second) == 1  # only the viewer's limit, decided live
    assert len(first) > 5
    assert [s.table for s in one] == [s.table for s in two]
    assert selectors.as_of(two) is not None
    assert selectors.as_of(two) == selectors.as_of(one)


def test_viewers_with_another_limit_never_share_an_entry(place, personas):
    """Alice may see everyone in Kristiansand (exact); the coordinator may not ("<5"). The
    order in which they look does not matter."""
    for order in (("nav_adviser", "coordinator"), ("coordinator", "nav_adviser")):
        report_cache.bump()
        seen = {name: _cohorts(selectors.dashboard(place, viewer=personas[name])) for name in order}
        assert seen["nav_adviser"].exact is True
        assert seen["nav_adviser"].table.cells[0][3].suppressed is False
        assert seen["coordinator"].exact is False
        assert seen["coordinator"].table.cells[0][3].suppressed is True


def test_saving_an_outcome_refreshes_the_figures(
    place, personas, participant, agencies, django_capture_on_commit_callbacks
):
    alice = personas["nav_adviser"]
    before = _cohorts(selectors.dashboard(place, viewer=alice))
    assert before.table.total.value == 1
    other = ParticipantFactory(
        municipality=participant.municipality, owner_agency=agencies["nav"], created_by=alice
    )
    policy.sync_participant_access(other)  # alice's too: her figures stay exact
    with django_capture_on_commit_callbacks(execute=True):
        add_outcome(
            other, S.UPPER_SECONDARY_STARTED, date(2024, 8, 1), agencies["nav"], cohort=2024
        )
    after = _cohorts(selectors.dashboard(place, viewer=alice))
    assert after.table.total.value == 2


def test_off_means_live(place, personas):
    with override_settings(KMV_REPORT_CACHE_SECONDS=0):
        sections = selectors.dashboard(place, viewer=personas["coordinator"])
    assert selectors.as_of(sections) is None


def test_page_and_api_say_how_old_the_figures_are(client, place, personas, municipality):
    client.force_login(personas["coordinator"])
    params = {"municipality": municipality.pk, "year_from": 2022, "year_to": 2026}
    first = client.get(reverse("reports:dashboard"), params)
    second = client.get(reverse("reports:dashboard"), params)
    assert first.context["as_of"] is not None
    assert second.context["as_of"] == first.context["as_of"]
    # the cached page fragments render the same tables
    assert first.content.split(b"<section", 1)[1] == second.content.split(b"<section", 1)[1]
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(personas["coordinator"])
    listing = api.get("/api/reports/", params)
    assert listing.status_code == 200
    assert {s["as_of"] for s in listing.json()} >= {
        timezone.localtime(first.context["as_of"]).isoformat()
    }


class _DeadCache:
    """A cache whose server is down (Redis stopped): every call fails."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


def test_an_unreachable_cache_fails_neither_saves_nor_the_dashboard(
    place, personas, participant, agencies, monkeypatch, django_capture_on_commit_callbacks
):
    expected = selectors.dashboard(place, viewer=personas["nav_adviser"])
    monkeypatch.setattr(report_cache, "cache", _DeadCache())
    with django_capture_on_commit_callbacks(execute=True) as bumps:
        add_outcome(participant, S.IN_SCHOOL, date(2025, 1, 1), agencies["nav"], work=True)
    assert bumps  # the save asked for a bump, which failed quietly
    fresh = selectors.dashboard(place, viewer=personas["nav_adviser"])  # computed directly
    assert [s.key for s in fresh] == [s.key for s in expected]


def test_without_redis_a_bump_in_one_process_reaches_the_others(tmp_path):
    """`make run` (no REDIS_URL): web and worker are separate processes. A bump made by the
    worker (e.g. after an import) must make the web process's entries stale at once, so
    the embedded default keeps the cache in files shared by every process."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "KMV_TESTING")}
    env |= {"KMV_LOCAL_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "kmv.settings"}
    code = (
        "import django; django.setup(); from reports import cache as c; "
        "v = c._version(); {action} print(v, c._version())"
    )

    def run(action: str) -> list[int]:
        out = subprocess.run(
            [sys.executable, "-c", code.format(action=action)],
            env=env,
            cwd=Path(__file__).parents[2],
            capture_output=True,
            text=True,
            check=True,
        )
        return [int(n) for n in out.stdout.split()]

    assert run("c.bump();") == [1, 2]  # the worker bumps
    assert run("") == [2, 2]  # another process sees it
    assert (tmp_path / "cache").is_dir()


def test_bulk_invitations_refresh_the_figures(
    personas, participant, django_capture_on_commit_callbacks
):
    """`bulk_create` sends no save signal: the service that invites members in bulk says
    itself that the counted tables changed."""
    from resourcegroups import services
    from resourcegroups.services.meetings import invite_members

    with django_capture_on_commit_callbacks(execute=True):
        meeting = services.meeting_create_concern(
            user=personas["teacher"], participant=participant, reason="Lite progresjon"
        )
    with django_capture_on_commit_callbacks(execute=True):
        meeting.invitees.all().delete()
    before = report_cache._version()
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_members(meeting) == 2
    assert report_cache._version() == before + 1
    with django_capture_on_commit_callbacks(execute=True):
        assert invite_members(meeting) == 0  # nothing new: nothing to refresh
    assert report_cache._version() == before + 1
