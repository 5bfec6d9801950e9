"""Publication: the analysts' copy and the bulletins. Both depend directly on every
asset that carries a blocking quality check, so a failed blocking check stops them."""


from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.quality.checks import blocking_checked_assets
from orchestration.reporting.analytics_copy import publish_analytics_copy
from orchestration.reporting.bulletin import publish_national_bulletins, write_index
from orchestration.reporting.delivery_report import publish_delivery_report
from orchestration.settings import WarehouseSettings
from orchestration.transformation.assets import warehouse_dbt_assets

PUBLICATION_GROUP = "publication"

MART_KEYS = sorted((key for key in warehouse_dbt_assets.keys if key.path[0] == "marts"), key=str)
DELIVERY_MART_KEYS = [AssetKey(["marts", name]) for name in ("fct_file_loads", "fct_quarantine_counts", "fct_row_flag_counts")]
BULLETIN_MART_KEYS = [key for key in MART_KEYS if key.path[-1].startswith(("bulletin_", "dim_"))]


def _gated(keys: list[AssetKey]) -> list[AssetKey]:
    return list(dict.fromkeys([*keys, *blocking_checked_assets()]))


@asset(
    key=AssetKey(["publication", "analytics_copy"]),
    group_name=PUBLICATION_GROUP,
    deps=_gated(MART_KEYS),
    kinds={"duckdb"},
    description="OUT/analytics.duckdb: the marts schema only (no personal data), for analysts.",
)
def analytics_copy(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    counts = publish_analytics_copy(settings.warehouse_path, settings.analytics_path)
    context.log.info(f"published {settings.analytics_path} ({len(counts)} tables)")
    return MaterializeResult(
        metadata={
            "path": MetadataValue.path(str(settings.analytics_path)),
            "tables": MetadataValue.md("\n".join(f"- `{t}`: {n:,} rows" for t, n in counts.items())),
        }
    )


@asset(
    key=AssetKey(["publication", "national_bulletins"]),
    group_name=PUBLICATION_GROUP,
    deps=_gated(BULLETIN_MART_KEYS),
    kinds={"html"},
    description="The national bulletin (Thai HTML) of every report date, and the bulletin index.",
)
def national_bulletins(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    published = publish_national_bulletins(settings.warehouse_path, settings.bulletins_path)
    for bulletin in published:
        context.log.info(f"published {bulletin.path}")
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(settings.bulletins_path / "index.html")),
            "bulletins": MetadataValue.md("\n".join(f"- `{b.path}`" for b in published)),
        }
    )


@asset(
    key=AssetKey(["publication", "delivery_report"]),
    group_name=PUBLICATION_GROUP,
    deps=DELIVERY_MART_KEYS,  # not held back by the blocking checks: counts only, and most useful when a run fails
    kinds={"html"},
    description="OUT/bulletins/deliveries.html: every delivered file, what was loaded, repaired, quarantined and why.",
)
def delivery_report(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    path = publish_delivery_report(settings.warehouse_path, settings.bulletins_path)
    write_index(settings.bulletins_path)
    context.log.info(f"published {path}")
    return MaterializeResult(metadata={"page": MetadataValue.path(str(path))})
