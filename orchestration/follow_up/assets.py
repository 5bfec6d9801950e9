"""The follow-up worklists as a Dagster asset (restricted output: they name children)."""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.follow_up.worklists import export_worklists
from orchestration.quality.checks import blocking_checked_assets
from orchestration.settings import WarehouseSettings


@asset(
    key=AssetKey(["publication", "worklists"]),
    group_name="publication",
    deps=list(dict.fromkeys([AssetKey(["worklist", "worklist_children"]), *blocking_checked_assets()])),
    kinds={"xlsx", "csv"},
    description="OUT/worklists/<province>/worklist-<province>-<district>.xlsx/.csv: children not yet found, "
    "for the field teams (personal data: never published with the bulletins).",
)
def worklists(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    exported = export_worklists(settings.warehouse_path, settings.out_path / "worklists")
    if exported is None:
        context.log.info("kept the published worklists: they are as of a later report date than this run's")
        return MaterializeResult(metadata={"kept": MetadataValue.text("as of a later report date")})
    context.log.info(f"{len(exported)} district worklists in {settings.out_path / 'worklists'}")
    return MaterializeResult(
        metadata={
            "districts": len(exported),
            "children": sum(w.children for w in exported),
            "folder": MetadataValue.path(str(settings.out_path / "worklists")),
        }
    )
