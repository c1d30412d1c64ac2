"""A hand-built dataset whose numbers are known (see `EXPECTED_*` in the tests)."""

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from participants.models import OutcomeRecord, OutcomeStatus, Participant
from resourcegroups.models import Meeting, MeetingInvitee, ResourceGroup, Routine
from tests.factories import AgencyFactory, MunicipalityFactory, ParticipantFactory, UserFactory

TODAY = date(2026, 6, 15)


@pytest.fixture(autouse=True)
def _english_labels():
    """Section labels are translated at call time; selector tests read them in English.
    (Page tests go through the client, which activates the user's language: they check
    keys and context, not labels.)"""
    from django.utils import translation

    with translation.override("en"):
        yield


S = OutcomeStatus


def add_outcome(p, status, since, agency, *, cohort=None, work=False, work_since=None):
    return OutcomeRecord.objects.create(
        participant=p,
        status=status,
        since=since,
        cohort_year=cohort,
        in_work=work,
        in_work_since=work_since,
        reported_by_agency=agency,
    )


@pytest.fixture
def report_data(db):
    """Two municipalities; cohort 2022 with every status; cohort 2023 small.

    cohort 2022 (all in Alpha), current status (newest record) → count (of which in work):
      passed 6 (2) · not passed 5 (0) · dropped out 5 (1) · in school 7 (3, work beside
      school) · higher education 5 (0) · unknown 5 (0) · moved away 5 (0)  = 38 started
      plus one participant whose first record named the cohort and later moved (in moved).
    cohort 2023 (Beta): passed 2, in school 3 → small numbers, suppressed at threshold 5.
    """
    alpha = MunicipalityFactory(number="4901", name="Alpha")
    beta = MunicipalityFactory(number="4902", name="Beta")
    nav = AgencyFactory(name="NAV Report")
    school = AgencyFactory(name="School Report")
    people: dict[str, list[Participant]] = {}

    def person(muni, key):
        p = ParticipantFactory(municipality=muni, owner_agency=nav)
        people.setdefault(key, []).append(p)
        return p

    plan = [
        ("passed", S.PASSED_TRADE_CERTIFICATE, 6, 2),
        ("not_passed", S.NOT_PASSED, 5, 0),
        ("dropped_out", S.DROPPED_OUT, 5, 1),
        ("in_school", S.IN_SCHOOL, 7, 3),
        ("higher_education", S.HIGHER_EDUCATION, 5, 0),
        ("unknown", S.UNKNOWN, 5, 0),
        ("moved_away", S.MOVED_AWAY, 4, 0),
    ]
    for key, status, n, working in plan:
        for i in range(n):
            p = person(alpha, key)
            add_outcome(p, S.ADULT_EDUCATION, date(2021, 1, 1), nav)
            add_outcome(p, S.UPPER_SECONDARY_STARTED, date(2022, 8, 15), school, cohort=2022)
            if status != S.IN_SCHOOL:
                add_outcome(
                    p,
                    status,
                    date(2024, 6, 20),
                    school,
                    work=i < working,
                    work_since=date(2024, 8, 1) if i < working else None,
                )
            else:
                add_outcome(
                    p,
                    S.IN_SCHOOL,
                    date(2023, 8, 15),
                    school,
                    work=i < working,
                    work_since=date(2023, 9, 1) if i < working else None,
                )
    # the fifth "moved away": moved with an older, different record in between
    p = person(alpha, "moved_away")
    add_outcome(p, S.UPPER_SECONDARY_STARTED, date(2022, 8, 15), school, cohort=2022)
    add_outcome(p, S.IN_SCHOOL, date(2023, 1, 10), school, work=True)
    add_outcome(p, S.MOVED_AWAY, date(2025, 2, 1), nav)
    for _i in range(2):
        p = person(beta, "b_passed")
        add_outcome(p, S.UPPER_SECONDARY_STARTED, date(2023, 8, 15), school, cohort=2023)
        add_outcome(p, S.PASSED_TRADE_CERTIFICATE, date(2025, 6, 20), school)
    for _i in range(3):
        p = person(beta, "b_school")
        add_outcome(p, S.UPPER_SECONDARY_STARTED, date(2023, 8, 15), school, cohort=2023)
    # no outcome at all: never in a cohort
    person(beta, "no_outcome")

    # resource groups: Alpha 2025 → all of alpha's people; Beta 2026 → 6 people
    for p in Participant.objects.filter(municipality__in=[alpha, beta]):
        group = ResourceGroup.objects.create(participant=p)
        year = 2025 if p.municipality_id == alpha.pk else 2026
        ResourceGroup.objects.filter(pk=group.pk).update(
            created_at=timezone.make_aware(datetime(year, 3, 1, 12))
        )

    # meetings (routine v1: window 42 days before, 28 after) on stage 1
    routine = Routine.objects.get(version=1)
    stage1 = routine.stages.get(number=1)
    stage2 = routine.stages.get(number=2)
    staff_nav = UserFactory(agency=nav)
    staff_school = UserFactory(agency=school)
    alphas = people["passed"] + people["not_passed"]
    due = date(2026, 1, 10)

    def meeting(p, stage, status, held_offset=None, due_date=due):
        start = None
        if held_offset is not None:
            start = timezone.make_aware(
                datetime.combine(due_date + timedelta(held_offset), datetime.min.time()).replace(
                    hour=10
                )
            )
        return Meeting.objects.create(
            participant=p,
            routine=routine,
            stage=stage,
            status=status,
            due_date=due_date,
            planned_start=start,
        )

    held = []
    # on time: 0, -42 (window start), +28 (window end), +5, -10
    for p, offset in zip(alphas[:5], [0, -42, 28, 5, -10], strict=True):
        held.append(meeting(p, stage1, Meeting.Status.HELD, offset))
    for p in alphas[5:7]:  # early: -43 days
        held.append(meeting(p, stage1, Meeting.Status.MINUTES_APPROVED, -43))
    for p in alphas[7:10]:  # late: +29 days
        held.append(meeting(p, stage1, Meeting.Status.HELD, 29))
    # open meetings at TODAY=2026-06-15: overdue (window closed), due (inside), not yet due
    for p in people["dropped_out"]:  # due 2026-05-01: window to 2026-05-29 → overdue
        meeting(p, stage2, Meeting.Status.PLANNED, due_date=date(2026, 5, 1))
    for p in people["in_school"][:6]:  # due 2026-07-01: window opened 2026-05-20 → due
        meeting(p, stage2, Meeting.Status.BOOKED, due_date=date(2026, 7, 1))
    for p in people["higher_education"]:  # due 2026-09-10: opens 2026-07-30 → not yet due
        meeting(p, stage2, Meeting.Status.INVITED, due_date=date(2026, 9, 10))
    # cancelled meetings never count
    meeting(people["unknown"][0], stage2, Meeting.Status.CANCELLED, due_date=date(2026, 5, 1))

    # attendance at held meetings: nav invited to all 10 (8 present, 1 absent, 1 excused);
    # school invited to 6 (3 present, 3 not recorded)
    for i, m in enumerate(held):
        MeetingInvitee.objects.create(
            meeting=m,
            staff=staff_nav,
            agency=nav,
            role="programme_adviser",
            attendance="present" if i < 8 else ("absent" if i == 8 else "excused"),
        )
        if i < 6:
            MeetingInvitee.objects.create(
                meeting=m,
                staff=staff_school,
                agency=school,
                role="teacher",
                attendance="present" if i < 3 else "",
            )
    return {
        "alpha": alpha,
        "beta": beta,
        "nav": nav,
        "school": school,
        "people": people,
        "routine": routine,
    }


@pytest.fixture(autouse=True)
def _fixed_cell_key_secret(settings):
    """The same record keys every run: the perturbed numbers are reproducible."""
    settings.KMV_CELL_KEY_SECRET = "tests-cell-key-secret"
