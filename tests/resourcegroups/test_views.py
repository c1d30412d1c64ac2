"""Meeting pages through the views: plan, meeting, checklist (form + autosave JSON), notes,
minutes, summary, and the two lists.

Personas (tests/conftest.py): alice = NAV programme adviser (owner agency, responsible for
meetings 1–3), bob = teacher (member with education-mapping consent), charlie = career
counsellor (given consent and membership in `group` below).
"""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from kmv.access.models import AuditEvent
from participants import services as participant_services
from resourcegroups import services
from resourcegroups.models import (
    ChecklistAnswer,
    Meeting,
    MeetingNote,
    Minutes,
    MinutesAddendum,
)
from tests.factories import at

pytestmark = pytest.mark.django_db

JSON = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest", "HTTP_ACCEPT": "application/json"}


@pytest.fixture
def group(participant, personas):
    """The conftest participant, plus charlie's career centre with consent and membership."""
    alice, charlie = personas["nav_adviser"], personas["counsellor"]
    for category in ("education_mapping", "plan_meetings"):
        participant_services.consent_record(
            user=alice,
            participant=participant,
            agency=charlie.agency,
            category=category,
            purpose="Resource group",
        )
    services.membership_add(user=alice, participant=participant, staff=charlie)
    return participant


@pytest.fixture
def meeting1(group):
    return group.meetings.get(stage__number=1)


@pytest.fixture
def no_pdf(monkeypatch):
    """The archive PDF is rendered when the last agency approves; its own tests cover it."""
    monkeypatch.setattr("resourcegroups.archive.store_minutes_pdf", lambda minutes: True)


def _item(meeting, *, role, answer_type=None, fact=None):
    qs = meeting.stage.items.filter(owner_role=role)
    if answer_type:
        qs = qs.filter(answer_type=answer_type)
    if fact is not None:
        qs = qs.filter(profile_fact=fact)
    return qs.order_by("order").first()


def _answer_url(meeting, item):
    return reverse("resourcegroups:checklist_answer", args=[meeting.pk, item.pk])


def _book(client, meeting, **extra):
    data = {
        "day": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "start": "10:00",
        "end": "11:30",
        "place": "Møterom 2, NAV",
        "interpreter_booked": "Tolk Tesfay",
        "version": meeting.version,
    }
    data.update(extra)
    return client.post(reverse("resourcegroups:meeting_book", args=[meeting.pk]), data)


# --- the whole flow ----------------------------------------------------------------------------


def test_whole_meeting_flow(client, personas, group, meeting1, no_pdf):
    alice, bob, charlie = personas["nav_adviser"], personas["teacher"], personas["counsellor"]
    meeting_url = reverse("resourcegroups:meeting", args=[meeting1.pk])
    minutes_url = reverse("resourcegroups:minutes", args=[meeting1.pk])

    # alice books time, place and interpreter
    client.force_login(alice)
    response = _book(client, meeting1)
    assert response.status_code == 302
    meeting1.refresh_from_db()
    assert meeting1.status == Meeting.Status.BOOKED
    assert meeting1.place == "Møterom 2, NAV"
    assert meeting1.interpreter_booked == "Tolk Tesfay"
    assert meeting1.hand_edited
    page = client.get(meeting_url).content.decode()
    assert "Møterom 2, NAV" in page and "10:00" in page
    # alice's agency notes
    response = client.post(
        reverse("resourcegroups:note_save", args=[meeting1.pk]),
        {"text": "NAV-intern: ytelsessak 4711", "version": 0},
    )
    assert response.status_code == 302

    # bob fills his teacher items (no JS: one form per item, redirect back to the anchor)
    client.force_login(bob)
    page = client.get(meeting_url).content.decode()
    assert "NAV-intern" not in page
    english = _item(meeting1, role="teacher", fact="english_level")
    where = _item(meeting1, role="teacher", answer_type="text")
    prefix = f"item-{english.pk}"
    response = client.post(
        _answer_url(meeting1, english),
        {f"{prefix}-answer": "basic", f"{prefix}-comment": "Kurs i høst", f"{prefix}-version": 0},
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#item-{english.pk}")
    prefix = f"item-{where.pk}"
    response = client.post(
        _answer_url(meeting1, where),
        {f"{prefix}-text": "Modul 3 i FVO", f"{prefix}-version": 0},
    )
    assert response.status_code == 302
    response = client.post(
        reverse("resourcegroups:note_save", args=[meeting1.pk]),
        {"text": "Lærernotat: trenger ro", "version": 0},
    )
    assert response.status_code == 302
    # bob's notes JSON answer carries his own version only, never NAV's text
    response = client.post(
        reverse("resourcegroups:note_save", args=[meeting1.pk]),
        {"text": "Lærernotat: trenger ro i timen", "version": 1},
        **JSON,
    )
    assert response.status_code == 200
    assert response.json() == {"ok": True, "version": 2}
    assert "NAV-intern" not in response.content.decode()

    # charlie fills counsellor items
    client.force_login(charlie)
    education = _item(meeting1, role="career_counsellor", fact="earlier_education")
    prefix = f"item-{education.pk}"
    response = client.post(
        _answer_url(meeting1, education),
        {f"{prefix}-answer": "primary", f"{prefix}-comment": "", f"{prefix}-version": 0},
    )
    assert response.status_code == 302
    page = client.get(meeting_url).content.decode()
    assert "Modul 3 i FVO" in page  # others' answers are readable
    assert "NAV-intern" not in page and "Lærernotat" not in page

    # notes never leak between agencies
    client.force_login(bob)
    for url in (meeting_url, minutes_url, reverse("resourcegroups:summary", args=[meeting1.pk])):
        body = client.get(url).content.decode()
        assert "NAV-intern" not in body, url
    assert "Lærernotat: trenger ro i timen" in client.get(meeting_url).content.decode()
    assert MeetingNote.objects.filter(meeting=meeting1).count() == 2

    # alice records attendance and composes the minutes, shown beside her notes
    client.force_login(alice)
    invitees = {i.staff_id: i for i in meeting1.invitees.all()}
    assert set(invitees) == {alice.pk, bob.pk, charlie.pk}
    response = client.post(
        reverse("resourcegroups:attendance", args=[meeting1.pk]),
        {f"attendance-{i.pk}": "present" for i in invitees.values()},
    )
    assert response.status_code == 302
    page = client.get(minutes_url).content.decode()
    assert "NAV-intern: ytelsessak 4711" in page  # her own agency's notes, for reference
    assert "Lærernotat" not in page
    assert page.count('name="actions-') >= 3 * 4  # three empty next-step rows without JS
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = {
        "decisions": "Amina starter på FVO modul 4.",
        "summary": "Gjennomgang av kartlegging.",
        "next_meeting": "Om tolv måneder",
        "plain_summary": "Du fortsetter på skolen. Vi møtes igjen neste år.",
        "version": "",
        "actions-TOTAL_FORMS": "3",
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-text": "Send vitnemål til godkjenning",
        "actions-0-owner": str(charlie.pk),
        "actions-0-agency": str(charlie.agency_id),
        "actions-0-due_date": due,
    }
    response = client.post(minutes_url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    minutes = Minutes.objects.get(meeting=meeting1)
    assert minutes.actions.get().text == "Send vitnemål til godkjenning"
    # sending marks the meeting held: not before it has started (the status buttons' rule)
    response = client.post(reverse("resourcegroups:minutes_submit", args=[meeting1.pk]))
    assert response.status_code == 302
    minutes.refresh_from_db()
    meeting1.refresh_from_db()
    assert minutes.status == Minutes.Status.DRAFT and meeting1.status == Meeting.Status.BOOKED
    with at(meeting1.planned_start + timedelta(hours=2)):
        client.force_login(alice)  # a session of that day
        response = client.post(reverse("resourcegroups:minutes_submit", args=[meeting1.pk]))
    assert response.status_code == 302
    minutes.refresh_from_db()
    assert minutes.status == Minutes.Status.FOR_APPROVAL

    # every attending agency approves; the last approval locks
    for user in (bob, charlie, alice):
        client.force_login(user)
        page = client.get(minutes_url).content.decode()
        assert reverse("resourcegroups:minutes_approve", args=[meeting1.pk]) in page
        response = client.post(reverse("resourcegroups:minutes_approve", args=[meeting1.pk]))
        assert response.status_code == 302
    minutes.refresh_from_db()
    meeting1.refresh_from_db()
    assert minutes.is_locked
    assert meeting1.status == Meeting.Status.MINUTES_APPROVED
    assert minutes.approvals.count() == 3

    # locked: no edit form at all, and the server refuses an edit
    page = client.get(minutes_url).content.decode()
    assert 'name="decisions"' not in page
    assert "Send vitnemål til godkjenning" in page
    response = client.post(minutes_url, {**data, "decisions": "Endret i ettertid"})
    assert response.status_code == 409
    minutes.refresh_from_db()
    assert minutes.decisions == "Amina starter på FVO modul 4."
    # and checklist answers are closed too
    client.force_login(bob)
    prefix = f"item-{english.pk}"
    response = client.post(
        _answer_url(meeting1, english), {f"{prefix}-answer": "good", f"{prefix}-version": 1}
    )
    assert response.status_code == 403

    # an addendum works and is listed with agency and author
    response = client.post(
        reverse("resourcegroups:minutes_addendum", args=[meeting1.pk]),
        {"text": "Rettelse: modul 4 starter i januar."},
    )
    assert response.status_code == 302
    addendum = MinutesAddendum.objects.get(minutes=minutes)
    assert addendum.agency_id == bob.agency_id
    page = client.get(minutes_url).content.decode()
    assert "Rettelse: modul 4 starter i januar." in page

    # the participant's summary: plain words and next steps, nobody's notes — and only for an
    # agency that may see "plan and meetings": bob's agency (education only) gets the marker
    summary_url = reverse("resourcegroups:summary", args=[meeting1.pk])
    body = client.get(summary_url).content.decode()
    assert "Du fortsetter på skolen." not in body
    assert "Send vitnemål til godkjenning" not in body
    assert "Skjult: ikke delt med din virksomhet" in body
    client.force_login(charlie)
    body = client.get(summary_url).content.decode()
    assert "Du fortsetter på skolen." in body
    assert "Send vitnemål til godkjenning" in body
    assert "NAV-intern" not in body and "Lærernotat" not in body


# --- checklist: autosave JSON and conflicts ----------------------------------------------------


def test_autosave_json_happy_path_and_conflict(client, personas, meeting1):
    bob = personas["teacher"]
    item = _item(meeting1, role="teacher", answer_type="text")
    prefix = f"item-{item.pk}"
    url = _answer_url(meeting1, item)
    client.force_login(bob)

    response = client.post(url, {f"{prefix}-text": "Første utkast", f"{prefix}-version": 0}, **JSON)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["version"] == 1
    assert body["progress"]["answered"] == 1
    assert body["progress"]["total"] == meeting1.stage.items.count()

    response = client.post(url, {f"{prefix}-text": "Andre utkast", f"{prefix}-version": 1}, **JSON)
    assert response.json()["version"] == 2

    # a stale version (someone saved in between): 409, nothing overwritten
    response = client.post(url, {f"{prefix}-text": "Gammel fane", f"{prefix}-version": 1}, **JSON)
    assert response.status_code == 409
    body = response.json()
    assert "Andre utkast" in body["conflict"]
    assert body["current"] == "Andre utkast"
    assert body["version"] == 2
    answer = ChecklistAnswer.objects.get(meeting=meeting1, item=item)
    assert answer.value["text"] == "Andre utkast" and answer.version == 2

    # without JS: the 409 page keeps the user's text and offers the current version
    response = client.post(url, {f"{prefix}-text": "Gammel fane", f"{prefix}-version": 1})
    assert response.status_code == 409
    page = response.content.decode()
    assert "Gammel fane" in page
    assert f'name="{prefix}-version" value="2"' in page
    answer.refresh_from_db()
    assert answer.value["text"] == "Andre utkast"


def test_bad_input_is_a_translated_error_and_changes_nothing(client, personas, meeting1):
    charlie_item = _item(meeting1, role="teacher", answer_type="choice")
    prefix = f"item-{charlie_item.pk}"
    client.force_login(personas["teacher"])
    url = _answer_url(meeting1, charlie_item)
    response = client.post(url, {f"{prefix}-answer": "fluent!!", f"{prefix}-version": 0})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    response = client.post(url, {f"{prefix}-answer": "fluent!!", f"{prefix}-version": 0}, **JSON)
    assert response.status_code == 400 and "errors" in response.json()
    response = client.post(url, {f"{prefix}-version": "not a number"}, **JSON)
    assert response.status_code == 400
    assert not ChecklistAnswer.objects.filter(meeting=meeting1).exists()


def test_teacher_cannot_answer_a_counsellor_item(client, personas, group, meeting1):
    item = _item(meeting1, role="career_counsellor")
    prefix = f"item-{item.pk}"
    client.force_login(personas["teacher"])
    page = client.get(reverse("resourcegroups:meeting", args=[meeting1.pk])).content.decode()
    assert _answer_url(meeting1, item) not in page  # read-only for other roles
    response = client.post(_answer_url(meeting1, item), {f"{prefix}-answer": "yes"})
    assert response.status_code == 403
    response = client.post(_answer_url(meeting1, item), {f"{prefix}-answer": "yes"}, **JSON)
    assert response.status_code == 403
    assert not ChecklistAnswer.objects.filter(meeting=meeting1).exists()


def test_meeting_of_invisible_participant_is_404_and_audited(client, personas, participant):
    meeting1 = participant.meetings.get(stage__number=1)
    client.force_login(personas["counsellor"])  # no consent, not a member here
    url = reverse("resourcegroups:meeting", args=[meeting1.pk])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DENIED,
        object_type="meeting",
        participant_id=meeting1.participant_id,
    ).exists()
    client.force_login(personas["teacher"])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW,
        object_type="meeting",
        object_id=str(meeting1.pk),
        participant_id=meeting1.participant_id,
        actor=personas["teacher"],
    ).exists()


def test_booking_with_stale_version_is_409_and_keeps_input(client, personas, meeting1):
    client.force_login(personas["nav_adviser"])
    assert _book(client, meeting1).status_code == 302
    response = _book(client, meeting1, place="Et annet rom", version=meeting1.version)
    assert response.status_code == 409
    assert "Et annet rom" in response.content.decode()
    meeting1.refresh_from_db()
    assert meeting1.place == "Møterom 2, NAV"
    # an end before the start is a form error, not a 500
    response = _book(client, meeting1, start="12:00", end="11:00", version=meeting1.version)
    assert response.status_code == 400


def test_teacher_cannot_book_or_change_status(client, personas, meeting1):
    client.force_login(personas["teacher"])
    assert _book(client, meeting1).status_code == 403
    response = client.post(
        reverse("resourcegroups:meeting_status", args=[meeting1.pk]), {"status": "cancelled"}
    )
    assert response.status_code == 403
    meeting1.refresh_from_db()
    assert meeting1.status == Meeting.Status.PLANNED


def test_status_actions_follow_allowed_transitions(client, personas, meeting1):
    client.force_login(personas["nav_adviser"])
    url = reverse("resourcegroups:meeting_status", args=[meeting1.pk])
    response = client.post(url, {"status": "held"})  # planned → held is not allowed
    assert response.status_code == 302
    meeting1.refresh_from_db()
    assert meeting1.status == Meeting.Status.PLANNED
    page = client.get(reverse("resourcegroups:meeting", args=[meeting1.pk])).content.decode()
    assert 'value="booked"' in page and 'value="held"' not in page


# --- profile facts, plan, concern ---------------------------------------------------------------


def test_profile_facts_appear_on_the_next_meeting(client, personas, group, meeting1):
    alice, bob, charlie = personas["nav_adviser"], personas["teacher"], personas["counsellor"]
    education = _item(meeting1, role="career_counsellor", fact="earlier_education")
    vigo = _item(meeting1, role="career_counsellor", fact="applied_vigo")
    services.answer_save(
        user=charlie, meeting=meeting1, item=education, value={"answer": "secondary"}, version=0
    )
    services.answer_save(
        user=charlie, meeting=meeting1, item=vigo, value={"answer": "yes"}, version=0
    )
    participant_services.participant_update(
        user=alice, participant=group, adult_education_end=date(2027, 6, 20)
    )
    meeting2 = group.meetings.get(stage__number=2)
    client.force_login(bob)
    page = client.get(reverse("resourcegroups:meeting", args=[meeting2.pk])).content.decode()
    assert "Fullført videregående" in page  # what meeting 1 found
    assert str(meeting1.stage) in page  # its source
    assert timezone.localdate().strftime("%d.%m.%Y") in page
    # bob's agency has consent for education mapping only: the vigo fact (plan meetings) is
    # not shown to him, but is to charlie
    client.force_login(charlie)
    response = client.get(reverse("resourcegroups:meeting", args=[meeting2.pk]))
    assert {f["fact"].key for f in response.context["facts"]} == {
        "earlier_education",
        "applied_vigo",
    }
    client.force_login(bob)
    response = client.get(reverse("resourcegroups:meeting", args=[meeting2.pk]))
    assert {f["fact"].key for f in response.context["facts"]} == {"earlier_education"}


def test_plan_page_and_link_from_participant(client, personas, group):
    client.force_login(personas["nav_adviser"])
    plan_url = reverse("resourcegroups:plan", args=[group.pk])
    detail = client.get(reverse("participants:detail", args=[group.pk])).content.decode()
    assert plan_url in detail
    response = client.get(plan_url)
    assert response.status_code == 200
    rows = response.context["rows"]
    numbers = [r["row"].stage.number for r in rows]
    assert numbers[:4] == [1, 2, 3, 4]
    states = {r["row"].stage.number: r["state"] for r in rows}
    assert states[1] == "overdue"  # intro start 6 Jan 2025, window closed in May 2025
    assert states[2] == "not_plannable"  # no end date for adult education
    assert states[4] == "not_plannable"  # upper-secondary dates not known yet


def test_concern_meeting_creation(client, personas, group):
    client.force_login(personas["teacher"])
    url = reverse("resourcegroups:concern_create", args=[group.pk])
    response = client.post(url, {"concern_reason": "  "})
    assert response.status_code == 400
    assert not group.meetings.filter(stage__kind="concern").exists()
    response = client.post(url, {"concern_reason": "Mye fravær siste måned"})
    assert response.status_code == 302
    meeting = group.meetings.get(stage__kind="concern")
    assert response.url == reverse("resourcegroups:meeting", args=[meeting.pk])
    assert meeting.concern_reason == "Mye fravær siste måned"
    assert meeting.invitees.filter(staff=personas["teacher"]).exists()
    page = client.get(reverse("resourcegroups:plan", args=[group.pk])).content.decode()
    assert "Mye fravær siste måned" in page


def test_needs_review_flag_on_plan_and_meeting(client, personas, group):
    alice = personas["nav_adviser"]
    participant_services.participant_update(
        user=alice, participant=group, adult_education_end=date(2027, 6, 20)
    )
    meeting2 = group.meetings.get(stage__number=2)
    client.force_login(alice)
    _book(client, meeting2)
    group.refresh_from_db()
    participant_services.participant_update(
        user=alice, participant=group, version=group.version, adult_education_end=date(2027, 12, 20)
    )
    meeting2.refresh_from_db()
    assert meeting2.needs_review
    plan = client.get(reverse("resourcegroups:plan", args=[group.pk])).content.decode()
    meeting = client.get(reverse("resourcegroups:meeting", args=[meeting2.pk])).content.decode()
    for page in (plan, meeting):
        assert 'class="ds-paragraph kmv-review"' in page or "ds-alert" in page
    assert "kmv-review" in plan
    assert 'id="history"' in meeting


# --- lists: constant queries -------------------------------------------------------------------


def _more_participants(alice, municipality, n):
    """Participants registered by alice: she is their contact person (a member) and
    responsible for meetings 1–3, so every one adds rows to both lists."""
    for i in range(n):
        participant_services.participant_create(
            user=alice,
            first_name="Rad",
            last_name=f"Nummer{i}",
            date_of_birth=date(1990, 1, 1),
            municipality=municipality,
            intro_programme_start=date(2025, 9, 1) + timedelta(days=i),
            adult_education_end=date(2027, 6, 1),
        )


@pytest.mark.parametrize("name", ["resourcegroups:my_meetings", "resourcegroups:due_meetings"])
def test_lists_use_constant_queries(
    client, personas, municipality, participant, name, django_assert_max_num_queries
):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    # queries: 1 session, 2 user, 3 the meetings (scoped by participants_for in a subquery,
    # participant, stage and routine joined, checklist counts annotated), 4 the user's agency
    # for the page header, 5–7 savepoint + session save + release (session middleware),
    # 8 the audit rows, one per participant listed (one bulk insert)
    with django_assert_max_num_queries(8):
        small = client.get(reverse(name))
    assert small.status_code == 200
    _more_participants(alice, municipality, 6)
    with django_assert_max_num_queries(8):
        large = client.get(reverse(name))
    key = "meetings" if name.endswith("my_meetings") else "rows"
    assert len(large.context[key]) > len(small.context[key])


def test_my_meetings_and_due_lists_show_rows(client, personas, group, meeting1):
    client.force_login(personas["nav_adviser"])
    response = client.get(reverse("resourcegroups:my_meetings"))
    assert meeting1 in response.context["meetings"]
    page = response.content.decode()
    assert group.full_name in page and "<progress" in page
    response = client.get(reverse("resourcegroups:due_meetings"))
    row = next(r for r in response.context["rows"] if r["meeting"] == meeting1)
    assert row["due"].state == "overdue" and row["days"] < 0
    # bob is invited (my meetings) but not responsible (due soon)
    client.force_login(personas["teacher"])
    assert meeting1 in client.get(reverse("resourcegroups:my_meetings")).context["meetings"]
    assert client.get(reverse("resourcegroups:due_meetings")).context["rows"] == []


def test_navigation_shows_meeting_lists_to_case_workers(client, personas):
    client.force_login(personas["teacher"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("resourcegroups:my_meetings") in page
    client.force_login(personas["coordinator"])
    page = client.get(reverse("home")).content.decode()
    assert reverse("resourcegroups:my_meetings") not in page


def test_meeting_page_has_no_inline_script_or_style(client, personas, meeting1):
    client.force_login(personas["teacher"])
    page = client.get(reverse("resourcegroups:meeting", args=[meeting1.pk])).content.decode()
    assert "js/autosave.js" in page
    assert "<script>" not in page and " style=" not in page and " onclick=" not in page
    assert 'aria-live="polite"' in page and "<progress" in page


# --- data categories on next steps --------------------------------------------------------------


def test_a_next_steps_category_survives_editing_in_the_form(client, personas, meeting1, no_pdf):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    assert _book(client, meeting1).status_code == 302
    meeting1.refresh_from_db()
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    services.minutes_compose(
        user=alice,
        meeting=meeting1,
        decisions="Plan",
        actions=[
            {
                "text": "Søke tilrettelegging",
                "agency": alice.agency_id,
                "due_date": due,
                "category": "health_adaptation",
            }
        ],
    )
    minutes_url = reverse("resourcegroups:minutes", args=[meeting1.pk])
    page = client.get(minutes_url).content.decode()
    assert '<option value="health_adaptation" selected>' in page
    data = {
        "decisions": "Plan, endret",
        "version": Minutes.objects.get(meeting=meeting1).version,
        "actions-TOTAL_FORMS": "1",
        "actions-INITIAL_FORMS": "1",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "30",
        "actions-0-text": "Søke tilrettelegging",
        "actions-0-agency": str(alice.agency_id),
        "actions-0-due_date": due,
        "actions-0-category": "health_adaptation",
    }
    assert client.post(minutes_url, data).status_code == 302
    assert Minutes.objects.get(meeting=meeting1).actions.get().category == "health_adaptation"


def test_a_composer_who_may_not_read_everything_cannot_rewrite_the_minutes(
    client, personas, group, meeting1, no_pdf
):
    """A programme adviser at the career centre is responsible for the meeting, but the centre
    may see only education and plan: a health next step is hidden from it, so it gets no form
    (which would show the step) and no save (which would drop it)."""
    from django.core.exceptions import PermissionDenied

    from kmv.access.models import Role
    from resourcegroups.services.meetings import may_manage
    from resourcegroups.services.minutes import may_read_all_of
    from tests.factories import UserFactory

    alice = personas["nav_adviser"]
    pia = UserFactory(
        username="pia", agency=personas["counsellor"].agency, role=Role.PROGRAMME_ADVISER
    )
    services.membership_add(user=alice, participant=group, staff=pia)
    client.force_login(alice)
    assert _book(client, meeting1).status_code == 302
    meeting1.refresh_from_db()
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    step = {"agency": alice.agency_id, "due_date": due}
    minutes = services.minutes_compose(
        user=alice,
        meeting=meeting1,
        decisions="Plan",
        actions=[
            {**step, "text": "Felles steg"},
            {**step, "text": "Helsesteg", "category": "health_adaptation"},
        ],
    )
    assert may_manage(pia, meeting1)
    assert may_read_all_of(alice, meeting1, minutes)
    assert not may_read_all_of(pia, meeting1, minutes)
    with pytest.raises(PermissionDenied):
        services.minutes_compose(user=pia, meeting=meeting1, decisions="Omskrevet")
    assert Minutes.objects.get(pk=minutes.pk).actions.count() == 2
    client.force_login(pia)
    page = client.get(reverse("resourcegroups:minutes", args=[meeting1.pk])).content.decode()
    assert "Felles steg" in page and "Helsesteg" not in page
    assert 'name="decisions"' not in page
