"""Read-only aggregates for the dashboard. Each section is a constant number of queries
(GROUP BY in the database), whatever the number of participants or meetings.

Every section returns a `Section`: row and column keys and the counts as the viewer may see
them (`reports.suppression.protect`: exact, or small counts hidden and the others perturbed
by their cell keys). Each count is computed together with its cell key — the sum of the
record keys (`suppression.record_key`) of what it counts — in the same GROUP BY. The raw
counts never leave this module; drill-downs go through `cell_participants`, which returns
the participants behind one cell, to be intersected with `policy.participants_for(user)` by
the caller.

Timing rules (due windows, on time / late) stay in `resourcegroups.planning`: the database
groups meetings by (routine, stage, days between due date and meeting) or by due date, and
each group — a few hundred of them — is classified by `planning.timing` / `planning.stage_due`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import ExtractYear, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kmv.access.models import Agency, Municipality
from participants.models import OutcomeRecord, OutcomeStatus, Participant, SettledFigure
from resourcegroups import planning
from resourcegroups.models import Meeting, MeetingInvitee, Membership, Routine, RoutineStage

from . import cache as report_cache
from .suppression import (
    EXACT,
    SuppressedTable,
    cell_key,
    limit_for,
    protect,
    protect_cell,
    record_key,
    share,
    threshold,
)

S = OutcomeStatus


@dataclass(frozen=True)
class Filters:
    municipality: int | None = None
    agency: int | None = None
    pathway: str = ""
    year_from: int | None = None
    year_to: int | None = None

    def years(self, today: date) -> list[int]:
        last = self.year_to or today.year
        first = self.year_from or last - 4
        return list(range(first, last + 1)) if first <= last else []

    def as_query(self) -> dict:
        out = {
            "municipality": self.municipality,
            "agency": self.agency,
            "pathway": self.pathway,
            "year_from": self.year_from,
            "year_to": self.year_to,
        }
        return {k: v for k, v in out.items() if v not in (None, "")}


@dataclass
class Section:
    key: str
    title: str
    row_header: str
    rows: list[tuple[str, str]]  # (key, label)
    cols: list[tuple[str, str]]
    table: SuppressedTable
    # extra columns that are not counts (shares): col label, one display string per row
    extras: list[tuple[str, list[str]]] = field(default_factory=list)
    description: str = ""
    drillable: bool = True
    # True: the viewer may see everyone behind the table, the counts are not suppressed
    exact: bool = False
    # when the figures were computed (None: just now; set by `reports.cache`)
    as_of: datetime | None = None


# --- the participant base every section starts from ------------------------------------


def base_participants(filters: Filters) -> QuerySet[Participant]:
    qs = Participant.objects.all()
    if filters.municipality:
        qs = qs.filter(municipality_id=filters.municipality)
    if filters.pathway:
        qs = qs.filter(pathway=filters.pathway)
    if filters.agency:
        members = Membership.objects.filter(agency_id=filters.agency).values("group__participant")
        qs = qs.filter(Q(owner_agency_id=filters.agency) | Q(pk__in=members))
    return qs


def _latest(field_name: str, **extra):
    return Subquery(
        OutcomeRecord.objects.filter(participant=OuterRef("pk"), **extra)
        .order_by("-since", "-id")
        .values(field_name)[:1]
    )


def with_outcome(qs: QuerySet[Participant]) -> QuerySet[Participant]:
    """Current status and work (newest record) and cohort (newest record naming one)."""
    return qs.annotate(
        cur_status=_latest("status"),
        cur_work=_latest("in_work"),
        cohort=_latest("cohort_year", cohort_year__isnull=False),
    )


# --- participation per municipality × year ---------------------------------------------


def _municipalities(filters: Filters) -> list[tuple[str, str]]:
    qs = Municipality.objects.order_by("name")
    if filters.municipality:
        qs = qs.filter(pk=filters.municipality)
    return [(str(pk), name) for pk, name in qs.values_list("pk", "name")]


def _matrix(rows, cols, counts: dict[tuple[str, str], int]) -> list[list[int]]:
    return [[counts.get((r, c), 0) for c, _l in cols] for r, _l in rows]


def _padded(data: list[dict], field_name: str, every, zero: dict) -> list[dict]:
    """`data` (one dict per row key) with a zero row for each key of `every` it lacks. A
    protected table must not show which rows are empty under a filter: a row that is there
    says someone is counted in it, and four rows under a hidden total of at most 4 would
    each be 1. So its rows come from all the data (or the filter's own values), not from
    what the filters leave."""
    have = {r[field_name] for r in data}
    return data + [{**zero, field_name: k} for k in every if k not in have]


def _protected(rows, cols, found: dict[tuple[str, str], tuple], limit: int) -> SuppressedTable:
    """`protect` a table from {(row, col): (count, summed record keys)}."""
    counts = {rc: n for rc, (n, _k) in found.items()}
    keys = {rc: cell_key(k) for rc, (_n, k) in found.items()}
    return protect(_matrix(rows, cols, counts), _matrix(rows, cols, keys), limit)


def population(filters: Filters) -> QuerySet[Participant]:
    """Everyone any participant-based section may count under these filters (the agency
    filter narrows the participants of most sections, but attendance counts every
    participant's meetings): whether the viewer may see all of them decides suppression."""
    return base_participants(replace(filters, agency=None))


def viewer_limit(filters: Filters, viewer) -> int:
    """The suppression limit for `viewer` (None: an anonymous reader, always suppressed)."""
    return limit_for(viewer, population(filters))


def participation(filters: Filters, *, today: date, limit: int | None = None) -> list[Section]:
    """Three municipality × year tables. Queries: municipalities, settled figures, resource
    groups by year, upper-secondary starts by cohort year (4)."""
    limit = threshold() if limit is None else limit
    rows = _municipalities(filters)
    years = filters.years(today)
    cols = [(str(y), str(y)) for y in years]
    settled_qs = SettledFigure.objects.filter(year__in=years)
    if filters.municipality:
        settled_qs = settled_qs.filter(municipality_id=filters.municipality)
    settled = {
        (str(m), str(y)): n
        for m, y, n in settled_qs.values_list("municipality_id", "year", "count")
    }
    base = base_participants(filters)
    with_group = {
        (str(r["municipality_id"]), str(r["year"])): (r["n"], r["k"])
        for r in base.filter(resource_group__isnull=False)
        .annotate(year=ExtractYear("resource_group__created_at"))
        .filter(year__in=years)
        .values("municipality_id", "year")
        .annotate(n=Count("pk"), k=Sum(record_key("pk")))
        .order_by()
    }
    started = {
        (str(r["participant__municipality_id"]), str(r["cohort_year"])): (r["n"], r["k"])
        for r in OutcomeRecord.objects.filter(
            status=S.UPPER_SECONDARY_STARTED,
            cohort_year__in=years,
            participant__in=base.values("pk"),
        )
        .values("participant__municipality_id", "cohort_year")
        .annotate(
            n=Count("participant_id", distinct=True),
            # one key per participant (a participant with two start records counts once)
            k=Sum(record_key("participant_id"), distinct=True),
        )
        .order_by()
    }
    return [
        Section(
            "settled",
            str(_("People settled")),
            str(_("Municipality")),
            rows,
            cols,
            # public statistics, not about the participants: never protected
            protect(_matrix(rows, cols, settled), None),
            description=str(_("Entered or imported per municipality and year.")),
            drillable=False,
        ),
        Section(
            "with_group",
            str(_("Participants with a resource group")),
            str(_("Municipality")),
            rows,
            cols,
            _protected(rows, cols, with_group, limit),
            description=str(_("By the year the resource group was set up.")),
            exact=limit == EXACT,
        ),
        Section(
            "started_vgo",
            str(_("Started upper-secondary")),
            str(_("Municipality")),
            rows,
            cols,
            _protected(rows, cols, started, limit),
            description=str(_("By upper-secondary start year (cohort).")),
            exact=limit == EXACT,
        ),
    ]


# --- cohort outcomes --------------------------------------------------------------------

SCHOOL = (S.UPPER_SECONDARY_STARTED, S.IN_SCHOOL, S.ADULT_EDUCATION)
COHORT_CATEGORIES: list[tuple[str, tuple, object]] = [
    ("passed", (S.PASSED_TRADE_CERTIFICATE,), _("Passed trade certificate")),
    ("not_passed", (S.NOT_PASSED,), _("Did not pass")),
    ("dropped_out", (S.DROPPED_OUT,), _("Dropped out")),
    ("in_school", SCHOOL, _("Still in school/training")),
    ("higher_education", (S.HIGHER_EDUCATION,), _("In higher education")),
    ("unknown", (S.UNKNOWN,), _("Unknown")),
    ("moved_away", (S.MOVED_AWAY,), _("Moved away")),
]
IN_SCHOOL_OR_WORK = Q(cur_status__in=[*SCHOOL, S.HIGHER_EDUCATION]) | Q(cur_work=True)


def _category_q(statuses) -> Q:
    q = Q(cur_status__in=list(statuses))
    if S.UNKNOWN in statuses:
        q |= Q(cur_status__isnull=True)
    return q


def _cohort_base(filters: Filters):
    qs = with_outcome(base_participants(filters)).filter(cohort__isnull=False)
    if filters.year_from:
        qs = qs.filter(cohort__gte=filters.year_from)
    if filters.year_to:
        qs = qs.filter(cohort__lte=filters.year_to)
    return qs


def _cohort_names() -> list[str]:
    """The columns `_cohort_counts` returns per cohort (besides "cohort")."""
    names = []
    for key, _s, _l in COHORT_CATEGORIES:
        names += [key, f"{key}_key", f"{key}_work", f"{key}_work_key"]
    return [*names, "school_or_work", "school_or_work_key"]


def _cohort_counts(filters: Filters) -> list[dict]:
    """One row per cohort with every category count and its summed record keys (`<name>`,
    `<name>_key`). The per-participant current status is computed once per participant in
    an inner query (ORM: filters and the newest-record subqueries), and counted by an outer
    GROUP BY. (Aggregating the annotated queryset directly repeats the subqueries inside
    every FILTER clause: ~15× slower at scale.)"""
    inner_sql, inner_params = (
        _cohort_base(filters)
        .annotate(rk=record_key("pk"))
        .values("pk", "cur_status", "cur_work", "cohort", "rk")
        .order_by()
        .query
    ).sql_with_params()
    selects, params = [], []

    def case(statuses, work: bool = False, or_work: bool = False):
        marks = ", ".join(["%s"] * len(statuses))
        cond = f"t.cur_status IN ({marks})"
        if S.UNKNOWN in statuses:
            cond = f"({cond} OR t.cur_status IS NULL)"
        if work:
            cond += " AND t.cur_work"
        if or_work:
            cond = f"({cond} OR t.cur_work)"
        params.extend(str(v) for v in statuses)
        params.extend(str(v) for v in statuses)
        return (
            f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END), SUM(CASE WHEN {cond} THEN t.rk ELSE 0 END)"
        )

    names = []
    for key, statuses, _label in COHORT_CATEGORIES:
        selects.append(case(statuses))
        names += [key, f"{key}_key"]
        selects.append(case(statuses, work=True))
        names += [f"{key}_work", f"{key}_work_key"]
    selects.append(case([*SCHOOL, S.HIGHER_EDUCATION], or_work=True))
    names += ["school_or_work", "school_or_work_key"]
    # MATERIALIZED: PostgreSQL would otherwise inline the inner query and repeat its
    # subqueries in every CASE (measured: 25× slower at 10,000 participants)
    sql = (
        f"WITH t AS MATERIALIZED ({inner_sql}) "  # noqa: S608 — only %s placeholders inside
        f"SELECT t.cohort, {', '.join(selects)} FROM t GROUP BY t.cohort ORDER BY t.cohort"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*inner_params, *params])
        rows = cursor.fetchall()
    return [
        {"cohort": row[0], **{n: int(v or 0) for n, v in zip(names, row[1:], strict=True)}}
        for row in rows
    ]


def cohort_outcomes(filters: Filters, limit: int | None = None) -> list[Section]:
    """Per upper-secondary start year: current status (a partition of those who started),
    of which in work, and shares. One query."""
    data = _cohort_counts(filters)
    limit = threshold() if limit is None else limit
    if limit != EXACT:
        years = OutcomeRecord.objects.filter(cohort_year__isnull=False)
        if filters.year_from:
            years = years.filter(cohort_year__gte=filters.year_from)
        if filters.year_to:
            years = years.filter(cohort_year__lte=filters.year_to)
        every = years.values_list("cohort_year", flat=True).distinct().order_by()
        zero = dict.fromkeys(_cohort_names(), 0)
        data = sorted(_padded(data, "cohort", set(every), zero), key=lambda r: r["cohort"])
    rows = [(str(r["cohort"]), str(r["cohort"])) for r in data]
    cols = [(key, str(label)) for key, _s, label in COHORT_CATEGORIES]

    def table(suffix: str) -> SuppressedTable:
        counts = [[r[f"{k}{suffix}"] for k, _l in cols] for r in data]
        keys = [[cell_key(r[f"{k}{suffix}_key"]) for k, _l in cols] for r in data]
        return protect(counts, keys, limit)

    outcomes = table("")
    # of which in work: cells of their own (their own records, their own noise), so a
    # small remainder (not in work) cannot be read off beside the category
    in_work = table("_work")

    # shares from the shown figures only: they tell nothing the figures do not
    moved_col = len(cols) - 1
    moved_share, school_work_share = [], []
    for i, r in enumerate(data):
        started = outcomes.row_totals[i]
        moved_share.append(share(outcomes.cells[i][moved_col], started))
        school_or_work = protect_cell(r["school_or_work"], cell_key(r["school_or_work_key"]), limit)
        school_work_share.append(share(school_or_work, started))
    return [
        Section(
            "cohorts",
            str(_("Cohort outcomes")),
            str(_("Started upper-secondary in")),
            rows,
            cols,
            outcomes,
            extras=[
                (str(_("Moved away (share)")), moved_share),
                (str(_("In school and/or work (share)")), school_work_share),
            ],
            description=str(
                _(
                    "Each participant counts once, under the newest status reported. "
                    "The total is the number who started."
                )
            ),
            exact=limit == EXACT,
        ),
        Section(
            "cohorts_work",
            str(_("Of which in work")),
            str(_("Started upper-secondary in")),
            rows,
            cols,
            in_work,
            description=str(_("Participants in each status column above who are also in work.")),
            exact=limit == EXACT,
        ),
    ]


# --- routine compliance -----------------------------------------------------------------

COMPLIANCE_COLS = [
    ("on_time", _("Held on time")),
    ("early", _("Held early")),
    ("late", _("Held late")),
    ("overdue", _("Overdue")),
    ("due", _("Due now")),
    ("not_yet_due", _("Not yet due")),
]
_EPOCH = date(2000, 1, 1)


def _held_date():
    return TruncDate("planned_start", tzinfo=timezone.get_current_timezone())


def _meetings(filters: Filters) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(
        due_date__isnull=False,
        participant__in=base_participants(filters).values("pk"),
    )
    if filters.year_from:
        qs = qs.filter(due_date__gte=date(filters.year_from, 1, 1))
    if filters.year_to:
        qs = qs.filter(due_date__lte=date(filters.year_to, 12, 31))
    return qs


def _open_state(routine, due_date: date, today: date) -> planning.DueState:
    """`planning.stage_due` for a meeting whose due date is already known."""
    stage = SimpleNamespace(pathways="all", anchor="intro_start", offset_months=0, number=0)
    person = SimpleNamespace(intro_programme_start=due_date)
    return planning.stage_due(person, stage, routine, today=today).state


def _compliance_groups(filters: Filters, *, today: date):
    """(stage number, class) → list of Q matching the meetings in it; counts; stage names.
    Queries: routines, stages, held groups, open groups (4)."""
    routines = {r.pk: r for r in Routine.objects.all()}
    stages = {
        s.pk: s
        for s in RoutineStage.objects.filter(
            kind__in=[RoutineStage.Kind.MILESTONE, RoutineStage.Kind.HALF_YEARLY]
        )
    }
    meetings = _meetings(filters).filter(stage_id__in=list(stages))
    counts: dict[tuple[int, str], int] = defaultdict(int)
    keys: dict[tuple[int, str], int] = defaultdict(int)  # summed record keys, same cells
    matchers: dict[tuple[int, str], list[Q]] = defaultdict(list)
    held = (
        meetings.filter(status__in=Meeting.DONE_STATUSES, planned_start__isnull=False)
        .annotate(
            delta=ExpressionWrapper(_held_date() - F("due_date"), output_field=DurationField())
        )
        .values("routine_id", "stage_id", "delta")
        .annotate(n=Count("pk"), k=Sum(record_key("pk", "meeting")))
        .order_by()
    )
    for r in held:
        routine = routines[r["routine_id"]]
        cls = str(planning.timing(routine, _EPOCH, _EPOCH + r["delta"]))
        key = (stages[r["stage_id"]].number, cls)
        counts[key] += r["n"]
        keys[key] += int(r["k"] or 0)
        matchers[key].append(
            Q(
                status__in=Meeting.DONE_STATUSES,
                routine_id=r["routine_id"],
                stage_id=r["stage_id"],
                delta=r["delta"],
            )
        )
    upcoming: dict[tuple[int, str], int] = defaultdict(int)
    upcoming_keys: dict[tuple[int, str], int] = defaultdict(int)
    open_rows = (
        meetings.filter(status__in=Meeting.OPEN_STATUSES)
        .values("routine_id", "stage_id", "due_date")
        .annotate(n=Count("pk"), k=Sum(record_key("pk", "meeting")))
        .order_by()
    )
    months = _upcoming_months(today)
    for r in open_rows:
        routine = routines[r["routine_id"]]
        cls = str(_open_state(routine, r["due_date"], today))
        number = stages[r["stage_id"]].number
        counts[(number, cls)] += r["n"]
        keys[(number, cls)] += int(r["k"] or 0)
        matchers[(number, cls)].append(
            Q(
                status__in=Meeting.OPEN_STATUSES,
                routine_id=r["routine_id"],
                stage_id=r["stage_id"],
                due_date=r["due_date"],
            )
        )
        opens = planning.window(routine, r["due_date"])[0]
        month = f"{opens:%Y-%m}"
        if cls == "not_yet_due" and month in dict(months):
            upcoming[(number, month)] += r["n"]
            upcoming_keys[(number, month)] += int(r["k"] or 0)
            matchers[(number, f"opens:{month}")].append(
                Q(
                    status__in=Meeting.OPEN_STATUSES,
                    routine_id=r["routine_id"],
                    stage_id=r["stage_id"],
                    due_date=r["due_date"],
                )
            )
    names: dict[int, str] = {}
    # the newest routine version names the stage
    for s in sorted(stages.values(), key=lambda s: (routines[s.routine_id].version, s.pk)):
        names[s.number] = str(s)
    return counts, matchers, names, upcoming, keys, upcoming_keys


def _upcoming_months(today: date) -> list[tuple[str, str]]:
    out = []
    d = today.replace(day=1)
    for i in range(3):
        m = planning.add_months(d, i)
        out.append((f"{m:%Y-%m}", f"{m:%m.%Y}"))
    return out


def compliance(filters: Filters, *, today: date, limit: int | None = None) -> list[Section]:
    counts, _m, names, upcoming, keys, upcoming_keys = _compliance_groups(filters, today=today)
    limit = threshold() if limit is None else limit
    numbers = sorted({n for n, _c in counts} | set(names))
    if limit == EXACT:  # protected: every stage (from the routines, not from the data)
        numbers = [n for n in numbers if any(counts.get((n, c), 0) for c, _l in COMPLIANCE_COLS)]
    rows = [(str(n), names.get(n, str(n))) for n in numbers]
    cols = [(c, str(label)) for c, label in COMPLIANCE_COLS]
    months = _upcoming_months(today)
    return [
        Section(
            "compliance",
            str(_("Routine compliance")),
            str(_("Stage")),
            rows,
            cols,
            protect(
                [[counts.get((n, c), 0) for c, _l in cols] for n in numbers],
                [[cell_key(keys.get((n, c))) for c, _l in cols] for n in numbers],
                limit,
            ),
            description=str(
                _(
                    "Meetings with a due date, by stage: held inside the due window, before "
                    "it, after it; open meetings whose window has closed, is open, or has "
                    "not yet opened."
                )
            ),
            exact=limit == EXACT,
        ),
        Section(
            "upcoming",
            str(_("Upcoming due windows")),
            str(_("Stage")),
            rows,
            [(f"opens:{k}", label) for k, label in months],
            protect(
                [[upcoming.get((n, k), 0) for k, _l in months] for n in numbers],
                [[cell_key(upcoming_keys.get((n, k))) for k, _l in months] for n in numbers],
                limit,
            ),
            description=str(_("Open meetings whose due window opens in the month.")),
            exact=limit == EXACT,
        ),
    ]


# --- attendance per agency --------------------------------------------------------------

ATTENDANCE_COLS = [
    ("present", _("Present")),
    ("absent", _("Absent")),
    ("excused", _("Excused")),
    ("", _("Not recorded")),
]


def _invitations(filters: Filters) -> QuerySet[MeetingInvitee]:
    # the agency filter picks the invited agency here, not the participants
    qs = MeetingInvitee.objects.filter(
        meeting__in=_meetings_any_due(replace(filters, agency=None))
        .filter(status__in=Meeting.DONE_STATUSES)
        .values("pk")
    )
    if filters.agency:
        qs = qs.filter(agency_id=filters.agency)
    return qs


def _meetings_any_due(filters: Filters) -> QuerySet[Meeting]:
    qs = Meeting.objects.filter(participant__in=base_participants(filters).values("pk"))
    if filters.year_from:
        qs = qs.filter(planned_start__date__gte=date(filters.year_from, 1, 1))
    if filters.year_to:
        qs = qs.filter(planned_start__date__lte=date(filters.year_to, 12, 31))
    return qs


def attendance(filters: Filters, limit: int | None = None) -> list[Section]:
    """Per agency: attendance at held meetings it was invited to. Queries: counts, agency
    names (2)."""
    limit = threshold() if limit is None else limit
    data = list(
        _invitations(filters)
        .values("agency_id")
        .annotate(
            **{
                f"c_{c or 'none'}": Count("pk", filter=Q(attendance=c)) for c, _l in ATTENDANCE_COLS
            },
            **{
                f"k_{c or 'none'}": Sum(record_key("pk", "invitation"), filter=Q(attendance=c))
                for c, _l in ATTENDANCE_COLS
            },
        )
        .order_by()
    )
    if limit != EXACT:  # every agency ever invited (or the one filtered on), empty or not
        invited = MeetingInvitee.objects.order_by().values_list("agency_id", flat=True)
        every = {filters.agency} if filters.agency else set(invited.distinct())
        zero = {f"{p}_{c or 'none'}": 0 for p in ("c", "k") for c, _l in ATTENDANCE_COLS}
        data = _padded(data, "agency_id", every, zero)
    names = dict(
        Agency.objects.filter(pk__in=[r["agency_id"] for r in data]).values_list("pk", "name")
    )
    data.sort(key=lambda r: (names.get(r["agency_id"], ""), r["agency_id"]))
    rows = [(str(r["agency_id"]), names.get(r["agency_id"], "")) for r in data]
    cols = [(c or "none", str(label)) for c, label in ATTENDANCE_COLS]
    table = protect(
        [[r[f"c_{c}"] for c, _l in cols] for r in data],
        [[cell_key(r[f"k_{c}"]) for c, _l in cols] for r in data],
        limit,
    )
    rates = [share(table.cells[i][0], table.row_totals[i]) for i in range(len(data))]
    return [
        Section(
            "attendance",
            str(_("Attendance per agency")),
            str(_("Agency")),
            rows,
            cols,
            table,
            extras=[(str(_("Attendance rate")), rates)],
            description=str(
                _("Invitations to held meetings; the total is the number of invitations.")
            ),
            exact=limit == EXACT,
        )
    ]


# --- participant feedback and network activity (no individuals behind them) -------------


def feedback(filters: Filters, *, today: date) -> list[Section]:
    """Anonymous participant feedback per stage: responses and mean scores (1–5). Means of
    fewer than `threshold` responses are hidden. Network meetings per year and status.
    Queries: feedback per stage, network meetings per year (2). Filters: the period only
    (feedback knows no municipality, agency or pathway)."""
    from django.db.models import Avg

    from network.models import FeedbackResponse, NetworkMeeting

    years = filters.years(today)
    limit = threshold()
    data = list(
        FeedbackResponse.objects.filter(period__year__in=years)
        .values("stage_number")
        .annotate(
            n=Count("pk"),
            k=Sum(record_key("pk", "feedback")),
            heard=Avg("heard"),
            understood=Avg("understood"),
            useful=Avg("useful"),
        )
        .order_by("stage_number")
    )
    # every stage anyone ever answered for, whatever the period (see `_padded`)
    every = set(
        FeedbackResponse.objects.order_by().values_list("stage_number", flat=True).distinct()
    )
    zero = {"n": 0, "k": 0, "heard": None, "understood": None, "useful": None}
    data = sorted(_padded(data, "stage_number", every, zero), key=lambda r: r["stage_number"])
    table = protect([[r["n"]] for r in data], [[cell_key(r["k"])] for r in data], limit)
    extras = []
    for field_name, label in (
        ("heard", _("I was listened to")),
        ("understood", _("I understood the plan")),
        ("useful", _("The meeting helped me")),
    ):
        values = [
            # a mean reveals nothing about the count, only about the few who answered
            "x" if r["n"] < limit else f"{r[field_name]:.1f}"
            for i, r in enumerate(data)
        ]
        extras.append((str(label), values))
    statuses = NetworkMeeting.Status
    meetings = {
        (str(r["year"]), r["status"]): r["n"]
        for r in NetworkMeeting.objects.annotate(year=ExtractYear("start"))
        .filter(year__in=years)
        .values("year", "status")
        .annotate(n=Count("pk"))
        .order_by()
    }
    rows = [(str(y), str(y)) for y in years]
    cols = [(str(v), str(label)) for v, label in statuses.choices]
    return [
        Section(
            "feedback",
            str(_("Participant feedback")),
            str(_("Stage")),
            [(str(r["stage_number"]), str(r["stage_number"])) for r in data],
            [("responses", str(_("Responses")))],
            table,
            extras=extras,
            description=str(_("Anonymous answers after meetings; mean score from 1 to 5.")),
            drillable=False,
        ),
        Section(
            "network_meetings",
            str(_("Network meetings")),
            str(_("Year")),
            rows,
            cols,
            protect(_matrix(rows, cols, meetings), None),  # about meetings, not people
            drillable=False,
        ),
    ]


# --- the whole dashboard and its drill-downs ---------------------------------------------


def _group(name: str, filters: Filters, *, today: date, limit: int | None) -> list[Section]:
    """One group of sections (computed together), through the short-lived cache."""
    if name == "feedback":
        limit = None  # anonymous feedback: always suppressed, whoever looks
    elif limit is None:
        limit = threshold()

    def compute() -> list[Section]:
        if name == "participation":
            return participation(filters, today=today, limit=limit)
        if name == "cohorts":
            return cohort_outcomes(filters, limit)
        if name == "compliance":
            return compliance(filters, today=today, limit=limit)
        if name == "attendance":
            return attendance(filters, limit)
        return feedback(filters, today=today)

    return report_cache.sections(name, filters, today=today, limit=limit, compute=compute)


GROUPS = ("participation", "cohorts", "compliance", "attendance", "feedback")


def dashboard(filters: Filters, *, today: date | None = None, viewer=None) -> list[Section]:
    """Every section, suppressed for `viewer` (None: always suppressed). One query more
    than the sections for the viewer's limit; none more when the sections are cached."""
    today = today or timezone.localdate()
    limit = viewer_limit(filters, viewer)
    return [
        section for name in GROUPS for section in _group(name, filters, today=today, limit=limit)
    ]


def as_of(sections: list[Section]) -> datetime | None:
    """When the oldest of these figures was computed (None: all computed just now)."""
    times = [s.as_of for s in sections if s.as_of is not None]
    return min(times) if times else None


SECTION_KEYS = (
    "with_group",
    "started_vgo",
    "cohorts",
    "cohorts_work",
    "compliance",
    "upcoming",
    "attendance",
    "feedback",
    "network_meetings",
)


def section(
    key: str, filters: Filters, *, today: date | None = None, viewer=None
) -> Section | None:
    """One section, suppressed for `viewer` exactly as in `dashboard`."""
    today = today or timezone.localdate()
    if key not in ("settled", *SECTION_KEYS):
        return None
    limit = viewer_limit(filters, viewer) if key not in ("feedback", "network_meetings") else None
    if key in ("settled", "with_group", "started_vgo"):
        name = "participation"
    elif key in ("cohorts", "cohorts_work"):
        name = "cohorts"
    elif key in ("compliance", "upcoming"):
        name = "compliance"
    elif key == "attendance":
        name = "attendance"
    else:
        name = "feedback"
    sections = _group(name, filters, today=today, limit=limit)
    return next((s for s in sections if s.key == key), None)


def cell_participants(
    key: str, row: str, col: str, filters: Filters, *, today: date | None = None
) -> QuerySet[Participant]:
    """The participants behind one cell (row "" / col "": the row or column total), over
    ALL participants. The caller intersects with `policy.participants_for(user)`."""
    today = today or timezone.localdate()
    none = Participant.objects.none()
    base = base_participants(filters)
    if key == "with_group":
        qs = base.filter(resource_group__isnull=False).annotate(
            year=ExtractYear("resource_group__created_at")
        )
        qs = qs.filter(year__in=[int(col)] if col else filters.years(today))
        return qs.filter(municipality_id=int(row)) if row else qs
    if key == "started_vgo":
        years = [int(col)] if col else filters.years(today)
        ids = OutcomeRecord.objects.filter(
            status=S.UPPER_SECONDARY_STARTED, cohort_year__in=years
        ).values("participant_id")
        qs = base.filter(pk__in=ids)
        return qs.filter(municipality_id=int(row)) if row else qs
    if key in ("cohorts", "cohorts_work"):
        qs = _cohort_base(filters)
        if row:
            qs = qs.filter(cohort=int(row))
        if col:
            statuses = {k: s for k, s, _l in COHORT_CATEGORIES}.get(col)
            if statuses is None:
                return none
            qs = qs.filter(_category_q(statuses))
        if key == "cohorts_work":
            qs = qs.filter(cur_work=True)
        return Participant.objects.filter(pk__in=qs.values("pk"))
    if key in ("compliance", "upcoming"):
        matchers = _compliance_groups(filters, today=today)[1]
        cls_keys = [c for c, _l in COMPLIANCE_COLS] if key == "compliance" else None
        q = Q(pk__in=[])
        for (number, cls), qs_list in matchers.items():
            if row and str(number) != row:
                continue
            if key == "compliance" and (cls not in cls_keys or (col and cls != col)):
                continue
            if key == "upcoming" and (not cls.startswith("opens:") or (col and cls != col)):
                continue
            for m in qs_list:
                q |= m
        meetings = _meetings(filters).annotate(
            delta=ExpressionWrapper(_held_date() - F("due_date"), output_field=DurationField())
        )
        return Participant.objects.filter(pk__in=meetings.filter(q).values("participant_id"))
    if key == "attendance":
        qs = _invitations(filters)
        if row:
            qs = qs.filter(agency_id=int(row))
        if col:
            qs = qs.filter(attendance="" if col == "none" else col)
        return Participant.objects.filter(pk__in=qs.values("meeting__participant_id"))
    return none
