"""Great Expectations 1.x suites kept as JSON in `expectations/`, validated against a
pandas DataFrame read from DuckDB (GX's SQL route through duckdb-engine is broken, and
dagster-ge only supports GX 0.x). An ephemeral context keeps the repo free of GX state.
"""

from __future__ import annotations

import ast
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
    # Optional: validate the rows of a few values of this column at a time (report dates:
    # two of a million children each, not ten; checks.ROWS_PER_PART), which only
    # expectations that hold part by part allow (_holds_part_by_part). Each value's rows
    # are then remembered apart (memo.py): a value whose rows did not change is skipped.
    validate_by: str | None = None

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


# Expectations about each row alone: met by every part exactly when met by the whole.
ROW_EXPECTATIONS = frozenset({
    "expect_column_values_to_be_in_set", "expect_column_values_to_not_be_in_set",
    "expect_column_values_to_not_be_null", "expect_column_values_to_be_null",
    "expect_column_values_to_match_regex", "expect_column_values_to_not_match_regex",
    "expect_column_values_to_be_between", "expect_column_pair_values_to_be_equal",
})
# Uniqueness of columns that include the partition column: rows of two parts never clash.
UNIQUENESS_EXPECTATIONS = frozenset({"expect_compound_columns_to_be_unique",
                                     "expect_select_column_values_to_be_unique_within_record"})


def load_suites(directory: Path | None = None) -> list[Suite]:
    suites = []
    for path in sorted((directory or expectations_dir()).glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        meta = definition["meta"]
        suite = Suite(
            name=definition["name"],
            asset=tuple(meta["asset"]),
            relation=meta["relation"],
            reads_asset=tuple(meta.get("reads_asset", meta["asset"])),
            blocking=bool(meta["blocking"]),
            description=meta["description"],
            definition=definition,
            validate_by=meta.get("validate_by"),
        )
        if suite.validate_by:
            for expectation in definition["expectations"]:
                if not _holds_part_by_part(expectation, suite.validate_by):
                    raise ValueError(f"{path}: validate_by {suite.validate_by!r}, but {expectation['type']}"
                                     f" {expectation['kwargs']} does not hold part by part: validate the whole table")
        suites.append(suite)
    return suites


def _holds_part_by_part(expectation: dict, column: str) -> bool:
    kwargs = expectation["kwargs"]
    if expectation["type"] in ROW_EXPECTATIONS:
        condition = kwargs.get("row_condition")
        return "mostly" not in kwargs and (  # mostly: a share of the whole
            not condition or (kwargs.get("condition_parser") == "pandas" and _looks_at_each_row_alone(condition)))
    return expectation["type"] in UNIQUENESS_EXPECTATIONS and column in kwargs.get("column_list", [])


# What a pandas row condition (DataFrame.query on the part's frame) may be made of for it
# to pick the same rows in a part as in the whole table: columns, constants, operators,
# and these methods, which look at each value alone. Anything else (`x > x.mean()`,
# `x.iloc[0]`, `index`, `@variable`) may look at the other rows of the frame.
ROW_CONDITION_METHODS = frozenset({"isnull", "notnull", "isna", "notna"})
ROW_CONDITION_NODES = (ast.Expression, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Compare, ast.Constant, ast.Name,
                       ast.List, ast.Tuple, ast.Load, ast.boolop, ast.operator, ast.unaryop, ast.cmpop)


def _looks_at_each_row_alone(condition: object) -> bool:
    if not isinstance(condition, str):
        return False
    try:
        tree = ast.parse(condition, mode="eval")
    except SyntaxError:  # pandas-only syntax such as `@variable`
        return False
    method_parts: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            method = node.func
            if not (isinstance(method, ast.Attribute) and method.attr in ROW_CONDITION_METHODS
                    and isinstance(method.value, ast.Name) and not node.args and not node.keywords):
                return False
            method_parts.update({id(node), id(method)})
        elif id(node) in method_parts:
            continue
        elif not isinstance(node, ROW_CONDITION_NODES) or (isinstance(node, ast.Name)
                                                          and node.id in ("index", "ilevel_0")):
            return False
    return True


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
    remembered: int = 0  # of the rows: their outcomes kept from an earlier validation (memo.py)

    @property
    def failures(self) -> list[ExpectationOutcome]:
        return [outcome for outcome in self.outcomes if not outcome.success]


@cache
def _context():
    # Importing GX costs seconds: only when a check actually runs.
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    logging.getLogger("great_expectations").setLevel(logging.WARNING)
    _skip_frame_fingerprint()
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("warehouse_frames")
        .add_dataframe_asset("frame")
        .add_batch_definition_whole_dataframe("whole_frame")
    )
    return gx, batch_definition


def _skip_frame_fingerprint() -> None:
    """GX labels each batch of a DataFrame under 1 GB with an md5 of pandas' hash of every
    row, twice per validation; at a million rows that is about half of the validation's
    time, and nothing reads the label (our results are the expectations' outcomes). A
    threshold of 0 leaves it out. (The constant is GX's: if it goes away, so does this.)"""
    from great_expectations.execution_engine import pandas_execution_engine

    if hasattr(pandas_execution_engine, "HASH_THRESHOLD"):
        pandas_execution_engine.HASH_THRESHOLD = 0


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


def combine(suite: Suite, parts: list[SuiteResult]) -> SuiteResult:
    """One result from the results of a suite's parts (Suite.validate_by), matched by
    expectation (GX lists an expectation that raised first): an expectation is met when
    every part meets it, its unexpected values are the parts' together (unknown when a
    failing part does not say)."""
    def key(outcome: ExpectationOutcome) -> str:
        return json.dumps([outcome.expectation, outcome.kwargs], sort_keys=True, default=str)

    by_expectation: dict[str, list[ExpectationOutcome]] = {}
    for part in parts:
        for outcome in part.outcomes:
            by_expectation.setdefault(key(outcome), []).append(outcome)
    outcomes = []
    for same in by_expectation.values():
        counts = [o.unexpected_count for o in same]
        unknown = any(count is None and not o.success for count, o in zip(counts, same))
        outcomes.append(ExpectationOutcome(
            expectation=same[0].expectation,
            kwargs=same[0].kwargs,
            success=all(o.success for o in same) and len(same) == len(parts),
            unexpected_count=None if unknown or all(count is None for count in counts)
            else sum(count or 0 for count in counts),
        ))
    return SuiteResult(suite=suite, success=all(part.success for part in parts),
                       rows=sum(part.rows for part in parts), outcomes=outcomes,
                       remembered=sum(part.remembered for part in parts))
