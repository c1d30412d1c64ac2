from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from kmv.access.models import AuditEvent
from participants import services
from participants.api import Conflict
from participants.models import Participant
from participants.validators import validate_national_id
from resourcegroups import services as group_services
from tests.factories import api_token_for

from .conftest import national_id_for


def _nb(message) -> str:
    with translation.override("nb"):
        return str(message)


def _error_message(validator, value) -> str:
    from django.core.exceptions import ValidationError

    try:
        validator(value)
    except ValidationError as exc:
        return _nb(exc.messages[0])
    raise AssertionError("value is valid")


# --- reads ---------------------------------------------------------------------------


def test_list_contains_only_permitted_rows(participant, personas, municipality, client_for):
    other = services.participant_create(
        user=personas["counsellor"],
        first_name="Omar",
        last_name="Ali",
        date_of_birth=date(1988, 1, 2),
        municipality=municipality,
    )
    seen = {
        name: {row["id"] for row in client_for(user).get("/api/participants/").json()["results"]}
        for name, user in personas.items()
    }
    assert seen["nav_adviser"] == {participant.pk}
    assert seen["teacher"] == {participant.pk}
    assert seen["counsellor"] == {other.pk}
    for name in ("follow_up", "school_adviser", "coordinator", "leader", "sysadmin", "interpreter"):
        assert seen[name] == set(), name


def test_national_id_is_masked_on_reads(participant, personas, client_for):
    alice = personas["nav_adviser"]
    full = national_id_for(participant.date_of_birth)
    services.participant_update(user=alice, participant=participant, national_id=full)
    client = client_for(alice)
    detail = client.get(f"/api/participants/{participant.pk}/")
    listed = client.get("/api/participants/")
    assert detail.json()["national_id"] == f"{full[:6]} *****"
    assert listed.json()["results"][0]["national_id"] == f"{full[:6]} *****"
    assert full not in detail.content.decode() + listed.content.decode()


def test_goal_hidden_without_education_mapping_category(
    participant, personas, agencies, client_for
):
    alice, bob, sara = personas["nav_adviser"], personas["teacher"], personas["school_adviser"]
    services.participant_update(user=alice, participant=participant, goal="Electrician")
    # Sara's school may see plans and meetings, not education and mapping.
    services.consent_record(
        user=alice,
        participant=participant,
        agency=agencies["school"],
        category="plan_meetings",
        purpose="Resource group",
    )
    group_services.membership_add(user=alice, participant=participant, staff=sara)

    def goal(user):
        detail = client_for(user).get(f"/api/participants/{participant.pk}/").json()
        listed = client_for(user).get("/api/participants/").json()["results"]
        assert listed[0]["goal"] == detail["goal"]
        return detail["goal"]

    assert goal(alice) == "Electrician"
    assert goal(bob) == "Electrician"  # bob's agency has education_mapping consent
    assert goal(sara) is None


def test_filters(participant, personas, municipality, other_municipality, client_for):
    alice = personas["nav_adviser"]
    full = national_id_for(date(1985, 7, 1))
    other = services.participant_create(
        user=alice,
        first_name="Yonas",
        last_name="Tesfay",
        date_of_birth=date(1985, 7, 1),
        national_id=full,
        municipality=other_municipality,
        pathway=Participant.Pathway.WITHOUT_UPPER_SECONDARY,
        status=Participant.Status.PAUSED,
    )
    client = client_for(alice)

    def ids(**params):
        response = client.get("/api/participants/", params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids() == {participant.pk, other.pk}
    assert ids(q="ami") == {participant.pk}
    assert ids(q="amina haile") == {participant.pk}
    assert ids(q="TESF") == {other.pk}
    assert ids(q=full) == {other.pk}
    assert ids(q=full[:6]) == set()  # the number matches only in full
    assert ids(municipality=municipality.pk) == {participant.pk}
    assert ids(status="paused") == {other.pk}
    assert ids(pathway="with_vgo") == {participant.pk}
    assert client.get("/api/participants/", {"status": "nonsense"}).status_code == 400


# --- audit ---------------------------------------------------------------------------


def test_list_and_view_are_audited(participant, personas, client_for):
    bob = personas["teacher"]
    client = client_for(bob)
    client.get("/api/participants/")
    client.get(f"/api/participants/{participant.pk}/")
    listed = AuditEvent.objects.get(actor=bob, action=AuditEvent.Action.LIST)
    assert listed.object_type == "participant"
    assert listed.object_ids == [participant.pk]
    assert listed.channel == "api"
    viewed = AuditEvent.objects.get(actor=bob, action=AuditEvent.Action.VIEW)
    assert viewed.participant_id == participant.pk
    assert viewed.channel == "api"


def test_empty_list_is_audited_too(participant, personas, client_for):
    client_for(personas["coordinator"]).get("/api/participants/")
    event = AuditEvent.objects.get(actor=personas["coordinator"], action=AuditEvent.Action.LIST)
    assert event.object_ids == []


def test_create_and_update_are_audited(personas, municipality, client_for):
    alice = personas["nav_adviser"]
    client = client_for(alice)
    created = client.post(
        "/api/participants/",
        {
            "first_name": "Nadia",
            "last_name": "Yusuf",
            "date_of_birth": "1990-05-17",
            "municipality": municipality.pk,
            "languages": ["ar", "en"],
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == 1
    assert body["owner_agency"] == alice.agency_id
    pk = body["id"]
    event = AuditEvent.objects.get(actor=alice, action=AuditEvent.Action.CREATE, participant_id=pk)
    assert event.channel == "api"
    assert "first_name" in event.fields

    changed = client.patch(
        f"/api/participants/{pk}/", {"status": "paused", "version": 1}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["status"] == "paused"
    assert changed.json()["version"] == 2
    event = AuditEvent.objects.get(actor=alice, action=AuditEvent.Action.UPDATE, participant_id=pk)
    assert event.channel == "api"
    assert event.fields == ["status"]
    # Creating and changing are not reads: no VIEW events were written.
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()


# --- writes --------------------------------------------------------------------------


def test_stale_version_is_a_conflict(participant, personas, client_for):
    client = client_for(personas["nav_adviser"])
    url = f"/api/participants/{participant.pk}/"
    first = client.patch(url, {"phone": "1", "version": participant.version}, format="json")
    assert first.status_code == 200
    stale = client.patch(url, {"phone": "2", "version": participant.version}, format="json")
    assert stale.status_code == 409
    assert stale.json() == {"detail": _nb(Conflict.default_detail)}
    participant.refresh_from_db()
    assert participant.phone == "1"
    assert participant.version == first.json()["version"]


def test_update_requires_version(participant, personas, client_for):
    response = client_for(personas["nav_adviser"]).patch(
        f"/api/participants/{participant.pk}/", {"phone": "1"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"version"}


def test_put_may_echo_the_masked_national_id(participant, personas, client_for):
    alice = personas["nav_adviser"]
    full = national_id_for(participant.date_of_birth)
    services.participant_update(user=alice, participant=participant, national_id=full)
    client = client_for(alice)
    url = f"/api/participants/{participant.pk}/"
    fetched = client.get(url).json()
    body = {k: v for k, v in fetched.items() if v is not None}
    body["address"] = "Storgata 1"
    response = client.put(url, body, format="json")
    assert response.status_code == 200, response.content
    participant.refresh_from_db()
    assert participant.national_id == full
    assert participant.address == "Storgata 1"


def test_full_national_id_is_accepted_on_write(personas, municipality, client_for):
    full = national_id_for(date(1979, 12, 24))
    response = client_for(personas["nav_adviser"]).post(
        "/api/participants/",
        {
            "first_name": "Hana",
            "last_name": "Berhe",
            "date_of_birth": "1979-12-24",
            "national_id": full,
            "municipality": municipality.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert Participant.objects.get(pk=response.json()["id"]).national_id == full
    assert response.json()["national_id"] == f"{full[:6]} *****"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"national_id": "14039112345"}, "national_id"),  # wrong check digits
        ({"national_id": "1403"}, "national_id"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        (
            {"upper_secondary_start": "2027-08-01", "upper_secondary_end": "2027-01-01"},
            "upper_secondary_end",
        ),
        ({"interpreter_needed": True}, "interpreter_language"),
        ({"municipality": 999999}, "municipality"),
        ({"first_name": ""}, "first_name"),
    ],
)
def test_validation_errors_are_structured(change, field, personas, municipality, client_for):
    body = {
        "first_name": "Nadia",
        "last_name": "Yusuf",
        "date_of_birth": "1991-03-14",
        "municipality": municipality.pk,
        **change,
    }
    response = client_for(personas["nav_adviser"]).post("/api/participants/", body, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()
    assert field in errors
    assert all(isinstance(message, str) for message in errors[field])
    assert not Participant.objects.exists()


def test_validation_messages_are_the_models(personas, municipality, client_for):
    client = client_for(personas["nav_adviser"])
    base = {
        "first_name": "Nadia",
        "last_name": "Yusuf",
        "date_of_birth": "1991-03-14",
        "municipality": municipality.pk,
    }
    bad = client.post("/api/participants/", {**base, "national_id": "14039112345"}, format="json")
    assert bad.json()["national_id"] == [_error_message(validate_national_id, "14039112345")]

    future = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/api/participants/", {**base, "date_of_birth": future}, format="json")
    # The same msgid as Participant.clean, so it translates the same way.
    message = gettext_lazy("The date of birth cannot be in the future.")
    assert response.json() == {"date_of_birth": [_nb(message)]}

    full = national_id_for(date(1991, 3, 14))
    assert (
        client.post("/api/participants/", {**base, "national_id": full}, format="json").status_code
        == 201
    )
    duplicate = client.post("/api/participants/", {**base, "national_id": full}, format="json")
    assert duplicate.status_code == 400
    unique = Participant._meta.get_field("national_id").error_messages["unique"]
    assert duplicate.json() == {"national_id": [_nb(unique)]}


def test_create_by_non_case_worker_is_forbidden_with_reason(personas, municipality, client_for):
    response = client_for(personas["coordinator"]).post(
        "/api/participants/", {"first_name": ""}, format="json"
    )
    assert response.status_code == 403  # refused before the body is judged
    assert response.json()["detail"]


# --- authentication and query budget --------------------------------------------------


def test_token_authentication(participant, personas, settings):
    settings.KMV_REQUIRE_2FA = True
    token = api_token_for(personas["nav_adviser"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = client.get("/api/participants/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [participant.pk]
    assert AuditEvent.objects.filter(
        actor=personas["nav_adviser"], action=AuditEvent.Action.LIST, channel="api"
    ).exists()

    client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    # TokenAuthentication is listed first, so anonymous calls get 401 + WWW-Authenticate.
    response = client.get("/api/participants/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_session_without_second_factor_is_refused(participant, personas, settings):
    settings.KMV_REQUIRE_2FA = True
    client = APIClient()
    client.force_login(personas["nav_adviser"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/api/participants/")
    assert response.status_code == 403


def _make_participants(n, *, owner, member, municipality):
    """n participants registered by `owner`, each shared with `member`'s agency."""
    for i in range(n):
        p = services.participant_create(
            user=owner,
            first_name=f"P{i}",
            last_name="Budget",
            date_of_birth=date(1990, 1, 1),
            municipality=municipality,
            goal="Nurse",
        )
        services.consent_record(
            user=owner,
            participant=p,
            agency=member.agency,
            category="education_mapping",
            purpose="Resource group",
        )
        group_services.membership_add(user=owner, participant=p, staff=member)


@pytest.mark.parametrize("rows", [3, 30])
@pytest.mark.parametrize("persona", ["nav_adviser", "teacher"])
def test_participant_list_query_budget(
    rows, persona, personas, municipality, client_for, django_assert_max_num_queries
):
    _make_participants(
        rows, owner=personas["nav_adviser"], member=personas["teacher"], municipality=municipality
    )
    client = client_for(personas[persona])
    # COUNT, the page (municipality and owner agency joined), visible categories for the
    # rows another agency owns (teacher only), the audit insert.
    with django_assert_max_num_queries(4):
        response = client.get("/api/participants/")
    results = response.json()["results"]
    assert len(results) == rows
    assert {row["goal"] for row in results} == {"Nurse"}


def test_participant_list_queries_do_not_grow(personas, municipality, client_for):
    alice, bob = personas["nav_adviser"], personas["teacher"]
    client = client_for(bob)
    counts = []
    for batch in (3, 27):
        _make_participants(batch, owner=alice, member=bob, municipality=municipality)
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/participants/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
