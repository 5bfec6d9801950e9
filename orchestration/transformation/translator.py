"""Maps dbt nodes to Dagster asset keys and groups: a model's key is
[<schema>, <model>] (staging/…, intermediate/…, marts/…), seeds are reference/<seed>,
and dbt sources point at the assets that write them through their
`meta.dagster.asset_key` — the raw assets, and the Python steps between dbt stages
(orchestration/transformation/assets.py), whose tests thus show as their checks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings


class WarehouseTranslator(DagsterDbtTranslator):
    def __init__(self) -> None:
        super().__init__(settings=DagsterDbtTranslatorSettings(
            enable_asset_checks=True, enable_source_tests_as_checks=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return super().get_asset_key(dbt_resource_props)
        return AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return dbt_resource_props.get("schema")
