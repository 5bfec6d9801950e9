"""intermediate.int_place_name_resolutions, between two dbt stages: the delivered places
the SQL could not resolve exactly, matched by name in Python (resolution.py). dbt reads
the table as the source places.int_place_name_resolutions, where its tests are."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, asset

from orchestration.places.resolution import COLUMN_TYPES, resolve_places
from orchestration.settings import WarehouseSettings
from orchestration.transformation.python_steps import kept_results, step_ledger, step_settings, warehouse_tables

PLACE_NAME_RESOLUTIONS = AssetKey(["intermediate", "int_place_name_resolutions"])
INPUTS = ("int_delivered_places", "int_province_name_lookup", "int_district_name_lookup", "int_subdistrict_name_lookup")


@asset(
    key=PLACE_NAME_RESOLUTIONS,
    group_name="intermediate",
    deps=[AssetKey(["intermediate", name]) for name in INPUTS],
    kinds={"python", "duckdb"},
    description="Every delivered place resolved to official codes; misspelt names by fuzzy matching (rapidfuzz).",
)
def int_place_name_resolutions(context: AssetExecutionContext, settings: WarehouseSettings):
    ledger = step_ledger(context, settings, [PLACE_NAME_RESOLUTIONS])
    if ledger and ledger.plan().keep:
        context.log.info("int_place_name_resolutions: kept, the delivered places are those it matched last time")
        yield from kept_results([PLACE_NAME_RESOLUTIONS])
        return
    tables = warehouse_tables(settings)
    limits = step_settings(PLACE_NAME_RESOLUTIONS)
    places, provinces, districts, subdistricts = (tables.read(f"intermediate.{name}") for name in INPUTS)
    resolved = resolve_places(places, provinces, districts, subdistricts,
                              min_score=float(limits["min_score"]), min_margin=float(limits["min_margin"]))
    tables.replace("intermediate.int_place_name_resolutions", resolved, COLUMN_TYPES)
    if ledger:
        ledger.record([PLACE_NAME_RESOLUTIONS])
    yield MaterializeResult(metadata={"dagster/row_count": len(resolved)})
