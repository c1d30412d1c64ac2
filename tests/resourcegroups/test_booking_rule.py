"""Issue 14, booking and meeting integrity — a specification, one row per defect, each
tried through the page and through the API.

The world: one round day, Tuesday 02.02.2027 09:00–13:00, 60-minute meetings with a
15-minute buffer (slots 09:00, 10:15, 11:30), room "Møterom 1", interpreter Tesfay.
Amina's meeting 1 is placed at 09:00 (with Tesfay), Bilal's at 10:15; bob the teacher is in
both groups. Bilal's concern meeting is booked by hand, outside the round, 11:30–12:30.

alice (NAV programme adviser) plans the round and is responsible for the meetings.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from resourcegroups import scheduler
from resourcegroups import services as group_services
from resourcegroups.models import Interpreter, Meeting, Room, Round, RoutineStage
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import rounds as round_services
from tests.factories import second_participant

pytestmark = pytest.mark.django_db

DAY = date(2027, 2, 2)  # a Tuesday
SUNDAY = date(2027, 2, 7)


def _at(hhmm: str, day: date = DAY) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return timezone.make_aware(datetime.combine(day, time(h, m)))


@dataclass
class World:
    alice: object
    bob: object
    room: Room
    tolk: Interpreter
    rnd: Round
    amina: Meeting  # round meeting, 09:00
    bilal: Meeting  # round meeting, 10:15
    concern: Meeting  # Bilal's concern meeting, by hand 11:30–12:30, not in the round
    entry_amina: object


@pytest.fixture
def world(personas, participant, municipality, agencies):
    alice, bob = personas["nav_adviser"], personas["teacher"]
    room = Room.objects.create(agency=agencies["nav"], name="Møterom 1", capacity=8)
    tolk = Interpreter.objects.create(name="Tesfay", languages=["ti"])
    other = second_participant(personas, municipality)
    stage = RoutineStage.objects.get(routine=routine_in_force(DAY), number=1)
    rnd = round_services.round_create(
        user=alice,
        title="Vårrunden",
        days=[(DAY, time(9, 0), time(13, 0))],
        stages=[stage],
        rooms=[room],
        interpreters=[tolk],
        slot_minutes=60,
        buffer_minutes=15,
        time_limit_seconds=5,
    )
    amina = participant.meetings.get(stage__number=1)
    bilal = other.meetings.get(stage__number=1)
    round_services.entries_add(user=alice, rnd=rnd, meetings=[amina, bilal])
    ea, eb = rnd.entries.get(meeting=amina), rnd.entries.get(meeting=bilal)
    day = rnd.days.get().pk
    round_services.schedule_apply(
        rnd=rnd,
        result=scheduler.Result(
            {
                ea.pk: scheduler.Placement(day, 0, room.pk, tolk.pk),
                eb.pk: scheduler.Placement(day, 1, room.pk, None),
            },
            {},
            {},
            None,
            "optimal",
            0,
        ),
    )
    concern = group_services.meeting_create_concern(user=alice, participant=other, reason="x")
    concern = group_services.meeting_schedule(
        user=alice, meeting=concern, start=_at("11:30"), end=_at("12:30"), place="Rom 10"
    )
    amina.refresh_from_db()
    bilal.refresh_from_db()
    assert timezone.localtime(amina.planned_start).time() == time(9, 0)
    assert timezone.localtime(bilal.planned_start).time() == time(10, 15)
    return World(alice, bob, room, tolk, rnd, amina, bilal, concern, ea)


# --- the two ways in -----------------------------------------------------------------------


def _book(via, client, meeting: Meeting, start: str, end: str, place: str, interpreter=""):
    """Book or move a meeting by hand: the meeting page's form, or POST …/schedule/."""
    if via == "page":
        response = client.post(
            reverse("resourcegroups:meeting_book", args=[meeting.pk]),
            {
                "day": DAY.isoformat(),
                "start": start,
                "end": end,
                "place": place,
                "interpreter_booked": interpreter,
                "version": meeting.version,
            },
        )
    else:
        response = client.post(
            f"/api/meetings/{meeting.pk}/schedule/",
            {
                "start": _at(start).isoformat(),
                "end": _at(end).isoformat(),
                "place": place,
                "interpreter_booked": interpreter,
                "version": meeting.version,
            },
            format="json",
        )
    return response.status_code, response.content.decode()


def _move_in_round(via, client, world: World, slot: int):
    """The round's own move (timetable page form, or POST /api/rounds/<pk>/move/)."""
    day = world.rnd.days.get()
    if via == "page":
        response = client.post(
            reverse("rounds:move", args=[world.rnd.pk, world.entry_amina.pk]),
            {"day": day.pk, "slot": slot, "room": world.room.pk},
            follow=True,
        )
    else:
        response = client.post(
            f"/api/rounds/{world.rnd.pk}/move/",
            {"entry": world.entry_amina.pk, "day": day.pk, "slot": slot, "room": world.room.pk},
            format="json",
        )
    return response.status_code, response.content.decode()


def _set_status(via, client, meeting: Meeting, status: str, confirmed=True):
    if via == "page":
        data = {"status": status, **({"confirmed": "1"} if confirmed else {})}
        response = client.post(
            reverse("resourcegroups:meeting_status", args=[meeting.pk]), data, follow=True
        )
    else:
        response = client.post(
            f"/api/meetings/{meeting.pk}/status/", {"status": status}, format="json"
        )
    return response.status_code, response.content.decode()


def _create_round(via, client, world: World, days, confirm_weekend=False):
    stage = RoutineStage.objects.get(routine=routine_in_force(DAY), number=1)
    if via == "page":
        data = {
            "title": "Høstrunden",
            "day1": days[0].isoformat(),
            "day1_start": "09:00",
            "day1_end": "15:00",
            "stages": [stage.pk],
            "slot_minutes": 60,
            "buffer_minutes": 15,
            "time_limit_seconds": 5,
        }
        if len(days) > 1:
            data.update(day2=days[1].isoformat(), day2_start="09:00", day2_end="15:00")
        if confirm_weekend:
            data["confirm_weekend"] = "on"
        response = client.post(reverse("rounds:create"), data)
    else:
        response = client.post(
            "/api/rounds/",
            {
                "title": "Høstrunden",
                "days": [{"date": d.isoformat(), "start": "09:00", "end": "15:00"} for d in days],
                "stages": [stage.pk],
                "confirm_weekend": confirm_weekend,
            },
            format="json",
        )
    return response.status_code, response.content.decode()


@pytest.fixture
def clients(client, client_for_api, world):
    client.force_login(world.alice)
    return {"page": client, "api": client_for_api(world.alice)}


@pytest.fixture
def client_for_api():
    from rest_framework.test import APIClient

    def make(user):
        c = APIClient()
        c.force_authenticate(user=user)
        return c

    return make


def _refused(status_code: int, via: str) -> bool:
    """The page re-shows the form with the reason (400) or redirects back with a message
    (followed: 200); the API answers 400."""
    return status_code == 400 if via == "api" else status_code in (200, 400)


# --- the specification -------------------------------------------------------------------


def d1_form_move_onto_another_round_meeting(w: World, via, c):
    """Defect 1: "Flytt møtet" to the next round meeting's time, same room and teacher."""
    code, body = _book(via, c, w.amina, "10:15", "11:15", "Møterom 1", "Tesfay")
    return code, body, w.amina, ["Møterom 1", w.bob.get_full_name(), "10:15–11:15"]


def d1_single_booking_onto_a_round_meeting(w: World, via, c):
    """Defect 1: a meeting outside any round booked over bob's round meeting."""
    code, body = _book(via, c, w.concern, "09:30", "10:00", "Rom 10")
    return code, body, w.concern, [w.bob.get_full_name(), "09:00–10:00"]


def d1_round_move_onto_a_single_booking(w: World, via, c):
    """Defect 1: the round's own move onto bob's concern meeting booked by hand."""
    code, body = _move_in_round(via, c, w, slot=2)
    return code, body, w.amina, [w.bob.get_full_name(), "11:30–12:30"]


def d2_form_move_past_the_round_day_end(w: World, via, c):
    """Defect 2: 12:45–13:45 although the round day ends at 13:00."""
    code, body = _book(via, c, w.amina, "12:45", "13:45", "Møterom 1", "Tesfay")
    return code, body, w.amina, ["02.02.2027 09:00–13:00"]


def d4_future_meeting_marked_held(w: World, via, c):
    """Defect 4: a meeting in 2027 cannot be held yet (held / not held from its start)."""
    assert w.concern.status == Meeting.Status.BOOKED
    code, body = _set_status(via, c, w.concern, Meeting.Status.HELD)
    return code, body, w.concern, ["02.02.2027", "11:30"]


REFUSALS = [
    d1_form_move_onto_another_round_meeting,
    d1_single_booking_onto_a_round_meeting,
    d1_round_move_onto_a_single_booking,
    d2_form_move_past_the_round_day_end,
    d4_future_meeting_marked_held,
]


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize("attempt", REFUSALS, ids=lambda f: f.__name__)
def test_refused_in_norwegian_naming_who_and_when_and_nothing_changes(world, clients, attempt, via):
    snapshot = {
        m.pk: (m.planned_start, m.planned_end, m.place, m.status, m.version)
        for m in Meeting.objects.all()
    }
    code, body, meeting, names = attempt(world, via, clients[via])
    assert _refused(code, via), (code, body[:500])
    for name in names:
        assert name in body, (name, body[:2000])
    # in Norwegian, never developer English
    assert any(word in body for word in ("er allerede booket", "innenfor rundens", "først fra")), (
        body[:2000]
    )
    assert "double-booked" not in body and "staff " not in body
    # nothing changed, for any meeting
    after = {
        m.pk: (m.planned_start, m.planned_end, m.place, m.status, m.version)
        for m in Meeting.objects.all()
    }
    assert after == snapshot


def test_what_the_rule_allows_still_goes_through(world, clients):
    """The rule refuses clashes, not bookings: inside the day, clear of everyone's meetings
    and buffers, a hand move and a round move are accepted on both paths."""
    code, _body = _book("page", clients["page"], world.amina, "09:15", "10:00", "Møterom 1")
    assert code == 302
    world.amina.refresh_from_db()
    assert timezone.localtime(world.amina.planned_start).time() == time(9, 15)
    code, body = _book("api", clients["api"], world.amina, "09:00", "10:00", "Møterom 1")
    assert code == 200, body
    # the concern meeting out of the way: slot 3 (11:30) is free for Amina in the round
    world.concern.refresh_from_db()
    group_services.meeting_set_status(
        user=world.alice, meeting=world.concern, status=Meeting.Status.CANCELLED
    )
    code, body = _move_in_round("api", clients["api"], world, slot=2)
    assert code == 200, body
    world.amina.refresh_from_db()
    assert timezone.localtime(world.amina.planned_start).time() == time(11, 30)


def test_the_solver_leaves_time_booked_outside_the_round_to_its_owner(world):
    """The scheduler sees the booking rule's busy times: bob's hand-booked 11:30 meeting
    blocks slot 3 for every meeting bob is in."""
    loaded = round_services.load_instance(world.rnd)
    inst = loaded.instance
    day = inst.days[0].key
    assert not inst.free("staff", world.bob.pk, day, 2)
    assert not inst.free("participant", world.bilal.participant_id, day, 2)
    # the round's own meetings are the solver's to move, not blocks
    assert inst.free("staff", world.bob.pk, day, 0)


# --- defect 3: round dates ------------------------------------------------------------------


@pytest.mark.parametrize("via", ["page", "api"])
@pytest.mark.parametrize(
    "days, confirm, created",
    [
        ((date(2027, 3, 3), date(2027, 3, 2)), False, False),  # day 2 before day 1
        ((date(2027, 3, 2), date(2027, 3, 2)), False, False),  # the same day twice
        ((SUNDAY,), False, False),  # a Sunday, not confirmed
        ((SUNDAY,), True, True),  # a Sunday the adviser confirmed
        ((date(2027, 3, 2), date(2027, 3, 3)), False, True),  # Tuesday, Wednesday
    ],
    ids=["day2-before-day1", "same-day-twice", "sunday", "sunday-confirmed", "weekdays"],
)
def test_round_dates_are_ordered_weekdays_unless_confirmed(
    world, clients, via, days, confirm, created
):
    count = Round.objects.count()
    code, body = _create_round(via, clients[via], world, days, confirm_weekend=confirm)
    if created:
        assert code in (201, 302), body[:2000]
        assert Round.objects.count() == count + 1
    else:
        assert code in (200, 400), body[:2000]
        assert Round.objects.count() == count
        assert any(text in body for text in ("etter den før", "lørdag eller søndag")), body[:2000]


# --- defect 4: status only from the start, with confirmation on the page --------------------


def test_future_meeting_offers_no_held_button(world, clients):
    page = clients["page"].get(reverse("resourcegroups:meeting", args=[world.amina.pk]))
    html = page.content.decode()
    assert 'value="held"' not in html and 'value="no_show"' not in html
    assert 'value="cancelled"' in html  # cancel any time


@pytest.mark.parametrize("via", ["page", "api"])
def test_a_started_meeting_can_be_marked_held_and_a_future_one_cancelled(world, clients, via):
    started = group_services.meeting_create_concern(
        user=world.alice, participant=world.amina.participant, reason="y"
    )
    start = timezone.now() - timedelta(minutes=10)
    started = group_services.meeting_schedule(
        user=world.alice,
        meeting=started,
        start=start,
        end=start + timedelta(hours=1),
        place="Rom 3",
    )
    if via == "page":
        # first the confirmation step: nothing changes yet
        code, body = _set_status(via, clients[via], started, Meeting.Status.HELD, confirmed=False)
        assert code == 200 and 'name="confirmed"' in body
        started.refresh_from_db()
        assert started.status == Meeting.Status.BOOKED
    code, body = _set_status(via, clients[via], started, Meeting.Status.HELD)
    assert code == 200, body[:1000]
    started.refresh_from_db()
    assert started.status == Meeting.Status.HELD
    code, body = _set_status(via, clients[via], world.amina, Meeting.Status.CANCELLED)
    assert code == 200, body[:1000]
    world.amina.refresh_from_db()
    assert world.amina.status == Meeting.Status.CANCELLED


# --- the demo obeys the rule ------------------------------------------------------------------


def test_demo_data_has_no_double_booking():
    from participants.demo import build_demo
    from resourcegroups import booking
    from resourcegroups.services.meetings import meeting_staff_ids

    build_demo()
    live = Meeting.objects.exclude(status__in=booking.NOT_HOLDING).filter(
        planned_start__isnull=False, planned_end__isnull=False
    )
    assert live.count() > 10
    clashes = [
        (m.pk, c.kind, c.who, c.meeting.pk)
        for m in live
        for c in booking.clashes(
            start=m.planned_start,
            end=m.planned_end,
            room=booking.room_for_place(m.place),
            staff_ids=meeting_staff_ids(m),
            participant_id=m.participant_id,
            interpreter=booking.interpreter_for_name(m.interpreter_booked),
            exclude_meeting_ids=[m.pk],
        )
    ]
    assert clashes == []


# --- defect 8: the scheduler speaks the UI's language and names people ----------------------

ENGLISH_SCHEDULER_TEXT = (
    "unavailable",
    "double-booked",
    "interpreter on",
    "common slot",
    "is not available",
    "no room is",
    "staff ",
    "locked placement",
)


@pytest.mark.parametrize("via", ["page", "api"])
def test_unplaced_reasons_are_norwegian_and_name_people(world, clients, via):
    from resourcegroups.models import Unavailability

    day = world.rnd.days.get()
    Unavailability.objects.create(
        round=world.rnd, day=day, staff=world.bob, start=time(8, 0), end=time(16, 0)
    )
    loaded = round_services.load_instance(world.rnd)
    round_services.schedule_apply(
        rnd=world.rnd, result=scheduler.solve(loaded.instance, time_limit=2)
    )
    assert not world.rnd.entries.filter(day__isnull=False).exists()
    if via == "page":
        body = clients["page"].get(reverse("rounds:detail", args=[world.rnd.pk])).content.decode()
    else:
        body = clients["api"].get(f"/api/rounds/{world.rnd.pk}/schedule/").content.decode()
    assert f"{world.bob.get_full_name()} kan ikke noen av rundens dager" in body, body[:3000]
    for english in ENGLISH_SCHEDULER_TEXT:
        assert english not in body, english
