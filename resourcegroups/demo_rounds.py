"""Demo data for rounds: rooms, the interpreter register, a published round in the near future
with booked meetings (one with the demo interpreter `tolk`), a draft round, staff
unavailability and an interpreter's available time.

`seed_rounds_demo()` runs after `participants.demo.build_demo()`. The round is built the way
the UI builds it — `round_create`, `proposal` + `entries_add`, the scheduler (run in-process
with a short, deterministic budget instead of through Celery), `schedule_apply` and
`round_publish` — so bookings, meeting times and invitations are real. Idempotent: when the
published demo round exists nothing is done.

The interpreter register has no service that links a login to a profile (an administrator
does it in the admin); the demo sets that one field on the row.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from kmv.access.models import Agency, User

from .models import Interpreter, Meeting, Room, Round
from .selectors import routine_in_force
from .services import rounds as round_services

PUBLISHED_TITLE = "Ressursgrupperunde – demo"
DRAFT_TITLE = "Ressursgrupperunde etter nyttår – utkast"

ROOMS = [
    # name, location, capacity, step-free access
    ("Odderøya", "NAV Kristiansand, 2. etasje", 8, True),
    ("Lundsbroa", "NAV Kristiansand, 3. etasje", 6, False),
    ("Storsalen", "NAV Kristiansand, 1. etasje", 12, True),
]
INTERPRETERS = [
    # name, languages, e-mail, demo login
    ("Samira Haddad", ["ar"], "samira.haddad@example.no", "tolk"),
    ("Yonas Tekle", ["ti", "am"], "yonas.tekle@example.no", None),
    ("Nasrin Karimi", ["prs", "fa"], "nasrin.karimi@example.no", None),
    ("Abdi Warsame", ["so"], "abdi.warsame@example.no", None),
    ("Oksana Melnyk", ["uk", "ru"], "oksana.melnyk@example.no", None),
]
DAY_START, DAY_END = time(8, 30), time(15, 30)
SOLVER_SECONDS = 2


def workday(day: date) -> date:
    """The first weekday on or after `day` outside the Christmas holidays."""
    while day.weekday() >= 5 or (day.month, day.day) >= (12, 20) or (day.month, day.day) <= (1, 3):
        day += timedelta(days=1)
    return day


def _one_each(meetings: list[Meeting], limit: int = 12) -> list[Meeting]:
    """At most one meeting per participant (an overdue half-yearly meeting and the next one
    are not held on the same day), in the given order."""
    seen: dict[int, Meeting] = {}
    for m in meetings:
        seen.setdefault(m.participant_id, m)
    return list(seen.values())[:limit]


def round_days(today: date) -> list[date]:
    """Two working days about ten days ahead."""
    first = workday(today + timedelta(days=10))
    return [first, workday(first + timedelta(days=1))]


@transaction.atomic
def seed_rounds_demo(today: date | None = None) -> dict[str, int]:
    """Create the demo rooms, interpreters and rounds once; returns counts (empty when the
    published demo round was there already)."""
    if Round.objects.filter(title=PUBLISHED_TITLE).exists():
        return {}
    routine = routine_in_force(today or timezone.localdate())
    if routine is None:
        return {}
    today = today or timezone.localdate()
    users = {u.username: u for u in User.objects.select_related("agency")}
    planner = users["radgiver"]
    counts: dict[str, int] = {}

    rooms = [
        Room.objects.filter(agency=planner.agency, name=name).first()
        or round_services.room_create(
            user=planner, name=name, location=where, capacity=capacity, accessible=accessible
        )
        for name, where, capacity, accessible in ROOMS
    ]
    counts["rooms"] = len(rooms)
    service = Agency.objects.filter(kind=Agency.Kind.INTERPRETER_SERVICE).first()
    interpreters = []
    for name, languages, email, login in INTERPRETERS:
        interpreter = Interpreter.objects.filter(name=name).first()
        if interpreter is None:
            interpreter = round_services.interpreter_create(
                user=planner, name=name, languages=languages, agency=service, email=email
            )
        if login and login in users and not Interpreter.objects.filter(user=users[login]):
            Interpreter.objects.filter(pk=interpreter.pk).update(user=users[login])
        interpreters.append(interpreter)
    counts["interpreters"] = len(interpreters)
    tolk = users.get("tolk")
    samira = interpreters[0]

    days = round_days(today)
    stages = list(routine.stages.all())
    rnd = round_services.round_create(
        user=planner,
        title=PUBLISHED_TITLE,
        days=[(d, DAY_START, DAY_END) for d in days],
        stages=stages,
        rooms=rooms,
        interpreters=interpreters,
        slot_minutes=60,
        buffer_minutes=15,
        time_limit_seconds=SOLVER_SECONDS,
    )
    proposed = [p.meeting for p in round_services.proposal(user=planner, rnd=rnd)]
    # the Arabic-speaking participants who need an interpreter first, so `tolk` has work
    arabic = [m for m in proposed if m.interpreter_needed and m.interpreter_language == "ar"][:2]
    round_services.entries_add(user=planner, rnd=rnd, meetings=_one_each([*arabic, *proposed]))
    counts["round entries"] = rnd.entries.count()

    # who cannot attend when: a teacher teaches the first morning; a career counsellor is
    # away the second afternoon; the interpreter is free the first day only 09–14
    round_day = {d.date: d for d in rnd.days.all()}
    staff_blocks = 0
    if "laerer" in users:
        round_services.staff_block_add(
            user=users["laerer"],
            on=days[0],
            start=time(8, 30),
            end=time(10, 0),
            note="Undervisning",
        )
        staff_blocks += 1
    if "karriere" in users:
        round_services.unavailability_add(
            user=planner,
            rnd=rnd,
            day=round_day[days[1]],
            start=time(12, 0),
            end=time(15, 30),
            staff=users["karriere"],
            note="Kurs",
        )
        staff_blocks += 1
    counts["unavailable blocks"] = staff_blocks
    if tolk is not None and Interpreter.objects.filter(pk=samira.pk, user=tolk).exists():
        round_services.interpreter_window_add(
            user=tolk, interpreter=samira, on=days[0], start=time(9, 0), end=time(14, 0)
        )
        counts["interpreter windows"] = 1

    # what "Generate" does, minus the Celery hop: claim run 1 as `generate_start` would,
    # then run the task's body here (solve with the round's budget, apply, record status)
    Round.objects.filter(pk=rnd.pk).update(
        solver_run=1, solver_status=Round.SolverStatus.QUEUED, solver_started_at=timezone.now()
    )
    round_services.generate_run(round_id=rnd.pk, run=1)
    counts["meetings booked"] = round_services.round_publish(user=planner, rnd=rnd)

    # a draft for later: chosen, not scheduled yet
    later = workday(days[0] + timedelta(days=42))
    draft = round_services.round_create(
        user=planner,
        title=DRAFT_TITLE,
        days=[(later, DAY_START, DAY_END)],
        stages=stages,
        rooms=rooms[:2],
        interpreters=interpreters,
    )
    round_services.entries_add(
        user=planner,
        rnd=draft,
        meetings=_one_each([p.meeting for p in round_services.proposal(user=planner, rnd=draft)])[
            :8
        ],
    )
    counts["rounds"] = 2
    return counts


def booked_meetings():
    """The demo round's booked meetings (for tests and the seed summary)."""
    return Meeting.objects.filter(round_entries__round__title=PUBLISHED_TITLE).exclude(
        planned_start=None
    )
