"""`suppress` on hand-built tables: primary cells, complementary cells, totals, fixed point."""

import itertools

import pytest

from reports.suppression import Cell, suppress


def _shown(t):
    return [[c.display(5) for c in row] for row in t.cells]


def _derivable(t, table):
    """Every hidden interior value an attacker can pin down from one line (row or column,
    with its total) where only that cell is hidden."""
    found = set()
    n_rows, n_cols = len(table), len(table[0])
    grid = [[*row, sum(row)] for row in table]
    grid.append([sum(table[r][c] for r in range(n_rows)) for c in range(n_cols)] + [0])
    grid[-1][-1] = sum(map(sum, table))
    hidden = [
        [c.suppressed for c in row] + [t.row_totals[i].suppressed] for i, row in enumerate(t.cells)
    ]
    hidden.append([c.suppressed for c in t.col_totals] + [t.total.suppressed])
    lines = [[(r, c) for c in range(n_cols + 1)] for r in range(n_rows + 1)]
    lines += [[(r, c) for r in range(n_rows + 1)] for c in range(n_cols + 1)]
    for line in lines:
        h = [rc for rc in line if hidden[rc[0]][rc[1]]]
        if len(h) == 1:
            found.add(h[0])
    return found


def test_no_small_numbers_nothing_hidden():
    t = suppress([[10, 0], [7, 12]], 5)
    assert _shown(t) == [["10", "0"], ["7", "12"]]
    assert [c.display(5) for c in t.row_totals] == ["10", "19"]
    assert t.total.value == 29 and not t.total.suppressed


def test_zero_is_not_suppressed_and_looks_different():
    t = suppress([[0, 3]], 5)
    assert t.cells[0][0].display(5) == "0"
    assert t.cells[0][1].display(5) == "<5"
    assert t.cells[0][1].as_json(5) == {"value": None, "suppressed": True, "display": "<5"}
    assert Cell(0).as_json(5) == {"value": 0, "suppressed": False, "display": "0"}


def test_single_small_cell_in_row_and_column_hides_complements():
    table = [[20, 3, 15], [11, 9, 30], [8, 40, 12]]
    t = suppress(table, 5)
    shown = _shown(t)
    assert shown[0][1] == "<5"
    # row 0: the next-smallest cell (15) goes; column 1: the next-smallest (9) goes
    assert shown[0][2] == "x" and shown[1][1] == "x"
    # and the cascade: column 2 and row 1 now each hold two hidden cells
    assert _derivable(t, table) == set()
    assert not t.total.suppressed


def test_secondary_never_picks_a_zero():
    t = suppress([[2, 0, 9], [6, 7, 8]], 5)
    assert t.cells[0][1].display(5) == "0"
    assert t.cells[0][2].suppressed


def test_only_one_nonzero_cell_in_line_hides_the_total():
    table = [[3, 0], [10, 12]]
    t = suppress(table, 5)
    assert t.cells[0][0].primary
    # the row's total equals the small value: it is hidden (it is itself small)
    assert t.row_totals[0].suppressed
    assert _derivable(t, table) == set()


def test_threshold_is_configurable(settings):
    settings.KMV_SUPPRESSION_THRESHOLD = 3
    assert suppress([[3, 10], [12, 20]]).cells[0][0].display() == "3"
    assert suppress([[2, 10], [12, 20]]).cells[0][0].display() == "<3"


def test_also_forces_cells():
    t = suppress([[10, 20], [30, 40]], 5, also=[(0, 0)])
    assert t.cells[0][0].suppressed and t.cells[0][0].primary
    assert _derivable(t, [[10, 20], [30, 40]]) == set()


@pytest.mark.parametrize("seed", range(40))
def test_random_tables_leave_nothing_derivable(seed):
    import random

    rnd = random.Random(seed)
    rows, cols = rnd.randint(1, 5), rnd.randint(1, 5)
    table = [
        [rnd.choice([0, 0, 1, 2, 3, 4, 5, 8, 13, 30]) for _c in range(cols)] for _r in range(rows)
    ]
    t = suppress(table, 5)
    for r, c in itertools.product(range(rows), range(cols)):
        if 0 < table[r][c] < 5:
            assert t.cells[r][c].suppressed
    for r, c in _derivable(t, table):
        # a lone hidden cell in a line may only be a zero-sum case: never a real value
        value = table[r][c] if r < rows and c < cols else None
        assert value in (None, 0), (table, r, c)
