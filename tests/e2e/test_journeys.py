"""One journey per user group, in a real browser, as a person would do it.

Every page a journey visits is checked with axe-core (0 serious/critical violations) and for
CSP errors in the console; key pages are saved as PNG under artifacts/screenshots/<journey>/.
Each journey also checks what must NOT be visible to that person.

The round (book, schedule, publish) and the dashboard journeys live beside this file, in
test_journey_rounds.py and test_journey_dashboard.py.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from datetime import date, datetime, time, timedelta

import pytest
import requests
from django.utils import timezone
from django_otp.oath import totp
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from kmv.access.models import Agency, AuditEvent, Role
from participants import services as participant_services
from participants.models import Consent, Participant
from resourcegroups.models import ChecklistAnswer, MeetingNote, Membership, Minutes
from tests.factories import AgencyFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    # live_server needs real transactions; serialized_rollback restores the data migrations
    # (the KMV routine) for the tests that run after these on the same worker.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


# --- data ------------------------------------------------------------------------------
@pytest.fixture
def other_office(municipality):
    """Another NAV office with its own participant: never visible to alice, bob, charlie, cora."""
    nav2 = AgencyFactory(name="NAV Grimstad", kind=Agency.Kind.NAV_INTEGRATION)
    nav2.municipalities.add(municipality)
    adviser = UserFactory(username="gunnar", agency=nav2, role=Role.PROGRAMME_ADVISER)
    return participant_services.participant_create(
        user=adviser,
        first_name="Zahra",
        last_name="Hakimi-Skjult",
        date_of_birth=date(1988, 11, 2),
        municipality=municipality,
        intro_programme_start=date(2025, 3, 3),
        preferred_language="prs",
    )


@pytest.fixture
def no_consent_participant(personas, municipality):
    """Registered by alice; no other agency has consent."""
    return participant_services.participant_create(
        user=personas["nav_adviser"],
        first_name="Yonas",
        last_name="Tekle-Uten-Samtykke",
        date_of_birth=date(1995, 6, 30),
        municipality=municipality,
        intro_programme_start=date(2025, 8, 18),
        preferred_language="ti",
    )


@pytest.fixture
def counsellor_in_group(participant, personas):
    """Charlie's career centre gets consent and charlie joins Amina's group."""
    from resourcegroups import services as group_services

    alice = personas["nav_adviser"]
    participant_services.consent_record(
        user=alice,
        participant=participant,
        agency=personas["counsellor"].agency,
        category="education_mapping",
        purpose="Resource group",
    )
    group_services.membership_add(user=alice, participant=participant, staff=personas["counsellor"])
    return personas["counsellor"]


# --- small helpers ---------------------------------------------------------------------
def set_date(browser, element, value: date) -> None:
    """<input type=date>: typing depends on the browser's locale, so set the ISO value and
    fire the events a person's typing would."""
    browser.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        element,
        value.isoformat(),
    )


def click_link(browser, href_part: str) -> None:
    old = browser.find("html")
    browser.find(f"main a[href*='{href_part}'], header a[href*='{href_part}']").click()
    browser.wait_for_new_page(old)


def assert_not_found(browser, path: str, step: str) -> None:
    browser.open(path)
    assert browser.find("h1").text == "Fant ikke siden", browser.text()
    browser.page(step)


def enrol_totp(browser, settings, username: str) -> None:
    """Log in with 2FA required and enrol an authenticator for real: read the key shown on
    the set-up page and compute the code the way an authenticator app does."""
    settings.KMV_REQUIRE_2FA = True
    browser.login(username)
    browser.wait_for_path(r"/konto/tofaktor/oppsett/")
    browser.page("two_factor_setup")
    key = bytes.fromhex(browser.find("main code").text.strip())
    browser.find("#id_token").send_keys(f"{totp(key, step=30, t0=0, digits=6):06d}")
    browser.submit()
    assert "/konto/tofaktor" not in browser.path, browser.text()


# --- a) NAV programme adviser ----------------------------------------------------------
def test_programme_adviser_registers_participant_consent_and_group(
    browser, settings, personas, agencies, municipality, other_office
):
    browser.start("programme_adviser")
    enrol_totp(browser, settings, "alice")
    browser.wait_for_path(r"/")
    browser.page("home")

    # Participants list: the other office's participant is not there, not even by search.
    click_link(browser, "/deltakere/")
    browser.page("participants_list")
    assert "Hakimi-Skjult" not in browser.text()
    search = browser.find("#id_q")
    search.send_keys("Hakimi-Skjult", Keys.ENTER)
    browser.wait_for_path(r"/deltakere/")
    browser.page("participants_search", screenshot=False)
    assert "Hakimi-Skjult" not in browser.find("main").text

    # Register a participant (interpreter language, introduction programme start).
    click_link(browser, "/deltakere/ny/")
    browser.page("register_form")
    browser.find("#id_first_name").send_keys("Semhar")
    browser.find("#id_last_name").send_keys("Gebremedhin")
    set_date(browser, browser.find("#id_date_of_birth"), date(1993, 2, 11))
    Select(browser.find("#id_municipality")).select_by_visible_text(str(municipality))
    browser.find("input[name=languages][value=ti]").click()
    browser.find("input[name=languages][value=ar]").click()
    Select(browser.find("#id_preferred_language")).select_by_value("ti")
    browser.find("#id_interpreter_needed").click()
    Select(browser.find("#id_interpreter_language")).select_by_value("ti")
    set_date(browser, browser.find("#id_intro_programme_start"), date(2025, 9, 1))
    browser.submit("main form")
    pk = int(browser.wait_for_path(r"/deltakere/(\d+)/").group(1))
    browser.page("participant_detail")
    assert "Deltakeren er registrert" in browser.text()
    p = Participant.objects.get(pk=pk)
    assert (p.first_name, p.interpreter_language, p.intro_programme_start) == (
        "Semhar",
        "ti",
        date(2025, 9, 1),
    )
    assert p.owner_agency == agencies["nav"]

    # Record consent for the adult-education agency.
    click_link(browser, f"/deltakere/{pk}/samtykke/ny/")
    browser.page("consent_form")
    Select(browser.find("#id_agency")).select_by_visible_text(str(agencies["adult_ed"]))
    Select(browser.find("#id_category")).select_by_value("education_mapping")
    browser.find("#id_purpose").send_keys("Ressursgruppe og kartlegging")
    Select(browser.find("#id_basis")).select_by_value("consent")
    set_date(browser, browser.find("#id_given_on"), timezone.localdate())
    browser.submit("main form")
    browser.wait_for_path(rf"/deltakere/{pk}/")
    browser.page("participant_with_consent", screenshot=False)
    assert Consent.objects.active().filter(participant=p, agency=agencies["adult_ed"]).exists()

    # Add the teacher to the resource group.
    click_link(browser, f"/ressursgrupper/deltaker/{pk}/medlem/ny/")
    browser.page("membership_form")
    bob = personas["teacher"]
    staff = Select(browser.find("#id_staff"))
    staff.select_by_value(str(bob.pk))
    browser.submit("main form")
    browser.wait_for_path(rf"/deltakere/{pk}/")
    browser.page("participant_with_group")
    assert str(bob) in browser.find("section[aria-labelledby=h-group]").text
    assert Membership.objects.filter(group__participant=p, staff=bob, end_date=None).exists()

    # The participant's group and meeting plan (the four-meeting routine).
    browser.open(f"/ressursgrupper/deltaker/{pk}/plan/")
    browser.page("meeting_plan")
    assert p.full_name in browser.find("main").text

    # NOT visible: the other office's participant is a 404 page, like a page that never was.
    assert_not_found(browser, f"/deltakere/{other_office.pk}/", "other_office_404")
    browser.open(f"/deltakere/{other_office.pk}/endre/")
    assert browser.find("h1").text == "Fant ikke siden"


# --- b) teacher and career counsellor --------------------------------------------------
def _member_journey(browser, username, participant, hidden, journey):
    browser.start(journey)
    # Keyboard only from the start: Tab to the fields, type, Enter.
    browser.login_keyboard(username)
    browser.page("home")

    click_link(browser, "/deltakere/")
    browser.page("participants_list")
    main = browser.find("main").text
    assert participant.last_name in main
    assert hidden.last_name not in main  # no consent: not listed

    click_link(browser, f"/deltakere/{participant.pk}/")
    browser.page("participant_detail")
    assert participant.full_name in browser.find("h1").text

    # NOT visible: a participant without consent is a 404 page.
    assert_not_found(browser, f"/deltakere/{hidden.pk}/", "no_consent_404")

    # My meetings: the consenting participant's meetings only.
    browser.open("/ressursgrupper/mine-moter/")
    browser.page("my_meetings")
    assert hidden.last_name not in browser.find("main").text

    # Keyboard-only form completion (the checklist is test_members_fill_checklist_keyboard_only
    # below): settings → Tab to phone → type → Tab to Save → Enter.
    browser.open("/konto/innstillinger/")
    browser.page("preferences")
    phone = browser.find("#id_phone")
    browser.tab_to(phone)
    browser.select_all_and_type("+47 912 34 567")
    save = browser.find("main form button[type=submit]")
    browser.tab_to(save)
    old = browser.find("html")
    browser.keys(Keys.ENTER)
    browser.wait_for_new_page(old)
    browser.page("preferences_saved", screenshot=False)
    assert browser.find("#id_phone").get_attribute("value") == "+47 912 34 567"
    browser.logout()


def test_teacher_and_counsellor_see_only_consented_participants(
    browser, personas, participant, counsellor_in_group, no_consent_participant, other_office
):
    _member_journey(browser, "bob", participant, no_consent_participant, "teacher")
    _member_journey(browser, "charlie", participant, no_consent_participant, "career_counsellor")
    for user in (personas["teacher"], personas["counsellor"]):
        user.refresh_from_db()
        assert user.phone == "+47 912 34 567"


# --- c) network coordinator ------------------------------------------------------------
def test_coordinator_audit_log_and_no_individuals(browser, personas, participant):
    browser.start("coordinator")
    browser.login("cora")
    browser.page("home")
    assert "0 deltakere" in browser.find("main").text

    click_link(browser, "/konto/revisjonslogg/")
    browser.page("audit_log")
    Select(browser.find("#id_action")).select_by_value(AuditEvent.Action.CREATE)
    browser.find("#id_username").send_keys("alice")
    browser.submit("main form.kmv-filters")
    browser.wait_for_path(r"/konto/revisjonslogg/")
    assert "action=create" in browser.driver.current_url
    browser.page("audit_log_filtered")
    rows = browser.find_all("main table tbody tr")
    assert rows and "Ingen" not in rows[0].text
    # identifiers only: no participant names in the audit log
    assert participant.last_name not in browser.find("main").text

    # NOT visible: no individuals in the list, and a participant URL is a 404 page.
    click_link(browser, "/deltakere/")
    browser.page("participants_list_empty")
    assert participant.last_name not in browser.find("main").text
    assert not browser.find_all("main table tbody a[href^='/deltakere/']")
    assert_not_found(browser, f"/deltakere/{participant.pk}/", "participant_404")


# --- b) members: checklist by keyboard, notes, minutes approval, archive copy -----------
NAV_NOTE = "NAV-intern: ytelsessak 4711"
TEACHER_NOTE = "Lærernotat: trenger ro i timen"
COUNSELLOR_NOTE = "Karrierenotat: vurder helsefag"
SAVED = re.compile(r"^(Lagret|Saved) \d\d:\d\d$")


@pytest.fixture
def booked_meeting(participant, personas):
    """Meeting 1 of the conftest participant, booked by alice with a time; charlie's career
    centre has consent and membership; alice's NAV office has its own notes."""
    from resourcegroups import services as group_services

    alice, charlie = personas["nav_adviser"], personas["counsellor"]
    for category in ("education_mapping", "plan_meetings"):
        participant_services.consent_record(
            user=alice,
            participant=participant,
            agency=charlie.agency,
            category=category,
            purpose="Resource group",
        )
    group_services.membership_add(user=alice, participant=participant, staff=charlie)
    meeting = participant.meetings.get(stage__number=1)
    start = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=7), time(10, 0))
    )
    meeting = group_services.meeting_schedule(
        user=alice,
        meeting=meeting,
        start=start,
        end=start + timedelta(minutes=90),
        place="Møterom 2, NAV",
        interpreter_booked="Tolk Tesfay",
        version=meeting.version,
    )
    group_services.note_save(user=alice, meeting=meeting, text=NAV_NOTE, version=0)
    assert {i.staff_id for i in meeting.invitees.all()} == {p.pk for p in (alice, charlie)} | {
        personas["teacher"].pk
    }
    return meeting


def _item(meeting, role: str, answer_type: str, fact: str | None = None):
    qs = meeting.stage.items.filter(owner_role=role, answer_type=answer_type)
    if fact is not None:
        qs = qs.filter(profile_fact=fact)
    return qs.order_by("order").first()


def _wait_saved(browser, item_css: str) -> None:
    """The form's live region (role=status, aria-live=polite) says "Lagret hh:mm"."""
    status = browser.find(f"{item_css} [data-autosave-status]")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    browser.wait.until(lambda d: SAVED.match(status.text.strip()))


def _keyboard_open_meeting(browser, meeting) -> None:
    """Header link "Mine møter" → the meeting's link, with Tab and Enter only."""
    browser.tab_to(browser.find("header a[href='/ressursgrupper/mine-moter/']"))
    old = browser.find("html")
    browser.keys(Keys.ENTER)
    browser.wait_for_new_page(old)
    browser.wait_for_path(r"/ressursgrupper/mine-moter/")
    browser.page("my_meetings")
    link = browser.find(f"main a[href='/ressursgrupper/mote/{meeting.pk}/']")
    row = link.find_element(By.XPATH, "ancestor::tr").text
    assert timezone.localtime(meeting.planned_start).strftime("%H:%M") in row  # booked time
    browser.tab_to(link)
    old = browser.find("html")
    browser.keys(Keys.ENTER)
    browser.wait_for_new_page(old)
    browser.wait_for_path(rf"/ressursgrupper/mote/{meeting.pk}/")


def _answer_select(browser, item, *keys) -> None:
    """Tab to the item's <select>, then choose with arrow keys or type-ahead."""
    select = browser.find(f"#id_item-{item.pk}-answer")
    browser.tab_to(select)
    browser.keys(*keys)


def _answer_radio(browser, item, *keys) -> None:
    """Tab into the radio group (focus lands on the first radio), Space/arrows to choose."""
    browser.tab_to(browser.find(f"#item-{item.pk} input[type=radio]"))
    browser.keys(*keys)


def _answer_text(browser, item, text: str) -> None:
    browser.tab_to(browser.find(f"#id_item-{item.pk}-text"))
    browser.keys(text)


def _checklist_by_keyboard(
    browser, username, meeting, *, fill, check, foreign, note, hidden, readable=()
):
    """One member: my meetings → the meeting → own items by keyboard → autosave → reload.

    `foreign`: the other role's items (read-only here); `readable`: (item, text) answers by
    the other role that this member reads; `hidden`: other agencies' notes, never in the page.
    """
    browser.start(f"checklist_{username}")
    browser.login_keyboard(username)
    browser.page("home", screenshot=False)
    _keyboard_open_meeting(browser, meeting)
    browser.page("meeting_before")

    # Other roles' items are read-only: no form control at all.
    for item in foreign:
        assert not browser.find_all(
            f"#item-{item.pk} input, #item-{item.pk} select, #item-{item.pk} textarea"
        ), item
        assert str(item) in browser.find(f"#item-{item.pk}").text
    for item, text in readable:
        assert text in browser.find(f"#item-{item.pk} .kmv-item__answer").text

    for item, action in fill:
        action()
        _wait_saved(browser, f"#item-{item.pk}")
    browser.page("meeting_answered")

    # Agency notes, typed; saved as-you-type in the notes form's own live region.
    browser.tab_to(browser.find("#notes textarea[name=text]"))
    browser.keys(note)
    _wait_saved(browser, "#notes")
    browser.page("notes_saved", screenshot=False)

    # Reload: every answer and the note came back from the server.
    old = browser.find("html")
    browser.driver.refresh()
    browser.wait_for_new_page(old)
    browser.page("meeting_reloaded")
    for css, expected in check.items():
        element = browser.find(css)
        if element.get_attribute("type") == "radio":
            assert element.is_selected(), css
        else:
            assert element.get_attribute("value") == expected, (css, element.get_attribute("value"))
    assert browser.find("#notes textarea[name=text]").get_attribute("value") == note
    source = browser.driver.page_source
    for text in hidden:
        assert text not in source, text
    # log out with the keyboard too
    browser.tab_to(browser.find(".kmv-user form button[type=submit]"))
    old = browser.find("html")
    browser.keys(Keys.ENTER)
    browser.wait_for_new_page(old)


def test_members_fill_checklist_keyboard_only(browser, personas, booked_meeting):
    meeting = booked_meeting
    teacher_items = {
        "english": _item(meeting, "teacher", "choice", "english_level"),
        "progress": _item(meeting, "teacher", "choice", "norwegian_progress"),
        "where": _item(meeting, "teacher", "text"),
    }
    counsellor_items = {
        "education": _item(meeting, "career_counsellor", "choice", "earlier_education"),
        "documented": _item(meeting, "career_counsellor", "yes_no", "education_documented"),
        "vigo": _item(meeting, "career_counsellor", "yes_no", "applied_vigo"),
        "wish": _item(meeting, "career_counsellor", "text", "occupational_wish"),
    }
    t, c = teacher_items, counsellor_items

    def progress_with_comment():
        # type-ahead "Som" → "Som planlagt", Tab to the comment, type, Shift+Tab back
        _answer_select(browser, t["progress"], "Som")
        comment = browser.find(f"#id_item-{t['progress'].pk}-comment")
        browser.tab_to(comment)
        browser.keys("Kurs i høst")
        select = browser.find(f"#id_item-{t['progress'].pk}-answer")
        browser.tab_to(select, backwards=True)
        assert browser.focused() == select

    _checklist_by_keyboard(
        browser,
        "bob",
        meeting,
        fill=[
            (t["english"], lambda: _answer_select(browser, t["english"], Keys.DOWN, Keys.DOWN)),
            (t["progress"], progress_with_comment),
            (t["where"], lambda: _answer_text(browser, t["where"], "Modul 3 i FVO")),
        ],
        check={
            f"#id_item-{t['english'].pk}-answer": "basic",
            f"#id_item-{t['progress'].pk}-answer": "as_planned",
            f"#id_item-{t['progress'].pk}-comment": "Kurs i høst",
            f"#id_item-{t['where'].pk}-text": "Modul 3 i FVO",
        },
        foreign=list(c.values()),
        note=TEACHER_NOTE,
        hidden=[NAV_NOTE],
    )
    _checklist_by_keyboard(
        browser,
        "charlie",
        meeting,
        fill=[
            (c["education"], lambda: _answer_select(browser, c["education"], Keys.DOWN, Keys.DOWN)),
            # Space checks the first radio ("Ja"), Arrow Down moves on to "Nei"
            (c["documented"], lambda: _answer_radio(browser, c["documented"], " ", Keys.DOWN)),
            (c["vigo"], lambda: _answer_radio(browser, c["vigo"], " ")),
            (c["wish"], lambda: _answer_text(browser, c["wish"], "Helsefagarbeider")),
        ],
        check={
            f"#id_item-{c['education'].pk}-answer": "primary",
            f"#item-{c['documented'].pk} input[value=no]": "no",
            f"#item-{c['vigo'].pk} input[value=yes]": "yes",
            f"#id_item-{c['wish'].pk}-text": "Helsefagarbeider",
        },
        foreign=list(t.values()),
        note=COUNSELLOR_NOTE,
        hidden=[NAV_NOTE, TEACHER_NOTE],
        readable=[(t["where"], "Modul 3 i FVO"), (t["progress"], "Kurs i høst")],
    )
    # bob reads charlie's answers, and never sees charlie's (or NAV's) notes.
    browser.start("checklist_bob_recheck")
    browser.login("bob")
    browser.open(f"/ressursgrupper/mote/{meeting.pk}/")
    browser.page("teacher_sees_counsellor_answers", screenshot=False)
    assert "Helsefagarbeider" in browser.find(f"#item-{c['wish'].pk}").text
    for path in (
        f"/ressursgrupper/mote/{meeting.pk}/",
        f"/ressursgrupper/mote/{meeting.pk}/referat/",
    ):
        browser.open(path)
        source = browser.driver.page_source
        assert COUNSELLOR_NOTE not in source and NAV_NOTE not in source, path
        assert TEACHER_NOTE in source, path

    answers = {a.item_id: a.value for a in ChecklistAnswer.objects.filter(meeting=meeting)}
    assert answers[t["english"].pk]["answer"] == "basic"
    assert answers[t["progress"].pk] == {"answer": "as_planned", "comment": "Kurs i høst"}
    assert answers[t["where"].pk]["text"] == "Modul 3 i FVO"
    assert answers[c["education"].pk]["answer"] == "primary"
    assert answers[c["documented"].pk]["answer"] == "no"
    assert answers[c["vigo"].pk]["answer"] == "yes"
    assert answers[c["wish"].pk]["text"] == "Helsefagarbeider"
    notes = dict(MeetingNote.objects.filter(meeting=meeting).values_list("agency_id", "text"))
    assert notes == {
        personas["nav_adviser"].agency_id: NAV_NOTE,
        personas["teacher"].agency_id: TEACHER_NOTE,
        personas["counsellor"].agency_id: COUNSELLOR_NOTE,
    }


def test_minutes_approved_by_every_agency_and_archive_copy(browser, personas, booked_meeting):
    from resourcegroups import services as group_services

    # the meeting was held yesterday: minutes are sent once it has started
    start = timezone.make_aware(
        datetime.combine(timezone.localdate() - timedelta(days=1), time(10, 0))
    )
    meeting = group_services.meeting_schedule(
        user=personas["nav_adviser"],
        meeting=booked_meeting,
        start=start,
        end=start + timedelta(minutes=90),
        place="Møterom 2, NAV",
        interpreter_booked="Tolk Tesfay",
    )
    minutes_path = f"/ressursgrupper/mote/{meeting.pk}/referat/"
    browser.start("minutes_approval")

    # alice composes the shared minutes with one next step and sends them for approval.
    browser.login("alice")
    browser.open(minutes_path)
    browser.page("minutes_compose")
    browser.find("#id_decisions").send_keys("Amina starter på FVO modul 4.")
    browser.find("#id_summary").send_keys("Gjennomgang av kartlegging.")
    browser.find("#id_next_meeting").send_keys("Om tolv måneder")
    browser.find("#id_plain_summary").send_keys("Du fortsetter på skolen.")
    charlie = personas["counsellor"]
    browser.find("#id_actions-0-text").send_keys("Send vitnemål til godkjenning")
    Select(browser.find("#id_actions-0-owner")).select_by_value(str(charlie.pk))
    Select(browser.find("#id_actions-0-agency")).select_by_value(str(charlie.agency_id))
    set_date(browser, browser.find("#id_actions-0-due_date"), timezone.localdate() + timedelta(30))
    browser.submit("main form.kmv-minutes-form")
    browser.wait_for_path(minutes_path)
    browser.page("minutes_draft")
    assert "Referatet er lagret" in browser.text()
    # a draft stays editable: the next step is back in its row
    assert browser.find("#id_actions-0-text").get_attribute("value") == (
        "Send vitnemål til godkjenning"
    )
    browser.submit(f"main form[action='{minutes_path}send/']")
    browser.page("minutes_for_approval")
    minutes = Minutes.objects.get(meeting=meeting)
    assert minutes.status == Minutes.Status.FOR_APPROVAL
    browser.logout()

    # Every attending agency approves; the last approval locks and renders the PDF.
    for username in ("bob", "charlie", "alice"):
        browser.login(username, step=f"login_{username}")
        browser.open(minutes_path)
        browser.page(f"approve_{username}", screenshot=username == "bob")
        if username != "alice":  # NAV's own notes are shown to NAV only
            assert NAV_NOTE not in browser.driver.page_source
        browser.submit(f"main form[action='{minutes_path}godkjenn/']")
        browser.wait_for_path(minutes_path)
        browser.page(f"approved_{username}", screenshot=False)
        if username != "alice":
            browser.logout()
    browser.page("minutes_locked")
    assert "Referatet er låst" in browser.text()
    assert not browser.find_all("main textarea[name=decisions], main form.kmv-minutes-form")
    assert not browser.find_all(f"main form[action='{minutes_path}godkjenn/']")
    minutes.refresh_from_db()
    assert minutes.is_locked and minutes.approvals.count() == 3
    assert minutes.pdf_sha256
    browser.logout()

    # bob downloads his agency's archive copy with his browser session.
    browser.login("bob", step="login_bob_archive")
    browser.open(f"/referat/{minutes.pk}/")
    browser.page("archive_detail")
    link = browser.find(f"main a[href='/referat/{minutes.pk}/arkivkopi/']")
    response = requests.get(link.get_attribute("href"), cookies=browser.cookies(), timeout=30)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        assert {"referat.pdf", "arkivmelding.xml"} <= names, names
        pdf_bytes = archive.read("referat.pdf")
        xml = archive.read("arkivmelding.xml")
    assert pdf_bytes.startswith(b"%PDF")
    # adult education may see only "education and mapping": its copy is an excerpt of the
    # stored minutes, with its own checksum in its arkivmelding
    assert hashlib.sha256(pdf_bytes).hexdigest() != minutes.pdf_sha256
    assert hashlib.sha256(pdf_bytes).hexdigest().encode() in xml
    assert b"arkivmelding" in xml
    for text in (NAV_NOTE.encode(), TEACHER_NOTE.encode()):
        assert text not in xml
    browser.logout()

    # NOT visible: a fourth agency (upper-secondary school, no consent) gets a 404 page.
    browser.login("sara", step="login_sara")
    assert_not_found(browser, f"/referat/{minutes.pk}/", "archive_404_other_agency")
    browser.open(f"/referat/{minutes.pk}/arkivkopi/")
    assert browser.find("h1").text == "Fant ikke siden"
