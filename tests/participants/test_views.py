from datetime import date

import pytest
from django.urls import reverse

from kmv.access.models import AuditEvent
from participants.models import Participant

pytestmark = pytest.mark.django_db


def test_adviser_registers_participant_through_the_form(client, personas, municipality):
    client.force_login(personas["nav_adviser"])
    response = client.post(
        reverse("participants:create"),
        {
            "first_name": "Yonas",
            "last_name": "Tesfay",
            "date_of_birth": "1994-02-10",
            "national_id": "",
            "preferred_language": "ti",
            "interpreter_needed": "on",
            "interpreter_language": "ti",
            "municipality": municipality.pk,
            "intro_programme_start": "2026-01-05",
            "pathway": "with_vgo",
            "status": "active",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    participant = Participant.objects.get(last_name="Tesfay")
    assert participant.owner_agency == personas["nav_adviser"].agency
    assert AuditEvent.objects.filter(action="create", participant_id=participant.pk).exists()
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Yonas Tesfay" in page.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("date_of_birth", "2999-01-01", "future"),
        ("national_id", "01019012345", "check digits"),
        ("national_id", "1234", "11 digits"),
    ],
)
def test_bad_input_is_explained_and_changes_nothing(
    client, personas, municipality, field, value, message, settings
):
    settings.LANGUAGE_CODE = "en"
    user = personas["nav_adviser"]
    user.language = "en"
    user.save()
    client.force_login(user)
    data = {
        "first_name": "Bad",
        "last_name": "Input",
        "date_of_birth": "1990-01-01",
        "preferred_language": "ar",
        "municipality": municipality.pk,
        "pathway": "with_vgo",
        "status": "active",
        field: value,
    }
    response = client.post(reverse("participants:create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Participant.objects.filter(last_name="Input").exists()


def test_edit_conflict_keeps_input_and_says_so(client, personas, participant):
    client.force_login(personas["nav_adviser"])
    url = reverse("participants:edit", args=[participant.pk])
    form = client.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data["municipality"] = participant.municipality_id
    data["languages"] = []
    data["goal"] = "Elektriker"
    data["version"] = participant.version - 1 if participant.version > 1 else 0
    response = client.post(url, data)
    assert response.status_code == 409
    assert "Elektriker" in response.content.decode()
    participant.refresh_from_db()
    assert participant.goal == ""


def test_withdrawing_consent_revokes_the_teachers_access_at_once(client, personas, participant):
    teacher = personas["teacher"]
    client.force_login(teacher)
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200
    consent = participant.consents.get(agency=teacher.agency)
    client.force_login(personas["nav_adviser"])
    r = client.post(reverse("participants:consent_withdraw", args=[participant.pk, consent.pk]), {})
    assert r.status_code == 302
    client.force_login(teacher)
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 404
    assert participant not in Participant.objects.filter(
        pk__in=[p.pk for p in client.get(reverse("participants:list")).context["page"].object_list]
    )


def test_participant_list_query_count_is_constant(
    client, personas, municipality, django_assert_max_num_queries
):
    from participants import services

    adviser = personas["nav_adviser"]
    client.force_login(adviser)

    def make(n):
        for i in range(n):
            services.participant_create(
                user=adviser,
                first_name=f"P{i}",
                last_name="Load",
                date_of_birth=date(1990, 1, 1),
                municipality=municipality,
            )

    make(3)
    # session, user, count, page rows, audit insert, header agency, municipality filter
    # options, session save (+ savepoint/release) — independent of the number of rows
    with django_assert_max_num_queries(10):
        assert client.get(reverse("participants:list")).status_code == 200
    make(20)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("participants:list")).status_code == 200


def test_next_due_meeting_filter_and_column(client, personas, municipality):
    from datetime import timedelta

    from django.utils import timezone

    from participants import services

    adviser = personas["nav_adviser"]
    today = timezone.localdate()
    soon = services.participant_create(  # meeting 1 due in ~20 days
        user=adviser,
        first_name="Soon",
        last_name="Due",
        date_of_birth=date(1990, 1, 1),
        municipality=municipality,
        intro_programme_start=today - timedelta(days=70),
    )
    later = services.participant_create(  # meeting 1 due in ~6 months
        user=adviser,
        first_name="Later",
        last_name="Due",
        date_of_birth=date(1990, 1, 1),
        municipality=municipality,
        intro_programme_start=today + timedelta(days=90),
    )
    client.force_login(adviser)
    page = client.get(reverse("participants:list"), {"next_due": "30"}).context["page"]
    shown = {p.pk for p in page.object_list}
    assert soon.pk in shown and later.pk not in shown
    row = next(p for p in page.object_list if p.pk == soon.pk)
    assert row.next_due == soon.meetings.get(stage__number=1).due_date
    everyone = client.get(reverse("participants:list")).context["page"].object_list
    assert {soon.pk, later.pk} <= {p.pk for p in everyone}


def test_a_member_agency_records_an_education_and_work_status(client, personas, participant):
    from participants.models import OutcomeRecord

    teacher = personas["teacher"]
    client.force_login(teacher)
    url = reverse("participants:outcome_create", args=[participant.pk])
    bad = client.post(url, {"status": "in_school", "since": "not a date"})
    assert bad.status_code == 200 and not OutcomeRecord.objects.exists()
    response = client.post(
        url,
        {
            "status": "upper_secondary_started",
            "since": "2026-08-15",
            "cohort_year": 2026,
            "in_work": "on",
            "in_work_since": "2026-09-01",
        },
    )
    assert response.status_code == 302
    record = OutcomeRecord.objects.get()
    assert record.reported_by_agency == teacher.agency and record.in_work
    page = client.get(reverse("participants:detail", args=[participant.pk])).content.decode()
    assert "2026" in page and "15.08.2026" in page
    client.force_login(personas["counsellor"])  # no consent, not a member
    assert client.get(url).status_code == 404
