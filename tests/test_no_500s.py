"""The 500s found by fuzzing and by hand, each fixed at its class (issue 12 §5); every row is
a bad input that must get a translated 4xx and change nothing. The SQLite id overflow has its
own file (tests/test_id_bounds.py), uploads theirs (tests/test_uploads.py)."""

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from resourcegroups import services as group_services
from resourcegroups.models import Minutes
from resourcegroups.services.minutes import TEXT_MAX_CHARS

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(personas):
    return personas["nav_adviser"]


@pytest.fixture
def held(participant, alice):
    meeting = group_services.meeting_create_concern(user=alice, participant=participant, reason="x")
    start = timezone.now() - timedelta(days=1)
    return group_services.meeting_schedule(
        user=alice, meeting=meeting, start=start, end=start + timedelta(hours=1), place="Rom 1"
    )


def _api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def _put_minutes(user, meeting, **payload):
    body = json.dumps({"decisions": "Søke vigo.no", "version": 0, **payload})
    return _api(user).put(
        f"/api/meetings/{meeting.pk}/minutes/", body, content_type="application/json"
    )


# --- minutes: next steps may only name the group's agencies and members -------------------


@pytest.mark.parametrize(
    "action",
    [
        {"agency": 999_999},  # no such agency (was an IntegrityError at commit: 500)
        {"agency": "career"},  # an agency that exists but takes no part in the group
        {"agency": "nav", "owner": 999_999},  # no such user
        {"agency": "nav", "owner": "counsellor"},  # a user who is not a member
        {"agency": "nav", "due_date": "9999-12-31"},  # a date no one means
    ],
    ids=["unknown agency", "foreign agency", "unknown owner", "non-member owner", "year 9999"],
)
def test_a_next_step_with_a_party_the_user_cannot_use_is_a_400(
    held, alice, personas, agencies, action
):
    row = {"text": "Sende søknad", "agency": agencies["nav"].pk, "due_date": "2027-03-01"}
    for key, value in action.items():
        if isinstance(value, str) and key == "agency":
            value = agencies[value].pk
        elif isinstance(value, str) and key == "owner":
            value = personas[value].pk
        row[key] = value
    response = _put_minutes(alice, held, actions=[row])
    assert response.status_code == 400, response.content
    assert "actions" in response.json()
    assert not Minutes.objects.filter(meeting=held).exists()


def test_the_minutes_page_refuses_the_same_parties(client, held, alice, agencies):
    client.force_login(alice)
    response = client.post(
        reverse("resourcegroups:minutes", kwargs={"meeting_pk": held.pk}),
        {
            "decisions": "Søke vigo.no",
            "version": "",
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-text": "Sende søknad",
            "actions-0-agency": str(agencies["career"].pk),
            "actions-0-due_date": "2027-03-01",
        },
    )
    assert response.status_code == 400
    assert not Minutes.objects.filter(meeting=held).exists()


# --- minutes: bounded text --------------------------------------------------------------


@pytest.mark.parametrize("section", ["decisions", "summary", "plain_summary"])
def test_a_minutes_section_over_the_limit_is_a_400_on_api_and_service(held, alice, section):
    response = _put_minutes(alice, held, **{section: "x" * (TEXT_MAX_CHARS + 1)})
    assert response.status_code == 400 and section in response.json()
    with pytest.raises(ValidationError):
        group_services.minutes_compose(
            user=alice, meeting=held, **{"decisions": "ok", section: "x" * (TEXT_MAX_CHARS + 1)}
        )
    assert not Minutes.objects.filter(meeting=held).exists()
    assert _put_minutes(alice, held, **{section: "x" * TEXT_MAX_CHARS}).status_code == 200


# --- the API: every JSON string valid Unicode ----------------------------------------------


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("post", "/api/consents/", {"category": "\ud800", "purpose": "x"}),
        ("patch", "participant", {"preferred_language": "\udfff"}),
        ("put", "minutes", {"decisions": "ok\ud800"}),
    ],
    ids=["choice field", "choice on update", "free text"],
)
def test_a_lone_surrogate_in_any_json_field_is_a_400(held, alice, participant, method, path, body):
    path = {
        "participant": f"/api/participants/{participant.pk}/",
        "minutes": f"/api/meetings/{held.pk}/minutes/",
    }.get(path, path)
    raw = json.dumps({"participant": participant.pk, "version": 0, **body})  # \\ud800 escape
    response = getattr(_api(alice), method)(path, raw, content_type="application/json")
    assert response.status_code == 400
    assert "Unicode" in response.json()["detail"]
    participant.refresh_from_db()
    assert participant.preferred_language != "\udfff"


# --- dates a person enters lie between 1900 and 2099 ------------------------------------


@pytest.mark.parametrize(
    "field",
    ["intro_programme_start", "adult_education_end", "upper_secondary_start", "settlement_date"],
)
@pytest.mark.parametrize("value", ["9999-12-31", "0001-01-01"])
def test_a_milestone_year_out_of_range_is_a_400(client, alice, participant, field, value):
    """9999-12-31 was saved, and planning's date arithmetic then failed (`year 10000 is out
    of range`) on every page that showed the participant."""
    before = getattr(participant, field)
    response = _api(alice).patch(
        f"/api/participants/{participant.pk}/",
        {field: value, "version": participant.version},
        format="json",
    )
    assert response.status_code == 400, response.content
    assert "2099" in json.dumps(response.json())
    participant.refresh_from_db()
    assert getattr(participant, field) == before
    client.force_login(alice)
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200


def test_the_participant_form_refuses_the_same_dates(client, alice, participant):
    client.force_login(alice)
    url = reverse("participants:edit", args=[participant.pk])
    form = client.get(url).context["form"]
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list) else str(value)
    response = client.post(url, {**data, "intro_programme_start": "2030-08-15"})
    assert response.status_code == 302, response.context["form"].errors
    participant.refresh_from_db()
    assert str(participant.intro_programme_start) == "2030-08-15"
    data["version"] = str(participant.version)
    response = client.post(url, {**data, "intro_programme_start": "9999-12-31"})
    assert response.status_code in (200, 400)
    assert "2099" in response.content.decode()
    participant.refresh_from_db()
    assert str(participant.intro_programme_start) == "2030-08-15"


# --- ids from forms ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "", "1e9", str(2**70)])
def test_a_non_numeric_id_in_the_feedback_review_is_a_404(client, personas, value):
    client.force_login(personas["coordinator"])
    response = client.post(reverse("network:feedback_overview"), {"response": value})
    assert response.status_code == 404
