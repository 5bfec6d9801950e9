"""Every dbt model and seed as a Dagster asset, built with `dbt build` (models, seeds
and their tests; the tests show as asset checks)."""


import json
import sys
from pathlib import Path

from dagster import AssetExecutionContext
from dagster_dbt import DbtCliResource, dbt_assets

from orchestration.settings import WarehouseSettings
from orchestration.transformation.project import dbt_project
from orchestration.transformation.translator import WarehouseTranslator


def dbt_build_args(report_dates: list[str]) -> list[str]:
    """The dbt command for a run; pure, so it is unit tested without running dbt."""
    return ["build", "--vars", json.dumps({"report_dates": report_dates})]


def dbt_resource() -> DbtCliResource:
    # dbt from the running interpreter's environment: `dagster dev` started from a shell
    # whose PATH lacks the venv would otherwise not find it.
    return DbtCliResource(
        project_dir=dbt_project,
        profiles_dir=str(dbt_project.profiles_dir),
        dbt_executable=str(Path(sys.executable).parent / "dbt"),
    )


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=WarehouseTranslator())
def warehouse_dbt_assets(context: AssetExecutionContext, dbt: DbtCliResource, settings: WarehouseSettings):
    settings.prepare_dbt_environment()
    report_dates = [d.isoformat() for d in settings.report_date_list()]
    invocation = dbt.cli(
        dbt_build_args(report_dates), context=context, target_path=settings.dbt_target_path
    )
    try:
        yield from invocation.stream()
    finally:
        # If this step fails or is stopped, a dbt left running would hold the warehouse's
        # write lock and make every later step (and the next run) fail.
        if invocation.process.poll() is None:
            invocation.process.terminate()
            invocation.process.wait(timeout=60)
