"""Small-number suppression — the one place that decides which cells of an aggregate are
hidden from a viewer.

Who sees suppressed numbers (`limit_for`, the only rule): counts of 1–4 are hidden from
anyone WITHOUT access to the individuals behind a table. A viewer who may see every
participant of the population the tables are drawn from (`kmv.access.policy.participants_for`
covers it) learns nothing new from an exact count — they could open the list — so they get
exact numbers; everyone else (coordinators, leaders, case workers looking beyond their own
participants) gets suppressed tables. The page, API, CSV and PDF all take the limit from
here, so they agree. Anonymous feedback has no individuals anyone may see: always
suppressed. (Drill-down lists are scoped by `participants_for` instead.)

Primary suppression: a count 1 ≤ n < threshold is hidden ("<5").
Secondary (complementary) suppression: the table is read together with its row and column
totals. Each row (with its total) and each column (with its total) is a *line* whose cells
add up. If a line holds exactly one hidden cell, that cell equals the total minus the rest,
so a second, non-zero cell of the line is hidden too — the smallest interior cell, or the
line's total when no interior cell is left. (A hidden zero would not help: the hidden sum
would equal the small value.) Hiding a total makes it a hidden cell of the totals line, so
the rule runs again until nothing changes (a fixed point).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

SECONDARY_MARK = "x"


def threshold() -> int:
    return int(getattr(settings, "KMV_SUPPRESSION_THRESHOLD", 5))


EXACT = 1  # a limit under which no count hides: 0 < n < 1 never holds


def limit_for(user, population: QuerySet) -> int:
    """The suppression limit for `user` looking at aggregates over `population` (a
    Participant queryset): exact (EXACT) when the user may see every participant in it,
    else `threshold()`. One query (an anti-join that stops at the first hidden person)."""
    from kmv.access import policy

    if user is None or not getattr(user, "is_authenticated", False):
        return threshold()
    hidden = population.exclude(pk__in=policy.participants_for(user).values("pk"))
    return threshold() if hidden.exists() else EXACT


@dataclass
class Cell:
    value: int
    suppressed: bool = False
    primary: bool = False

    def display(self, limit: int | None = None) -> str:
        """What the page, CSV and PDF show: the number, "<5" or "x"."""
        if not self.suppressed:
            return str(self.value)
        if self.primary:
            return f"<{limit or threshold()}"
        return SECONDARY_MARK

    def as_json(self, limit: int | None = None) -> dict:
        """What the API shows: a suppressed cell has no value, never 0."""
        return {
            "value": None if self.suppressed else self.value,
            "suppressed": self.suppressed,
            "display": self.display(limit),
        }


@dataclass
class SuppressedTable:
    cells: list[list[Cell]]
    row_totals: list[Cell]
    col_totals: list[Cell]
    total: Cell
    threshold: int = 5
    notes: list[str] = field(default_factory=list)

    def mask(self) -> list[list[bool]]:
        return [[c.suppressed for c in row] for row in self.cells]


EXACT_NOTE = _(
    "You may see every participant behind these tables, so the numbers are exact. Anonymous "
    "feedback is still suppressed."
)

LEGEND = _(
    "“<%(n)s” marks a count between 1 and %(m)s, hidden to protect individuals; “x” marks a "
    "number hidden so the small one cannot be worked out from the totals. A zero is shown "
    "as 0."
)


def suppress(
    table: Sequence[Sequence[int]],
    limit: int | None = None,
    *,
    also: Iterable[tuple[int, int]] = (),
) -> SuppressedTable:
    """Suppress `table` (rows of counts) shown with its row totals, column totals and grand
    total. `also`: interior cells (row, column) to hide as primary for a reason the caller
    knows (e.g. "of which in work" leaving a small remainder)."""
    limit = threshold() if limit is None else limit
    n_rows = len(table)
    n_cols = len(table[0]) if n_rows else 0
    # the full grid: interior, a totals column, a totals row
    grid = [[Cell(int(v)) for v in row] + [Cell(sum(int(v) for v in row))] for row in table]
    grid.append(
        [Cell(sum(int(table[r][c]) for r in range(n_rows))) for c in range(n_cols)]
        + [Cell(sum(int(v) for row in table for v in row))]
    )
    forced = set(also)
    for r in range(n_rows + 1):
        for c in range(n_cols + 1):
            cell = grid[r][c]
            if 0 < cell.value < limit or (r, c) in forced:
                cell.suppressed = cell.primary = True

    lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [rc for rc in line if grid[rc[0]][rc[1]].suppressed]
            if len(hidden) != 1:
                continue
            candidates = [
                rc for rc in line if not grid[rc[0]][rc[1]].suppressed and grid[rc[0]][rc[1]].value
            ]
            interior = [rc for rc in candidates if rc[0] < n_rows and rc[1] < n_cols]
            pool = interior or candidates
            if not pool:  # cannot happen: a hidden non-zero cell makes the total non-zero
                continue
            r, c = min(pool, key=lambda rc: (grid[rc[0]][rc[1]].value, rc))
            grid[r][c].suppressed = True
            changed = True

    return SuppressedTable(
        cells=[row[:n_cols] for row in grid[:n_rows]],
        row_totals=[row[n_cols] for row in grid[:n_rows]],
        col_totals=grid[n_rows][:n_cols],
        total=grid[n_rows][n_cols],
        threshold=limit,
    )


def small_remainder(part: int, whole: int, limit: int) -> bool:
    """A part shown beside its whole reveals the remainder: hide it when that is small."""
    return 0 < whole - part < limit
