"""Suppression that survives differencing.

A coordinator may see no individual, but may ask the dashboard for every filter the form
offers. The attack: fetch every table under no filter, every single filter value and every
pair of filters, then combine them as an attacker would — unfiltered − filtered,
filtered A − filtered B (the year splits), complements (pathway, municipality, agency),
"of which in work" inside its status, and each table's own row and column totals — and
propagate what is known about every cell (bounds from what is shown, sums from the
relations) until nothing changes. A hidden count of 1 or more is *recovered* when its
bounds meet: the attacker knows its true value. So is the exact size (1–4) of a rest
(unfiltered − filtered) that no table shows. The goal is 0 of both.

What the attacker knows about a shown cell: a number is exact, unless the table says it is
perturbed (`noise_bound` in the API): then the true count lies within `noise_bound` of it
and is at least the threshold. "<5" is 1–4 (the mark the per-table suppression used);
"x" is anything, or, in a perturbed table, a count under the threshold (0 included). The
relations are checked against the true counts before use, and every bound the attacker
derives is checked to hold the truth, so the attacker only ever uses facts that hold.

Which rows a table has is shown too. In a table of exact numbers a cohort nobody started
in, a stage without meetings, an agency without invitations has no row: a row's total is
at least 1 and an absent row's cells are 0, and the attacker uses both. A protected table
lists every cohort, stage and agency there is, empty or not.

Before the cell-key method (per-table primary and secondary suppression) this attack
recovered 5,479 hidden cells of this region (77 of them in the unfiltered tables), and
the "of which in work" table showed "<5" for true zeros.
"""

from __future__ import annotations

import csv
import io
import itertools
import random
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kmv.access import policy
from kmv.access.models import Agency, Municipality
from participants.models import OutcomeStatus, Participant
from reports import selectors
from resourcegroups.models import Meeting, MeetingInvitee, ResourceGroup, Routine
from tests.factories import MunicipalityFactory, ParticipantFactory, UserFactory
from tests.reports.conftest import add_outcome

pytestmark = pytest.mark.django_db

S = OutcomeStatus
YEARS = list(range(2022, 2027))
SECTIONS = (
    "with_group",
    "started_vgo",
    "cohorts",
    "cohorts_work",
    "compliance",
    "upcoming",
    "attendance",
    "feedback",
)
INF = 10**9
FINAL = [
    S.PASSED_TRADE_CERTIFICATE,
    S.NOT_PASSED,
    S.DROPPED_OUT,
    S.IN_SCHOOL,
    S.HIGHER_EDUCATION,
    S.UNKNOWN,
    S.MOVED_AWAY,
]


# --- the region --------------------------------------------------------------------------


@pytest.fixture
def region(personas, agencies):
    """60 participants of alice's office (so she may see all of them: her tables are the
    truth) in three municipalities, both pathways, groups set up 2022–2026, cohorts
    2022–2025 in every status, meetings held on time, early, late and still open, with
    attendance of four agencies, and anonymous feedback. Seeded: the same region each run."""
    from network.models import FeedbackResponse

    rnd = random.Random(12)
    alice = personas["nav_adviser"]
    nav = agencies["nav"]
    munis = [MunicipalityFactory(number=f"49{i}0", name=f"Region{i}") for i in range(3)]
    routine = Routine.objects.get(version=1)
    stages = list(routine.stages.filter(number__in=[1, 2, 3]).order_by("number"))
    invited = [agencies[k] for k in ("nav", "adult_ed", "career", "school")]
    staff = {a.pk: UserFactory(agency=a) for a in invited}
    people = []
    for i in range(60):
        p = ParticipantFactory(
            municipality=rnd.choice(munis),
            owner_agency=nav,
            created_by=alice,
            pathway=rnd.choice(list(Participant.Pathway.values)),
            last_name=f"Regionqx{i}",
        )
        policy.sync_participant_access(p)
        people.append(p)
        if rnd.random() < 0.8:
            group = ResourceGroup.objects.create(participant=p)
            ResourceGroup.objects.filter(pk=group.pk).update(
                created_at=timezone.make_aware(datetime(rnd.choice(YEARS), 3, 1, 12))
            )
        if rnd.random() < 0.75:
            cohort = rnd.choice(YEARS[:-1])
            add_outcome(p, S.UPPER_SECONDARY_STARTED, date(cohort, 8, 15), nav, cohort=cohort)
            status = rnd.choice(FINAL)
            if status != S.IN_SCHOOL or rnd.random() < 0.5:
                work = rnd.random() < 0.3
                add_outcome(p, status, date(cohort + 1, 6, 20), nav, work=work)
        for stage in rnd.sample(stages, rnd.choice([0, 1, 1, 2])):
            due = date(rnd.choice(YEARS), rnd.randint(1, 12), rnd.randint(1, 28))
            if due < date(2026, 11, 1) and rnd.random() < 0.7:
                offset = rnd.choice([-50, -43, -20, 0, 10, 28, 29, 40])
                start = timezone.make_aware(
                    datetime.combine(due + timedelta(offset), datetime.min.time()).replace(hour=10)
                )
                m = Meeting.objects.create(
                    participant=p,
                    routine=routine,
                    stage=stage,
                    status=Meeting.Status.HELD,
                    due_date=due,
                    planned_start=start,
                )
                for agency in rnd.sample(invited, rnd.randint(1, 3)):
                    MeetingInvitee.objects.create(
                        meeting=m,
                        staff=staff[agency.pk],
                        agency=agency,
                        role="programme_adviser",
                        attendance=rnd.choice(["present", "present", "absent", "excused", ""]),
                    )
            else:
                Meeting.objects.create(
                    participant=p,
                    routine=routine,
                    stage=stage,
                    status=rnd.choice([Meeting.Status.PLANNED, Meeting.Status.INVITED]),
                    due_date=due,
                )
    for year in YEARS:
        for stage in (1, 2, 3):
            for _i in range(rnd.choice([0, 2, 3, 6, 9])):
                FeedbackResponse.objects.create(
                    stage_number=stage,
                    period=date(year, rnd.randint(1, 12), 1),
                    channel="paper",
                    heard=rnd.randint(1, 5),
                    understood=rnd.randint(1, 5),
                    useful=rnd.randint(1, 5),
                )
    return {"munis": munis, "people": people}


# --- every filter the dashboard offers ------------------------------------------------


def _filter_values():
    return {
        "municipality": list(Municipality.objects.values_list("pk", flat=True)),
        "agency": list(Agency.objects.values_list("pk", flat=True)),
        "pathway": list(Participant.Pathway.values),
        "year_from": YEARS,
        "year_to": YEARS,
    }


def _filter_sets(values) -> list[frozenset]:
    """No filter, every single filter value, every pair of filters (a year range must not
    end before it begins: the form refuses it)."""
    sets = [frozenset()]
    for dim, vals in values.items():
        sets += [frozenset({(dim, v)}) for v in vals]
    for d1, d2 in itertools.combinations(values, 2):
        for v1, v2 in itertools.product(values[d1], values[d2]):
            if d1 == "year_from" and d2 == "year_to" and v1 > v2:
                continue
            sets.append(frozenset({(d1, v1), (d2, v2)}))
    return sets


def _fetch(api, f: frozenset) -> dict:
    """section key → API JSON, under the filters `f`."""
    response = api.get("/api/reports/", dict(f))
    assert response.status_code == 200, response.content
    return {s["key"]: s for s in response.json() if s["key"] in SECTIONS}


def _cells(section: dict) -> dict:
    """(row key, column key) → cell JSON; "" is the total (row "", col "": grand total)."""
    cols = [c["key"] for c in section["columns"]]
    out = {}
    for row in section["rows"]:
        for c, cell in zip(cols, row["cells"], strict=True):
            out[(row["key"], c)] = cell
        out[(row["key"], "")] = row["total"]
    for c, cell in zip(cols, section["column_totals"], strict=False):  # none without rows
        out[("", c)] = cell
    out[("", "")] = section["total"]
    return out


def _feedback_truth(f: frozenset) -> dict:
    """Anonymous feedback is suppressed for everyone: its true counts come from the rows."""
    from network.models import FeedbackResponse

    years = selectors.Filters(**dict(f)).years(timezone.localdate())
    counts = dict(
        FeedbackResponse.objects.filter(period__year__in=years)
        .values_list("stage_number")
        .annotate(n=Count("pk"))
        .order_by()
    )
    out = {(str(stage), "responses"): n for stage, n in counts.items()}
    out.update({(str(stage), ""): n for stage, n in counts.items()})
    out[("", "responses")] = out[("", "")] = sum(counts.values())
    return out


def _interval(cell: dict, bound: int, limit: int) -> tuple[int, int]:
    """What a shown cell tells the attacker about the true count."""
    display = cell["display"]
    if cell["value"] is not None and not cell["suppressed"]:
        v = cell["value"]
        if bound == 0:
            return v, v
        return max(limit, v - bound), v + bound
    if display.startswith("<"):  # today's mark for a count from 1 to limit − 1
        return 1, int(display[1:]) - 1
    return (0, limit - 1) if bound else (0, INF)  # "x": hidden (below the limit if perturbed)


def _hidden(cell: dict, bound: int) -> bool:
    """Not shown as the exact number: suppressed, or perturbed."""
    return cell["suppressed"] or bound > 0


# --- the attacker ------------------------------------------------------------------------


class Attack:
    """Interval propagation over sum relations: whole = part + part + …"""

    def __init__(self):
        self.lo: dict = {}
        self.hi: dict = {}
        self.truth: dict = {}
        self.relations: list[tuple] = []
        self.zero = ("zero",)
        self.set(self.zero, 0, 0, 0)

    def set(self, var, lo, hi, truth):
        assert lo <= truth <= hi, (var, lo, hi, truth)  # the attacker's model must hold
        self.lo[var], self.hi[var], self.truth[var] = lo, hi, truth

    def relate(self, whole, parts) -> bool:
        """Add `whole = Σ parts` if the true counts satisfy it."""
        if self.truth[whole] != sum(self.truth[p] for p in parts):
            return False
        self.relations.append((whole, tuple(parts)))
        return True

    def run(self) -> None:
        by_var = defaultdict(list)
        for i, (w, ps) in enumerate(self.relations):
            for v in (w, *ps):
                by_var[v].append(i)
        queue, queued = list(range(len(self.relations))), set(range(len(self.relations)))
        lo, hi = self.lo, self.hi
        while queue:
            i = queue.pop()
            queued.discard(i)
            w, ps = self.relations[i]
            slo = sum(lo[p] for p in ps)
            n_inf = sum(1 for p in ps if hi[p] >= INF)
            shi = sum(hi[p] for p in ps if hi[p] < INF)
            updates = {w: (max(lo[w], slo), hi[w] if n_inf else min(hi[w], shi))}
            for p in ps:
                others_inf = n_inf - (hi[p] >= INF)
                others_hi = INF * 4 if others_inf else shi - (hi[p] if hi[p] < INF else 0)
                others_lo = slo - lo[p]
                new_lo = max(lo[p], lo[w] - others_hi)
                new_hi = hi[p] if hi[w] >= INF else min(hi[p], hi[w] - others_lo)
                old = updates.get(p, (lo[p], hi[p]))
                updates[p] = (max(old[0], new_lo), min(old[1], new_hi))
            for v, (new_lo, new_hi) in updates.items():
                if (new_lo, new_hi) != (lo[v], hi[v]):
                    assert new_lo <= self.truth[v] <= new_hi, (v, new_lo, new_hi, self.truth[v])
                    lo[v], hi[v] = new_lo, new_hi
                    for j in by_var[v]:
                        if j not in queued:
                            queued.add(j)
                            queue.append(j)

    def pinned(self, var) -> bool:
        return self.lo[var] == self.hi[var]


def _attack(region, personas):
    """Every table as the coordinator sees it and as alice (who may see everyone) sees it;
    every relation between them; → (recovered hidden cells, recovered small complements,
    number of tables, number of relations used)."""
    from reports.suppression import threshold

    limit = threshold()
    coordinator, truth_api = APIClient(), APIClient()
    coordinator.force_authenticate(personas["coordinator"])
    truth_api.force_authenticate(personas["nav_adviser"])
    values = _filter_values()
    sets = _filter_sets(values)
    attack = Attack()
    hidden = set()
    bounds = {}
    for f in sets:
        shown, true = _fetch(coordinator, f), _fetch(truth_api, f)
        for key in SECTIONS:
            if key != "feedback":
                assert true[key]["exact"] is True, (key, f)  # alice: exact numbers
            # (the coordinator is "exact" only where nobody is behind a table: all zeros)
            bound = bounds[(key, f)] = shown[key].get("noise_bound", 0)
            exact = (
                _feedback_truth(f)
                if key == "feedback"
                else {rc: c["value"] for rc, c in _cells(true[key]).items()}
            )
            cells = _cells(shown[key])
            # a protected table lists every row (a cohort, an agency, …), empty or not
            assert set(exact) <= set(cells), (key, f)
            truth = {rc: exact.get(rc, 0) for rc in cells}
            for rc, cell in cells.items():
                var = (key, f, *rc)
                attack.set(var, *_interval(cell, bound, limit), truth[rc])
                if _hidden(cell, bound) and truth[rc]:
                    hidden.add(var)

    tables = {}
    for v in list(attack.truth):
        if len(v) == 4:
            tables.setdefault((v[0], v[1]), {})[(v[2], v[3])] = v

    def cell(key, f, rc):
        t = tables.get((key, f))
        if t is None:
            return None
        return t.get(rc, attack.zero)  # a row or column absent under a filter is empty

    used = 0
    # in a table of exact numbers a row is there only when someone is counted in it (a
    # cohort, a stage, an agency, a stage of feedback): its total is at least 1. (A
    # protected table lists every row, empty or not: its rows say nothing.)
    for (key, f), t in tables.items():
        if key in ("cohorts", "compliance", "attendance", "feedback") and not bounds[(key, f)]:
            for (r, c), var in t.items():
                if r and not c:
                    attack.set(var, max(attack.lo[var], 1), attack.hi[var], attack.truth[var])
    # each table's own lines: a row (a column) adds up to its total
    for (key, f), t in tables.items():
        rows = {r for r, _c in t if r}
        cols = {c for _r, c in t if c}
        for r in rows | {""}:
            used += attack.relate(t[(r, "")], [t[(r, c)] for c in cols])
        for c in cols | {""}:
            used += attack.relate(t[("", c)], [t[(r, c)] for r in rows])

    def split(key, whole_f, part_fs, *, complement=False):
        """whole = Σ parts at every position, if that holds for the true counts of the whole
        table (the attacker knows which filters partition which tables); `complement`: the
        parts leave an unknown rest (whole − one filtered table), a variable of its own."""
        nonlocal used
        whole = tables.get((key, whole_f))
        if whole is None or any((key, g) not in tables for g in part_fs):
            return
        positions = set(whole)
        for g in part_fs:
            positions |= set(tables[(key, g)])
        plans = []
        for rc in positions:
            w = cell(key, whole_f, rc)
            parts = [cell(key, g, rc) for g in part_fs]
            rest = attack.truth[w] - sum(attack.truth[p] for p in parts)
            if complement:
                if rest < 0:
                    return
            elif rest != 0:
                return
            plans.append((rc, w, parts, rest))
        for rc, w, parts, rest in plans:
            if complement:
                var = ("rest", key, whole_f, tuple(part_fs), *rc)
                attack.set(var, 0, INF, rest)
                parts = [*parts, var]
            used += attack.relate(w, parts)

    partitions = ("municipality", "agency", "pathway")
    bases = [frozenset()] + [
        frozenset({(d, v)}) for d in partitions for v in values[d]
    ]  # no filter, or one filter of another kind
    for key in SECTIONS:
        for base in bases:
            base_dims = {d for d, _v in base}
            for dim in partitions:
                if dim in base_dims:
                    continue
                parts = [base | {(dim, v)} for v in values[dim]]
                split(key, base, parts)  # complements: every value of a kind
                for g in parts:
                    split(key, base, [g], complement=True)  # unfiltered − filtered
            # filtered A − filtered B: the years before a year, from a year, in a range
            for a in YEARS[1:]:
                split(key, base, [base | {("year_to", a - 1)}, base | {("year_from", a)}])
                if not base:
                    for b in YEARS:
                        if b >= a:
                            split(
                                key,
                                frozenset({("year_to", b)}),
                                [
                                    frozenset({("year_to", a - 1)}),
                                    frozenset({("year_from", a), ("year_to", b)}),
                                ],
                            )
        for a, b in itertools.combinations_with_replacement(YEARS, 2):
            rng = frozenset({("year_from", a), ("year_to", b)})
            if b < YEARS[-1]:
                split(key, frozenset({("year_from", a)}), [rng, frozenset({("year_from", b + 1)})])
            for m in range(a, b):
                split(
                    key,
                    rng,
                    [
                        frozenset({("year_from", a), ("year_to", m)}),
                        frozenset({("year_from", m + 1), ("year_to", b)}),
                    ],
                )
    # "of which in work" is part of its status cell
    for (key, f), t in list(tables.items()):
        if key != "cohorts_work":
            continue
        for rc, var in t.items():
            whole = cell("cohorts", f, rc)
            rest = ("work-rest", f, *rc)
            attack.set(rest, 0, INF, attack.truth[whole] - attack.truth[var])
            used += attack.relate(whole, [var, rest])

    attack.run()
    recovered = sorted(
        (v for v in hidden if attack.pinned(v)), key=lambda v: (v[0], sorted(v[1]), v[2:])
    )
    small_rests = [
        v
        for v in attack.truth
        if v[0] in ("rest", "work-rest") and 0 < attack.truth[v] < limit and attack.pinned(v)
    ]
    return recovered, small_rests, len(tables), used


def test_differencing_recovers_no_hidden_count(region, personas):
    """The coordinator combines every table the dashboard offers (no filter, each filter
    value, each pair of filters): no hidden count can be worked out exactly."""
    recovered, small_rests, n_tables, n_relations = _attack(region, personas)
    print(
        f"\ndifferencing attack: {n_tables} tables, {n_relations} relations, "
        f"{len(recovered)} hidden cells recovered, {len(small_rests)} small rests recovered"
    )
    assert n_tables > 1000 and n_relations > 1000  # the attack did run on everything
    assert recovered == [], f"{len(recovered)} hidden cells recovered, e.g. {recovered[:5]}"
    assert small_rests == [], f"{len(small_rests)} small rests recovered: {small_rests[:5]}"


# --- every channel shows the same table ------------------------------------------------


def _html_cells(html: str, key: str, section: dict) -> dict:
    """(row, col) → the text of that cell in the HTML table of section `key` (the page and
    the PDF mark each section with `data-section`)."""
    import html as html_lib
    import re

    match = re.search(rf'<section[^>]*data-section="{key}".*?</section>', html, re.S)
    assert match, key
    block = match.group(0)
    cols = [c["key"] for c in section["columns"]] + [""]

    def texts(tr):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
        # the suppressed cell's link carries a screen-reader text: not part of the number
        cells = [re.sub(r'<a class="ds-link"[^>]*><span.*?</a>', "", c, flags=re.S) for c in cells]
        return [html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]

    out = {}
    body = re.search(r"<tbody>(.*?)</tbody>", block, re.S).group(1)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == len(section["rows"]), key
    for row, tr in zip(section["rows"], rows, strict=True):
        for c, text in zip(cols, texts(tr), strict=False):
            out[(row["key"], c)] = text
    foot = re.search(r"<tfoot><tr>(.*?)</tr></tfoot>", block, re.S).group(1)
    for c, text in zip(cols, texts(foot), strict=False):
        out[("", c)] = text
    return out


def _number(text: str) -> str:
    """A number as the page localises it (1 234 → 1234)."""
    return text.replace("\xa0", "").replace(" ", "")


@pytest.mark.parametrize("persona", ["coordinator", "nav_adviser"])
def test_page_api_csv_and_pdf_agree_cell_for_cell(client, region, personas, persona, monkeypatch):
    """Every count table, on the page, in the API, in the CSV and in the PDF: the same text
    in every cell. Alice may see everyone in the region: her numbers are the exact counts;
    the coordinator's are protected."""
    user = personas[persona]
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    filters = {"pathway": "with_vgo", "year_from": 2022}
    page = client.get(reverse("reports:dashboard"), filters).content.decode()
    pdf_html = {}

    def keep_html(html):
        pdf_html["html"] = html
        return b"%PDF-"

    monkeypatch.setattr("resourcegroups.pdf.render_pdf", keep_html)
    assert client.get(reverse("reports:pdf"), filters).status_code == 200
    data = {s["key"]: s for s in api.get("/api/reports/", filters).json()}
    # the true number of participants with a group, per municipality and year (the ORM)
    with_group = {
        (str(m), str(y)): n
        for m, y, n in Participant.objects.filter(
            pathway="with_vgo", resource_group__created_at__year__gte=2022
        )
        .values_list("municipality", "resource_group__created_at__year")
        .annotate(n=Count("pk"))
        .order_by()
    }
    compared = 0
    for key in SECTIONS:
        api_cells = {rc: c["display"] for rc, c in _cells(data[key]).items()}
        csv_rows = list(
            csv.reader(
                io.StringIO(
                    client.get(reverse("reports:export_csv", args=[key]), filters).content.decode()
                )
            )
        )
        section = data[key]
        cols = [c["key"] for c in section["columns"]]
        csv_cells = {}
        for row, line in zip(section["rows"], csv_rows[1:], strict=False):
            for c, text in zip([*cols, ""], line[1 : len(cols) + 2], strict=True):
                csv_cells[(row["key"], c)] = text
        for c, text in zip([*cols, ""], csv_rows[-1][1:], strict=False):
            csv_cells[("", c)] = text
        assert csv_cells == api_cells, key
        page_cells = {rc: _number(t) for rc, t in _html_cells(page, key, section).items()}
        assert page_cells == api_cells, key
        pdf_cells = {
            rc: _number(t) for rc, t in _html_cells(pdf_html["html"], key, section).items()
        }
        assert pdf_cells == api_cells, key
        if persona == "nav_adviser" and key != "feedback":
            # alice may see everyone behind the table: exact numbers, nothing hidden
            assert section["exact"] is True and section.get("noise_bound", 0) == 0
            assert all(not c["suppressed"] for c in _cells(section).values()), key
        else:
            assert section["exact"] is False
            assert section["noise_bound"] > 0
        compared += len(api_cells)
    assert compared > 100
    if persona == "nav_adviser":
        cells = _cells(data["with_group"]).items()
        shown = {rc: c["value"] for rc, c in cells if rc[0] and rc[1]}
        assert {rc: n for rc, n in shown.items() if n} == with_group
