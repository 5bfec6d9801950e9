"""Publish the dbt docs — every model, column, test and the lineage from file to
bulletin — as one static page next to the bulletins (OUT/bulletins/docs/index.html)."""

import shutil

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from orchestration.publishing import copy_file, sweep_leftovers
from orchestration.reporting.assets import MART_KEYS
from orchestration.settings import WarehouseSettings
from orchestration.transformation.assets import dbt_build_args
from orchestration.transformation.project import dbt_project


@asset(
    key=AssetKey(["publication", "data_docs"]),
    group_name="publication",
    deps=MART_KEYS,
    kinds={"dbt", "html"},
    description="OUT/bulletins/docs/index.html: the dbt docs (descriptions, tests, lineage) as one static page.",
)
def data_docs(context: AssetExecutionContext, dbt: DbtCliResource, settings: WarehouseSettings) -> MaterializeResult:
    settings.prepare_dbt_environment()
    target = settings.out_path / "dbt_docs_target"
    target.mkdir(parents=True, exist_ok=True)
    # The prepared manifest (descriptions, tests, lineage, each model's SQL) instead of
    # compiling the project again, which takes three times as long as the rest; the
    # catalog (columns and types) is read from the warehouse the run just built.
    shutil.copyfile(dbt_project.manifest_path, target / "manifest.json")
    vars_args = dbt_build_args([d.isoformat() for d in settings.report_date_list()])[1:]
    dbt.cli(["docs", "generate", "--static", "--no-compile", *vars_args], target_path=target,
            manifest=dbt_project.manifest_path).wait()
    published = settings.bulletins_path / "docs"
    sweep_leftovers(published)
    copy_file(target / "static_index.html", published / "index.html")
    context.log.info(f"published {published / 'index.html'}")
    return MaterializeResult(metadata={"page": MetadataValue.path(str(published / "index.html"))})
