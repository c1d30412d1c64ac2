"""Milestone planning, as a specification.

Part 1 — pure date rules (`resourcegroups.planning`), table by table, against the routine as
the region agreed it (version 1, `resourcegroups.kmv_routine`):

    stage 1   ≈ 3 months after the start of the introduction programme
    stage 2   ≈ 12 months before the end of adult education / primary school
    stage 3   ≈ 6 months before the end of adult education / primary school
    stage 4   ≈ 6 months before the end of upper-secondary (or its / the apprenticeship's
              start when no end is known); only on a pathway with upper-secondary
    half-year every 6 months from the start of upper-secondary until stage 4 takes over

Part 2 — `meetings_sync` in the database: meetings follow the milestones, except where a
person has taken over (hand-scheduled, held).
"""

from datetime import date, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from participants import services as participant_services
from participants.models import Participant
from resourcegroups import kmv_routine
from resourcegroups.models import Meeting, MeetingEvent, Routine, RoutineStage
from resourcegroups.planning import (
    DueState,
    Timing,
    add_months,
    half_yearly_due_dates,
    stage_due,
    timing,
)
from resourcegroups.selectors import routine_in_force
from resourcegroups.services import meeting_schedule, meeting_set_status, meetings_sync
from resourcegroups.services import routines as routine_services

D = date
WITH_VGO = Participant.Pathway.WITH_UPPER_SECONDARY
WITHOUT_VGO = Participant.Pathway.WITHOUT_UPPER_SECONDARY


def v1_stage(number: int) -> RoutineStage:
    """An unsaved stage exactly as version 1 of the routine defines it."""
    spec = next(s for s in kmv_routine.STAGES if s["number"] == number)
    return RoutineStage(**{k: v for k, v in spec.items() if k != "items"})


def routine(before=42, after=28) -> Routine:
    return Routine(name="t", version=1, window_before_days=before, window_after_days=after)


def person(
    intro=None, ae_end=None, vgo_start=None, vgo_end=None, pathway=WITH_VGO
) -> SimpleNamespace:
    return SimpleNamespace(
        intro_programme_start=intro,
        adult_education_end=ae_end,
        upper_secondary_start=vgo_start,
        upper_secondary_end=vgo_end,
        pathway=pathway,
    )


# ============================================================================================
# Part 1: pure date rules
# ============================================================================================


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        # the day is kept when the target month has it
        (D(2025, 5, 15), 0, D(2025, 5, 15)),
        (D(2025, 1, 6), 3, D(2025, 4, 6)),
        # month ends: clamp to the last day of the shorter month
        (D(2025, 1, 31), 1, D(2025, 2, 28)),
        (D(2025, 1, 30), 1, D(2025, 2, 28)),
        (D(2025, 3, 31), 1, D(2025, 4, 30)),
        (D(2025, 8, 31), -6, D(2025, 2, 28)),
        # leap year 2028
        (D(2028, 1, 31), 1, D(2028, 2, 29)),
        (D(2028, 2, 29), 12, D(2029, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2028, 3, 31), -1, D(2028, 2, 29)),
        (D(2025, 3, 31), -1, D(2025, 2, 28)),
        # across the turn of the year, both ways
        (D(2025, 12, 31), 1, D(2026, 1, 31)),
        (D(2025, 1, 15), -1, D(2024, 12, 15)),
        (D(2025, 1, 31), 13, D(2026, 2, 28)),
        (D(2026, 3, 31), -12, D(2025, 3, 31)),
        (D(2026, 2, 28), -14, D(2024, 12, 28)),
        (D(2025, 3, 15), -27, D(2022, 12, 15)),
        (D(2027, 6, 30), -60, D(2022, 6, 30)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


# stage × milestones → due date (None: see state)
@pytest.mark.parametrize(
    ("stage", "who", "due", "state_if_none"),
    [
        # stage 1: intro start + 3 months
        (1, person(intro=D(2025, 1, 6)), D(2025, 4, 6), None),
        (1, person(intro=D(2025, 11, 30)), D(2026, 2, 28), None),
        (1, person(intro=D(2027, 11, 30)), D(2028, 2, 29), None),
        (1, person(intro=D(2025, 10, 31)), D(2026, 1, 31), None),
        (1, person(intro=D(2025, 1, 6), pathway=WITHOUT_VGO), D(2025, 4, 6), None),
        (1, person(), None, DueState.NOT_PLANNABLE),
        # stage 2: adult-education end − 12 months
        (2, person(ae_end=D(2027, 6, 20)), D(2026, 6, 20), None),
        (2, person(ae_end=D(2028, 2, 29)), D(2027, 2, 28), None),
        (2, person(ae_end=D(2027, 1, 15)), D(2026, 1, 15), None),
        (2, person(ae_end=D(2027, 6, 20), pathway=WITHOUT_VGO), D(2026, 6, 20), None),
        (2, person(intro=D(2025, 1, 6)), None, DueState.NOT_PLANNABLE),
        # stage 3: adult-education end − 6 months
        (3, person(ae_end=D(2027, 6, 20)), D(2026, 12, 20), None),
        (3, person(ae_end=D(2026, 8, 31)), D(2026, 2, 28), None),
        (3, person(ae_end=D(2028, 8, 31)), D(2028, 2, 29), None),
        (3, person(ae_end=D(2027, 3, 10)), D(2026, 9, 10), None),
        (3, person(intro=D(2025, 1, 6)), None, DueState.NOT_PLANNABLE),
        # stage 4: upper-secondary end − 6 months …
        (4, person(vgo_start=D(2026, 8, 15), vgo_end=D(2029, 6, 20)), D(2028, 12, 20), None),
        (4, person(vgo_start=D(2026, 8, 15), vgo_end=D(2029, 8, 31)), D(2029, 2, 28), None),
        # … or − 6 months from the apprenticeship / VGO start when there is no end date
        (4, person(vgo_start=D(2027, 8, 15)), D(2027, 2, 15), None),
        (4, person(vgo_start=D(2027, 8, 31)), D(2027, 2, 28), None),
        (4, person(ae_end=D(2027, 6, 20)), None, DueState.NOT_PLANNABLE),
        # … and never on a pathway without upper-secondary, whatever the dates
        (4, person(ae_end=D(2027, 6, 20), pathway=WITHOUT_VGO), None, DueState.NOT_APPLICABLE),
        (4, person(pathway=WITHOUT_VGO), None, DueState.NOT_APPLICABLE),
    ],
)
def test_stage_due_date(stage, who, due, state_if_none):
    result = stage_due(who, v1_stage(stage), routine(), today=D(2020, 1, 1))
    assert result.stage_number == stage
    assert result.due_date == due
    if due is None:
        assert result.state == state_if_none
        assert result.window_start is None and result.window_end is None
    else:
        assert result.state == DueState.NOT_YET_DUE  # 2020 is long before any of these


# due 6 April 2025 (intro start 6 Jan + 3): window by the routine's days before/after
@pytest.mark.parametrize(
    ("before", "after", "today", "state"),
    [
        (42, 28, D(2025, 2, 22), DueState.NOT_YET_DUE),  # the day before the window opens
        (42, 28, D(2025, 2, 23), DueState.DUE),  # 42 days before: window opens
        (42, 28, D(2025, 4, 6), DueState.DUE),  # the due date itself
        (42, 28, D(2025, 5, 4), DueState.DUE),  # 28 days after: last day of the window
        (42, 28, D(2025, 5, 5), DueState.OVERDUE),  # the window has closed
        (0, 0, D(2025, 4, 5), DueState.NOT_YET_DUE),  # a zero-width window: only the day
        (0, 0, D(2025, 4, 6), DueState.DUE),
        (0, 0, D(2025, 4, 7), DueState.OVERDUE),
        (90, 10, D(2025, 1, 6), DueState.DUE),  # a wide window opens on the day of the start
        (90, 10, D(2025, 4, 17), DueState.OVERDUE),
    ],
)
def test_window_states(before, after, today, state):
    result = stage_due(
        person(intro=D(2025, 1, 6)), v1_stage(1), routine(before, after), today=today
    )
    assert result.due_date == D(2025, 4, 6)
    assert result.window_start == D(2025, 4, 6) - timedelta(days=before)
    assert result.window_end == D(2025, 4, 6) + timedelta(days=after)
    assert result.state == state


@pytest.mark.parametrize(
    ("stage", "who"),
    [
        (1, person(intro=D(2023, 1, 2))),
        (2, person(ae_end=D(2024, 6, 20))),
        (3, person(ae_end=D(2025, 6, 20))),
        (4, person(vgo_start=D(2023, 8, 15), vgo_end=D(2026, 6, 20))),
    ],
)
def test_a_due_date_already_past_at_registration_is_overdue_not_dropped(stage, who):
    result = stage_due(who, v1_stage(stage), routine(), today=D(2026, 11, 26))
    assert result.due_date is not None
    assert result.state == DueState.OVERDUE


@pytest.mark.parametrize(
    ("before", "after", "held_on", "expected"),
    [
        (42, 28, D(2025, 2, 22), Timing.EARLY),
        (42, 28, D(2025, 2, 23), Timing.ON_TIME),
        (42, 28, D(2025, 4, 6), Timing.ON_TIME),
        (42, 28, D(2025, 5, 4), Timing.ON_TIME),
        (42, 28, D(2025, 5, 5), Timing.LATE),
        (7, 7, D(2025, 3, 30), Timing.ON_TIME),
        (7, 7, D(2025, 3, 29), Timing.EARLY),
        (7, 7, D(2025, 4, 13), Timing.ON_TIME),
        (7, 7, D(2025, 4, 14), Timing.LATE),
    ],
)
def test_timing_of_a_held_meeting(before, after, held_on, expected):
    assert timing(routine(before, after), D(2025, 4, 6), held_on) == expected


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        # three-year VGO: every 6 months from the start, until 6 months before the end
        (
            person(vgo_start=D(2026, 8, 15), vgo_end=D(2029, 6, 20)),
            [D(2027, 2, 15), D(2027, 8, 15), D(2028, 2, 15), D(2028, 8, 15)],
        ),
        # month ends stay month ends relative to the start (not drifting)
        (
            person(vgo_start=D(2026, 8, 31), vgo_end=D(2028, 6, 30)),
            [D(2027, 2, 28), D(2027, 8, 31)],
        ),
        # a date on the cut-off day belongs to meeting 4, not to the half-yearly series
        (person(vgo_start=D(2026, 8, 20), vgo_end=D(2028, 2, 20)), [D(2027, 2, 20)]),
        # short VGO: meeting 4 comes before the first half-year
        (person(vgo_start=D(2026, 8, 15), vgo_end=D(2027, 6, 20)), []),
        # no end date, no start date, or no VGO at all: nothing to repeat
        (person(vgo_start=D(2026, 8, 15)), []),
        (person(vgo_end=D(2029, 6, 20)), []),
        (person(pathway=WITHOUT_VGO), []),
    ],
)
def test_half_yearly_due_dates(who, expected):
    assert half_yearly_due_dates(who, v1_stage(10)) == expected


# ============================================================================================
# Part 2: meetings_sync in the database
# ============================================================================================

TODAY = timezone.localdate


def _meetings(p) -> dict[int, Meeting]:
    """Open milestone meetings by stage number."""
    return {
        m.stage.number: m
        for m in p.meetings.select_related("stage", "routine").exclude(
            status__in=[Meeting.Status.CANCELLED]
        )
        if m.sequence == 0
    }


def _register(user, municipality, **milestones):
    return participant_services.participant_create(
        user=user,
        first_name="Plan",
        last_name="Testesen",
        date_of_birth=date(1990, 1, 1),
        municipality=municipality,
        **milestones,
    )


def _at(d: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime(d.year, d.month, d.day, hour))


@pytest.fixture
def v1(db):
    return Routine.objects.get(name=kmv_routine.ROUTINE["name"], version=1)


@pytest.mark.django_db
def test_registration_plans_every_plannable_stage_under_the_routine_in_force(
    personas, municipality, v1
):
    p = _register(
        personas["nav_adviser"],
        municipality,
        intro_programme_start=D(2026, 1, 5),
        adult_education_end=D(2028, 6, 20),
        upper_secondary_start=D(2028, 8, 15),
        upper_secondary_end=D(2031, 6, 20),
    )
    assert routine_in_force(TODAY()) == v1
    meetings = _meetings(p)
    assert {n: m.due_date for n, m in meetings.items()} == {
        1: D(2026, 4, 5),  # already past today: planned anyway, overdue
        2: D(2027, 6, 20),
        3: D(2027, 12, 20),
        4: D(2030, 12, 20),
    }
    assert {m.routine_id for m in meetings.values()} == {v1.pk}
    half_yearly = p.meetings.filter(stage__kind=RoutineStage.Kind.HALF_YEARLY)
    assert sorted(half_yearly.values_list("due_date", flat=True)) == [
        D(2029, 2, 15),
        D(2029, 8, 15),
        D(2030, 2, 15),
        D(2030, 8, 15),
    ]
    assert all(m.status == Meeting.Status.PLANNED for m in meetings.values())
    assert (
        MeetingEvent.objects.filter(meeting__participant=p, kind=MeetingEvent.Kind.CREATED).count()
        == p.meetings.count()
    )


@pytest.mark.django_db
def test_registration_with_only_the_intro_start_plans_meeting_1_only(personas, municipality):
    p = _register(personas["nav_adviser"], municipality, intro_programme_start=D(2026, 9, 1))
    assert {n: m.due_date for n, m in _meetings(p).items()} == {1: D(2026, 12, 1)}


@pytest.mark.django_db
def test_changing_adult_education_end_moves_generated_meetings_not_hand_scheduled_ones(
    personas, participant
):
    alice = personas["nav_adviser"]
    participant = participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=D(2027, 6, 20)
    )
    meetings = _meetings(participant)
    assert (meetings[2].due_date, meetings[3].due_date) == (D(2026, 6, 20), D(2026, 12, 20))
    other = _register(alice, participant.municipality, adult_education_end=D(2027, 6, 20))
    other_due = {n: m.due_date for n, m in _meetings(other).items()}
    # meeting 2 is booked by hand: from now on a person owns its date
    meeting_schedule(
        user=alice,
        meeting=meetings[2],
        start=_at(D(2026, 6, 22)),
        end=_at(D(2026, 6, 22), 11),
        place="Rom 2",
    )

    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=D(2027, 12, 18)
    )

    after = _meetings(participant)
    # generated meeting 3 follows the milestone, with a "moved" event
    assert after[3].due_date == D(2027, 6, 18)
    moved = after[3].events.filter(kind=MeetingEvent.Kind.MOVED_BY_MILESTONE).get()
    assert moved.before == {"due_date": "2026-12-20"}
    assert moved.after == {"due_date": "2027-06-18"}
    assert moved.by == alice
    # hand-scheduled meeting 2 keeps its date and is flagged for review instead
    assert after[2].due_date == D(2026, 6, 20)
    assert after[2].needs_review is True
    assert after[2].planned_start == _at(D(2026, 6, 22))
    review = after[2].events.get(kind=MeetingEvent.Kind.REVIEW)
    assert review.after == {"due_date": "2026-12-18"}
    assert not after[2].events.filter(kind=MeetingEvent.Kind.MOVED_BY_MILESTONE).exists()
    # meeting 1 depends on another milestone and is untouched
    assert after[1].due_date == D(2025, 4, 6)
    assert not after[1].events.exclude(kind=MeetingEvent.Kind.CREATED).exists()
    # another participant with the same dates is untouched
    assert {n: m.due_date for n, m in _meetings(other).items()} == other_due
    assert (
        not MeetingEvent.objects.filter(meeting__participant=other)
        .exclude(kind=MeetingEvent.Kind.CREATED)
        .exists()
    )


@pytest.mark.django_db
def test_a_held_meeting_is_never_moved(personas, participant):
    alice = personas["nav_adviser"]
    participant = participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=D(2026, 12, 18)
    )
    m2 = _meetings(participant)[2]
    meeting_schedule(
        user=alice, meeting=m2, start=_at(D(2025, 12, 19)), end=_at(D(2025, 12, 19), 11), place="A"
    )
    meeting_set_status(user=alice, meeting=m2, status=Meeting.Status.HELD)

    participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=D(2027, 6, 18)
    )

    m2.refresh_from_db()
    assert m2.status == Meeting.Status.HELD
    assert m2.due_date == D(2025, 12, 18)
    assert m2.needs_review is False
    assert not m2.events.filter(
        kind__in=[MeetingEvent.Kind.MOVED_BY_MILESTONE, MeetingEvent.Kind.REVIEW]
    ).exists()
    assert _meetings(participant)[3].due_date == D(2026, 12, 18)  # the open one did move


@pytest.mark.django_db
def test_switching_to_a_pathway_without_vgo_cancels_the_generated_meeting_4(personas, municipality):
    alice = personas["nav_adviser"]
    p = _register(
        alice,
        municipality,
        intro_programme_start=D(2026, 1, 5),
        adult_education_end=D(2028, 6, 20),
        upper_secondary_start=D(2028, 8, 15),
        upper_secondary_end=D(2031, 6, 20),
    )
    m4 = _meetings(p)[4]

    p = participant_services.participant_update(
        user=alice,
        participant=p,
        pathway=WITHOUT_VGO,
        upper_secondary_start=None,
        upper_secondary_end=None,
    )

    m4.refresh_from_db()
    assert m4.status == Meeting.Status.CANCELLED
    assert m4.events.filter(kind=MeetingEvent.Kind.STATUS, after={"status": "cancelled"}).exists()
    assert set(_meetings(p)) == {1, 2, 3}
    # the half-yearly VGO meetings go with it
    assert not p.meetings.filter(
        stage__kind=RoutineStage.Kind.HALF_YEARLY, status__in=Meeting.OPEN_STATUSES
    ).exists()


@pytest.mark.django_db
def test_meetings_keep_their_version_and_new_meetings_follow_the_new_one_once_in_force(
    personas, participant, v1
):
    alice, cora = personas["nav_adviser"], personas["coordinator"]
    m1 = _meetings(participant)[1]
    assert m1.routine == v1
    v2 = routine_services.routine_draft_copy(user=cora, routine=v1)
    routine_services.routine_update(user=cora, routine=v2, window_before_days=14)
    # scheduled from a future date: meetings planned today still follow version 1
    start = TODAY() + timedelta(days=30)
    routine_services.routine_activate(user=cora, routine=v2, effective_from=start)

    participant = participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=D(2027, 6, 20)
    )
    assert {m.routine_id for m in _meetings(participant).values()} == {v1.pk}

    # the VGO start becomes known on the day version 2 applies: meeting 4 follows version 2,
    # meetings 1–3 keep version 1
    Participant.objects.filter(pk=participant.pk).update(upper_secondary_start=D(2027, 8, 16))
    participant.refresh_from_db()
    meetings_sync(participant=participant, by=alice, today=start)
    after = _meetings(participant)
    assert after[4].routine == v2
    assert after[4].stage.routine_id == v2.pk
    assert {after[n].routine_id for n in (1, 2, 3)} == {v1.pk}
    # a milestone change recomputes an old meeting under its own version
    participant_services.participant_update(
        user=alice, participant=participant, intro_programme_start=D(2025, 2, 3)
    )
    m1.refresh_from_db()
    assert (m1.routine_id, m1.due_date) == (v1.pk, D(2025, 5, 3))


@pytest.mark.django_db
def test_a_version_activated_from_today_is_used_at_once(personas, participant, v1):
    alice, cora = personas["nav_adviser"], personas["coordinator"]
    v2 = routine_services.routine_draft_copy(user=cora, routine=v1)
    routine_services.routine_activate(user=cora, routine=v2, effective_from=TODAY())
    participant = participant_services.participant_update(
        user=alice, participant=participant, adult_education_end=D(2027, 6, 20)
    )
    meetings = _meetings(participant)
    assert meetings[1].routine == v1  # planned before, keeps its version
    assert meetings[2].routine == v2 and meetings[3].routine == v2
    v1.refresh_from_db()
    assert v1.status == Routine.Status.RETIRED
