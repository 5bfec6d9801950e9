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

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetsDefinition
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.settings import WarehouseSettings
from orchestration.spark_catalog import refresh_catalog
from orchestration.transformation.project import dbt_project
from orchestration.transformation.translator import WarehouseTranslator

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


def dbt_build_args(report_dates: list[str], engine: str) -> list[str]:
    """The dbt command for a run on an engine (the profile's output of that name); pure,
    so it is unit tested without running dbt."""
    return ["build", "--target", engine, "--vars", json.dumps({"report_dates": report_dates})]


def dbt_resource() -> DbtCliResource:
    # dbt from the running interpreter's environment: `dagster dev` started from a shell
    # whose PATH lacks the venv would otherwise not find it.
    return DbtCliResource(
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
        report_dates = [d.isoformat() for d in settings.report_date_list()]
        invocation = dbt.cli(
            dbt_build_args(report_dates, settings.engine), context=context, target_path=settings.dbt_target_path
        )
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
        # Each stage's dbt results kept beside the next one's (benchmarks/run.py adds them up).
        results = settings.dbt_target_path / "run_results.json"
        shutil.copyfile(results, results.with_name(f"run_results.{stage.name}.json"))

    return _assets


_manifest = with_source_tests_attached(json.loads(dbt_project.manifest_path.read_text(encoding="utf-8")))
warehouse_dbt_assets = [_dbt_stage_assets(stage, _manifest) for stage in dbt_stages()]
