"""The cell-key method on hand-built tables: what is hidden, what is perturbed and how, and
that the same records always give the same figure."""

import random
from collections import Counter

import pytest

from reports import suppression
from reports.suppression import EXACT, MAX_NOISE, Cell, noise, protect, protect_cell, share


def _shown(t):
    return [[c.display(5) for c in row] for row in t.cells]


def _keys(table, seed=1):
    rnd = random.Random(seed)
    return [[rnd.randrange(suppression.M) for _v in row] for row in table]


def test_exact_tables_show_every_number():
    table = [[10, 0], [3, 12]]
    for t in (protect(table, _keys(table), EXACT), protect(table, None, 5)):
        assert _shown(t) == [["10", "0"], ["3", "12"]]
        assert [c.display(5) for c in t.row_totals] == ["10", "15"]
        assert [c.value for c in t.col_totals] == [13, 12] and t.total.value == 25
        assert t.noise_bound == 0


def test_counts_under_the_threshold_are_hidden_zero_included():
    """A "0" or a "<5" would say exactly which cells are empty or 1–4: that is what lets
    pieces of a table be pinned down (tests/reports/test_differencing.py)."""
    t = protect([[0, 3, 4], [5, 0, 9]], _keys([[0, 3, 4], [5, 0, 9]]), 5)
    assert _shown(t)[0] == ["x", "x", "x"]
    hidden = t.cells[0][1]
    assert hidden.value is None  # the true count is not kept
    assert hidden.as_json(5) == {"value": None, "suppressed": True, "display": "x"}
    assert t.cells[1][1].display(5) == "x"
    assert t.cells[1][0].value >= 5 and t.cells[1][2].value >= 5
    assert t.noise_bound == MAX_NOISE


def test_perturbed_counts_stay_at_or_above_the_threshold_and_near_the_truth():
    rnd = random.Random(7)
    for _i in range(3000):
        value = rnd.choice([5, 6, 7, 8, 12, 40, 1000])
        shown = protect_cell(value, rnd.randrange(suppression.M), 5).value
        assert shown >= 5
        assert abs(shown - value) <= MAX_NOISE


def test_the_noise_is_mostly_small_and_centred():
    rnd = random.Random(3)
    draws = Counter(noise(100, rnd.randrange(suppression.M), 5) for _i in range(20000))
    n = sum(draws.values())
    assert 0.45 < draws[0] / n < 0.65  # the true count about half the time
    assert sum(draws[k] for k in (-2, -1, 0, 1, 2)) / n > 0.95
    assert abs(sum(k * c for k, c in draws.items()) / n) < 0.05
    assert max(abs(k) for k in draws) <= MAX_NOISE


def test_the_same_records_always_give_the_same_figure():
    key = 123456789
    assert len({protect_cell(17, key, 5).value for _i in range(20)}) == 1
    # another set of records (another key) is perturbed independently
    values = {protect_cell(17, k, 5).value for k in range(200)}
    assert len(values) > 3


def test_totals_are_cells_of_their_own():
    """A total's key is the sum of its cells' keys (the key of the union), and its noise is
    its own: it is not the sum of the perturbed cells."""
    table = [[20, 30, 40]] * 3
    differs = 0
    for seed in range(30):
        keys = _keys(table, seed)
        t = protect(table, keys, 5)
        row_key = sum(keys[0]) % suppression.M
        assert t.row_totals[0].value == protect_cell(90, row_key, 5).value
        differs += t.row_totals[0].value != sum(c.value for c in t.cells[0])
    assert differs > 10


def test_a_different_secret_gives_different_noise(settings):
    settings.KMV_CELL_KEY_SECRET = "one"
    first = [noise(50, k, 5) for k in range(100)]
    settings.KMV_CELL_KEY_SECRET = "two"
    assert [noise(50, k, 5) for k in range(100)] != first


def test_threshold_is_configurable(settings):
    settings.KMV_SUPPRESSION_THRESHOLD = 3
    t = protect([[2, 3]], [[11, 12]])
    assert t.cells[0][0].suppressed and t.cells[0][1].value >= 3


def test_shares_come_from_shown_figures():
    assert share(Cell(None, suppressed=True), Cell(30, perturbed=True)) == "x"
    assert share(Cell(10, perturbed=True), Cell(None, suppressed=True)) == "x"
    assert share(Cell(10), Cell(40)) == "25 %"
    assert share(Cell(0), Cell(0)) == "–"
    assert share(Cell(12), Cell(10)) == "100 %"  # perturbed figures may cross: capped


@pytest.mark.django_db
def test_the_database_computes_the_record_keys(settings):
    """The GROUP BY sums `record_key` in SQL; Python's `record_key_of` is the reference."""
    from participants.models import Participant
    from tests.factories import ParticipantFactory

    people = [ParticipantFactory() for _i in range(5)]
    rows = dict(
        Participant.objects.filter(pk__in=[p.pk for p in people])
        .annotate(k=suppression.record_key("pk"))
        .values_list("pk", "k")
    )
    assert rows == {p.pk: suppression.record_key_of(p.pk) for p in people}
    assert all(0 <= k < suppression.M for k in rows.values())
    assert suppression.record_key_of(people[0].pk, "meeting") != rows[people[0].pk]


@pytest.mark.django_db
def test_the_secret_is_made_once_and_kept(settings):
    from reports.models import CellKeySecret

    settings.KMV_CELL_KEY_SECRET = ""
    suppression._secret = None
    first = suppression.secret()
    suppression._secret = None  # another process
    assert suppression.secret() == first
    assert CellKeySecret.objects.count() == 1
    suppression._secret = None
