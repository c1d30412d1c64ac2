"""The NAV adviser books a round in a real browser: create it, pick participants from the
proposal, generate the schedule, move and lock a meeting, publish; then the invitations are
in the outbox with ICS METHOD:REQUEST. Every page is checked with axe-core and
screenshotted (artifacts/screenshots/rounds/); the journey also checks what the adviser must
NOT see: another NAV office's participant and round.

Celery runs eagerly in tests (tests/conftest.py), so "Generate" solves within the request
and the page shows the result; the JS polling is not needed for that.
"""

from __future__ import annotations

from datetime import date, time

import pytest
from selenium.webdriver.support.ui import Select

from kmv.access.models import Agency, Role
from kmv.notify import sweep
from kmv.notify.models import OutboxMessage
from participants import services as participant_services
from resourcegroups.models import Interpreter, Room, Round, RoutineStage
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import rounds as round_services
from tests.factories import AgencyFactory, UserFactory

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DAY = date(2027, 2, 2)


@pytest.fixture
def other_office(municipality):
    """Another NAV office with its own due participant and its own draft round."""
    nav2 = AgencyFactory(name="NAV Grimstad", kind=Agency.Kind.NAV_INTEGRATION)
    nav2.municipalities.add(municipality)
    gunnar = UserFactory(username="gunnar", agency=nav2, role=Role.PROGRAMME_ADVISER)
    hidden = participant_services.participant_create(
        user=gunnar,
        first_name="Zahra",
        last_name="Hakimi-Skjult",
        date_of_birth=date(1988, 11, 2),
        municipality=municipality,
        intro_programme_start=date(2025, 1, 6),
    )
    room = Room.objects.create(agency=nav2, name="Grimstad-rommet")
    rnd = round_services.round_create(
        user=gunnar,
        title="Grimstad-runden",
        days=[(DAY, time(9), time(12))],
        stages=[RoutineStage.objects.get(routine=routine_in_force(DAY), number=1)],
        rooms=[room],
    )
    return {"participant": hidden, "round": rnd}


def _set_date(browser, element, value: date) -> None:
    browser.driver.execute_script(
        "arguments[0].value = arguments[1];"
        "arguments[0].dispatchEvent(new Event('change', {bubbles: true}));",
        element,
        value.isoformat(),
    )


def _click(browser, css: str) -> None:
    old = browser.find("html")
    browser.find(css).click()
    browser.wait_for_new_page(old)


def test_adviser_books_and_publishes_a_round(
    browser, personas, agencies, participant, other_office
):
    alice = personas["nav_adviser"]
    room = Room.objects.create(
        agency=agencies["nav"], name="Møterom Fjord", location="Tordenskjolds gate 9"
    )
    tolk = Interpreter.objects.create(name="Tesfay Tolk", languages=["ti"])
    stage1 = RoutineStage.objects.get(routine=routine_in_force(DAY), number=1)

    browser.start("rounds")
    browser.login("alice")
    _click(browser, "header a[href='/runder/']")
    browser.page("rounds_list")
    assert "Grimstad-runden" not in browser.text()  # another office's round

    # 1. create the round
    _click(browser, "main a[href='/runder/ny/']")
    browser.page("round_create")
    browser.find("#id_title").send_keys("Vårrunden")
    _set_date(browser, browser.find("#id_day1"), DAY)
    browser.find(f"input[name=stages][value='{stage1.pk}']").click()
    browser.find(f"input[name=rooms][value='{room.pk}']").click()
    browser.find(f"input[name=interpreters][value='{tolk.pk}']").click()
    limit = browser.find("#id_time_limit_seconds")
    limit.clear()
    limit.send_keys("5")
    browser.submit()
    match = browser.wait_for_path(r"/runder/(\d+)/forslag/")
    rnd = Round.objects.get(pk=int(match.group(1)))
    assert rnd.owner == alice and rnd.agency == agencies["nav"]

    # 2. the proposal: Amina (due, Tigrinya interpreter); never the other office's Zahra
    browser.page("round_proposal")
    text = browser.text()
    assert "Amina Haile" in text
    assert "Hakimi-Skjult" not in text and "Zahra" not in text
    browser.submit()
    browser.wait_for_path(rf"/runder/{rnd.pk}/")
    browser.page("round_chosen")

    # 3. generate (eager Celery: solved in the request)
    _click(browser, f"form[action='/runder/{rnd.pk}/generer/'] button[type=submit]")
    browser.page("round_generated")
    rnd.refresh_from_db()
    assert rnd.solver_status == Round.SolverStatus.OPTIMAL, rnd.solver_message
    entry = rnd.entries.get()
    assert entry.day is not None and entry.interpreter == tolk
    assert "Tesfay Tolk" in browser.text()

    # 4. review: move the meeting to another time, then lock it
    target = 2 if entry.slot != 2 else 1
    Select(browser.find(f"#slot{entry.pk}")).select_by_value(str(target))
    _click(browser, f"form[action='/runder/{rnd.pk}/moter/{entry.pk}/flytt/'] button")
    browser.page("round_moved")
    entry.refresh_from_db()
    assert entry.slot == target, browser.text()
    _click(browser, f"form[action='/runder/{rnd.pk}/moter/{entry.pk}/las/'] button")
    entry.refresh_from_db()
    assert entry.locked
    browser.page("round_locked")

    # 5. publish: the meetings are booked and the invitations queued (and sent: eager)
    _click(browser, f"form[action='/runder/{rnd.pk}/publiser/'] button[type=submit]")
    browser.page("round_published")
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.PUBLISHED
    text = browser.text()
    assert "Invitasjoner" in text or "Invitations" in text
    assert personas["teacher"].email not in browser.driver.page_source

    # 6. the invitations in the outbox: iCalendar REQUEST, in the MIME type too
    sweep.send_due()
    rows = list(OutboxMessage.objects.filter(meeting_id=entry.meeting_id))
    to = {r.to for r in rows}
    assert {alice.email, personas["teacher"].email} <= to
    for row in rows:
        assert row.kind == OutboxMessage.Kind.INVITATION and row.status == "sent"
        assert row.ics_method == "REQUEST" and "METHOD:REQUEST" in row.ics
        assert "Amina" not in row.ics and "Haile" not in row.ics  # no names in calendars
        mime = sweep.build_email(row).message().as_string()
        assert "text/calendar" in mime and 'method="REQUEST"' in mime

    # 7. never visible: the other office's round, by URL too
    browser.open(f"/runder/{other_office['round'].pk}/")
    assert browser.find("h1").text == "Fant ikke siden", browser.text()
    browser.page("other_round_not_found")
