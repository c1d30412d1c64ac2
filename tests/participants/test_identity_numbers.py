"""Identity numbers: in full only for the owner agency, on every channel; the "is this number
already registered?" lookup gives one answer whoever owns the participant, and is audited.

alice (NAV) registered Amina with her number; bob (adult education, consent, member) sees
Amina with the number masked; frank (NAV follow-up) sees no participant at all.
"""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from kmv.access.models import AuditEvent
from participants import services as participant_services
from participants.selectors import DUPLICATE_NATIONAL_ID
from reports import imports
from tests.api.conftest import national_id_for

pytestmark = pytest.mark.django_db

NUMBER = national_id_for(date(1991, 3, 14))


@pytest.fixture
def amina(participant, personas):
    return participant_services.participant_update(
        user=personas["nav_adviser"],
        participant=participant,
        version=participant.version,
        national_id=NUMBER,
    )


def _register(user, number):
    return participant_services.participant_create(
        user=user,
        first_name="Nadia",
        last_name="Yusuf",
        date_of_birth=date(1991, 3, 14),
        municipality=user.agency.municipalities.first(),
        national_id=number,
    )


def _refusal(user, number) -> dict:
    with pytest.raises(ValidationError) as exc:
        _register(user, number)
    return exc.value.message_dict


def test_a_taken_number_gets_one_answer_for_own_and_other_agencies(amina, personas):
    own = _refusal(personas["nav_adviser"], NUMBER)
    other = _refusal(personas["follow_up"], NUMBER)
    assert own == other == {"national_id": [str(DUPLICATE_NATIONAL_ID)]}
    assert "Amina" not in str(other) and "NAV" not in str(other)


def test_each_lookup_that_finds_a_participant_is_audited_against_it(amina, personas):
    frank = personas["follow_up"]
    _refusal(frank, NUMBER)
    event = AuditEvent.objects.get(actor=frank, action=AuditEvent.Action.DENIED)
    assert event.participant_id == amina.pk
    assert event.object_type == "participant" and "national_id" in event.fields
    # a free number is no lookup hit: registered, nothing denied
    _register(frank, national_id_for(date(1991, 3, 14), start=200))
    assert AuditEvent.objects.filter(actor=frank, action=AuditEvent.Action.DENIED).count() == 1


def test_the_api_gives_the_same_answer(amina, personas, municipality):
    body = {
        "first_name": "Nadia",
        "last_name": "Yusuf",
        "date_of_birth": "1991-03-14",
        "municipality": municipality.pk,
        "national_id": NUMBER,
    }
    answers = []
    for persona in ("nav_adviser", "follow_up"):
        client = APIClient()
        client.force_authenticate(user=personas[persona])
        response = client.post("/api/participants/", body, format="json")
        assert response.status_code == 400
        answers.append(response.json())
    assert answers[0] == answers[1] == {"national_id": [str(DUPLICATE_NATIONAL_ID)]}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_show_the_full_number_only_to_the_owner_agency(client, amina, personas, fmt):
    def export(user) -> str:
        client.force_login(user)
        response = client.get(reverse("reports:export_outcomes"), {"format": fmt})
        assert response.status_code == 200
        if fmt == "csv":
            return response.content.decode()
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
        return "\n".join(",".join(str(v or "") for v in row) for row in sheet.values)

    assert NUMBER in export(personas["nav_adviser"])
    teacher = export(personas["teacher"])
    assert "Haile" in teacher and NUMBER not in teacher
    assert amina.masked_national_id in teacher


def test_the_import_matches_by_number_only_for_the_owner_agency(amina, personas):
    row = {
        "national_id": NUMBER,
        "first_name": "Amina",
        "last_name": "Haile",
        "date_of_birth": "1991-03-14",
        "municipality": "4204",
        "status": "adult_education",
        "since": "2025-02-01",
    }
    rows = imports.read_rows("x.csv", imports.to_csv([list(row), list(row.values())]).encode())
    owner = imports.validate(rows, personas["nav_adviser"]).rows[0]
    assert owner.participant == amina and not owner.errors
    # bob sees Amina, but only masked: his full number names nobody he may see
    member = imports.validate(rows, personas["teacher"]).rows[0]
    assert member.participant is None
    assert f"national_id: {DUPLICATE_NATIONAL_ID}" in member.errors


def test_search_by_number_finds_only_the_owner_agencys_participants(amina, personas):
    def found(persona) -> list[int]:
        client = APIClient()
        client.force_authenticate(user=personas[persona])
        response = client.get("/api/participants/", {"q": NUMBER})
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    assert found("nav_adviser") == [amina.pk]
    # bob sees Amina (by name), but a full number he can only see masked confirms nothing
    assert found("teacher") == []
    assert personas["teacher"].agency_id != amina.owner_agency_id
