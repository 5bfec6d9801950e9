"""Reusing the previous run's protected cells (orchestration/reporting/protection.py,
protect_bulletins_reusing, and the asset marts/bulletin_protected_cells that runs it):
a date whose inputs and algorithm are unchanged keeps its cells, every other date is
protected again, and the result is exactly the full computation's."""

from __future__ import annotations

import random
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd
import pytest

from dagster import build_asset_context

from orchestration.reporting import protection
from orchestration.reporting.protected_cells import StoredCells, bulletin_protected_cells, stored_cells
from orchestration.reporting.protection import CELL_COLUMNS, COLUMNS, INPUTS_DIGEST
from orchestration.settings import WarehouseSettings
from tests.test_suppression import synthetic_date

DATES = [date(2022, 5, 31), date(2022, 6, 30), date(2022, 7, 31)]


def inputs(seed: int = 5) -> tuple[list, list, list, list]:
    """Province, district, school and transition counts of three report dates."""
    rng = random.Random(seed)
    provinces, districts, schools, transitions = [], [], [], []
    for day in DATES:
        p, d, s = synthetic_date(rng, day, provinces=4)
        provinces += p
        districts += d
        schools += [{**row, "schools": None if row["school_key"] == "none" else 1} for row in s]
        if day != DATES[0]:
            transitions += [{"report_date": day, "province_key": row["province_key"], "from_status_code": f,
                             "to_status_code": t, "children": rng.choice([0, 0, 1, 3, 7, 12])}
                            for row in p if row["status_code"] == 1 for f in (3, 4) for t in (1, 2)]
    return provinces, districts, schools, transitions


def frames(records) -> list[pd.DataFrame]:
    return [pd.DataFrame(part) for part in records]


def full(provinces, districts, schools, transitions) -> list[dict]:
    """The full computation, with each date's digest: what a run without reuse stores."""
    algorithm = protection.algorithm_digest()
    by_date = protection._inputs_by_date(provinces, districts, schools, transitions)
    digests = {day: protection.inputs_digest(tuple(frames(by_date[day])), algorithm) for day in by_date}
    return [{**cell, INPUTS_DIGEST: digests[cell["report_date"]]}
            for cell in protection.protect_bulletins(provinces, districts, schools, transitions)]


def stored(cells: list[dict]) -> dict:
    """The previous digests as the asset reads them from the table."""
    return {cell["report_date"]: cell[INPUTS_DIGEST] for cell in cells}


def of_dates(cells: list[dict], dates) -> list[dict]:
    return [cell for cell in cells if cell["report_date"] in set(dates)]


@pytest.fixture
def protected_dates(monkeypatch) -> list:
    """The report dates protect_bulletins_reusing actually protects (not reused)."""
    seen: list = []
    original = protection._protect_report_date

    def counting(provinces, districts, schools, transitions):
        seen.append(provinces[0]["report_date"])
        return original(provinces, districts, schools, transitions)

    monkeypatch.setattr(protection, "_protect_report_date", counting)
    return seen


def test_reusing_every_date_gives_exactly_the_full_computation(protected_dates):
    records = inputs()
    expected = full(*records)
    protected_dates.clear()
    first, reuse = protection.protect_bulletins_reusing(*frames(records), {})
    assert first == expected
    assert reuse.reused == [] and reuse.computed == DATES and protected_dates == DATES
    assert [list(cell) for cell in first] == [list(CELL_COLUMNS)] * len(first)
    protected_dates.clear()
    again, reuse = protection.protect_bulletins_reusing(*frames(records), stored(first))
    assert again == []  # every stored cell stays
    assert reuse.reused == DATES and reuse.computed == [] and protected_dates == []
    assert reuse.summary() == "3 report date(s) reused from the previous run, 0 computed"


def test_a_changed_count_on_one_date_recomputes_that_date_only(protected_dates):
    records = inputs()
    previous = full(*records)
    provinces, districts, schools, transitions = (list(map(dict, part)) for part in records)
    # one child of province 10 moves from status 1 to 2 on 30 Jun: in its province,
    # district and school rows, so that the tables still add up
    for rows in (provinces, districts, schools):
        row_1 = next(r for r in rows if r["report_date"] == DATES[1] and r.get("province_key", r.get("province_code"))
                     == "10" and r["status_code"] == 1 and r["children"] > 0)
        row_2 = next(r for r in rows if r["status_code"] == 2 and all(
            r[key] == value for key, value in row_1.items() if key not in ("status_code", "children")))
        row_1["children"] -= 1
        row_2["children"] += 1
    changed = (provinces, districts, schools, transitions)
    protected_dates.clear()
    cells, reuse = protection.protect_bulletins_reusing(*frames(changed), stored(previous))
    assert protected_dates == [DATES[1]]
    assert reuse.computed == [DATES[1]] and reuse.reused == [DATES[0], DATES[2]]
    assert cells == of_dates(full(*changed), [DATES[1]])
    assert cells != of_dates(previous, [DATES[1]])


def test_a_changed_algorithm_recomputes_every_date(protected_dates, tmp_path):
    records = inputs()
    previous = full(*records)
    code = tmp_path / "suppression.py"
    code.write_text("SMALL_MAX = 4\n", encoding="utf-8")
    before = protection.algorithm_digest([code])
    code.write_text("SMALL_MAX = 5\n", encoding="utf-8")
    assert protection.algorithm_digest([code]) != before
    assert protection.algorithm_digest() == protection.algorithm_digest(protection.ALGORITHM_FILES)
    protected_dates.clear()
    cells, reuse = protection.protect_bulletins_reusing(*frames(records), stored(previous), algorithm="another")
    assert reuse.reused == [] and protected_dates == DATES
    assert [{k: v for k, v in c.items() if k != INPUTS_DIGEST} for c in cells] == \
        [{k: v for k, v in c.items() if k != INPUTS_DIGEST} for c in previous]


def test_a_date_no_longer_asked_for_disappears_and_a_new_one_is_computed(protected_dates):
    records = inputs()
    earlier = [[r for r in part if r["report_date"] != DATES[2]] for part in records]
    later = [[r for r in part if r["report_date"] != DATES[0]] for part in records]
    previous = stored(full(*earlier))
    protected_dates.clear()
    cells, reuse = protection.protect_bulletins_reusing(*frames(later), previous)
    assert reuse.reused == [DATES[1]] and reuse.computed == [DATES[2]] and protected_dates == [DATES[2]]
    assert cells == of_dates(full(*later), [DATES[2]])


def test_the_digest_depends_on_the_values_not_on_how_they_were_read():
    """DuckDB through pandas gives Timestamps for dates, numpy integers, floats for an
    integer column with nulls; rows come in any order, columns in any order."""
    provinces, districts, schools, transitions = (part for part in inputs())
    day = DATES[1]
    one_date = [[r for r in part if r["report_date"] == day] for part in (provinces, districts, schools, transitions)]
    digest = protection.inputs_digest(tuple(frames(one_date)), "a")

    def as_pandas_gives(record):
        return dict(reversed([(k, pd.Timestamp(v) if k == "report_date" else
                               np.int64(v) if isinstance(v, int) and k != "schools" else
                               float("nan") if v is None else float(v) if k == "schools" else v)
                              for k, v in record.items()]))

    shuffled = [list(map(as_pandas_gives, part)) for part in one_date]
    for part in shuffled:
        random.Random(1).shuffle(part)
    read_back = frames(shuffled)
    assert pd.api.types.is_datetime64_any_dtype(read_back[2]["report_date"])
    assert protection.inputs_digest(tuple(read_back), "a") == digest
    # columns of Python objects (the value-by-value path) give the same text
    as_objects = [frame.astype(object) for frame in frames(one_date)]
    assert as_objects[2]["children"].dtype == object
    assert protection.inputs_digest(tuple(as_objects), "a") == digest
    # an integer column with nulls: as Python objects (ints and None) or as floats with NaN
    with_nulls = [frame.copy() for frame in frames(one_date)]
    with_nulls[2]["schools"] = pd.Series([None if k == "none" else 1 for k in with_nulls[2]["school_key"]], dtype=object)
    as_floats = [frame.copy() for frame in with_nulls]
    as_floats[2]["schools"] = as_floats[2]["schools"].astype("float64")
    assert as_floats[2]["schools"].isna().any() and with_nulls[2]["schools"].dtype == object
    assert protection.inputs_digest(tuple(with_nulls), "a") == protection.inputs_digest(tuple(as_floats), "a")
    assert protection.inputs_digest(tuple(frames(one_date)), "b") != digest
    moved = [list(part) for part in one_date]
    moved[3] = moved[0] + moved[3][1:]  # a record moved from one input to another
    assert protection.inputs_digest(tuple(frames(moved)), "a") != digest
    bumped = [list(map(dict, part)) for part in one_date]
    bumped[2][0]["children"] += 1
    assert protection.inputs_digest(tuple(frames(bumped)), "a") != digest
    quoted = [list(map(dict, part)) for part in one_date]
    quoted[2][0]["school_key"] = 'a "quoted"\nkey'  # escaped by JSON: still one value, one line
    assert protection.inputs_digest(tuple(frames(quoted)), "a") != digest
    assert protection._canonical(datetime(2022, 6, 30)) == protection._canonical(day) == "2022-06-30"
    assert protection._canonical(np.int32(7)) == protection._canonical(7.0) == 7
    flags = pd.Series([True, False, None], dtype="boolean")
    assert protection._json_column(flags).tolist() == protection._json_column(flags.astype(object)).tolist() \
        == protection._json_column(pd.Series([np.True_, np.False_, None], dtype=object)).tolist() == ["true", "false", "null"]


# -- the asset over a real DuckDB warehouse ---------------------------------------------------


def test_the_asset_rebuilt_from_its_own_table_is_the_same_table(tmp_path, protected_dates):
    """Twice through the asset, as two runs: the second reads the first's table
    (DuckDB's dates, integers and nulls), reuses every date, and leaves the same table;
    the first replaces a table of an older shape. A date with one cell of another
    digest, or of none, is protected again and its rows replaced."""
    settings = WarehouseSettings(landing_dir=str(tmp_path / "landing"), out_dir=str(tmp_path / "out"),
                                 report_dates=",".join(day.isoformat() for day in DATES))
    provinces, districts, schools, transitions = inputs()
    settings.out_path.mkdir()
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("create schema marts")
        for name, records in (("bulletin_province_counts", provinces), ("bulletin_district_counts", districts),
                              ("bulletin_school_counts", schools),
                              ("bulletin_province_transition_counts", transitions)):
            frame = pd.DataFrame(records)  # noqa: F841 (read by DuckDB below)
            connection.execute(f"create table marts.{name} as select * exclude (report_date),"
                               f" cast(report_date as date) as report_date from frame")
        connection.execute("create table marts.bulletin_protected_cells as select 1 as report_date")  # an old shape

    def build() -> tuple[list[tuple], dict]:
        result = bulletin_protected_cells(context=build_asset_context(), settings=settings)
        with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
            rows = connection.execute("select * from marts.bulletin_protected_cells").fetchall()
        return in_order(rows), {name: value.value if hasattr(value, "value") else value
                                for name, value in result.metadata.items()}

    def in_order(rows):  # a table's rows have no order: compare them sorted
        return sorted(rows, key=lambda row: tuple("" if value is None else str(value) for value in row))

    first, first_metadata = build()
    assert protected_dates == DATES
    assert (first_metadata["report_dates_reused"], first_metadata["report_dates_computed"]) == (0, len(DATES))
    protected_dates.clear()
    second, second_metadata = build()
    assert protected_dates == []
    assert (second_metadata["report_dates_reused"], second_metadata["report_dates_computed"]) == (len(DATES), 0)
    assert second == first
    expected = full(provinces, districts, schools, transitions)
    assert first == in_order([tuple(cell[column] for column in CELL_COLUMNS) for cell in expected])
    assert first_metadata["dagster/row_count"] == second_metadata["dagster/row_count"] == len(expected)

    # one cell of a date with another digest, one of another date with none: both dates
    # are protected again, the third is kept
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        for day, digest in ((DATES[1], "0" * 64), (DATES[2], None)):
            connection.execute("update marts.bulletin_protected_cells set inputs_digest = ? where rowid ="
                               " (select max(rowid) from marts.bulletin_protected_cells where report_date = ?)",
                               [digest, day])
    protected_dates.clear()
    third, third_metadata = build()
    assert protected_dates == DATES[1:]
    assert (third_metadata["report_dates_reused"], third_metadata["report_dates_computed"]) == (1, 2)
    assert third == first
    assert third_metadata["dagster/row_count"] == len(expected)

    # a table whose digests read but whose other columns are not this code's: its cells
    # cannot be kept, and every date is protected again rather than the run failing
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute("alter table marts.bulletin_protected_cells rename column display to shown")
    protected_dates.clear()
    fourth, fourth_metadata = build()
    assert protected_dates == DATES
    assert (fourth_metadata["report_dates_reused"], fourth_metadata["report_dates_computed"]) == (0, len(DATES))
    assert fourth == first


def test_stored_cells_trust_a_date_only_when_every_cell_carries_one_digest():
    class Stored:
        def __init__(self, frame):
            self.frame = frame

        def exists(self, table):
            return self.frame is not None

        def read(self, table, columns=None):
            if isinstance(self.frame, Exception):
                raise self.frame
            return self.frame[columns]

    day_1, day_2, day_3 = (pd.Timestamp(day) for day in DATES)
    cells = pd.DataFrame({"report_date": [day_1, day_1, day_2, day_2, day_3, day_3, day_3],
                          INPUTS_DIGEST: ["a", "a", "b", "c", "d", "d", None], "page": ["national"] * 7})
    assert stored_cells(Stored(cells)) == StoredCells({DATES[0]: "a"}, {DATES[0]: 2, DATES[1]: 2, DATES[2]: 3})
    assert stored_cells(Stored(None)) == StoredCells({}, {}, "no previous table")
    assert stored_cells(Stored(KeyError("inputs_digest"))) == StoredCells(
        {}, {}, "previous table unreadable: KeyError: 'inputs_digest'")
