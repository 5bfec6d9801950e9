"""Every dbt model and seed as a Dagster asset, built with `dbt build` (models, seeds
and their tests; the tests show as asset checks).

A few steps are Python, not SQL — place matching, record linkage, small-cell protection
— and run as Dagster assets of their own between dbt invocations (engine-neutral: dbt
Python models cannot run on Spark). dbt reads their tables as sources. So the dbt work
is split at them into stages, one `dbt build` each: the models before the first step,
those that need only the first step's tables, and so on. A stage is "the models
downstream of this step's sources, but of no later step's", so a model always sits in
the first stage that can build it and a new model needs no change here.
"""

import importlib.metadata
import json
import re
import sys
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetsDefinition
from dagster_dbt import DbtCliResource, dbt_assets
from packaging import version

from orchestration.settings import WarehouseSettings, full_refresh_asked
from orchestration.spark_catalog import refresh_catalog
from orchestration.transformation.project import dbt_project
from orchestration.transformation.python_steps import kept_results, step_ledger
from orchestration.transformation.translator import WarehouseTranslator

# How a model or macro reads the report dates (macros/report_dates.sql).
REPORT_DATES_VAR = re.compile(r"""var\(\s*['"](report_dates|BACKTOSCHOOL_REPORT_DATES)['"]""")

# The Python steps in the order they run, each as the dbt source of the tables it writes
# (models/intermediate/places, models/intermediate/identity, models/marts/bulletin).
PYTHON_STEP_SOURCES = (
    ("place_matching", "source:places"),
    ("linkage", "source:identity"),
    ("protection", "source:bulletin"),
)


def with_source_tests_attached(manifest: dict[str, Any]) -> dict[str, Any]:
    """The manifest with each test written on a source attached to that source.

    dagster-dbt makes a test an asset check of the node dbt attached it to, or else of its
    only parent; dbt attaches tests to models only. A source test with a second parent
    (a relationships test, a test reading other marts) would then be no check at all —
    and the tests of the Python steps' tables are their only checks."""
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or node.get("attached_node") or len(node.get("sources") or []) != 1:
            continue
        [(source_name, table_name)] = node["sources"]
        if node.get("file_key_name") == f"sources.{source_name}":  # a test written on that source
            node["attached_node"] = f"source.{node['package_name']}.{source_name}.{table_name}"
    return manifest


@dataclass(frozen=True)
class DbtStage:
    name: str
    select: str
    exclude: str | None


def dbt_stages(step_sources: tuple[tuple[str, str], ...] = PYTHON_STEP_SOURCES) -> list[DbtStage]:
    """One dbt selection before each Python step and one after the last (pure: unit
    tested). Source tests go with their source, so a step's tests run in the stage
    right after it."""
    stages = []
    for index in range(len(step_sources) + 1):
        select = f"{step_sources[index - 1][1]}+" if index else "fqn:*"
        later = " ".join(f"{source}+" for _, source in step_sources[index:])
        name = f"dbt_before_{step_sources[index][0]}" if index < len(step_sources) else f"dbt_after_{step_sources[-1][0]}"
        stages.append(DbtStage(name=name, select=select, exclude=later or None))
    return stages


def dbt_build_args(engine: str) -> list[str]:
    """The dbt command for a run on an engine (the profile's output of that name); pure,
    so it is unit tested without running dbt. The report dates reach dbt through
    BACKTOSCHOOL_REPORT_DATES (settings.prepare_dbt_environment; macros/report_dates.sql)."""
    return ["build", "--target", engine]


def reads_report_dates(manifest: dict[str, Any]) -> frozenset[AssetKey]:
    """The nodes that read the report dates var themselves or through a macro: the var
    is part of their fingerprint (orchestration/build_ledger.py); their children see it
    through them."""
    macros = manifest["macros"]

    def reads(sql: str, macro_ids: list[str], seen: set[str]) -> bool:
        if REPORT_DATES_VAR.search(sql):
            return True
        for macro_id in set(macro_ids) - seen:
            seen.add(macro_id)
            macro = macros.get(macro_id)
            if macro and reads(macro["macro_sql"], macro["depends_on"]["macros"], seen):
                return True
        return False

    translator = WarehouseTranslator()
    return frozenset(translator.get_asset_key(node) for node in manifest["nodes"].values()
                     if node["resource_type"] in ("model", "seed")
                     and reads(node.get("raw_code", ""), node["depends_on"].get("macros", []), set()))


def built_and_tested(results: dict[str, Any], manifest: dict[str, Any]) -> set[AssetKey]:
    """The models and seeds of a dbt run that built, none of whose tests failed or
    warned (a table with a warning is built again next time, so the warning shows again)."""
    nodes = manifest["nodes"]
    built = {result["unique_id"] for result in results["results"]
             if result["unique_id"].split(".")[0] in ("model", "seed") and result["status"] == "success"}
    for result in results["results"]:
        if result["unique_id"].startswith("test.") and result["status"] != "pass":
            built -= set(nodes.get(result["unique_id"], {}).get("depends_on", {}).get("nodes", []))
    translator = WarehouseTranslator()
    return {translator.get_asset_key(nodes[unique_id]) for unique_id in built if unique_id in nodes}


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's dbt resource without the two things it does in the Dagster process
    before each `dbt build` that this project never uses: a dbt adapter (only for
    fetch_row_counts / fetch_column_metadata; 1.7 s a stage, four stages a run) and
    `dbt --version` in a subprocess (2 s a process). Private hooks of the pinned
    dagster-dbt: tests/test_definitions.py fails if a new version renames them."""

    def _initialize_dbt_core_adapter(self, args):
        return None

    @cached_property
    def _cli_version(self) -> version.Version:
        # the dbt executable is the one of this interpreter's environment (dbt_resource)
        return version.parse(importlib.metadata.version("dbt-core"))


def dbt_resource() -> DbtCliResource:
    # dbt from the running interpreter's environment: `dagster dev` started from a shell
    # whose PATH lacks the venv would otherwise not find it.
    return WarehouseDbtCli(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.profiles_dir),
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )


def _dbt_stage_assets(stage: DbtStage, manifest: dict[str, Any]) -> AssetsDefinition:
    @dbt_assets(
        manifest=manifest,
        project=dbt_project,
        dagster_dbt_translator=WarehouseTranslator(),
        select=stage.select,
        exclude=stage.exclude,
        name=stage.name,
    )
    def _assets(context: AssetExecutionContext, dbt: DbtCliResource, settings: WarehouseSettings):
        settings.prepare_dbt_environment()
        stage_results = settings.dbt_target_path / f"run_results.{stage.name}.json"
        stage_results.unlink(missing_ok=True)  # a stage that keeps everything runs no dbt
        # Only tests asked for (a check re-run from the UI): nothing is built, nothing to keep.
        ledger = step_ledger(context, settings, context.selected_asset_keys, REPORT_DATE_READERS) \
            if context.selected_asset_keys else None
        # Part of a stage asked for by hand is built as asked, keeping nothing.
        whole_stage = (set(context.selected_asset_keys) == set(context.assets_def.keys)
                       and set(context.selected_asset_check_keys) == set(context.assets_def.check_keys))
        kept = ledger.plan(keep=whole_stage).keep if ledger else ()
        yield from kept_results(kept)
        if ledger and len(kept) == len(context.selected_asset_keys):
            context.log.info(f"{stage.name}: every table kept, inputs unchanged")
            return
        args = dbt_build_args(settings.engine)
        if full_refresh_asked():
            args.append("--full-refresh")  # the by-file models too (macros/staged_by_file.sql)
        if kept:
            # cautious: leave out only the tests whose parents are all kept; by default dbt
            # would also leave out a test of a rebuilt table against a kept one (a seed).
            args += ["--indirect-selection", "cautious", "--exclude", " ".join(sorted(key.path[-1] for key in kept))]
        invocation = dbt.cli(args, context=context, target_path=settings.dbt_target_path)
        try:
            yield from invocation.stream()
        finally:
            # If this step fails or is stopped, a dbt left running would hold the warehouse's
            # write lock (on Spark: the Derby metastore) and make every later step (and the
            # next run) fail.
            if invocation.process.poll() is None:
                invocation.process.terminate()
                invocation.process.wait(timeout=60)
            if settings.on_spark:
                # The Dagster side reads Spark's tables through DuckDB views: show it what
                # this stage built, also when it stopped part-way.
                refresh_catalog(settings)
        results = json.loads((settings.dbt_target_path / "run_results.json").read_text(encoding="utf-8"))
        if ledger:
            # the manifest of this very build: the prepared one may predate an edited test
            ledger.record(built_and_tested(results, _read_manifest(settings.dbt_target_path / "manifest.json")))
        # Each stage's dbt results kept beside the next one's (benchmarks/run.py adds them up).
        stage_results.write_text(json.dumps(results), encoding="utf-8")

    return _assets


def _read_manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


_manifest = with_source_tests_attached(_read_manifest(dbt_project.manifest_path))
REPORT_DATE_READERS = reads_report_dates(_manifest)
warehouse_dbt_assets = [_dbt_stage_assets(stage, _manifest) for stage in dbt_stages()]
