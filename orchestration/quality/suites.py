"""Great Expectations 1.x suites kept as JSON in `expectations/`, validated against a
pandas DataFrame read from DuckDB (GX's SQL route through duckdb-engine is broken, and
dagster-ge only supports GX 0.x). An ephemeral context keeps the repo free of GX state.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from orchestration.paths import EXPECTATIONS_DIR

EXPECTATIONS_DIR_ENV = "BACKTOSCHOOL_EXPECTATIONS_DIR"  # tests point it at other suites
COLUMN_KWARGS = ("column", "column_A", "column_B")


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]  # the asset the check is attached to
    relation: str  # schema.table the suite validates
    reads_asset: tuple[str, ...]  # the asset that relation is
    blocking: bool
    description: str
    definition: dict

    @property
    def columns(self) -> list[str]:
        """Only the columns the expectations use are read (tables can be large)."""
        names: list[str] = []
        for expectation in self.definition["expectations"]:
            kwargs = expectation["kwargs"]
            names += [kwargs[key] for key in COLUMN_KWARGS if key in kwargs]
            names += kwargs.get("column_list", [])
            names += _condition_columns(kwargs.get("row_condition", ""))
        return list(dict.fromkeys(names))


def _condition_columns(condition: str) -> list[str]:
    """Column names in a pandas row condition: identifiers outside quotes that are not
    method calls (isnull(), ...)."""
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", condition)
    return [name for name in re.findall(r"\b([a-z_][a-z0-9_]*)\b(?!\s*\()", unquoted)]


def expectations_dir() -> Path:
    return Path(os.environ.get(EXPECTATIONS_DIR_ENV) or EXPECTATIONS_DIR)


def load_suites(directory: Path | None = None) -> list[Suite]:
    suites = []
    for path in sorted((directory or expectations_dir()).glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        meta = definition["meta"]
        suites.append(
            Suite(
                name=definition["name"],
                asset=tuple(meta["asset"]),
                relation=meta["relation"],
                reads_asset=tuple(meta.get("reads_asset", meta["asset"])),
                blocking=bool(meta["blocking"]),
                description=meta["description"],
                definition=definition,
            )
        )
    return suites


@dataclass
class ExpectationOutcome:
    expectation: str
    kwargs: dict
    success: bool
    unexpected_count: int | None

    @property
    def summary(self) -> str:
        target = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        # Counts only: the unexpected values could be children's identifiers.
        detail = "" if self.success else f" — {self.unexpected_count} unexpected values"
        return f"{'✓' if self.success else '✗'} {self.expectation}({target}){detail}"


@dataclass
class SuiteResult:
    suite: Suite
    success: bool
    rows: int
    outcomes: list[ExpectationOutcome]

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]


@cache
def _context():
    # Importing GX costs seconds: only when a check actually runs.
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("warehouse_frames")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole_frame")
    )
    return gx, batch_definition


def validate(suite: Suite, frame: pd.DataFrame) -> SuiteResult:
    gx, batch_definition = _context()
    gx_suite = gx.ExpectationSuite(name=suite.name, expectations=[
        {"type": e["type"], "kwargs": e["kwargs"]} for e in suite.definition["expectations"]
    ])
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(gx_suite)
    outcomes = [
        ExpectationOutcome(
            expectation=r.expectation_config.type,
            kwargs=dict(r.expectation_config.kwargs),
            success=bool(r.success),
            unexpected_count=r.result.get("unexpected_count"),
        )
        for r in result.results
    ]
    return SuiteResult(suite=suite, success=bool(result.success), rows=len(frame), outcomes=outcomes)
