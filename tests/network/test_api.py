from datetime import date, timedelta

import pytest
from django.utils import timezone

from kmv.access.models import Agency, Role
from network import services
from network.models import Body
from tests.factories import AgencyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(network, personas, outbox):
    from rest_framework.test import APIClient

    def client(user):
        c = APIClient()
        c.force_authenticate(user=user)
        return c

    return client


def test_lists_are_scoped_to_the_callers_networks(api, network, personas):
    cora = personas["coordinator"]
    services.challenge_raise(user=cora, network=network, title="Synlig", source="other")
    other = AgencyFactory(name="NAV Nord", kind=Agency.Kind.NAV_INTEGRATION)
    outsider = UserFactory(username="nils", agency=other, role=Role.NETWORK_COORDINATOR)
    for url in ["/api/network/networks/", "/api/network/challenges/", "/api/network/bodies/"]:
        assert api(cora).get(url).json()["count"] >= 1
        assert api(outsider).get(url).json()["count"] == 0


def test_meeting_create_proposes_host_and_internal_meetings_stay_internal(api, network, personas):
    cora, alice = personas["coordinator"], personas["nav_adviser"]
    body = network.bodies.get(kind=Body.Kind.STEERING)
    start = timezone.now() + timedelta(days=3)
    response = api(cora).post(
        "/api/network/meetings/",
        {
            "body": body.pk,
            "title": "SG",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["host"] == network.agencies.order_by("name").first().pk
    assert api(alice).get("/api/network/meetings/").json()["count"] == 0
    api(cora).post(f"/api/network/meetings/{response.json()['id']}/publish/", {}, format="json")
    assert api(alice).get("/api/network/meetings/").json()["count"] == 1


def test_evaluation_submit_and_summary(api, network, personas, outbox):
    cora, bob = personas["coordinator"], personas["teacher"]
    day = services.day_create(
        user=cora,
        network=network,
        kind="workshop",
        theme="Vigo",
        date=date(2026, 3, 2),
        online=True,
    )
    services.registration_invite(user=cora, day=day, person=bob)
    services.day_mark_held(user=cora, day=day)
    key = next(k for k in outbox if k.startswith("network:eval:1:"))
    token = outbox[key]["body"].rsplit("/", 2)[-2]
    body = {"token": token, "usefulness": 5, "most_useful": "Casearbeid"}
    assert api(bob).post("/api/network/evaluations/", body, format="json").status_code == 201
    assert api(bob).post("/api/network/evaluations/", body, format="json").status_code == 400
    summary = api(cora).get(f"/api/network/days/{day.pk}/evaluation-summary/").json()
    assert summary["part1"]["count"] == 1 and summary["part1"]["most_useful"] == ["Casearbeid"]


def test_approvals_over_the_api(api, network, personas, leaders):
    cora = personas["coordinator"]
    agreement = services.agreement_create(
        user=cora,
        network=network,
        title="Avtale",
        effective_from=date(2026, 1, 1),
        parties=list(network.agencies.all()),
        routine_id=1,
        routine_label="v1",
    )
    change = services.routine_change_propose(
        user=cora,
        agreement=agreement,
        routine_id=2,
        routine_label="v2",
        summary="x",
        effective_from=date(2026, 9, 1),
    )
    url = f"/api/network/routine-changes/{change.pk}/approve/"
    for leader in leaders.values():
        assert services.routine_activation_status(routine_id=2)[0] is False
        assert api(leader).post(url).status_code == 200
    data = api(cora).get(f"/api/network/routine-changes/{change.pk}/").json()
    assert data["approved_at"] and len(data["approvals"]) == 3
    assert services.routine_activation_status(routine_id=2) == (True, "")
