"""What a suite found in rows it has validated before, so that rows which did not change
are not validated again. Only passing outcomes are kept: a failure is looked at again
every run (it may also have been the validation's own failure, such as memory).

A validation is a function of the rows (only the columns the suite reads), the suite and
the software that runs it. Each part of a table the check validates (the whole table, or
the rows of one value of the suite's ``validate_by`` column) is known by a fingerprint
DuckDB computes in one pass: the number of rows and the sum of their row hashes, which
does not depend on the rows' order. The memo keeps each fingerprint's outcomes under a
key made of the suite's definition, the columns' types, the versions of the libraries
that make and validate the frames and this package's validation code; a new key forgets
everything.

A weekly run rebuilds the facts of every report date, but only the newest date's rows
differ from last week's: its check validates one date instead of ten (11 s less at a
million children), and a table that did not change at all is not read into pandas.

Only hashes, counts and outcomes are kept (no values), in ``out/quality/memo``."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path

import duckdb

from orchestration.publishing import sweep_leftovers, write_file
from orchestration.quality.suites import ExpectationOutcome, Suite, SuiteResult

ROW_HASH = "hash(*columns(*))"  # one hash of all the columns read (no alias: a column could be named like it)
# The code that reads and validates the rows: a change to it forgets what was validated.
CODE = tuple(Path(__file__).with_name(name) for name in ("memo.py", "checks.py", "suites.py"))
LIBRARIES = ("great_expectations", "pandas", "pyarrow", "numpy", "duckdb")  # they make and read the frames


class Memo:
    """A suite's fingerprint -> outcomes, as written by the previous validation. Saved with
    only the fingerprints seen in this validation: parts that are gone are forgotten."""

    def __init__(self, path: Path, suite: Suite, key: str) -> None:
        self.path, self.suite, self.key = path, suite, key
        try:
            stored = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        except (OSError, ValueError):  # a memo must never fail a check: it only costs a validation
            stored = {}
        self._before: dict[str, dict] = stored.get("parts", {}) if stored.get("key") == key else {}
        self._now: dict[str, dict] = {}

    @classmethod
    def open(cls, out_path: Path, suite: Suite, connection: duckdb.DuckDBPyConnection) -> Memo:
        return cls(out_path / "quality" / "memo" / f"{suite.name}.json", suite, suite_key(suite, connection))

    def get(self, fingerprint: str) -> SuiteResult | None:
        entry = self._before.get(fingerprint)
        if entry is None:
            return None
        self._now[fingerprint] = entry
        return SuiteResult(suite=self.suite, success=entry["success"], rows=entry["rows"],
                           outcomes=[ExpectationOutcome(**outcome) for outcome in entry["outcomes"]],
                           remembered=entry["rows"])

    def keep(self, fingerprint: str, result: SuiteResult) -> None:
        self._now[fingerprint] = {"success": result.success, "rows": result.rows,
                                  "outcomes": [asdict(outcome) for outcome in result.outcomes]}

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        sweep_leftovers(self.path.parent)
        write_file(self.path, json.dumps({"key": self.key, "parts": self._now}, sort_keys=True, default=str))


def suite_key(suite: Suite, connection: duckdb.DuckDBPyConnection) -> str:
    """What a validation depends on besides the rows."""
    types = connection.execute(f"describe select {select_list(suite)} from {suite.relation}").fetchall()
    return _digest([suite.definition, suite.relation, suite.validate_by, select_list(suite),
                    [(name, kind) for name, kind, *_ in types],
                    [version(library) for library in LIBRARIES],
                    [hashlib.sha256(path.read_bytes()).hexdigest() for path in CODE]])


def select_list(suite: Suite) -> str:
    """The columns the suite reads: the rows it is given, and what the fingerprint covers."""
    return ", ".join(suite.columns) or "*"


def whole_table_fingerprint(suite: Suite, connection: duckdb.DuckDBPyConnection) -> str:
    [(rows, digest)] = connection.execute(
        f"select count(*), sum({ROW_HASH}) from (select {select_list(suite)} from {suite.relation})").fetchall()
    return _digest([None, rows, str(digest)])


def part_fingerprints(suite: Suite, connection: duckdb.DuckDBPyConnection) -> list[tuple[object, int, str]]:
    """(value, rows, fingerprint) of each value of the suite's ``validate_by`` column, in
    order, null last. The value is hashed with its rows, so a row moving from one value to
    another changes both."""
    column = suite.validate_by
    read = select_list(suite) if column in suite.columns else f"{column}, {select_list(suite)}"
    groups = connection.execute(
        f"select {column}, count(*), sum({ROW_HASH}) from (select {read} from {suite.relation})"
        f" group by {column} order by {column} nulls last").fetchall()
    return [(value, rows, _digest([str(value) if value is not None else None, rows, str(digest)]))
            for value, rows, digest in groups]


def _digest(parts: list) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
