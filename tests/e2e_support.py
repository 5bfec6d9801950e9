"""Helpers for the end-to-end tests: a finished run, queries against its outputs, and
reading the tables of a published bulletin."""

from __future__ import annotations

import re
from dataclasses import dataclass

from orchestration.reporting.thai import thai_date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd


@dataclass(frozen=True)
class FinishedRun:
    landing: Path
    out: Path

    @property
    def truth(self) -> Path:
        return self.landing / "_truth"

    @property
    def warehouse(self) -> Path:
        return self.out / "warehouse.duckdb"

    def query(self, sql: str, params: list | None = None, *, database: Path | None = None) -> list[tuple]:
        with duckdb.connect(str(database or self.warehouse), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql, params or []).df()

    def truth_csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.truth / name, dtype=str, keep_default_na=False)


class _Tables(HTMLParser):
    """Collects the text of every cell of every table with an id, row by row, and the
    text of any element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) of elements being read

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "id" in attributes:
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        if "id" in attributes and tag != "table":
            self._open_ids.append((tag, attributes["id"]))
            self.texts[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, element_id in self._open_ids:
            self.texts[element_id] += data


def assert_children_match_truth(run: FinishedRun, report_dates, place_columns=("province_code",)) -> pd.DataFrame:
    """Every cohort child on every report date has the truth's status, stage and agency,
    and its place codes wherever the province was spelt right; a misspelt province is
    recovered or left null (never another province), an unspecified one stays null.
    Returns the merged frame for further checks."""
    from orchestration.generator import expected_child_status

    expected = expected_child_status(run.truth, report_dates)
    actual = run.frame(
        f"""
        select c.child_id, f.report_date, f.status_code, f.education_stage, f.source_agency,
               {", ".join(f"f.{column}" for column in place_columns)}
        from marts.fct_child_status f join intermediate.int_cohort_children c using (child_key)
        """
    )
    actual["report_date"] = actual["report_date"].dt.date
    merged = expected.merge(actual, on=["child_id", "report_date"], how="outer", suffixes=("_true", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in ("status_code", "education_stage", "source_agency"):
        wrong = merged[merged[f"{column}_true"].astype(str) != merged[column].astype(str)]
        assert wrong.empty, wrong.head()
    exact = merged[merged["province_spelling"] == "exact"]
    for column in place_columns:
        wrong = exact[exact[f"{column}_true"].fillna("") != exact[column].fillna("")]
        assert wrong.empty, wrong[["child_id", "report_date", f"{column}_true", column]].head()
    # a misspelt province is recovered or left unknown, never taken for another province
    misspelt = merged[merged["province_spelling"] == "misspelt"]
    wrong = misspelt[misspelt["province_code"].notna() & (misspelt["province_code"] != misspelt["province_code_true"])]
    assert wrong.empty, wrong[["child_id", "province_code_true", "province_code"]].head()
    assert merged.loc[merged["province_spelling"] == "unspecified", "province_code"].isna().all()
    return merged


def personal_data_found(run: FinishedRun) -> list[str]:
    """Where a child's identifier (as a substring) or full name appears in the analysts'
    copy or in any published page. Empty when the privacy boundary holds."""
    identifiers = {child for (child,) in run.query("select child_id from intermediate.int_cohort_children")}
    identifiers |= {child for (child,) in run.query(
        "select distinct child_id from intermediate.int_child_list_rows where child_id is not null")}
    names = {name for (name,) in run.query(
        "select distinct first_name || ' ' || last_name from intermediate.int_child_list_rows"
        " where first_name is not null and last_name is not null")}
    # children's birth dates (used rows: a quarantined row's "birth date" may be an
    # impossible one, such as a date in the programme year)
    births = {b for (b,) in run.query(
        "select distinct birth_date from intermediate.int_child_listings where birth_date is not null")}
    # birth dates as delivered (05/11/2552, 12 พ.ค. 2553, ISO) and as a bulletin would print them
    birth_texts = {t for (t,) in run.query(
        "select distinct birth_date_raw from intermediate.int_child_listings where length(birth_date_raw) >= 8")}
    birth_texts |= {b.isoformat() for b in births} | {thai_date(b) for b in births}
    candidate = re.compile(r"G?[0-9]{12,13}")

    def leaks(text: str) -> bool:
        return (any(token in identifiers for token in candidate.findall(text)) or any(n in text for n in names)
                or any(b in text for b in birth_texts))

    found = []
    analytics = run.out / "analytics.duckdb"
    if analytics.exists():
        columns = run.query(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'",
            database=analytics,
        )
        for schema, table, column in columns:
            values = run.query(f'select distinct "{column}" from {schema}.{table} where "{column}" is not null',
                               database=analytics)
            found += [f"{schema}.{table}.{column}" for (value,) in values if leaks(value)][:1]
        for schema, table, column in run.query(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'DATE'",
            database=analytics,
        ):
            values = {v for (v,) in run.query(f'select distinct "{column}" from {schema}.{table}', database=analytics)}
            if values & births:
                found.append(f"{schema}.{table}.{column} (birth dates)")
    for page in sorted(run.out.rglob("*.html")):
        if leaks(page.read_text(encoding="utf-8")):
            found.append(str(page.relative_to(run.out)))
    return found


def read_bulletin(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    for key, text in parser.texts.items():
        parser.texts[key] = " ".join(text.split())
    return parser


# -- small-cell protection: an attacker working from the printed tables only ----------------

SMALL_SYMBOL, HIDDEN_SYMBOL = "<5", "x"


@dataclass
class PrintedTable:
    """A table as a reader sees it: printed text per cell, its rows and columns (without
    the totals), and which cells are totals. ``names`` gives a cell the name of the figure
    it prints, so that the same figure printed in several tables (a province's row) is
    one unknown; by default a cell is its own figure."""

    rows: list[str]
    columns: list[str]
    text: dict[tuple[str, str], str]
    names: dict[tuple[str, str], str] = None  # type: ignore[assignment]
    total: str = "total"
    label: str = "t"

    def name(self, row: str, column: str) -> str:
        if self.names and (row, column) in self.names:
            return self.names[(row, column)]
        return f"{self.label}:{row}:{column}"


def parse_count(text: str) -> int | None:
    """'1,234' -> 1234; a symbol -> None."""
    text = text.strip()
    if text in (SMALL_SYMBOL, HIDDEN_SYMBOL):
        return None
    return int(text.replace(",", ""))


def hidden_figure_ranges(tables: list[PrintedTable]) -> dict[str, tuple[int, int]]:
    """For every hidden figure of the tables, the lowest and highest value a reader can
    give it: integer programs (scipy's HiGHS) over what is printed — each row adds up to
    its total, each column to its total, "<5" is 0–4, "x" is 5 or more, a figure printed
    anywhere is known everywhere. Independent of the warehouse's own algorithm."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    known: dict[str, int] = {}
    symbols: dict[str, str] = {}
    for table in tables:
        for (row, column), text in table.text.items():
            value = parse_count(text)
            name = table.name(row, column)
            if value is None:
                symbols.setdefault(name, text.strip())
            else:
                known[name] = value
    unknown = sorted(name for name in symbols if name not in known)
    index = {name: i for i, name in enumerate(unknown)}
    ceiling = 10_000_000  # "x": 5 or more
    equations, rhs = [], []

    def add(terms: list[tuple[str, int]]) -> None:
        row, constant = np.zeros(len(unknown)), 0
        for name, sign in terms:
            if name in index:
                row[index[name]] += sign
            else:
                constant -= sign * known[name]
        if row.any():
            equations.append(row)
            rhs.append(constant)
        elif constant != 0:
            raise AssertionError(f"printed figures do not add up: {terms}")

    for table in tables:
        for row in [*table.rows, table.total]:
            add([(table.name(row, c), 1) for c in table.columns] + [(table.name(row, table.total), -1)])
        for column in [*table.columns, table.total]:
            add([(table.name(r, column), 1) for r in table.rows] + [(table.name(table.total, column), -1)])
    if not unknown:
        return {}
    low = [0 if symbols[n] == SMALL_SYMBOL else 5 for n in unknown]
    high = [4 if symbols[n] == SMALL_SYMBOL else ceiling for n in unknown]
    constraints = [LinearConstraint(np.array(equations), rhs, rhs)] if equations else []
    ranges = {}
    for name in unknown:
        objective = np.zeros(len(unknown))
        objective[index[name]] = 1
        ends = []
        for sign in (1, -1):
            result = milp(sign * objective, constraints=constraints, bounds=Bounds(low, high),
                          integrality=np.ones(len(unknown)))
            assert result.success, f"no table fits what is printed ({result.message})"
            ends.append(round(sign * result.fun))
        ranges[name] = (ends[0], ends[1])
    return ranges
