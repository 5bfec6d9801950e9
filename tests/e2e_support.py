"""Helpers for the end-to-end tests: a finished run, queries against its outputs, and
reading the tables of a published bulletin."""

from __future__ import annotations

import re
from dataclasses import dataclass
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
    candidate = re.compile(r"G?[0-9]{12,13}")

    def leaks(text: str) -> bool:
        return any(token in identifiers for token in candidate.findall(text)) or any(n in text for n in names)

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
