"""Dashboard numbers against the hand-built dataset in conftest.py."""

import pytest

from reports import selectors
from reports.selectors import Filters
from reports.suppression import MAX_NOISE
from tests.reports.conftest import TODAY

pytestmark = pytest.mark.django_db


def _table(section):
    cols = [c for c, _l in section.cols]
    return {
        row: dict(zip(cols, section.table.cells[i], strict=True))
        for i, (row, _label) in enumerate(section.rows)
    }


def _values(section):
    return {
        row: {c: cell.value for c, cell in cells.items()} for row, cells in _table(section).items()
    }


@pytest.fixture
def no_suppression(settings):
    settings.KMV_SUPPRESSION_THRESHOLD = 1


def test_cohort_outcomes_every_status(report_data, no_suppression):
    cohorts, work = selectors.cohort_outcomes(Filters())
    values = _values(cohorts)
    assert values["2022"] == {
        "passed": 6,
        "not_passed": 5,
        "dropped_out": 5,
        "in_school": 7,
        "higher_education": 5,
        "unknown": 5,
        "moved_away": 5,
    }
    assert cohorts.table.row_totals[0].value == 38  # started
    assert values["2023"] == {
        "passed": 2,
        "not_passed": 0,
        "dropped_out": 0,
        "in_school": 3,
        "higher_education": 0,
        "unknown": 0,
        "moved_away": 0,
    }
    # of which in work (work beside school counts; the moved one's old work does not)
    assert _values(work)["2022"] == {
        "passed": 2,
        "not_passed": 0,
        "dropped_out": 1,
        "in_school": 3,
        "higher_education": 0,
        "unknown": 0,
        "moved_away": 0,
    }
    shares = dict(cohorts.extras)
    moved, school_or_work = shares["Moved away (share)"], shares["In school and/or work (share)"]
    assert moved[0] == "13 %"  # 5 / 38
    assert school_or_work[0] == "39 %"  # (7 in school + 5 higher + 3 working) / 38


def test_cohort_filters(report_data, no_suppression):
    (cohorts, _w) = selectors.cohort_outcomes(Filters(municipality=report_data["beta"].pk))
    assert [r for r, _l in cohorts.rows] == ["2023"]
    (cohorts, _w) = selectors.cohort_outcomes(Filters(year_from=2023, year_to=2023))
    assert [r for r, _l in cohorts.rows] == ["2023"]


def test_cohort_suppression(report_data, settings):
    settings.KMV_SUPPRESSION_THRESHOLD = 5
    cohorts, work = selectors.cohort_outcomes(Filters())
    t = _table(cohorts)
    # 2023: passed 2 and in school 3 are small, the empty columns too: all hidden alike
    assert t["2023"]["passed"].display() == "x"
    assert t["2023"]["in_school"].display() == "x"
    assert t["2023"]["not_passed"].display() == "x"
    # 2022: every count is 5 or more: perturbed, never below 5, never far off
    true_2022 = [6, 5, 5, 7, 5, 5, 5]
    for cell, true in zip(t["2022"].values(), true_2022, strict=True):
        assert cell.perturbed and not cell.suppressed
        assert 5 <= cell.value <= true + MAX_NOISE
    # the total (the 5 of 2023) is a cell of its own: perturbed, not hidden
    started = cohorts.table.row_totals[1]
    assert started.perturbed and started.value >= 5
    # in work: 2022 passed 2, dropped out 1, not passed 0: hidden
    w = _table(work)
    assert w["2022"]["passed"].suppressed and w["2022"]["dropped_out"].suppressed
    assert w["2022"]["not_passed"].suppressed
    # the shares come from the shown figures; "x" where the figure is hidden
    moved = dict(cohorts.extras)["Moved away (share)"]
    assert moved[1] == "x"  # 2023: nobody moved (hidden)
    assert (
        moved[0]
        == f"{round(100 * t['2022']['moved_away'].value / cohorts.table.row_totals[0].value)} %"
    )


def test_participation(report_data, no_suppression):
    settled_sections = selectors.participation(Filters(year_from=2024, year_to=2026), today=TODAY)
    _settled, with_group, started = settled_sections
    a, b = str(report_data["alpha"].pk), str(report_data["beta"].pk)
    groups = _values(with_group)
    assert groups[a] == {"2024": 0, "2025": 38, "2026": 0}
    assert groups[b] == {"2024": 0, "2025": 0, "2026": 6}
    starts = _values(selectors.participation(Filters(year_from=2022, year_to=2023), today=TODAY)[2])
    assert starts[a] == {"2022": 38, "2023": 0}
    assert starts[b] == {"2022": 0, "2023": 5}


def test_settled_figures(report_data, no_suppression):
    from participants.models import SettledFigure

    SettledFigure.objects.create(municipality=report_data["alpha"], year=2025, count=3)
    settled = selectors.participation(Filters(year_from=2025, year_to=2025), today=TODAY)[0]
    # public statistics are never suppressed, even when small
    cell = _table(settled)[str(report_data["alpha"].pk)]["2025"]
    assert cell.value == 3 and not cell.suppressed


def test_compliance(report_data, no_suppression):
    compliance, upcoming = selectors.compliance(Filters(), today=TODAY)
    values = _values(compliance)
    assert values["1"] == {
        "on_time": 5,
        "early": 2,
        "late": 3,
        "overdue": 0,
        "due": 0,
        "not_yet_due": 0,
    }
    assert values["2"] == {
        "on_time": 0,
        "early": 0,
        "late": 0,
        "overdue": 5,
        "due": 6,
        "not_yet_due": 5,
    }
    # the not-yet-due window opens 2026-07-30: in the July column of the next three months
    assert _values(upcoming)["2"] == {"opens:2026-06": 0, "opens:2026-07": 5, "opens:2026-08": 0}


def test_attendance(report_data, no_suppression):
    (section,) = selectors.attendance(Filters())
    nav, school = str(report_data["nav"].pk), str(report_data["school"].pk)
    values = _values(section)
    assert values[nav] == {"present": 8, "absent": 1, "excused": 1, "none": 0}
    assert values[school] == {"present": 3, "absent": 0, "excused": 0, "none": 3}
    rates = dict(section.extras)["Attendance rate"]
    assert rates == ["80 %", "50 %"]
    (only_school,) = selectors.attendance(Filters(agency=report_data["school"].pk))
    assert [r for r, _l in only_school.rows] == [school]


@pytest.mark.parametrize(
    ("key", "row", "col", "group", "n"),
    [
        ("cohorts", "2022", "dropped_out", "dropped_out", 5),
        ("cohorts_work", "2022", "in_school", "in_school", 3),
        ("compliance", "2", "overdue", "dropped_out", 5),
        ("upcoming", "2", "opens:2026-07", "higher_education", 5),
    ],
)
def test_cell_participants(report_data, key, row, col, group, n):
    behind = selectors.cell_participants(key, row, col, Filters(), today=TODAY)
    ids = set(behind.values_list("pk", flat=True))
    assert len(ids) == n
    assert ids <= {p.pk for p in report_data["people"][group]}


def test_dashboard_query_count_is_constant(report_data, django_assert_num_queries, settings):
    from tests.factories import ParticipantFactory

    # municipalities, settled, groups by year, starts by cohort (4); cohorts and, protected,
    # every cohort year (2); routines, stages, held groups, open groups (4); attendance
    # counts, every agency invited, agency names (3); feedback per stage, every stage
    # answered for, network meetings per year (3)
    with django_assert_num_queries(16):
        selectors.dashboard(Filters(), today=TODAY)
    for _i in range(15):
        ParticipantFactory(municipality=report_data["alpha"], owner_agency=report_data["nav"])
    with django_assert_num_queries(16):
        selectors.dashboard(Filters(municipality=report_data["alpha"].pk), today=TODAY)


def test_feedback_hides_means_of_few_answers(db, settings):
    from datetime import date

    from network.models import FeedbackResponse

    settings.KMV_SUPPRESSION_THRESHOLD = 5
    for i in range(6):
        FeedbackResponse.objects.create(
            stage_number=1,
            period=date(2026, 3, 1),
            channel="link",
            heard=4,
            understood=5,
            useful=3 + i % 2,
        )
    for _i in range(2):
        FeedbackResponse.objects.create(
            stage_number=2,
            period=date(2026, 3, 1),
            channel="paper",
            heard=1,
            understood=1,
            useful=1,
        )
    section, _meetings = selectors.feedback(Filters(), today=TODAY)
    means = dict(section.extras)
    assert means["I was listened to"] == ["4.0", "x"]
    assert means["The meeting helped me"] == ["3.5", "x"]
    assert section.table.cells[1][0].display() == "x"  # 2 answers: hidden
    assert section.table.cells[0][0].perturbed  # 6 answers: perturbed, like every count
    assert section.table.total.perturbed
