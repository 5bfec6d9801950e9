"""Publish the dbt docs — every model, column, test and the lineage from file to
bulletin — as one static page next to the bulletins (OUT/bulletins/docs/index.html)."""

import hashlib
import json
import shutil

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset
from dagster_dbt import DbtCliResource

from orchestration.publishing import copy_file, sweep_leftovers, write_file
from orchestration.reporting.assets import MART_KEYS
from orchestration.settings import WarehouseSettings
from orchestration.transformation.assets import dbt_build_args
from orchestration.transformation.project import dbt_project
from orchestration.warehouse import connect


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
    published = settings.bulletins_path / "docs"
    fingerprint = _fingerprint(settings)
    stamp = target / "fingerprint.txt"
    if (published / "index.html").exists() and stamp.exists() and stamp.read_text(encoding="utf-8") == fingerprint:
        # The page shows the project and the warehouse's columns, not its rows nor the
        # run's report dates: the same project and columns give the same page (checked:
        # only its timestamps differ), so a new week's data does not rebuild it.
        context.log.info(f"{published / 'index.html'} is up to date: project and columns unchanged")
        return MaterializeResult(metadata={"page": MetadataValue.path(str(published / "index.html")),
                                           "regenerated": MetadataValue.bool(False)})
    shutil.copyfile(dbt_project.manifest_path, target / "manifest.json")
    # The run's target: the catalog is read from the engine that built the tables.
    target_args = dbt_build_args(settings.engine)[1:]
    dbt.cli(["docs", "generate", "--static", "--no-compile", *target_args], target_path=target,
            manifest=dbt_project.manifest_path).wait()
    sweep_leftovers(published)
    copy_file(target / "static_index.html", published / "index.html")
    write_file(stamp, fingerprint)
    context.log.info(f"published {published / 'index.html'}")
    return MaterializeResult(metadata={"page": MetadataValue.path(str(published / "index.html")),
                                       "regenerated": MetadataValue.bool(True)})


def _fingerprint(settings: WarehouseSettings) -> str:
    """What the page is made of: the prepared manifest and every column of the warehouse
    (dbt's catalog, which holds no row counts)."""
    digest = hashlib.sha256(dbt_project.manifest_path.read_bytes())
    with connect(settings.warehouse_path, read_only=True) as connection:
        columns = connection.execute(
            "select table_schema, table_name, column_name, data_type from information_schema.columns"
            " order by table_schema, table_name, ordinal_position"
        ).fetchall()
    digest.update(json.dumps(columns).encode("utf-8"))
    return digest.hexdigest()
