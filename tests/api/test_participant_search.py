"""Searching by national identity number through the API keeps the number out of URLs
(POST /api/participants/search/), with the list's access rule, answer and audit."""

import pytest

from kmv.access.models import AuditEvent
from participants import services
from tests.factories import ParticipantFactory

from .conftest import national_id_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def participant(participant, personas):
    number = national_id_for(participant.date_of_birth)
    return services.participant_update(
        user=personas["nav_adviser"], participant=participant, national_id=number
    )


def test_search_by_identity_number_in_the_body(client_for, personas, participant):
    alice = personas["nav_adviser"]
    response = client_for(alice).post(
        "/api/participants/search/", {"q": participant.national_id}, format="json"
    )
    assert response.status_code == 200, response.content
    assert [p["id"] for p in response.json()["results"]] == [participant.pk]
    assert participant.national_id not in response.wsgi_request.get_full_path()
    listed = AuditEvent.objects.filter(action="list", participant_id=participant.pk)
    assert listed.filter(channel="api").exists()


def test_search_sees_only_what_the_list_sees(client_for, personas, participant):
    hidden = ParticipantFactory(national_id=national_id_for(participant.date_of_birth, 200))
    for user, expected in (
        (personas["nav_adviser"], [participant.pk]),
        (personas["counsellor"], []),  # another agency without consent
    ):
        response = client_for(user).post(
            "/api/participants/search/", {"q": participant.first_name}, format="json"
        )
        assert [p["id"] for p in response.json()["results"]] == expected
        response = client_for(user).post(
            "/api/participants/search/", {"q": hidden.national_id}, format="json"
        )
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "body", [{"status": "nonsense"}, {"municipality": 2**70}, {"q": "x" * 201}]
)
def test_a_bad_search_is_a_400(client_for, personas, body):
    response = client_for(personas["nav_adviser"]).post(
        "/api/participants/search/", body, format="json"
    )
    assert response.status_code == 400
