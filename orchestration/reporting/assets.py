"""Publication: the analysts' copy and the bulletins. Both depend directly on every
asset that carries a blocking quality check, so a failed blocking check stops them."""

import os

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.quality.checks import blocking_checked_assets
from orchestration.reporting.analytics_copy import publish_analytics_copy
from orchestration.reporting.bulletin import PDF_ENV, publish_national_bulletins, write_index
from orchestration.reporting.delivery_report import publish_delivery_report
from orchestration.reporting.protected_cells import bulletin_protected_cells
from orchestration.settings import WarehouseSettings
from orchestration.transformation.assets import warehouse_dbt_assets

PUBLICATION_GROUP = "publication"

MART_KEYS = sorted((key for assets in (*warehouse_dbt_assets, bulletin_protected_cells)
                    for key in assets.keys if key.path[0] == "marts"), key=str)
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
    if counts is None:
        context.log.info(f"kept {settings.analytics_path}: it holds a later report date than this run's")
        return MaterializeResult(metadata={"path": MetadataValue.path(str(settings.analytics_path)),
                                           "kept": MetadataValue.text("holds a later report date")})
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
    kinds={"html", "pdf"},
    description=(
        "The bulletins of every report date in the marts: national, and one per province with children "
        "(Thai HTML, and PDF: see BACKTOSCHOOL_PDF), and the index of all bulletins. Figures below national "
        "level are published after small-cell protection."
    ),
)
def national_bulletins(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    # key kept from when it published national bulletins only (runner and UI refer to it)
    policy = os.environ.get(PDF_ENV) or "latest"
    published = publish_national_bulletins(settings.warehouse_path, settings.bulletins_path, pdf=policy)
    for bulletin in published:
        context.log.info(
            f"published {bulletin.path} and {len(bulletin.provinces)} provincial bulletins"
            f" (PDFs: {bulletin.pdfs_rendered} rendered, {bulletin.pdfs_reused} unchanged)"
        )
    return MaterializeResult(
        metadata={
            "index": MetadataValue.path(str(settings.bulletins_path / "index.html")),
            "report_dates": MetadataValue.md("\n".join(
                f"- `{b.report_date}`: national + {len(b.provinces)} provinces" for b in published)),
            "provincial_bulletins": MetadataValue.int(sum(len(b.provinces) for b in published)),
            "pdfs_rendered": MetadataValue.int(sum(b.pdfs_rendered for b in published)),
            "pdf_policy": MetadataValue.text(policy),
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
