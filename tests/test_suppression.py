"""Small-cell protection (orchestration/reporting/suppression.py, protection.py), checked
by an attacker that knows only what is printed: integer programs over the printed
tables (tests/e2e_support.hidden_figure_ranges), itself checked against brute force.

A small count (1–4) must be printed "<5" and a reader must be left with at least three
possible values for it, whatever they combine on the page: row totals, column totals,
the same figures printed in another table."""

from __future__ import annotations

import itertools
import random
import re
from datetime import date

import pytest

from orchestration.paths import DBT_PROJECT_DIR
from orchestration.reporting import protection, suppression
from orchestration.reporting.suppression import (
    COMPLEMENTARY,
    PUBLISHED,
    SMALL,
    TOTAL,
    Network,
    Table,
    Unprotectable,
    protect_area_tables,
    protect_free_table,
    protect_with_published_column_totals,
)
from tests.e2e_support import PrintedTable, hidden_figure_ranges

VALUES = [0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12, 25, 60]


def random_table(rng: random.Random, rows: int, columns: int, values=VALUES) -> Table:
    row_keys = [f"r{i}" for i in range(rows)]
    column_keys = [f"c{j}" for j in range(columns)]
    return Table(row_keys, column_keys, {(r, c): rng.choice(values) for r in row_keys for c in column_keys})


def printed(table: Table, pattern, label="t", fixed_totals=False, names=None) -> PrintedTable:
    """The table as printed under ``pattern`` (fixed_totals: the totals row is printed exactly)."""
    text = {}
    for row in [*table.rows, TOTAL]:
        for column in [*table.columns, TOTAL]:
            value = table.value(row, column)
            status = PUBLISHED if (fixed_totals and row == TOTAL) else pattern.get((row, column), PUBLISHED)
            text[(row, column)] = f"{value:,}" if status == PUBLISHED else suppression.symbol(status, value)
    return PrintedTable(list(table.rows), list(table.columns), text, names=names, label=label)


def assert_protected(table: Table, pattern, ranges, label="t", exact_totals_row=False, best=None) -> None:
    """No small count printed; every hidden small count left with three possible values,
    or as many as ``best`` (the ranges with everything but the exact figures hidden)
    shows any protection could leave."""
    for row in [*table.rows, *([] if exact_totals_row else [TOTAL])]:
        for column in [*table.columns, TOTAL]:
            value = table.value(row, column)
            status = pattern.get((row, column), PUBLISHED)
            if status == PUBLISHED:
                assert not suppression.is_small(value), f"{value} printed at {(row, column)}"
                continue
            low, high = ranges[f"{label}:{row}:{column}"]
            assert low <= value <= high, "the true table must be one the reader allows"
            if suppression.is_small(value):
                assert status == SMALL
                possible = 2 if best is None else min(2, best[f"{label}:{row}:{column}"][1] - best[f"{label}:{row}:{column}"][0])
                assert high - low >= possible, f"small count {value} at {(row, column)} narrowed to {low}–{high}"


# -- the attacker itself --------------------------------------------------------------------


def brute_force_ranges(table: PrintedTable) -> dict[str, tuple[int, int]]:
    """Every integer filling of the hidden cells (0..grand total) that adds up."""
    cells = [(r, c) for r in [*table.rows, table.total] for c in [*table.columns, table.total]]
    hidden = [cell for cell in cells if table.text[cell] in ("<5", "x")]
    cap = 2 * sum(int(t.replace(",", "")) for t in table.text.values() if t not in ("<5", "x")) + 10
    seen: dict[tuple, list[int]] = {cell: [] for cell in hidden}
    domains = [range(0, 5) if table.text[cell] == "<5" else range(5, cap + 1) for cell in hidden]
    for values in itertools.product(*domains):
        grid = {cell: int(t.replace(",", "")) for cell, t in table.text.items() if t not in ("<5", "x")}
        grid.update(zip(hidden, values))
        rows_ok = all(sum(grid[(r, c)] for c in table.columns) == grid[(r, table.total)]
                      for r in [*table.rows, table.total])
        columns_ok = all(sum(grid[(r, c)] for r in table.rows) == grid[(table.total, c)]
                         for c in [*table.columns, table.total])
        if rows_ok and columns_ok:
            for cell, value in zip(hidden, values):
                seen[cell].append(value)
    return {f"{table.label}:{r}:{c}": (min(v), max(v)) for (r, c), v in seen.items()}


@pytest.mark.parametrize("seed", range(8))
def test_the_attacker_finds_what_brute_force_finds(seed):
    rng = random.Random(seed)
    table = random_table(rng, 2, 2, values=[0, 1, 2, 3, 5, 6])
    cells = [(r, c) for r in [*table.rows, TOTAL] for c in [*table.columns, TOTAL]]
    hidden = set(rng.sample(cells, 3))
    pattern = {cell: (SMALL if table.value(*cell) <= 4 else COMPLEMENTARY) for cell in hidden}
    shown = printed(table, pattern)
    assert hidden_figure_ranges([shown]) == brute_force_ranges(shown)


def test_the_attacker_sees_through_a_lone_hidden_cell():
    table = Table(["a", "b"], ["x", "y"], {("a", "x"): 3, ("a", "y"): 20, ("b", "x"): 7, ("b", "y"): 9})
    ranges = hidden_figure_ranges([printed(table, {("a", "x"): SMALL})])
    assert ranges == {"t:a:x": (3, 3)}


# -- the algorithm --------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(30))
def test_free_tables_leave_every_small_count_at_least_three_values(seed):
    rng = random.Random(seed)
    table = random_table(rng, rng.randint(1, 5), rng.randint(2, 5))
    pattern = protect_free_table(table)
    assert_protected(table, pattern, hidden_figure_ranges([printed(table, pattern)]))


@pytest.mark.parametrize("seed", range(20))
def test_tables_under_printed_national_totals(seed):
    rng = random.Random(100 + seed)
    table = random_table(rng, rng.randint(3, 9), 5)
    try:
        pattern = protect_with_published_column_totals(table)
    except Unprotectable:
        pytest.skip("a province's count equals a national one: the table is withheld (tested below)")
    assert all(pattern[(TOTAL, c)] == PUBLISHED for c in [*table.columns, TOTAL])
    everything = {(r, c): (SMALL if table.value(r, c) <= 4 else COMPLEMENTARY)
                  for r in table.rows for c in [*table.columns, TOTAL]}
    best = hidden_figure_ranges([printed(table, everything, fixed_totals=True)])
    assert_protected(table, pattern, hidden_figure_ranges([printed(table, pattern, fixed_totals=True)]),
                     exact_totals_row=True, best=best)


@pytest.mark.parametrize("seed", range(15))
def test_the_flow_interval_is_exactly_what_a_reader_can_work_out(seed):
    """Network.interval (max flow) against integer programming, for every hidden cell."""
    rng = random.Random(500 + seed)
    table = random_table(rng, rng.randint(2, 4), rng.randint(2, 4))
    pattern = protect_free_table(table)
    ranges = hidden_figure_ranges([printed(table, pattern)])
    network = Network()
    suppression._add_rows(network, "t", table, suppression._penalties(table.columns, None),
                          row_in=lambda node: ("source", node), cell_from_row=True, column_node=lambda c: ("col", c))
    for column in table.columns:
        network.add(("t", TOTAL, column), ("col", column), "sink", table.value(TOTAL, column))
    network.add(("t", TOTAL, TOTAL), "sink", "source", table.value(TOTAL, TOTAL))
    for (row, column), status in pattern.items():
        network.arcs[("t", row, column)].status = status
    for (row, column), status in pattern.items():
        if status != PUBLISHED:
            down, up = network.interval(("t", row, column), cap=10_000)
            value = table.value(row, column)
            assert (value - down, value + up) == ranges[f"t:{row}:{column}"]


def test_a_column_of_ones_under_a_small_province_figure():
    # seed-003-shaped: four districts with one deceased child each; the province's 4 is
    # printed "<5" on the national page; a reader must not learn that each district has 1
    table = Table(["d1", "d2", "d3", "d4", "d5"], ["1", "4", "5"],
                  {("d1", "1"): 40, ("d2", "1"): 30, ("d3", "1"): 20, ("d4", "1"): 25, ("d5", "1"): 18,
                   ("d1", "4"): 2, ("d3", "4"): 4, ("d5", "4"): 1,
                   ("d1", "5"): 1, ("d2", "5"): 1, ("d3", "5"): 1, ("d4", "5"): 1})
    province_row = {"1": PUBLISHED, "4": COMPLEMENTARY, "5": SMALL, TOTAL: PUBLISHED}
    pattern = protect_area_tables({"district": table}, province_row)["district"]
    shown = printed(table, {**pattern, **{(TOTAL, c): s for c, s in province_row.items()}})
    assert shown.text[(TOTAL, "5")] == "<5"
    assert_protected(table, pattern, hidden_figure_ranges([shown]), exact_totals_row=True)


def test_hidden_cells_adding_up_to_one_are_not_enough():
    # 151 + 54 published with a total of 206: the two hidden cells add up to 1
    table = Table(["p", "q"], ["1", "2", "3", "5"],
                  {("p", "1"): 151, ("p", "2"): 54, ("p", "3"): 1, ("p", "5"): 0,
                   ("q", "1"): 90, ("q", "2"): 40, ("q", "3"): 3, ("q", "5"): 2})
    pattern = protect_with_published_column_totals(table)
    ranges = hidden_figure_ranges([printed(table, pattern, fixed_totals=True)])
    low, high = ranges["t:p:3"]
    assert high - low >= 2


def test_zeros_are_printed_when_nothing_needs_them_and_x_is_never_a_small_count():
    table = Table(["a", "b", "c"], ["1", "2", "3"],
                  {("a", "1"): 50, ("a", "2"): 20, ("a", "3"): 0, ("b", "1"): 40, ("b", "2"): 30,
                   ("b", "3"): 0, ("c", "1"): 60, ("c", "2"): 25, ("c", "3"): 0})
    assert set(protect_free_table(table).values()) == {PUBLISHED}
    rng = random.Random(7)
    for _ in range(30):
        table = random_table(rng, 4, 4)
        for (row, column), status in protect_free_table(table).items():
            if status == COMPLEMENTARY and table.value(row, column) > 0:
                assert table.value(row, column) >= 5
            if status == SMALL:
                assert 1 <= table.value(row, column) <= 4


def test_a_province_count_equal_to_a_national_figure_cannot_be_hidden():
    # one province: its row is the national row, printed exactly
    table = Table(["10"], ["1", "5"], {("10", "1"): 40, ("10", "5"): 3})
    with pytest.raises(Unprotectable):
        protect_with_published_column_totals(table)
    records = [{"report_date": date(2022, 7, 31), "province_key": "10", "status_code": s, "children": n}
               for s, n in ((1, 40), (5, 3))]
    cells = protection.protect_bulletins(records, [], [], [])
    assert {c["suppression"] for c in cells if c["row_key"] != TOTAL} == {"withheld"}
    assert all(c["children"] is None for c in cells if c["row_key"] != TOTAL)


def _printed_province_table(cells: list[dict]) -> PrintedTable:
    national = [c for c in cells if c["page"] == protection.NATIONAL_PAGE]
    rows = sorted({c["row_key"] for c in national if c["row_key"] != TOTAL})
    columns = sorted({c["column_key"] for c in national if c["column_key"] != TOTAL})
    text = {(c["row_key"], c["column_key"]): c["display"] or f"{c['children']:,}" for c in national}
    return PrintedTable(rows, columns, text)


def test_what_the_bulletins_existing_tells_is_known_to_the_protection():
    """A province has a bulletin exactly when it has children. A hidden zero for a
    province without one would be no protection at all (the reader knows it is 0), and
    a province with one is known to have 1 or more: its "<5" is 1–4, not 0–4."""
    day = date(2022, 7, 31)
    counts = {"10": (120, 60, 3), "11": (0, 0, 3), "12": (0, 0, 0), "13": (0, 0, 0), "14": (80, 40, 9)}
    provinces = [{"report_date": day, "province_key": p, "status_code": s, "children": n}
                 for p, row in counts.items() for s, n in zip((1, 2, 5), row)]
    districts = [{"report_date": day, "province_code": p, "district_key": f"{p}01", "status_code": s, "children": n}
                 for p, row in counts.items() if sum(row) for s, n in zip((1, 2, 5), row)]
    cells = protection.protect_bulletins(provinces, districts, [], [])
    shown = _printed_province_table(cells)
    for empty in ("12", "13"):
        assert shown.text[(empty, TOTAL)] == "0"  # no bulletin: a reader knows it is empty
    assert shown.text[("11", TOTAL)] == "<5"
    ranges = hidden_figure_ranges([shown], floors={f"t:{p}:{TOTAL}": 1 for p in ("10", "11", "14")})
    low, high = ranges[f"t:11:{TOTAL}"]
    assert low >= 1 and high - low >= 2, (low, high)  # 3 is 1–4 to the reader, not pinned


def test_rows_there_only_with_children_are_known_to_have_them():
    # the "unknown district" row of a province with 3 children, all of them in it and in
    # status 5 but one: printed "<5", the reader knows it holds 1 or more
    network = Network()
    network.add("a", "s", "t", 2, floor=1)
    network.arcs["a"].status = SMALL
    assert network.arcs["a"].bounds() == (1, 4)
    with pytest.raises(ValueError):
        network.add("b", "s", "t", 0, floor=1)


def test_the_same_counts_in_any_order_give_the_same_pattern():
    rng = random.Random(3)
    province_rows, district_rows, school_rows = synthetic_date(rng, date(2022, 7, 31), provinces=6)
    first = protection.protect_bulletins(province_rows, district_rows, school_rows, [])
    shuffled = [list(x) for x in (province_rows, district_rows, school_rows)]
    for records in shuffled:
        rng.shuffle(records)
    second = protection.protect_bulletins(*shuffled, [])
    key = lambda c: (c["page"], c["table_name"], c["row_key"], c["column_key"])  # noqa: E731
    assert sorted(first, key=key) == sorted(second, key=key)


# -- pages: the national table of provinces and the provincial bulletins ----------------------


def synthetic_date(rng: random.Random, report_date: date, provinces: int):
    """Counts by province, district and school for one date, adding up."""
    statuses = [1, 2, 3, 4, 5]
    weights = [70, 25, 3, 1.5, 0.5]
    province_rows, district_rows, school_rows = [], [], []
    for p in range(provinces):
        code = f"{10 + p}"
        size = rng.choice([3, 8, 20, 40, 90])
        children = [(rng.choices(statuses, weights)[0], f"{code}0{rng.randint(1, rng.randint(2, 6))}",
                     rng.choice(["none", "other", f"1{code}00001", f"1{code}00002"])) for _ in range(size)]
        # as the marts do: a school is named with 5 or more children, else counted in "other"
        sizes = {k: sum(1 for _, _, school in children if school == k) for _, _, k in children}
        children = [(s, d, k if k in ("none", "other") or sizes[k] >= 5 else "other") for s, d, k in children]
        for status in statuses:
            province_rows.append({"report_date": report_date, "province_key": code, "status_code": status,
                                  "children": sum(1 for s, _, _ in children if s == status)})
            for district in sorted({d for _, d, _ in children}):
                district_rows.append({"report_date": report_date, "province_code": code, "district_key": district,
                                      "status_code": status,
                                      "children": sum(1 for s, d, _ in children if s == status and d == district)})
            for school in sorted({k for _, _, k in children}):
                school_rows.append({"report_date": report_date, "province_code": code, "school_key": school,
                                    "status_code": status,
                                    "children": sum(1 for s, _, k in children if s == status and k == school)})
    return province_rows, district_rows, school_rows


def pages_as_printed(cells: list[dict]) -> dict[str, dict[str, PrintedTable]]:
    """page -> table -> PrintedTable, from protect_bulletins' records; the province row
    of every provincial table is named as the national table's row (the same figures)."""
    grouped: dict[tuple, dict] = {}
    for cell in cells:
        grouped.setdefault((cell["page"], cell["table_name"]), {})[(cell["row_key"], cell["column_key"])] = cell
    pages: dict[str, dict[str, PrintedTable]] = {}
    for (page, name), table_cells in grouped.items():
        rows = sorted({r for r, _ in table_cells if r != TOTAL})
        columns = sorted({c for _, c in table_cells if c != TOTAL})
        text = {key: (f"{c['children']:,}" if c["suppression"] is None else c["display"])
                for key, c in table_cells.items()}
        names = {(TOTAL, column): f"national:{page}:{column}" for column in [*columns, TOTAL]} if page != "national" else {
            (row, column): f"national:{row}:{column}" for row in [*rows, TOTAL] for column in [*columns, TOTAL]}
        pages.setdefault(page, {})[name] = PrintedTable(rows, columns, text, names=names, label=f"{page}/{name}")
    return pages


def layout_floors(pages: dict[str, dict[str, PrintedTable]]) -> dict[str, int]:
    """What a reader knows from which rows and pages exist: a province with a bulletin
    has children; "unknown district", "other schools" and "no school code" rows are
    there only with children; a school is named with 5 or more."""
    floors = {f"national:{page}:{TOTAL}": 1 for page in pages if page != "national"}
    for page, tables in pages.items():
        for name, table in tables.items():
            for row in table.rows:
                if (name, row) in (("district", "unknown"), ("school", "other"), ("school", "none")):
                    floors[table.name(row, TOTAL)] = 1
                elif name == "school":
                    floors[table.name(row, TOTAL)] = 5
    return floors


def truth(province_rows, district_rows, school_rows) -> dict[str, int]:
    """The true value behind every figure name."""
    values: dict[str, int] = {}
    by_province: dict[str, Table] = {}
    for name, rows, key in (("district", district_rows, "district_key"), ("school", school_rows, "school_key")):
        grouped: dict[str, dict] = {}
        for r in rows:
            grouped.setdefault(r["province_code"], {})[(r[key], str(r["status_code"]))] = r["children"]
        for code, counts in grouped.items():
            table = Table(sorted({k for k, _ in counts}), sorted({c for _, c in counts}), counts)
            for row in table.rows:
                for column in [*table.columns, TOTAL]:
                    values[f"{code}/{name}:{row}:{column}"] = table.value(row, column)
    counts = {(r["province_key"], str(r["status_code"])): r["children"] for r in province_rows}
    table = Table(sorted({k for k, _ in counts}), sorted({c for _, c in counts}), counts)
    for row in [*table.rows, TOTAL]:
        for column in [*table.columns, TOTAL]:
            values[f"national:{row}:{column}"] = table.value(row, column)
    by_province.clear()
    return values


def all_hidden(table: PrintedTable, values: dict[str, int], keep_totals_row: bool) -> PrintedTable:
    """The table with every figure hidden (by its symbol) but the totals row if kept:
    what a reader could work out then is the most any protection can achieve."""
    text = {}
    for (row, column), printed_text in table.text.items():
        if keep_totals_row and row == TOTAL:
            text[(row, column)] = printed_text
        else:
            value = values[table.name(row, column)]
            text[(row, column)] = "<5" if value <= 4 else "x"
    return PrintedTable(table.rows, table.columns, text, names=table.names, label=table.label)


def assert_page_protected(tables: list[PrintedTable], values: dict[str, int], best: list[PrintedTable],
                          three_values=lambda name: True, floors=None) -> None:
    """Every hidden small count (of the figures ``three_values`` selects) leaves a reader
    three values, or as many as the figures printed exactly (``best``: everything else
    hidden) allow; no hidden figure is pinned down unless even that is impossible."""
    def matters(name: str) -> bool:  # a hidden zero or count of 5+ may be pinned: it reveals nothing small
        return suppression.is_small(values[name])

    achievable = hidden_figure_ranges(best, only=matters, floors=floors)
    for name, (low, high) in hidden_figure_ranges(tables, only=matters, floors=floors).items():
        value = values[name]
        assert low <= value <= high, name
        possible = achievable[name][1] - achievable[name][0]
        if suppression.is_small(value) and three_values(name):
            assert high - low >= min(2, possible), f"{name} = {value} narrowed to {low}–{high}"
        assert high > low or possible == 0, f"{name} = {value} can be worked out"


@pytest.mark.parametrize("seed", range(2))
def test_every_page_alone_and_the_national_page_with_each_provincial_page(seed):
    """Each page alone: three values for every small count (as far as the exact figures
    allow). The national page read with a provincial page: the provincial page's small
    counts keep their three values (they were protected with the province row held
    fixed), and no national figure can be worked out."""
    rng = random.Random(900 + seed)
    province_rows, district_rows, school_rows = synthetic_date(rng, date(2022, 7, 31), provinces=5)
    cells = protection.protect_bulletins(province_rows, district_rows, school_rows, [])
    values = truth(province_rows, district_rows, school_rows)
    assert not any(c["suppression"] is None and suppression.is_small(c["children"])
                   for c in cells if not (c["page"] == "national" and c["row_key"] == TOTAL))
    withheld = {c["page"] for c in cells if c["suppression"] == "withheld"}
    pages = pages_as_printed([c for c in cells if c["page"] not in withheld])
    if "national" in withheld:
        assert withheld == {c["page"] for c in cells}, "no province figure is printed without the national table"
        return
    national = pages["national"]["province"]
    national_best = all_hidden(national, values, keep_totals_row=True)
    floors = layout_floors(pages)
    assert_page_protected([national], values, [national_best], floors=floors)
    for page, tables in pages.items():
        if page == "national":
            continue
        provincial = list(tables.values())
        provincial_best = [all_hidden(t, values, keep_totals_row=True) for t in provincial]
        assert_page_protected(provincial, values, provincial_best, floors=floors)
        assert_page_protected([national, *provincial], values, [national_best, *provincial_best],
                              three_values=lambda name: not name.startswith("national:"), floors=floors)


def test_the_smallest_printed_count_is_the_same_in_sql_and_python():
    macro = (DBT_PROJECT_DIR / "macros" / "suppression.sql").read_text(encoding="utf-8")
    (value,) = re.findall(r"macro smallest_printed_count\(\) -%\}(\d+)\{%", macro)
    assert int(value) == suppression.SMALL_MAX + 1


@pytest.mark.parametrize("seed", [1, 3])  # dates whose national table needs a second pass
def test_a_date_protected_alone_shares_its_pages_between_workers_with_the_same_cells(seed, monkeypatch):
    """A weekly run protects one date: its provincial pages are searched in worker
    processes (protection._protect_dates), pass after pass, to the same cells."""
    province_rows, district_rows, school_rows = synthetic_date(random.Random(seed), date(2022, 7, 31), provinces=12)
    passes, shared = [], []
    national = protection.protect_with_published_column_totals
    monkeypatch.setattr(protection, "protect_with_published_column_totals",
                        lambda *args, **kwargs: passes.append(1) or national(*args, **kwargs))
    alone = protection.protect_bulletins(province_rows, district_rows, school_rows, [])
    assert len(passes) == 2
    monkeypatch.setattr(protection, "PARALLEL_FROM_SCHOOL_ROWS", 0)
    monkeypatch.setenv(protection.WORKERS_ENV, "2")
    in_workers = protection.map_in_workers
    monkeypatch.setattr(protection, "map_in_workers",
                        lambda function, jobs, workers: shared.append((function.__name__, len(jobs), workers))
                        or in_workers(function, jobs, workers))
    assert protection.protect_bulletins(province_rows, district_rows, school_rows, []) == alone
    assert shared == [("protect_area_tables_or_none", 12, 2)] * 2
