"""One Dagster asset per source: the landing folder's new files into raw.<table>.

Plus ``raw/load_manifest``, which sums up what every delivery became. A rejected file
shows as a warning in the run's log and in the asset's metadata; the other files and
sources still load.
"""


from dagster import AssetExecutionContext, AssetKey, AssetsDefinition, MaterializeResult, MetadataValue, asset

from orchestration.raw.contract import SOURCES, SourceSpec
from orchestration.raw.loader import MANIFEST_TABLE, load_source, record_stray_files
from orchestration.raw.storage import open_raw_store
from orchestration.settings import WarehouseSettings

RAW_GROUP = "raw"


def raw_asset_key(spec: SourceSpec) -> AssetKey:
    return AssetKey(["raw", spec.table])


def build_raw_asset(spec: SourceSpec) -> AssetsDefinition:
    @asset(
        key=raw_asset_key(spec),
        group_name=RAW_GROUP,
        kinds={"python", "duckdb"},
        description=f"{spec.description}. Every file of `<landing>/{spec.source}/`, as text.",
    )
    def _raw_source(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
        with open_raw_store(settings) as store:
            store.ensure_tables(SOURCES)
            result = load_source(store, spec, settings.landing_path)
            total_rows = store.row_count(spec)
        for outcome in result.outcomes:
            (context.log.info if outcome.status != "rejected" else context.log.warning)(outcome.message)
        if not result.outcomes:
            context.log.info(f"{spec.source}: no new files")
        return MaterializeResult(
            metadata={
                "new_files_loaded": result.count("loaded"),
                "new_files_rejected": result.count("rejected"),
                "new_files_duplicate": result.count("duplicate_file"),
                "new_rows_loaded": result.rows_loaded,
                "rows_in_table": total_rows,
                "files": MetadataValue.md(
                    "\n".join(f"- {outcome.message}" for outcome in result.outcomes) or "no new files"
                ),
            }
        )

    return _raw_source


raw_source_assets = [build_raw_asset(spec) for spec in SOURCES]


@asset(
    key=AssetKey(["raw", "load_manifest"]),
    group_name=RAW_GROUP,
    deps=[raw_asset_key(spec) for spec in SOURCES],
    kinds={"duckdb"},
    description="Every delivered file and what became of it (loaded, rejected with a reason, duplicate).",
)
def load_manifest(context: AssetExecutionContext, settings: WarehouseSettings) -> MaterializeResult:
    with open_raw_store(settings) as store:
        store.ensure_tables(SOURCES)
        for outcome in record_stray_files(store, settings.landing_path, {spec.source for spec in SOURCES}):
            context.log.warning(outcome.message)
        by_status = store.manifest_query(
            f"select load_status, count(*) as files, sum(data_rows) as data_rows from {MANIFEST_TABLE} group by 1",
        )
        rejected = store.manifest_query(
            f"select file_name, reason_code, reason_detail from {MANIFEST_TABLE}"
            " where load_status = 'rejected' order by file_name",
        )
    counts = {row["load_status"]: row for row in by_status}
    return MaterializeResult(
        metadata={
            "files_loaded": int(counts.get("loaded", {}).get("files", 0)),
            "files_rejected": len(rejected),
            "files_duplicate": int(counts.get("duplicate_file", {}).get("files", 0)),
            "rows_loaded": int(counts.get("loaded", {}).get("data_rows", 0) or 0),
            "rejected_files": MetadataValue.md(
                "\n".join(f"- `{r['file_name']}`: **{r['reason_code']}** {r['reason_detail']}" for r in rejected)
                or "none"
            ),
        }
    )
