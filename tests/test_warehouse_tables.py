"""The Python steps' table interface on DuckDB: explicit column types whatever pandas
inferred (an empty result included), replaced in one step, and a clear error when a
step's frame does not have the table's columns."""

from __future__ import annotations

import pandas as pd
import pytest

from orchestration.warehouse_tables import DuckDBTables

TYPES = {"report_date": "date", "page": "string", "children": "bigint", "share": "double", "is_small": "boolean"}


def _describe(tables: DuckDBTables, table: str) -> list[tuple[str, str]]:
    import duckdb

    with duckdb.connect(str(tables.path), read_only=True) as connection:
        return [(row[0], row[1]) for row in connection.execute(f"describe {table}").fetchall()]


def test_an_empty_frame_still_gives_typed_columns(tmp_path):
    tables = DuckDBTables(tmp_path / "warehouse.duckdb")
    assert not tables.exists("marts.cells")
    tables.replace("marts.cells", pd.DataFrame(columns=list(TYPES)), TYPES)
    assert tables.exists("marts.cells")
    assert _describe(tables, "marts.cells") == [
        ("report_date", "DATE"), ("page", "VARCHAR"), ("children", "BIGINT"), ("share", "DOUBLE"), ("is_small", "BOOLEAN")]


def test_replace_swaps_the_rows_and_read_gives_them_back(tmp_path):
    tables = DuckDBTables(tmp_path / "warehouse.duckdb")
    first = pd.DataFrame({"report_date": ["2022-05-31"], "page": ["10"], "children": [3], "share": [0.5], "is_small": [True]})
    tables.replace("marts.cells", first, TYPES)
    second = pd.DataFrame({"report_date": [None, None], "page": ["a", None], "children": [None, 7],
                           "share": [None, 1.0], "is_small": [None, False]})
    tables.replace("marts.cells", second, TYPES)
    back = tables.read("marts.cells")
    assert len(back) == 2 and back["children"].isna().tolist() == [True, False]
    assert _describe(tables, "marts.cells")[2] == ("children", "BIGINT")


def test_a_frame_without_the_tables_columns_is_refused(tmp_path):
    tables = DuckDBTables(tmp_path / "warehouse.duckdb")
    with pytest.raises(ValueError, match="marts.cells"):
        tables.replace("marts.cells", pd.DataFrame({"page": ["a"]}), TYPES)


def test_replace_keeping_some_rows_writes_only_the_others(tmp_path):
    """The protection's weekly run: the dates it did not compute again keep their rows."""
    tables = DuckDBTables(tmp_path / "warehouse.duckdb")
    row = {"page": "a", "share": 1.0, "children": 1, "is_small": False}
    old = pd.DataFrame([row | {"report_date": day, "children": n} for n, day in
                        enumerate(["2022-05-31", "2022-05-31", "2022-06-30", "2022-07-31"])])
    assert tables.replace("marts.cells", old[list(TYPES)], TYPES) == 4
    new = pd.DataFrame([row | {"report_date": "2022-06-30", "children": 9}, row | {"report_date": "2022-08-31"}])
    assert tables.replace("marts.cells", new[list(TYPES)], TYPES, keep=("report_date", ["2022-05-31"])) == 4
    back = tables.read("marts.cells", ["report_date", "children"]).sort_values(["report_date", "children"])
    assert list(back.columns) == ["report_date", "children"]
    assert [(str(day.date()), n) for day, n in back.itertuples(index=False)] == [
        ("2022-05-31", 0), ("2022-05-31", 1), ("2022-06-30", 9), ("2022-08-31", 1)]
    # nothing to keep: only the frame's rows
    assert tables.replace("marts.cells", new[list(TYPES)], TYPES, keep=("report_date", [])) == 2


def test_kept_rows_are_read_by_name_and_by_their_type(tmp_path):
    """Kept rows come from the table as it is, its columns taken by name and cast to the
    new types (a timestamp key still matches its date); rows without a key are not kept."""
    import duckdb

    tables = DuckDBTables(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(tables.path)) as connection:
        connection.execute("create schema marts")
        connection.execute("create table marts.cells as select * from (values"
                           " (1, 0.5, false, 'kept', timestamp '2022-05-31 00:00:00'),"
                           " (2, 0.5, false, 'gone', timestamp '2022-06-30 00:00:00'),"
                           " (3, 0.5, false, 'no date', null))"
                           " as t(children, share, is_small, page, report_date)")
    new = pd.DataFrame([{"report_date": "2022-06-30", "page": "new", "children": 7, "share": 1.0, "is_small": True}])
    assert tables.replace("marts.cells", new, TYPES, keep=("report_date", ["2022-05-31"])) == 2
    assert _describe(tables, "marts.cells") == [
        ("report_date", "DATE"), ("page", "VARCHAR"), ("children", "BIGINT"), ("share", "DOUBLE"), ("is_small", "BOOLEAN")]
    back = tables.read("marts.cells").sort_values("page")
    assert back["page"].tolist() == ["kept", "new"] and back["children"].tolist() == [1, 7]
