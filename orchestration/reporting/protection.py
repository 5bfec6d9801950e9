"""Which sub-national figures the bulletins may print, for every report date and page.

Reads the exact counts of the bulletin marts (as records) and returns one record per
printed cell: its value when it is published, or why it is not. Run by the Dagster
asset ``marts/bulletin_protected_cells`` (protected_cells.py); the algorithm itself is
``orchestration.reporting.suppression`` (see there for the rule and why it is Python).

Pages and their tables, top-down (a figure printed on two pages is protected once):

* the national bulletin's table of provinces (province × status, with each province's
  total; the column totals are national figures, printed exactly);
* each provincial bulletin: its districts and its schools, two breakdowns of the same
  province row, which keeps the pattern it has on the national page;
* each provincial bulletin's written summary: children found since the previous report
  date, from "not found" / "being tracked" (rows) to back in education / not (columns).

A report date whose inputs and code are those of the previous run keeps that run's cells
(``protect_bulletins_reusing``, at the end).
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from orchestration.reporting import suppression
from orchestration.reporting.suppression import (
    PUBLISHED,
    SMALL_MAX,
    TOTAL,
    Table,
    Unprotectable,
    Withheld,
    protect_area_tables_or_none,
    protect_free_table,
    protect_with_published_column_totals,
    row_figure_to_hide,
    symbol,
    withhold,
)
from orchestration.workers import map_in_workers, worker_count

NATIONAL_PAGE = "national"
UNKNOWN_PROVINCE = "unknown"  # children whose province is not known: a row, never a page
WITHHELD = "withheld"
WITHHELD_SYMBOL = "·"
COLUMNS = ("report_date", "page", "table_name", "row_key", "column_key", "children", "suppression", "display")


def _records_by(records: Iterable[Mapping[str, Any]], *keys: str) -> dict[tuple, list[Mapping[str, Any]]]:
    grouped: dict[tuple, list] = defaultdict(list)
    for record in records:
        grouped[tuple(record[key] for key in keys)].append(record)
    return grouped


def _order(key: str) -> tuple:
    """Codes in numeric order, then words (unknown, other, none): deterministic whatever
    order the records come in."""
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


def _table(records: list[Mapping[str, Any]], row_field: str, column_field: str,
           floors: Mapping[str, int] | None = None) -> Table:
    """``floors``: rows printed only when they hold at least that many children (a
    reader knows as much from their being there)."""
    rows = sorted({str(r[row_field]) for r in records}, key=_order)
    columns = sorted({str(r[column_field]) for r in records}, key=_order)
    counts = {(str(r[row_field]), str(r[column_field])): int(r["children"]) for r in records}
    return Table(rows, columns, counts, floors={row: n for row, n in (floors or {}).items() if row in rows})


# Rows of a provincial page's tables that are there only when they hold children: the
# children whose district is not known, the schools that are not named (fewer than
# SMALLEST_NAMED each), those without a school code; a school is named from SMALLEST_NAMED.
SMALLEST_NAMED = SMALL_MAX + 1
DISTRICT_FLOORS = {"unknown": 1}
SCHOOL_FLOORS = {"other": 1, "none": 1}


def _school_table(records: list[Mapping[str, Any]]) -> Table:
    named = {str(r["school_key"]): SMALLEST_NAMED for r in records if str(r["school_key"]) not in SCHOOL_FLOORS}
    return _table(records, "school_key", "status_code", {**named, **SCHOOL_FLOORS})


def _emit(out: list[dict], report_date: date, page: str, table_name: str, table: Table,
          pattern: Mapping[tuple[str, str], str] | Withheld, totals: Mapping[str, str] | None = None) -> None:
    """One record per cell of the table, its totals row and total column included.
    ``totals`` gives the status of the totals row when it was decided elsewhere."""
    for row in [*table.rows, TOTAL]:
        for column in [*table.columns, TOTAL]:
            value = table.value(row, column)
            if row == TOTAL and totals is not None:
                status = totals[column]
            elif isinstance(pattern, Withheld):
                status = WITHHELD
            else:
                status = pattern.get((row, column), PUBLISHED)
            published = status == PUBLISHED
            out.append({
                "report_date": report_date, "page": page, "table_name": table_name, "row_key": row,
                "column_key": column, "children": value if published else None,
                "suppression": None if published else status,
                "display": WITHHELD_SYMBOL if status == WITHHELD else symbol(status, value),
            })


# Below this many school rows the dates are protected in this process: starting worker
# processes costs more than it saves.
PARALLEL_FROM_SCHOOL_ROWS = 50_000
WORKERS_ENV = "BACKTOSCHOOL_PROTECTION_WORKERS"  # optional: how many worker processes (default: one per core)


def protect_bulletins(
    provinces: Iterable[Mapping[str, Any]],
    districts: Iterable[Mapping[str, Any]],
    schools: Iterable[Mapping[str, Any]],
    transitions: Iterable[Mapping[str, Any]],
) -> list[dict]:
    """provinces: report_date, province_key, status_code, children (every province and
    'unknown', every status); districts: report_date, province_code, district_key,
    status_code, children; schools: report_date, province_code, school_key, status_code,
    children; transitions: report_date, province_key, from_status_code, to_status_code,
    children. Returns records with COLUMNS.

    Report dates are protected independently (bulletins of different dates are not
    protected against each other), so at national scale they are shared out between
    worker processes, one per core: a million children make the search minutes long. A
    single date's provincial pages are shared out instead."""
    by_date = _inputs_by_date(provinces, districts, schools, transitions)
    return [record for records in _protect_dates([by_date[day] for day in sorted(by_date)]) for record in records]


def _inputs_by_date(provinces, districts, schools, transitions) -> dict[Any, tuple[list, list, list, list]]:
    """report_date -> its records of the four inputs; only dates with provinces (the
    others print nothing)."""
    by_date: dict[Any, tuple[list, list, list, list]] = defaultdict(lambda: ([], [], [], []))
    for position, records in enumerate((provinces, districts, schools, transitions)):
        for record in records:
            by_date[record["report_date"]][position].append(record)
    return {day: inputs for day, inputs in by_date.items() if inputs[0]}


def _protect_dates(dates: list[tuple[list, list, list, list]]) -> list[list[dict]]:
    workers = worker_count(WORKERS_ENV) if sum(len(day[2]) for day in dates) >= PARALLEL_FROM_SCHOOL_ROWS else 1
    if len(dates) == 1 and workers > 1:
        # A weekly run protects its new date alone: its provinces' pages are shared out
        # instead (at national scale 77 searches of about 0.2 s each).
        return [_protect_report_date(*dates[0], workers=workers)]
    return map_in_workers(_protect_report_date, dates, workers)


def _protect_report_date(provinces: list, districts: list, schools: list, transitions: list,
                         workers: int = 1) -> list[dict]:
    """Every protected cell of one report date's bulletins (the records of that date);
    ``workers``: processes the provincial pages are shared out between."""
    out: list[dict] = []
    districts_by = _records_by(districts, "report_date", "province_code")
    schools_by = _records_by(schools, "report_date", "province_code")
    transitions_by = _records_by(transitions, "report_date", "province_key")
    for (report_date,), records in sorted(_records_by(provinces, "report_date").items()):
        province_table = _table(records, "province_key", "status_code")
        pages = {}
        for province in province_table.rows:
            if province_table.value(province, TOTAL) > 0 and (report_date, province) in districts_by:
                tables = {"district": _table(districts_by[(report_date, province)], "district_key", "status_code",
                                             DISTRICT_FLOORS)}
                if (report_date, province) in schools_by:
                    tables["school"] = _school_table(schools_by[(report_date, province)])
                _check_adds_up(tables, province_table, province, report_date)
                pages[province] = tables
        # A province has a bulletin exactly when it has children: a reader of the index
        # knows its total is 1 or more, or 0 (then it is printed as such).
        province_table.floors = {province: 1 for province in pages}
        province_table.known = frozenset(p for p in province_table.rows if p not in pages and p != UNKNOWN_PROVINCE
                                         and province_table.value(p, TOTAL) == 0)
        national, patterns = _protect_date(province_table, pages, workers)
        national_totals = {column: PUBLISHED for column in [*province_table.columns, TOTAL]}
        _emit(out, report_date, NATIONAL_PAGE, "province", province_table, national, national_totals)
        for province, tables in pages.items():
            row = ({column: WITHHELD for column in [*province_table.columns, TOTAL]} if isinstance(national, Withheld)
                   else {column: national[(province, column)] for column in [*province_table.columns, TOTAL]})
            for name, table in tables.items():
                _emit(out, report_date, province, name, table, patterns[province][name], row)
            moves = transitions_by.get((report_date, province))
            if moves:
                summary = _table(moves, "from_status_code", "to_status_code")
                try:
                    pattern: Mapping | Withheld = protect_free_table(summary)
                except Unprotectable:
                    pattern = Withheld(TOO_FEW)
                _emit(out, report_date, province, "summary", summary, pattern)
    return out


TOO_FEW = "too few children to publish without revealing small counts"


def _protect_date(province_table: Table, pages: Mapping[str, Mapping[str, Table]], workers: int = 1):
    """The national table of provinces and every provincial page of one report date.

    Top-down: the national table first; each provincial page keeps its province row as
    printed there. When a page cannot be protected that way, one more figure of its
    province row is hidden on the national page (``forced``) and everything is done
    again — hiding is only ever added, so this ends. When no single further figure
    helps, the page's table of schools (the finer one) is withheld, then its table of
    districts."""
    forced: set[tuple[str, str]] = set()
    active = {province: list(tables) for province, tables in pages.items()}
    while True:
        try:
            national = protect_with_published_column_totals(province_table, forced=sorted(forced))
        except Unprotectable:
            withheld = Withheld("a province's figure would follow from the national figures")
            return withheld, {p: withhold(tables, withheld.reason) for p, tables in pages.items()}
        rows = {province: {column: national[(province, column)] for column in [*province_table.columns, TOTAL]}
                for province in pages}
        printed = {province: {name: tables[name] for name in active[province]} for province, tables in pages.items()}
        # Each page is protected given its row alone: the pages of one pass are independent.
        searched = [province for province in pages if printed[province]]
        found = dict(zip(searched, map_in_workers(protect_area_tables_or_none,
                                                  [(printed[p], rows[p]) for p in searched], workers)))
        patterns: dict[str, dict] = {}
        changed = False
        for province, tables in pages.items():
            if not printed[province]:
                patterns[province] = withhold(tables, TOO_FEW)
                continue
            if found[province] is not None:
                patterns[province] = {**withhold(tables, TOO_FEW), **found[province]}
                continue
            column = row_figure_to_hide(printed[province], rows[province])
            if column is not None:
                forced.add((province, column))
            else:
                active[province] = active[province][:-1]
            changed = True
        if not changed:
            return national, patterns


def _check_adds_up(tables: Mapping[str, Table], province_table: Table, province: str, report_date: date) -> None:
    for name, table in tables.items():
        for column in [*province_table.columns, TOTAL]:
            if table.value(TOTAL, column) != province_table.value(province, column):
                raise ValueError(f"{name} table of {province} on {report_date} does not add up to the"
                                 f" province's {column} figure")


# -- reusing a previous run's cells -----------------------------------------------------------
#
# Protecting a national run's dates takes minutes, and a weekly run adds one date to
# dates whose inputs have not changed. A date's cells depend only on that date's records
# of the four inputs and on this code, so each date's cells carry a digest of both
# (INPUTS_DIGEST); a date whose digest is the one stored with the previous run's cells
# keeps those cells in the table, and only the others are protected again and written.
# The digest is computed on whole columns (a million children's school counts in about
# a second): turning every row into a record first took longer than the search itself
# for a weekly run's one new date.

INPUTS_DIGEST = "inputs_digest"
CELL_COLUMNS = (*COLUMNS, INPUTS_DIGEST)
_INPUTS = ("provinces", "districts", "schools", "transitions")
# Any change to these files recomputes every date: the digest cannot tell a refactoring
# from a change of rule.
ALGORITHM_FILES = (Path(suppression.__file__), Path(__file__))


def algorithm_digest(files: Sequence[Path] = ALGORITHM_FILES) -> str:
    digest = hashlib.sha256()
    for path in files:
        content = path.read_bytes()
        digest.update(f"{path.name} {len(content)}\n".encode())
        digest.update(content)
    return digest.hexdigest()


def _canonical(value: Any) -> Any:
    """The same JSON value whatever the reader gave: a count read once as a Python int,
    once as a numpy integer or as a float (an integer column with nulls reaches pandas as
    float64), a date as a date, a datetime or a pandas Timestamp, a flag as a bool or a
    numpy bool."""
    kind = type(value)
    if kind is str or kind is int or value is None:  # nearly every value: first, for speed
        return value
    if kind is date:
        return value.isoformat()
    if kind.__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, bool | str):
        return value
    if isinstance(value, np.bool_):  # not a bool, nor a number
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        if math.isnan(value):
            return None
        return int(value) if value.is_integer() else repr(value)
    if isinstance(value, datetime):  # DuckDB's DATE read through pandas: midnight, no zone
        return value.date().isoformat() if value.time() == time() and value.tzinfo is None else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def inputs_digest(inputs: tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame], algorithm: str) -> str:
    """sha256 of one date's rows of the four inputs and of the algorithm's digest. Each
    value is written as the JSON of its canonical value (_canonical), the columns in name
    order and the rows sorted, so that neither column nor row order counts, nor how the
    values were read."""
    digest = hashlib.sha256(f"algorithm {algorithm}\n".encode())
    for name, frame in zip(_INPUTS, inputs, strict=True):
        columns = sorted(frame.columns) if len(frame) else []  # no rows: nothing, whatever its columns
        texts = [_json_column(frame[column]) for column in columns]
        lines = sorted(texts[0].str.cat(texts[1:], sep="\x1f").tolist()) if columns else []
        digest.update(f"{name} {len(lines)} {json.dumps(columns, ensure_ascii=False)}\n".encode())
        # JSON escapes control characters: one row a line, one value a field
        digest.update("".join(f"{line}\n" for line in lines).encode())
    return digest.hexdigest()


def _json_column(values: pd.Series) -> pd.Series:
    """Each value's canonical JSON, vectorised for the types a reader gives whole columns
    (integers, integers with nulls as floats, dates as datetimes); the same text as
    _canonical value by value (the slower path, for columns of Python objects)."""
    present = values.notna()
    if pd.api.types.is_bool_dtype(values.dtype):
        text = values.map({True: "true", False: "false"})
    elif pd.api.types.is_numeric_dtype(values.dtype) and _all_integral(values[present]):
        text = values.astype("Int64").astype("string")
    elif pd.api.types.is_datetime64_any_dtype(values.dtype) and values.dt.tz is None \
            and (values[present] == values[present].dt.normalize()).all():
        text = '"' + values.dt.strftime("%Y-%m-%d") + '"'
    elif values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "date":
        text = '"' + pd.to_datetime(values).dt.strftime("%Y-%m-%d") + '"'  # datetime.date objects
    elif _all_text(values) and not values.str.contains(_ESCAPED, regex=True).any():
        text = '"' + values.astype("string") + '"'  # nothing to escape: the JSON is the quoted text
    else:
        return values.map(lambda value: json.dumps(_canonical(value), ensure_ascii=False)).astype("string")
    return text.astype("string").where(present, "null")


def _all_integral(numbers: pd.Series) -> bool:
    numbers = numbers.astype("float64")
    return bool((numbers == numbers.round()).all())


def _all_text(values: pd.Series) -> bool:
    return isinstance(values.dtype, pd.StringDtype) or (
        values.dtype == object and pd.api.types.infer_dtype(values, skipna=True) == "string")


_ESCAPED = r'["\\\x00-\x1f]'  # what JSON escapes inside a string (ensure_ascii off)


def _day(value: Any) -> str | None:
    """A report date as a key that compares equal however it was read."""
    return _canonical(value)


@dataclass(frozen=True)
class Reuse:
    """What a run did with the previous run's cells, to log."""

    reused: list[Any]
    computed: list[Any]

    def summary(self) -> str:
        return f"{len(self.reused)} report date(s) reused from the previous run, {len(self.computed)} computed"


def protect_bulletins_reusing(
    provinces: pd.DataFrame,
    districts: pd.DataFrame,
    schools: pd.DataFrame,
    transitions: pd.DataFrame,
    previous_digests: Mapping[Any, str],
    algorithm: str | None = None,
) -> tuple[list[dict], Reuse]:
    """The inputs as DataFrames with protect_bulletins' columns. Returns the cells of the
    report dates that must be protected (``Reuse.computed``), each with its date's
    INPUTS_DIGEST (CELL_COLUMNS), and in ``Reuse.reused`` the dates whose stored cells
    stay as they are: those whose digest in ``previous_digests`` (report_date -> the
    digest every stored cell of that date carries) is this run's. Only the computed
    dates' rows become records: at national scale the records, not the search, are what
    a run that reuses every date would spend its time and memory on."""
    algorithm = algorithm or algorithm_digest()
    frames = [_report_dates_as_dates(frame) for frame in (provinces, districts, schools, transitions)]
    parts = [dict(tuple(frame.groupby("report_date", sort=False))) for frame in frames]
    empty = [frame.iloc[0:0] for frame in frames]
    dates = sorted(parts[0])  # only dates with provinces: the others print nothing
    by_date = {day: tuple(part.get(day, none) for part, none in zip(parts, empty, strict=True)) for day in dates}
    digests = {day: inputs_digest(by_date[day], algorithm) for day in dates}
    previous = {_day(day): digest for day, digest in previous_digests.items()}
    reused = [day for day in dates if previous.get(_day(day)) == digests[day]]
    computed = [day for day in dates if day not in reused]
    fresh = _protect_dates([tuple(part.to_dict("records") for part in by_date[day]) for day in computed])
    cells = [{**cell, INPUTS_DIGEST: digests[day]} for day, day_cells in zip(computed, fresh, strict=True)
             for cell in day_cells]
    return cells, Reuse(reused=reused, computed=computed)


def _report_dates_as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """report_date as datetime.date, however it was read: the cells carry it as such."""
    return frame.assign(report_date=pd.to_datetime(frame["report_date"]).dt.date)
