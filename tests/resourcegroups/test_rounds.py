"""Rounds through services, task and pages: proposal, generate (task, progress), the
database refusing double bookings, moves and swaps under the solver's rules, publish.

Personas (tests/conftest.py): alice = NAV programme adviser who plans the round; bob =
teacher in the participant's group; frank = follow-up adviser of another agency.
"""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from participants import services as participant_services
from resourcegroups import scheduler
from resourcegroups.models import (
    Interpreter,
    Meeting,
    Room,
    Round,
    RoundBooking,
    RoutineStage,
    Unavailability,
)
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import rounds as services
from tests.factories import PERSONAS, second_participant

pytestmark = pytest.mark.django_db

DAY1, DAY2 = date(2027, 2, 2), date(2027, 2, 3)


@pytest.fixture
def calls(monkeypatch):
    """The notify contract is built concurrently: record the calls instead."""
    made = []
    monkeypatch.setattr(
        "kmv.notify.services.queue_meeting_invitations",
        lambda **kw: made.append(kw) or 1,
    )
    return made


@pytest.fixture
def room(agencies):
    return Room.objects.create(agency=agencies["nav"], name="Møterom 1", capacity=8)


@pytest.fixture
def tolk():
    return Interpreter.objects.create(name="Tesfay", languages=["ti"])


def _round(user, room, tolk, title="Vårrunden", days=((DAY1,), (DAY2,))):
    stage = RoutineStage.objects.get(routine=routine_in_force(DAY1), number=1)
    return services.round_create(
        user=user,
        title=title,
        days=[(d[0], time(9, 0), time(12, 0)) for d in days],
        stages=[stage],
        rooms=[room],
        interpreters=[tolk],
        slot_minutes=60,
        buffer_minutes=15,
        time_limit_seconds=5,
    )


@pytest.fixture
def rnd(personas, room, tolk):
    return _round(personas["nav_adviser"], room, tolk)


def _generate(rnd, user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.generate_start(user=user, rnd=rnd)
    rnd.refresh_from_db()
    return rnd


def test_proposal_shows_due_meetings_with_reasons(personas, participant, rnd):
    with translation.override("en"):
        rows = services.proposal(user=personas["nav_adviser"], rnd=rnd)
        reasons = " ".join(str(r) for r in rows[0].reasons)
    assert [r.meeting.participant for r in rows] == [participant]
    assert rows[0].overdue
    assert "overdue" in reasons or "passed" in reasons, reasons
    # the teacher of another agency plans nothing
    with pytest.raises(PermissionDenied):
        services.entries_add(user=personas["teacher"], rnd=rnd, meetings=[rows[0].meeting])


def test_generate_moves_progress_within_a_level(
    personas, participant, rnd, monkeypatch, django_capture_on_commit_callbacks
):
    """Better schedules found inside a level move the bar within that level's share, at
    most one write a second (clock faked), written from the task's own thread."""
    alice = personas["nav_adviser"]
    meeting = participant.meetings.get(stage__number=1)
    services.entries_add(user=alice, rnd=rnd, meetings=[meeting])
    clock = [100.0]
    monkeypatch.setattr(services, "monotonic", lambda: clock[0])
    real_solve = scheduler.solve
    seen = []

    def state():
        return Round.objects.values_list("solver_step", "solver_progress").get(pk=rnd.pk)

    def spying_solve(inst, *, on_progress, **kw):
        on_progress(2, 0.5)
        seen.append(state())
        on_progress(2, 0.9)  # same second: not written
        seen.append(state())
        clock[0] += 1.5
        on_progress(2, 0.99)  # never into the next level's share
        seen.append(state())
        real = []

        def spy(level, fraction):
            clock[0] += 1.5
            on_progress(level, fraction)
            real.append((level, fraction, state()))

        result = real_solve(inst, on_progress=spy, **kw)
        seen.append(real)
        return result

    monkeypatch.setattr(services.scheduler, "solve", spying_solve)
    rnd = _generate(rnd, alice, django_capture_on_commit_callbacks)
    assert seen[:3] == [("level2", 40), ("level2", 40), ("level2", 49)]
    # the real solver reported at least one improving schedule, shown within its level
    assert seen[3], "the solver reported no in-level progress"
    for level, fraction, (step, percent) in seen[3]:
        assert 0 <= fraction <= 1
        assert step == ("model" if level == 1 else f"level{level}")
        assert 10 + 20 * (level - 1) <= percent < 10 + 20 * level
    assert rnd.solver_status == Round.SolverStatus.OPTIMAL and rnd.solver_progress == 100


def test_generate_task_places_then_publish_books_and_invites(
    personas, participant, rnd, calls, django_capture_on_commit_callbacks
):
    alice = personas["nav_adviser"]
    meeting = participant.meetings.get(stage__number=1)
    assert services.entries_add(user=alice, rnd=rnd, meetings=[meeting]) == 1
    # bob cannot come on day 1
    Unavailability.objects.create(
        round=rnd,
        day=rnd.days.get(date=DAY1),
        staff=personas["teacher"],
        start=time(8, 0),
        end=time(16, 0),
    )
    rnd = _generate(rnd, alice, django_capture_on_commit_callbacks)
    assert rnd.solver_status == Round.SolverStatus.OPTIMAL
    assert rnd.solver_progress == 100
    entry = rnd.entries.get()
    assert entry.day.date == DAY2 and entry.interpreter.name == "Tesfay"
    meeting.refresh_from_db()
    assert meeting.planned_start.date() == DAY2 and meeting.place == "Møterom 1"
    assert meeting.interpreter_booked == "Tesfay"
    # participant, room, interpreter, alice and bob: 60 + 15 minutes = 15 cells each
    assert RoundBooking.objects.filter(entry=entry).count() == 15 * 5
    # a second run of the same task claims nothing
    assert services.generate_run(round_id=rnd.pk, run=rnd.solver_run) is False

    assert services.round_publish(user=alice, rnd=rnd) == 1
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.BOOKED
    assert calls == [{"meeting": meeting, "by": alice}]
    rnd.refresh_from_db()
    assert rnd.status == Round.Status.PUBLISHED


def test_unplaceable_meeting_is_listed_with_its_blocker(
    personas, participant, rnd, django_capture_on_commit_callbacks
):
    alice = personas["nav_adviser"]
    services.entries_add(
        user=alice, rnd=rnd, meetings=list(participant.meetings.filter(stage__number=1))
    )
    for day in rnd.days.all():
        Unavailability.objects.create(
            round=rnd, day=day, staff=personas["teacher"], start=time(8, 0), end=time(16, 0)
        )
    _generate(rnd, alice, django_capture_on_commit_callbacks)
    entry = rnd.entries.get()
    assert entry.day is None
    assert any("kan ikke noen av de to dagene" in r for r in entry.reasons), entry.reasons


def test_database_refuses_a_double_booking(personas, participant, municipality, room, tolk):
    """Two advisers' rounds on the same date: the teacher and the room are shared."""
    alice = personas["nav_adviser"]
    other = second_participant(personas, municipality)
    first = _round(alice, room, tolk, "A", days=((DAY1,),))
    second = _round(alice, room, tolk, "B", days=((DAY1,),))
    services.entries_add(
        user=alice, rnd=first, meetings=[participant.meetings.get(stage__number=1)]
    )
    services.entries_add(user=alice, rnd=second, meetings=[other.meetings.get(stage__number=1)])
    day1 = first.days.get().pk
    e1 = first.entries.get()
    services.schedule_apply(
        rnd=first,
        result=scheduler.Result(
            {e1.pk: scheduler.Placement(day1, 0, room.pk, tolk.pk)}, {}, {}, None, "optimal", 0
        ),
    )
    # the second adviser's solver did not know yet: the database refuses the booking
    e2 = second.entries.get()
    day2 = second.days.get().pk
    placed, unplaced = services.schedule_apply(
        rnd=second,
        result=scheduler.Result(
            {e2.pk: scheduler.Placement(day2, 0, room.pk, None)}, {}, {}, None, "optimal", 0
        ),
    )
    assert (placed, unplaced) == (0, 1)
    e2.refresh_from_db()
    assert e2.day is None and e2.reasons
    # and at the lowest level: the same resource and cell cannot be inserted twice
    booking = RoundBooking.objects.filter(entry=e1).first()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoundBooking.objects.create(entry=e2, resource=booking.resource, cell=booking.cell)
    # a later run of the second round sees the first round's bookings and avoids them
    loaded = services.load_instance(second)
    result = scheduler.solve(loaded.instance, time_limit=2)
    assert result.placements[e2.pk].slot != 0


def test_moves_and_swaps_follow_the_solver_rules(
    personas, participant, municipality, rnd, room, django_capture_on_commit_callbacks
):
    alice = personas["nav_adviser"]
    other = second_participant(personas, municipality)
    services.entries_add(
        user=alice,
        rnd=rnd,
        meetings=[participant.meetings.get(stage__number=1), other.meetings.get(stage__number=1)],
    )
    _generate(rnd, alice, django_capture_on_commit_callbacks)
    a, b = rnd.entries.order_by("pk")
    assert a.day and b.day
    day1, day2 = rnd.days.order_by("date")
    # bob (in both groups) and the room would be double-booked: the refusal names them
    with pytest.raises(ValidationError, match="Møterom 1"):
        services.entry_move(user=alice, entry=a, day=b.day, slot=b.slot, room=room)
    # bob is away on day 2 morning: a move there is refused
    Unavailability.objects.create(
        round=rnd, day=day2, staff=personas["teacher"], start=time(9, 0), end=time(10, 0)
    )
    with pytest.raises(ValidationError, match="er ikke ledig da"):
        services.entry_move(user=alice, entry=a, day=day2, slot=0, room=room)
    free = next(
        (d, s)
        for d in (day1, day2)
        for s in range(2)
        if (d.pk, s) not in {(a.day_id, a.slot), (b.day_id, b.slot)} and (d, s) != (day2, 0)
    )
    services.entry_move(user=alice, entry=a, day=free[0], slot=free[1], room=room)
    a.refresh_from_db()
    assert (a.day, a.slot) == free
    before = (a.day_id, a.slot), (b.day_id, b.slot)
    services.entries_swap(user=alice, a=a, b=b)
    a.refresh_from_db()
    b.refresh_from_db()
    assert ((b.day_id, b.slot), (a.day_id, a.slot)) == before
    # locked placements are kept by the next run
    services.entry_lock(user=alice, entry=a, locked=True)
    _generate(rnd, alice, django_capture_on_commit_callbacks)
    a.refresh_from_db()
    assert (a.day_id, a.slot) == before[1]


def test_pages(client, personas, participant, rnd, calls, django_capture_on_commit_callbacks):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    assert client.get(reverse("rounds:list")).status_code == 200
    r = client.get(reverse("rounds:proposal", args=[rnd.pk]))
    assert r.status_code == 200 and "Amina" in r.content.decode()
    meeting = participant.meetings.get(stage__number=1)
    r = client.post(reverse("rounds:proposal", args=[rnd.pk]), {"meeting": [meeting.pk]})
    assert r.status_code == 302
    assert client.get(reverse("rounds:availability", args=[rnd.pk])).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("rounds:generate", args=[rnd.pk]))
    assert r.status_code == 302
    page = client.get(reverse("rounds:detail", args=[rnd.pk])).content.decode()
    assert "Amina" in page and "Tesfay" in page and "rounds.js" in page
    data = client.get(reverse("rounds:progress", args=[rnd.pk])).json()
    assert data["progress"] == 100 and not data["busy"]
    assert client.post(reverse("rounds:publish", args=[rnd.pk])).status_code == 302
    assert len(calls) == 1


ROUND_URLS = [
    ("rounds:detail", "get"),
    ("rounds:progress", "get"),
    ("rounds:proposal", "get"),
    ("rounds:availability", "get"),
    ("rounds:generate", "post"),
    ("rounds:publish", "post"),
    ("rounds:swap", "post"),
    ("rounds:move", "post"),
    ("rounds:lock", "post"),
    ("rounds:timetable_pdf", "get"),
]


@pytest.mark.parametrize("who", PERSONAS)
def test_round_pages_access_matrix(client, personas, participant, rnd, calls, who, monkeypatch):
    """Only advisers of the round's agency reach a round; everyone else gets 404 (the same
    answer as for a round that does not exist)."""
    monkeypatch.setattr("resourcegroups.pdf_rounds.timetable_pdf", lambda rnd, **kw: b"%PDF-")
    entry_pages = {"rounds:move", "rounds:lock"}
    services.entries_add(
        user=personas["nav_adviser"], rnd=rnd, meetings=[participant.meetings.get(stage__number=1)]
    )
    entry = rnd.entries.get()
    client.force_login(personas[who])
    for name, method in ROUND_URLS:
        args = [rnd.pk, entry.pk] if name in entry_pages else [rnd.pk]
        if name == "rounds:timetable_pdf":
            args = [rnd.pk, "rooms"]
        response = getattr(client, method)(reverse(name, args=args))
        if who == "nav_adviser":
            assert response.status_code in (200, 302), (name, response.status_code)
        else:
            assert response.status_code == 404, (name, who, response.status_code)


def test_timetable_sheets_show_participants_only_as_allowed(
    personas, participant, rnd, django_capture_on_commit_callbacks
):
    from pypdf import PdfReader

    from resourcegroups import pdf_rounds

    alice = personas["nav_adviser"]
    services.entries_add(user=alice, rnd=rnd, meetings=[participant.meetings.get(stage__number=1)])
    _generate(rnd, alice, django_capture_on_commit_callbacks)
    door = pdf_rounds.timetable_html(rnd, which="rooms")
    assert "A. H." in door and "Amina" not in door and "Tesfay" in door
    staff = pdf_rounds.timetable_html(rnd, which="staff")
    assert "Amina Haile" in staff  # alice and bob may see her
    import io

    text = PdfReader(io.BytesIO(pdf_rounds.timetable_pdf(rnd))).pages[0].extract_text()
    assert "Møterom 1" in text and "A. H." in text


def test_information_day_invites_cohort_links_meeting_3_and_records_attendance(
    client, personas, participant, monkeypatch
):
    queued = []
    monkeypatch.setattr("kmv.notify.services.queue_message", lambda **kw: queued.append(kw))
    alice, bob, charlie = personas["nav_adviser"], personas["teacher"], personas["counsellor"]
    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=date(2027, 6, 20)
    )
    type(participant).objects.filter(pk=participant.pk).update(email="amina@example.org")
    meeting3 = participant.meetings.get(stage__number=3)
    with pytest.raises(PermissionDenied):
        services.info_day_create(
            user=alice,
            title="x",
            on=date(2026, 12, 1),
            start=time(9),
            end=time(14),
            place="x",
            stage=meeting3.stage,
        )
    day = services.info_day_create(
        user=bob,
        title="Informasjonsdag VGO",
        on=date(2026, 12, 1),
        start=time(9),
        end=time(14),
        place="Karrieresenteret",
        stage=meeting3.stage,
        partners=[charlie.agency],
    )
    assert [m.pk for m in services.info_day_cohort(user=bob, day=day)] == [meeting3.pk]
    assert services.info_day_invite(user=bob, day=day, meetings=[meeting3]) == 1
    invitation = day.invitations.get()
    assert invitation.meeting == meeting3
    assert queued[0]["key"] == f"infoday:{day.pk}:{participant.pk}"
    assert queued[0]["to"] == "amina@example.org"
    # nobody is invited twice
    assert services.info_day_invite(user=bob, day=day, meetings=[meeting3]) == 0

    client.force_login(bob)
    page = client.get(reverse("rounds:info_day", args=[day.pk])).content.decode()
    assert "Amina" in page and reverse("resourcegroups:meeting", args=[meeting3.pk]) in page
    r = client.post(reverse("rounds:info_day", args=[day.pk]), {f"a{invitation.pk}": "present"})
    assert r.status_code == 302
    invitation.refresh_from_db()
    assert invitation.attendance == "present"
    # meeting 3's page links back to the day
    meeting_page = client.get(reverse("resourcegroups:meeting", args=[meeting3.pk]))
    assert reverse("rounds:info_day", args=[day.pk]) in meeting_page.content.decode()
    # the partner organiser without consent sees the day, not the participant
    client.force_login(charlie)
    page = client.get(reverse("rounds:info_day", args=[day.pk])).content.decode()
    assert "Amina" not in page
    client.force_login(alice)
    assert client.get(reverse("rounds:info_day", args=[day.pk])).status_code == 403
    client.force_login(personas["school_adviser"])
    assert client.get(reverse("rounds:info_day", args=[day.pk])).status_code == 403


def test_missing_roles_are_shown_by_name_not_code():
    from django.utils import translation

    from resourcegroups.models import RoundEntry

    entry = RoundEntry(gaps=["follow_up_adviser"])
    with translation.override("nb"):
        assert entry.gap_labels == ["Oppfølgingsveileder"]
    with translation.override("en"):
        assert entry.gap_labels != ["follow_up_adviser"]
