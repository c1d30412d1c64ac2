"""One participant's outcomes through the API: read like the participant, recorded through
the same service as the page, audited, 404 for those who may not see them, bounded queries."""

from datetime import date

import pytest
from django.urls import reverse

from kmv.access.models import AuditEvent
from participants.models import OutcomeRecord
from participants.outcomes import outcome_record
from tests.reports.test_views import PERSONAS

pytestmark = pytest.mark.django_db

READERS = {"nav_adviser", "teacher"}  # alice owns Amina; bob's agency has consent


@pytest.fixture
def api(personas):
    from rest_framework.test import APIClient

    def make(persona):
        client = APIClient()
        client.force_authenticate(personas[persona])
        return client

    return make


def _url(participant):
    return reverse("participant-outcomes", args=[participant.pk])


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_reads_and_records(api, personas, participant, persona):
    outcome_record(
        user=personas["nav_adviser"],
        participant=participant,
        status="adult_education",
        since=date(2025, 1, 6),
    )
    client = api(persona)
    listing = client.get(_url(participant))
    body = {
        "status": "upper_secondary_started",
        "since": "2026-08-17",
        "cohort_year": 2026,
        "in_work": True,
        "in_work_since": "2026-09-01",
    }
    created = client.post(_url(participant), body, format="json")
    if persona not in READERS:
        # no consent, not the owner, or no access at all: the same 404 as a missing person
        assert listing.status_code == 404 and created.status_code == 404
        assert OutcomeRecord.objects.count() == 1
        denied = AuditEvent.objects.filter(
            action=AuditEvent.Action.DENIED, participant_id=participant.pk
        )
        assert denied.count() == 2
        return
    assert listing.status_code == 200
    assert [r["status"] for r in listing.json()] == ["adult_education"]
    assert created.status_code == 201, created.content
    data = created.json()
    assert data["reported_by_agency"] == personas[persona].agency_id
    assert data["cohort_year"] == 2026 and data["in_work"] is True
    # newest first: the new record is the participant's current status
    assert [r["status"] for r in client.get(_url(participant)).json()] == [
        "upper_secondary_started",
        "adult_education",
    ]
    detail = client.get(reverse("participant-outcome", args=[participant.pk, data["id"]]))
    assert detail.status_code == 200 and detail.json()["since"] == "2026-08-17"
    events = AuditEvent.objects.filter(participant_id=participant.pk, channel="api")
    assert events.filter(action=AuditEvent.Action.CREATE, object_type="outcomerecord").exists()
    assert events.filter(action=AuditEvent.Action.VIEW, object_type="outcomerecord").exists()
    assert events.filter(action=AuditEvent.Action.VIEW, object_type="participant").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "in_school"}, "since"),
        ({"status": "nope", "since": "2026-01-01"}, "status"),
        ({"status": "in_school", "since": "1.1.2026"}, "since"),
        ({"status": "upper_secondary_started", "since": "2026-08-17"}, "cohort_year"),
        ({"status": "in_school", "since": "2026-08-17", "until": "2026-01-01"}, "until"),
        (
            {"status": "in_school", "since": "2026-08-17", "in_work_since": "2026-09-01"},
            "in_work_since",
        ),
    ],
)
def test_bad_input_is_a_400_and_nothing_is_written(api, participant, body, field):
    response = api("nav_adviser").post(_url(participant), body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not OutcomeRecord.objects.exists()


def test_bad_ids_are_404_never_500(api, participant, personas):
    client = api("nav_adviser")
    assert client.get("/api/participants/abc/outcomes/").status_code == 404
    assert client.get(f"/api/participants/{2**70}/outcomes/").status_code == 404
    assert client.get(f"/api/participants/{participant.pk}/outcomes/abc/").status_code == 404
    assert client.get(f"/api/participants/{participant.pk}/outcomes/99999/").status_code == 404
    other = outcome_record(
        user=personas["nav_adviser"],
        participant=participant,
        status="unknown",
        since=date(2025, 1, 1),
    )
    # a record reached through another participant's path is not found
    from tests.factories import ParticipantFactory

    stranger = ParticipantFactory(owner_agency=personas["nav_adviser"].agency)
    url = reverse("participant-outcome", args=[stranger.pk, other.pk])
    assert client.get(url).status_code == 404


def test_list_queries_do_not_grow(api, personas, participant, django_assert_max_num_queries):
    alice = personas["nav_adviser"]
    client = api("nav_adviser")

    def add(n):
        for i in range(n):
            outcome_record(
                user=alice, participant=participant, status="in_school", since=date(2020 + i, 1, 1)
            )

    add(2)
    # the participant and its permission rows, the audit insert, the records with agencies
    with django_assert_max_num_queries(4):
        assert len(client.get(_url(participant)).json()) == 2
    add(10)
    with django_assert_max_num_queries(4):
        assert len(client.get(_url(participant)).json()) == 12
