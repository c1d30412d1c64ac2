"""Disclosure control for the dashboard: the one place that decides what a viewer is shown
of an aggregate.

Who sees exact numbers (`limit_for`, the only rule): a viewer who may see every participant
of the population the tables are drawn from (`kmv.access.policy.participants_for` covers it)
learns nothing new from an exact count — they could open the list — so they get exact
numbers; everyone else (coordinators, leaders, case workers looking beyond their own
participants) gets protected tables. The page, API, CSV and PDF all take the limit from
here, so they agree. Anonymous feedback has no individuals anyone may see: always
protected. (Drill-down lists are scoped by `participants_for` instead.)

Why not per-table suppression: hiding small cells and their complements table by table
holds for one table, but the dashboard lets anyone filter freely. The difference between
the unfiltered table and a filtered one is the table of the complement, with exact numbers
where that table hid them. No per-table rule survives every filter combination.

Why small cells cannot show "<5" and empty ones "0": a "<5" says 1–4 and a "0" says none,
exactly, for every cell of every filtered table. With filters that split a cell into
pieces (municipality × pathway × years × agency), those bounds alone pin counts down: four
non-empty pieces of a "<5" are 1 each; a total made of "<5" pieces is at most 4 per piece
while other pieces show it is at least as much. The attack in
tests/reports/test_differencing.py recovers thousands of cells that way from perturbed
tables still showing "<5" and "0". So a protected table shows every count below the
threshold, none included, with one mark ("x"), and perturbs the rest.

The method, the cell-key method (as the Australian Bureau of Statistics' TableBuilder
and Eurostat's census tables use it), with the small-cell rule on top:

- every record counted (participant, meeting, invitation, feedback answer) has a fixed
  random *record key* in [0, M): a keyed hash of its id (`record_key`, computed by the
  database inside the same GROUP BY as the count), keyed by a secret kept apart from
  SECRET_KEY (`secret`);
- a cell's *cell key* is the sum of the record keys of the records it counts, mod M — a
  fingerprint of that set of records. Totals are cells of their own: their key is the sum
  over everything they count, never a sum of perturbed cells;
- a fixed perturbation table (`noise`) turns (count, cell key) into a small integer noise:
  0 about half the time, ±1 a third of the time, larger values ever more rarely (a
  two-sided geometric distribution, at most ±`MAX_NOISE`), never taking a count of
  `threshold()` or more below it;
- what is shown: a true count below the threshold (0 to 4) as "x", never a number; a
  larger count as count + noise (so never below the threshold: a number always means at
  least 5). A protected table lists every row there is (every cohort, stage, agency),
  empty or not: a row left out under a filter would say it is empty, one shown that it
  is not (`selectors._padded`).

The noise depends only on the set of records behind a cell, so a cell has the same value
in every table, filter and channel that shows it (repeating a query or asking for the same
cell another way yields nothing new), and the difference of two tables is a difference of
independently perturbed numbers: it is off from the hidden value by up to twice the noise
and never pins it down (tests/reports/test_differencing.py runs the attack over every filter
the dashboard offers). The price: protected tables are not exactly additive — a total may
differ from the sum of its cells by a few — which the legend says.

A figure computed from a hidden count (a share) is hidden too ("x"); shares are computed
from the shown figures only. Exact tables (a viewer who may see everyone) show every
number as it is.
"""

from __future__ import annotations

import bisect
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cache

from django.conf import settings
from django.db.models import BigIntegerField, F, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext_lazy as _

SECONDARY_MARK = "x"
EXACT = 1  # a limit under which no count hides: 0 < n < 1 never holds

# record keys live in [0, M): M is prime and small enough that the database's 64-bit
# integers never overflow while hashing (every product is below 2**62)
M = 2**31 - 1
MAX_NOISE = 15
NOISE_DECAY = Fraction(3, 10)  # P(noise = ±k) ∝ 0.3**k
_UNIT = 2**64  # the resolution of the perturbation table


def threshold() -> int:
    return int(getattr(settings, "KMV_SUPPRESSION_THRESHOLD", 5))


def limit_for(user, population: QuerySet) -> int:
    """The limit for `user` looking at aggregates over `population` (a Participant
    queryset): exact (EXACT) when the user may see every participant in it, else
    `threshold()` (protected). One query (an anti-join that stops at the first hidden
    person)."""
    from kmv.access import policy

    if user is None or not getattr(user, "is_authenticated", False):
        return threshold()
    hidden = population.exclude(pk__in=policy.participants_for(user).values("pk"))
    return threshold() if hidden.exists() else EXACT


# --- record keys and cell keys ----------------------------------------------------------

_secret: bytes | None = None


def secret() -> bytes:
    """The cell-key secret: the setting KMV_CELL_KEY_SECRET, else a random value stored
    once in the database (`CellKeySecret`), the same for every process and request."""
    global _secret
    configured = getattr(settings, "KMV_CELL_KEY_SECRET", "")
    if configured:
        return configured.encode()
    if _secret is None:
        from django.db import IntegrityError, transaction

        from .models import CellKeySecret

        row = CellKeySecret.objects.filter(pk=1).first()
        if row is None:
            try:
                with transaction.atomic():
                    row = CellKeySecret.objects.create(pk=1, value=secrets.token_hex(32))
            except IntegrityError:  # another process made it first: theirs is the one
                row = CellKeySecret.objects.get(pk=1)
        _secret = row.value.encode()
    return _secret


def _digest(*parts) -> int:
    message = ":".join(str(p) for p in parts).encode()
    return int.from_bytes(hmac.new(secret(), message, hashlib.sha256).digest()[:8], "big")


def _params(kind: str) -> tuple[int, int, int]:
    return tuple(1 + _digest("record", kind, i) % (M - 1) for i in range(3))


def record_key(field_name: str = "pk", kind: str = "participant"):
    """The record key of the row's `field_name` (an id of a `kind` of record) as a database
    expression, in [0, M): ((a·(id mod M) + b) mod M)² + c, mod M, with a, b, c from the
    secret. Sum it beside the count to get the cell key."""
    a, b, c = _params(kind)
    x = Cast(F(field_name), BigIntegerField()) % M
    h = (x * a + b) % M
    return (h * h + c) % M


def record_key_of(pk: int, kind: str = "participant") -> int:
    """`record_key` in Python (the tests check the database computes the same)."""
    a, b, c = _params(kind)
    h = ((pk % M) * a + b) % M
    return (h * h + c) % M


def cell_key(total) -> int:
    """A cell key from the database's SUM of record keys (None when nothing was counted)."""
    return int(total or 0) % M


# --- the perturbation table ---------------------------------------------------------------


@cache
def _table(lowest: int) -> tuple[list[int], int]:
    """Cumulative bounds (out of _UNIT) for the noise lowest, lowest+1, …, MAX_NOISE, with
    P(k) ∝ NOISE_DECAY**|k|."""
    weights = [NOISE_DECAY ** abs(k) for k in range(lowest, MAX_NOISE + 1)]
    total = sum(weights)
    bounds, running = [], Fraction(0)
    for w in weights[:-1]:
        running += w
        bounds.append(int(running / total * _UNIT))
    return bounds, lowest


def noise(value: int, key: int, limit: int | None = None) -> int:
    """The perturbation of a count `value` ≥ limit whose cell key is `key`: a fixed function
    of the two (a cell has one value wherever it is shown), never taking the count below
    `limit`. The key is hashed once more with the secret, so related sets (a set and a
    subset) get unrelated noise."""
    limit = threshold() if limit is None else limit
    bounds, lowest = _table(max(limit - value, -MAX_NOISE))
    return lowest + bisect.bisect_right(bounds, _digest("cell", key, value))


# --- cells and tables -------------------------------------------------------------------


@dataclass
class Cell:
    """A shown figure. `value` is what may be shown: the exact count (exact tables, zeros),
    the perturbed count, or None when hidden. True counts of protected tables are never
    kept here."""

    value: int | None
    suppressed: bool = False
    perturbed: bool = False

    def display(self, limit: int | None = None) -> str:
        """What the page, CSV and PDF show: the number, or "x" (hidden)."""
        return SECONDARY_MARK if self.suppressed else str(self.value)

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
    # 0: exact numbers; else the most a shown number may differ from the true count
    noise_bound: int = 0
    notes: list[str] = field(default_factory=list)

    def mask(self) -> list[list[bool]]:
        return [[c.suppressed for c in row] for row in self.cells]


EXACT_NOTE = _(
    "You may see every participant behind these tables, so the numbers are exact. Anonymous "
    "feedback is still protected."
)

LEGEND = _(
    "“x” marks a count under %(n)s (from 0 to %(m)s), hidden to protect individuals, and a "
    "share computed from one. Every other count about participants is shifted by a small "
    "random amount, the same for the same people every time, so that no hidden count can be "
    "worked out by comparing tables: a total may differ from the sum of its cells by a few."
)


def protect_cell(value: int, key: int | None, limit: int) -> Cell:
    """One figure for a viewer under `limit`: exact when limit is EXACT (or `key` is None:
    not about people); else hidden below the limit (0 too) or the count perturbed by its
    cell key."""
    value = int(value)
    if limit <= EXACT or key is None:
        return Cell(value)
    if value < limit:
        return Cell(None, suppressed=True)
    return Cell(value + noise(value, key, limit), perturbed=True)


def protect(
    table: Sequence[Sequence[int]],
    keys: Sequence[Sequence[int]] | None,
    limit: int | None = None,
) -> SuppressedTable:
    """`table` (rows of counts) with its row totals, column totals and grand total, for a
    viewer under `limit`. `keys`: each cell's key (the summed record keys, same shape);
    None: figures not about people (settled, network meetings), always exact. Each total
    is a cell of its own: its count and key are the sums over what it counts."""
    limit = threshold() if limit is None else limit
    n_rows = len(table)
    n_cols = len(table[0]) if n_rows else 0
    exact = keys is None or limit <= EXACT

    def key_of(cells) -> int | None:
        return None if exact else sum(int(keys[r][c]) for r, c in cells) % M

    def cell(cells) -> Cell:
        return protect_cell(sum(int(table[r][c]) for r, c in cells), key_of(cells), limit)

    every = [(r, c) for r in range(n_rows) for c in range(n_cols)]
    return SuppressedTable(
        cells=[[cell([(r, c)]) for c in range(n_cols)] for r in range(n_rows)],
        row_totals=[cell([(r, c) for c in range(n_cols)]) for r in range(n_rows)],
        col_totals=[cell([(r, c) for r in range(n_rows)]) for c in range(n_cols)],
        total=cell(every),
        threshold=limit,
        noise_bound=0 if exact else MAX_NOISE,
    )


def share(part: Cell, whole: Cell) -> str:
    """A share computed from shown figures only (so it tells no more than they do): "x"
    when either is hidden, "–" when the whole is 0."""
    if part.suppressed or whole.suppressed:
        return SECONDARY_MARK
    if not whole.value:
        return "–"
    return f"{min(100, round(100 * (part.value or 0) / whole.value))} %"
