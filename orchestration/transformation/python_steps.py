"""What the Python steps between the dbt stages share: the warehouse they read and write
(through the engine-neutral `WarehouseTables`), and their settings.

A step's settings are dbt vars (dbt_project.yml stays their one home: SQL models use the
same thresholds), named in the `meta.settings` of the dbt source the step writes and
rendered into the manifest the definitions are built from (`make setup` prepares it
again when dbt_project.yml changes)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue

from orchestration.build_ledger import StepLedger, code_digest, settings_digest
from orchestration.child_key import load_or_create_key
from orchestration.raw.assets import raw_asset_key
from orchestration.raw.contract import SOURCES
from orchestration.settings import WarehouseSettings
from orchestration.transformation.project import dbt_project
from orchestration.warehouse_tables import DuckDBTables, ParquetTables, WarehouseTables


def warehouse_tables(settings: WarehouseSettings) -> WarehouseTables:
    return ParquetTables(settings) if settings.on_spark else DuckDBTables(settings.warehouse_path)


def step_settings(key: AssetKey) -> dict[str, Any]:
    """The `meta.settings` of the dbt source whose asset is `key`."""
    for source in _manifest_sources():
        if source["meta"].get("dagster", {}).get("asset_key") == list(key.path):
            return source["meta"].get("settings", {})
    raise KeyError(f"no dbt source declares the asset {key.to_user_string()}")


@cache
def _manifest_sources() -> tuple[dict[str, Any], ...]:
    """Read once per process (a 2 MB file, asked three times a run): the definitions are
    built from the same manifest, and a new manifest means reloading them anyway."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    return tuple(manifest["sources"].values())


def step_ledger(context: AssetExecutionContext, settings: WarehouseSettings, keys: Iterable[AssetKey],
                reads_report_dates: frozenset[AssetKey] = frozenset()) -> StepLedger | None:
    """What this step may keep from earlier runs (orchestration/build_ledger.py); None on
    Spark, where nothing is kept."""
    if settings.on_spark:
        return None
    graph = context.job_def.asset_layer.asset_graph
    wanted = set(keys)
    ordered = [key for key in graph.toposorted_asset_keys if key in wanted]
    # The Python steps' settings as this process read them from the prepared manifest,
    # which may be older than dbt_project.yml (the code digest covers that file).
    step_settings_json = json.dumps([source["meta"].get("settings") for source in _manifest_sources()],
                                    sort_keys=True, default=str)
    build_context = hashlib.sha256(f"{code_digest()} {settings_digest(load_or_create_key())} {settings.engine} "
                                   f"{step_settings_json}".encode()).hexdigest()
    return StepLedger(
        settings.warehouse_path, ordered, {key: graph.get(key).parent_keys for key in ordered},
        build_context, ",".join(day.isoformat() for day in settings.report_date_list()), set(reads_report_dates),
        {spec.source: raw_asset_key(spec) for spec in SOURCES}, context.run.run_id,
    )


def kept_results(kept: Iterable[AssetKey]) -> Iterator[MaterializeResult]:
    """Results for tables a step keeps, given in dependency order (Dagster wants a
    multi-asset's outputs in that order)."""
    for key in kept:
        yield MaterializeResult(asset_key=key, metadata={"kept": MetadataValue.text(
            "inputs unchanged since it was built (orchestration/build_ledger.py)")})
