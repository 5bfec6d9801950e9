"""What the Python steps between the dbt stages share: the warehouse they read and write
(through the engine-neutral `WarehouseTables`), and their settings.

A step's settings are dbt vars (dbt_project.yml stays their one home: SQL models use the
same thresholds), named in the `meta.settings` of the dbt source the step writes and
rendered into the manifest the definitions are built from (`make setup` prepares it
again when dbt_project.yml changes)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from dagster import AssetKey

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
