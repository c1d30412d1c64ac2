"""Rooms and interpreters (pages and services), "my availability", interpreters' available
windows (the scheduler rule), the interpreter's logistics-only view, the invitation status
section and the scheduler's progress steps.

Personas (tests/conftest.py): alice = NAV programme adviser who plans the round; bob =
teacher in the participant's group; frank = follow-up adviser of another agency; root =
system administrator; ina = interpreter at the interpreter service.
"""

from datetime import date, time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from kmv.errors import ConflictError
from resourcegroups import scheduler
from resourcegroups.models import Interpreter, Room, Round, RoutineStage
from resourcegroups.models.rounds import InterpreterWindow, StaffBlock
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import rounds as services
from tests.factories import PERSONAS

pytestmark = pytest.mark.django_db

DAY1, DAY2 = date(2027, 2, 2), date(2027, 2, 3)
MANAGERS = {"nav_adviser", "follow_up", "sysadmin"}


@pytest.fixture
def room(agencies):
    return Room.objects.create(agency=agencies["nav"], name="Møterom 1", capacity=8)


@pytest.fixture
def tolk(personas, agencies):
    """ina's own interpreter profile, on the interpreter service's roster."""
    return Interpreter.objects.create(
        name="Ina Tesfay",
        languages=["ti"],
        user=personas["interpreter"],
        agency=agencies["interpreters"],
        email="ina.tolk@example.org",
    )


@pytest.fixture
def rnd(personas, room, tolk):
    stage = RoutineStage.objects.get(routine=routine_in_force(DAY1), number=1)
    return services.round_create(
        user=personas["nav_adviser"],
        title="Vårrunden",
        days=[(DAY1, time(9, 0), time(12, 0)), (DAY2, time(9, 0), time(12, 0))],
        stages=[stage],
        rooms=[room],
        interpreters=[tolk],
        slot_minutes=60,
        buffer_minutes=15,
        time_limit_seconds=5,
    )


def _with_entry(rnd, personas, participant):
    services.entries_add(
        user=personas["nav_adviser"],
        rnd=rnd,
        meetings=[participant.meetings.get(stage__number=1)],
    )
    return rnd


def _generate(rnd, user, capture):
    with capture(execute=True):
        services.generate_start(user=user, rnd=rnd)
    rnd.refresh_from_db()
    return rnd


# --- rooms and interpreters ------------------------------------------------------------------


def test_rooms_create_edit_deactivate_with_optimistic_locking(personas, agencies, room):
    alice, root = personas["nav_adviser"], personas["sysadmin"]
    made = services.room_create(user=alice, name="Rom 2", capacity=4, accessible=False)
    assert made.agency == agencies["nav"] and not made.accessible
    # a planner's room is always their own agency's, whatever is asked for
    other = services.room_create(user=alice, name="Rom 3", agency=agencies["career"])
    assert other.agency == agencies["nav"]
    # the administrator chooses the agency
    career = services.room_create(user=root, name="Karriererom", agency=agencies["career"])
    assert career.agency == agencies["career"]
    with pytest.raises(ValidationError):
        services.room_create(user=root, name="Uten etat")
    with pytest.raises(PermissionDenied):
        services.room_create(user=personas["teacher"], name="Klasserom")
    # frank (another agency) cannot touch alice's room
    with pytest.raises(PermissionDenied):
        services.room_update(user=personas["follow_up"], room=room, capacity=2)

    services.room_update(user=alice, room=room, version=1, capacity=12)
    room.refresh_from_db()
    assert (room.capacity, room.version) == (12, 2)
    with pytest.raises(ConflictError):
        services.room_update(user=alice, room=room, version=1, active=False)
    room.refresh_from_db()
    assert room.active
    services.room_update(user=alice, room=room, version=2, active=False)
    room.refresh_from_db()
    assert not room.active
    # a deactivated room is not offered for new rounds
    from resourcegroups.forms_rounds import RoundForm

    form = RoundForm(user=alice, stages=RoutineStage.objects.none())
    assert room not in form.fields["rooms"].queryset


def test_interpreters_create_edit_deactivate(personas, agencies, tolk):
    alice = personas["nav_adviser"]
    ext = services.interpreter_create(
        user=alice, name="Ahmad", languages=["ar", "ar", "fa"], email="a@example.org"
    )
    assert ext.agency is None and ext.languages == ["ar", "fa"]
    with pytest.raises(ValidationError):
        services.interpreter_create(user=alice, name="Tom", languages=[])
    with pytest.raises(ValidationError):  # only an interpreter service has a roster
        services.interpreter_create(
            user=alice, name="X", languages=["ar"], agency=agencies["career"]
        )
    with pytest.raises(PermissionDenied):
        services.interpreter_create(user=personas["interpreter"], name="Y", languages=["ar"])
    services.interpreter_update(user=alice, interpreter=ext, version=1, active=False)
    ext.refresh_from_db()
    assert not ext.active and ext.version == 2


def test_resource_pages(client, personas, room, tolk):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    r = client.post(
        reverse("rounds:rooms"),
        {"name": "Rom 9", "location": "Tordenskjolds gate 9", "capacity": "6", "accessible": "on"},
    )
    assert r.status_code == 302
    new = Room.objects.get(name="Rom 9")
    assert new.accessible and new.capacity == 6
    # the form comes back with a translated error, nothing is saved
    r = client.post(reverse("rounds:rooms"), {"name": "Rom 9", "capacity": "6"})
    assert r.status_code == 200 and Room.objects.filter(name="Rom 9").count() == 1
    assert r.context["form"].errors

    url = reverse("rounds:room_edit", args=[room.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Møterom 1" in page.content.decode()
    data = {"name": "Møterom 1", "capacity": "10", "accessible": "on", "version": "1"}
    assert client.post(url, data).status_code == 302
    room.refresh_from_db()
    assert room.capacity == 10 and not room.active  # "in use" unticked: deactivated
    # a stale version: 409, nothing overwritten, the input kept
    stale = client.post(url, {**data, "capacity": "3", "active": "on"})
    assert stale.status_code == 409
    room.refresh_from_db()
    assert room.capacity == 10 and not room.active
    assert stale.context["form"].data["capacity"] == "3"

    r = client.post(
        reverse("rounds:interpreters"),
        {"name": "Ahmad Rahimi", "languages": ["ar", "fa"], "email": "ahmad@example.org"},
    )
    assert r.status_code == 302
    assert Interpreter.objects.get(name="Ahmad Rahimi").languages == ["ar", "fa"]
    listing = client.get(reverse("rounds:interpreters")).content.decode()
    assert "Ahmad Rahimi" in listing and "Ina Tesfay" in listing
    edit = reverse("rounds:interpreter_edit", args=[tolk.pk])
    r = client.post(
        edit,
        {"name": "Ina Tesfay", "languages": ["ti", "am"], "active": "on", "version": "1"},
    )
    assert r.status_code == 302
    tolk.refresh_from_db()
    assert tolk.languages == ["am", "ti"]


@pytest.mark.parametrize("who", PERSONAS)
def test_resource_object_pages_access(client, personas, room, tolk, who):
    """Object pages: managers reach them; every other persona gets 403 or 404 and changes
    nothing."""
    block = StaffBlock.objects.create(
        staff=personas["nav_adviser"], date=DAY1, start=time(9), end=time(10)
    )
    window = InterpreterWindow.objects.create(
        interpreter=tolk, date=DAY1, start=time(9), end=time(12)
    )
    client.force_login(personas[who])
    pages = [
        ("get", reverse("rounds:room_edit", args=[room.pk])),
        ("get", reverse("rounds:interpreter_edit", args=[tolk.pk])),
    ]
    for method, url in pages:
        status = getattr(client, method)(url).status_code
        allowed = {"nav_adviser", "sysadmin"} | ({"follow_up"} if "tolker" in url else set())
        if who in allowed:
            assert status == 200, (url, who)
        else:
            assert status in (403, 404), (url, who, status)
    # available times: managers and the interpreter herself
    status = client.get(reverse("rounds:interpreter_windows", args=[tolk.pk])).status_code
    assert status == (200 if who in MANAGERS | {"interpreter"} else 404), (who, status)
    status = client.post(reverse("rounds:interpreter_window_delete", args=[window.pk])).status_code
    assert status == (302 if who in MANAGERS | {"interpreter"} else 404), (who, status)
    assert InterpreterWindow.objects.filter(pk=window.pk).exists() == (
        who not in MANAGERS | {"interpreter"}
    )
    # only alice deletes alice's block
    status = client.post(reverse("rounds:my_availability_delete", args=[block.pk])).status_code
    assert status == (302 if who == "nav_adviser" else 404)
    assert StaffBlock.objects.filter(pk=block.pk).exists() == (who != "nav_adviser")
    # junk ids: 404, never 500
    assert client.get("/runder/rom/99999999/").status_code in (403, 404)


def test_resource_lists_are_constant_in_queries(
    client, personas, agencies, django_assert_max_num_queries
):
    alice = personas["nav_adviser"]
    client.force_login(alice)
    for n in range(3):
        Room.objects.create(agency=agencies["nav"], name=f"Rom {n}")
        Interpreter.objects.create(
            name=f"Tolk {n}", languages=["ti"], agency=agencies["interpreters"]
        )
        StaffBlock.objects.create(staff=alice, date=DAY1, start=time(9 + n), end=time(10 + n))
    counts = {}
    for name in ("rounds:rooms", "rounds:interpreters", "rounds:my_availability"):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(name)).status_code == 200
        counts[name] = len(ctx)
    for n in range(3, 13):
        Room.objects.create(agency=agencies["nav"], name=f"Rom {n}")
        Interpreter.objects.create(
            name=f"Tolk {n}", languages=["ti"], agency=agencies["interpreters"]
        )
        StaffBlock.objects.create(staff=alice, date=DAY2, start=time(9), end=time(10))
    for name, count in counts.items():
        with django_assert_max_num_queries(count):
            assert client.get(reverse(name)).status_code == 200


# --- my availability ---------------------------------------------------------------------------


def test_my_availability_page_add_list_delete_only_own(client, personas):
    bob = personas["teacher"]
    client.force_login(bob)
    url = reverse("rounds:my_availability")
    assert 'href="/runder/min-tilgjengelighet/"' in client.get(reverse("home")).content.decode()
    r = client.post(url, {"date": "2027-02-02", "start": "09:00", "end": "12:00", "note": "Kurs"})
    assert r.status_code == 302
    block = StaffBlock.objects.get(staff=bob)
    assert (block.start, block.end, block.note) == (time(9), time(12), "Kurs")
    # an end before the start: the form again with the error, nothing saved
    r = client.post(url, {"date": "2027-02-03", "start": "12:00", "end": "09:00"})
    assert r.status_code == 200 and StaffBlock.objects.filter(staff=bob).count() == 1
    # a date in the past is refused
    r = client.post(url, {"date": "2020-01-01", "start": "09:00", "end": "10:00"})
    assert r.status_code == 200 and StaffBlock.objects.filter(staff=bob).count() == 1
    assert "Kurs" in client.get(url).content.decode()
    # alice sees none of bob's
    client.force_login(personas["nav_adviser"])
    assert "Kurs" not in client.get(url).content.decode()
    delete = reverse("rounds:my_availability_delete", args=[block.pk])
    assert client.post(delete).status_code == 404
    client.force_login(bob)
    assert client.post(delete).status_code == 302
    assert not StaffBlock.objects.filter(pk=block.pk).exists()


def test_my_availability_keeps_the_scheduler_away(
    personas, participant, rnd, django_capture_on_commit_callbacks
):
    """bob marks day 1 as busy on his own page: the round places the meeting on day 2."""
    _with_entry(rnd, personas, participant)
    services.staff_block_add(user=personas["teacher"], on=DAY1, start=time(8), end=time(16))
    loaded = services.load_instance(rnd)
    day1 = rnd.days.get(date=DAY1)
    assert scheduler.Block("staff", personas["teacher"].pk, day1.pk, 480, 960) in (
        loaded.instance.blocks
    )
    rnd = _generate(rnd, personas["nav_adviser"], django_capture_on_commit_callbacks)
    assert rnd.entries.get().day.date == DAY2


# --- interpreters' available windows -----------------------------------------------------------


def test_interpreter_windows_rule(personas, participant, rnd, tolk):
    """No window on the round's dates: available. Any window: unavailable outside windows on
    every round day (a day without a window is blocked whole)."""
    _with_entry(rnd, personas, participant)
    day1, day2 = rnd.days.get(date=DAY1), rnd.days.get(date=DAY2)

    def interp_blocks():
        inst = services.load_instance(rnd).instance
        return sorted((b.day, b.start, b.end) for b in inst.blocks if b.kind == "interpreter")

    assert interp_blocks() == []
    # a window on another date does not count for this round
    InterpreterWindow.objects.create(
        interpreter=tolk, date=date(2027, 3, 1), start=time(9), end=time(10)
    )
    assert interp_blocks() == []
    services.interpreter_window_add(
        user=personas["interpreter"], interpreter=tolk, on=DAY2, start=time(10), end=time(11)
    )
    assert interp_blocks() == sorted(
        [(day1.pk, 540, 720), (day2.pk, 540, 600), (day2.pk, 660, 720)]
    )


def test_interpreter_window_decides_the_placement(
    personas, participant, rnd, tolk, django_capture_on_commit_callbacks
):
    _with_entry(rnd, personas, participant)
    services.interpreter_window_add(
        user=personas["nav_adviser"], interpreter=tolk, on=DAY2, start=time(10), end=time(12)
    )
    rnd = _generate(rnd, personas["nav_adviser"], django_capture_on_commit_callbacks)
    entry = rnd.entries.select_related("meeting").get()
    assert entry.day.date == DAY2 and entry.interpreter == tolk
    start = timezone.localtime(entry.meeting.planned_start).time()
    assert start >= time(10)


def test_interpreter_enters_own_windows_not_others(client, personas, tolk, agencies):
    ina = personas["interpreter"]
    stranger = Interpreter.objects.create(name="Annen", languages=["ar"])
    roster = Interpreter.objects.create(
        name="Kollega", languages=["ar"], agency=agencies["interpreters"]
    )
    client.force_login(ina)
    url = reverse("rounds:interpreter_windows", args=[tolk.pk])
    r = client.post(url, {"date": "2027-02-03", "start": "10:00", "end": "11:00"})
    assert r.status_code == 302
    assert tolk.windows.count() == 1
    # her service's roster: yes; an external interpreter: no
    assert client.get(reverse("rounds:interpreter_windows", args=[roster.pk])).status_code == 200
    assert client.get(reverse("rounds:interpreter_windows", args=[stranger.pk])).status_code == 404
    with pytest.raises(PermissionDenied):
        services.interpreter_window_add(
            user=ina, interpreter=stranger, on=DAY1, start=time(9), end=time(10)
        )
    with pytest.raises(PermissionDenied):
        services.interpreter_window_add(
            user=personas["teacher"], interpreter=tolk, on=DAY1, start=time(9), end=time(10)
        )


# --- the interpreter's logistics-only view ---------------------------------------------------


def _published(rnd, personas, participant, capture):
    _with_entry(rnd, personas, participant)
    rnd = _generate(rnd, personas["nav_adviser"], capture)
    with capture(execute=False):
        services.round_publish(user=personas["nav_adviser"], rnd=rnd)
    rnd.refresh_from_db()
    return rnd


def test_interpreter_sees_only_logistics(
    client, api_client, personas, participant, rnd, tolk, django_capture_on_commit_callbacks
):
    rnd = _published(rnd, personas, participant, django_capture_on_commit_callbacks)
    entry = rnd.entries.select_related("meeting", "room").get()
    assert entry.interpreter == tolk
    ina = personas["interpreter"]
    client.force_login(ina)
    page = client.get(reverse("rounds:interpreter_bookings"))
    assert page.status_code == 200
    body = page.content.decode()
    start = timezone.localtime(entry.meeting.planned_start)
    assert start.strftime("%H:%M") in body and "Møterom 1" in body and "igrin" in body.lower()
    forbidden = [
        participant.first_name,
        participant.last_name,
        "14.03.1991",
        str(entry.meeting.stage),
        rnd.title,
        personas["teacher"].get_full_name(),
        personas["nav_adviser"].get_full_name(),
        reverse("participants:detail", args=[participant.pk]),
        reverse("resourcegroups:meeting", args=[entry.meeting.pk]),
    ]
    for text in forbidden:
        assert text not in body, text
    api_client.force_authenticate(ina)
    data = api_client.get(reverse("interpreter-booking-list")).json()
    assert len(data) == 1
    assert set(data[0]) == {"id", "date", "start", "end", "place", "language", "language_label"}
    assert data[0]["language"] == "ti" and data[0]["place"] == "Møterom 1"
    raw = str(data)
    for text in forbidden[:3]:
        assert text not in raw
    # the interpreter reaches none of the planner's or the case pages
    assert client.get(reverse("rounds:detail", args=[rnd.pk])).status_code == 404
    assert client.get(reverse("resourcegroups:meeting", args=[entry.meeting.pk])).status_code == 404
    # a planner is not an interpreter: no such page
    client.force_login(personas["nav_adviser"])
    assert client.get(reverse("rounds:interpreter_bookings")).status_code == 403
    api_client.force_authenticate(personas["nav_adviser"])
    assert api_client.get(reverse("interpreter-booking-list")).json() == []


def test_interpreter_bookings_constant_queries(
    personas,
    participant,
    municipality,
    rnd,
    tolk,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    rnd = _published(rnd, personas, participant, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(1):
        assert len(services.interpreter_bookings(personas["interpreter"])) == 1


# --- invitation status on the round page -------------------------------------------------------


def test_round_page_shows_invitation_status(
    client, personas, participant, rnd, django_capture_on_commit_callbacks
):
    rnd = _published(rnd, personas, participant, django_capture_on_commit_callbacks)
    client.force_login(personas["nav_adviser"])
    page = client.get(reverse("rounds:detail", args=[rnd.pk])).content.decode()
    assert "Invitasjoner" in page or "Invitations" in page
    assert personas["teacher"].get_full_name() in page
    # names, never the addresses the messages went to
    assert personas["teacher"].email not in page


# --- scheduler progress --------------------------------------------------------------------------


def test_generate_reports_meaningful_steps(
    personas, participant, rnd, monkeypatch, django_capture_on_commit_callbacks
):
    """While the task runs, the round says which step the solver is on."""
    _with_entry(rnd, personas, participant)
    real_solve = scheduler.solve
    seen = []

    def spying_solve(inst, *, progress=None, **kw):
        seen.append(Round.objects.values_list("solver_step", "solver_progress").get(pk=rnd.pk))

        def spy(percent, status, objective):
            progress(percent, status, objective)
            seen.append(Round.objects.values_list("solver_step", "solver_progress").get(pk=rnd.pk))

        return real_solve(inst, progress=spy, **kw)

    monkeypatch.setattr(services.scheduler, "solve", spying_solve)
    rnd = _generate(rnd, personas["nav_adviser"], django_capture_on_commit_callbacks)
    steps = [s for s, _p in seen]
    assert steps[0] == "model"
    # after each solved level the next one is announced (levels without choices are skipped)
    assert steps[:3] == ["model", "level2", "level3"], steps
    progress = [p for _s, p in seen]
    assert progress == sorted(progress) and progress[0] == 10
    assert rnd.solver_step == "" and rnd.solver_progress == 100
    # the page and the polling endpoint show the step while busy
    Round.objects.filter(pk=rnd.pk).update(
        solver_status=Round.SolverStatus.RUNNING, solver_step="level3", solver_progress=50
    )
    rnd.refresh_from_db()
    assert "3 of 4" in str(rnd.solver_step_label) or "3 av 4" in str(rnd.solver_step_label)


def test_progress_endpoint_includes_step(client, personas, rnd):
    Round.objects.filter(pk=rnd.pk).update(
        solver_status=Round.SolverStatus.RUNNING, solver_step="level2", solver_progress=30
    )
    client.force_login(personas["nav_adviser"])
    data = client.get(reverse("rounds:progress", args=[rnd.pk])).json()
    assert data["step"] == "level2" and data["busy"] and data["progress"] == 30
    assert "2" in data["label"] and " – " in data["label"]


def test_interpreter_own_busy_times_apply_to_their_profile(personas, participant, rnd, tolk):
    """ina marks a busy time on "my availability": the round treats her profile as busy."""
    _with_entry(rnd, personas, participant)
    services.staff_block_add(user=personas["interpreter"], on=DAY1, start=time(9), end=time(10))
    day1 = rnd.days.get(date=DAY1)
    blocks = services.load_instance(rnd).instance.blocks
    assert scheduler.Block("interpreter", tolk.pk, day1.pk, 540, 600) in blocks
    assert not any(b.kind == "staff" and b.key == personas["interpreter"].pk for b in blocks)


def test_new_rounds_take_only_rooms_and_interpreters_in_use(personas, room, tolk):
    alice = personas["nav_adviser"]
    services.room_update(user=alice, room=room, active=False)
    services.interpreter_update(user=alice, interpreter=tolk, active=False)
    stage = RoutineStage.objects.get(routine=routine_in_force(DAY1), number=1)
    fresh = services.round_create(
        user=alice,
        title="Høstrunden",
        days=[(DAY1, time(9), time(12))],
        stages=[stage],
        rooms=[room],
        interpreters=[tolk],
    )
    assert not fresh.rooms.exists() and not fresh.interpreters.exists()


def test_published_round_page_is_constant_in_queries(
    client, personas, participant, municipality, rnd, django_capture_on_commit_callbacks
):
    """The invitation section adds a fixed number of queries, not one per meeting."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import second_participant

    alice = personas["nav_adviser"]
    one = _published(rnd, personas, participant, django_capture_on_commit_callbacks)
    client.force_login(alice)
    url = reverse("rounds:detail", args=[one.pk])
    with CaptureQueriesContext(connection) as single:
        assert client.get(url).status_code == 200

    stage = RoutineStage.objects.get(routine=routine_in_force(DAY1), number=1)
    other = services.round_create(
        user=alice,
        title="Høstrunden",
        days=[(DAY1, time(13), time(16)), (DAY2, time(13), time(16))],
        stages=[stage],
        rooms=list(one.rooms.all()),
        interpreters=list(one.interpreters.all()),
        time_limit_seconds=5,
    )
    second = second_participant(personas, municipality)
    third = second_participant(personas, municipality)
    services.entries_add(
        user=alice,
        rnd=other,
        meetings=[p.meetings.get(stage__number=1) for p in (second, third)],
    )
    other = _generate(other, alice, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        services.round_publish(user=alice, rnd=other)
    assert other.entries.filter(day__isnull=False).count() == 2
    with CaptureQueriesContext(connection) as double:
        page = client.get(reverse("rounds:detail", args=[other.pk]))
    assert page.status_code == 200 and len(page.context["invitations"]) == 2
    assert len(double) <= len(single), (len(single), len(double))
