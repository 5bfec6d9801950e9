"""The two linkage tables, between two dbt stages (after the list rows are built, before
the cohort): candidate pairs scored by splink, then one identity per list row
(linkage.py). dbt reads them as the sources identity.int_identity_match_pairs and
identity.int_child_identities, where their tests are. Restricted: they link rows of
personal data.

One step writes both: the pairs' tests are blocking checks run by the next dbt stage, and
a separate identities asset would have to wait for them while that stage waits for it."""

from functools import partial

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.identity.linkage import Thresholds, duckdb_linkage_api, find_match_pairs, resolve_identities
from orchestration.identity.spark_session import spark_linkage_api
from orchestration.settings import WarehouseSettings
from orchestration.transformation.python_steps import kept_results, step_ledger, step_settings, warehouse_tables

IDENTITY_RECORDS = AssetKey(["intermediate", "int_identity_records"])
MATCH_PAIRS = AssetKey(["intermediate", "int_identity_match_pairs"])
CHILD_IDENTITIES = AssetKey(["intermediate", "int_child_identities"])

MATCH_PAIR_TYPES = {"row_key_l": "string", "row_key_r": "string", "match_probability": "double", "names_agree": "boolean"}
IDENTITY_TYPES = {"row_key": "string", "identity_key": "string", "link_rule": "string",
                  "match_probability": "double", "linked_to_row": "string"}


@multi_asset(
    name="record_linkage",
    specs=[
        AssetSpec(MATCH_PAIRS, group_name="intermediate", deps=[IDENTITY_RECORDS], kinds={"python", "duckdb"},
                  description="Pairs of list rows that may name the same child, scored by probabilistic "
                              "record linkage (splink)."),
        AssetSpec(CHILD_IDENTITIES, group_name="intermediate", deps=[IDENTITY_RECORDS, MATCH_PAIRS],
                  kinds={"python", "duckdb"},
                  description="The child each used list row names: its valid ID, the child it was linked to, "
                              "or its own."),
    ],
)
def record_linkage(context: AssetExecutionContext, settings: WarehouseSettings):
    # The slowest step before the marts, and a new tracking export does not change its
    # input: kept when the list rows are those it linked last time.
    ledger = step_ledger(context, settings, [MATCH_PAIRS, CHILD_IDENTITIES])
    # whole: both tables are written whenever one is
    if ledger and ledger.plan(whole=True).keep:
        context.log.info("record_linkage: kept, the list rows are those it linked last time")
        yield from kept_results([MATCH_PAIRS, CHILD_IDENTITIES])
        return
    tables = warehouse_tables(settings)
    records = tables.read("intermediate.int_identity_records")

    # On Spark, splink runs on a Spark session of its own for this step (its JVM ends with it).
    backend = partial(spark_linkage_api, settings.spark_dir) if settings.on_spark else duckdb_linkage_api
    pairs = find_match_pairs(records, review_threshold=float(step_settings(MATCH_PAIRS)["review_threshold"]),
                             backend=backend)
    tables.replace("intermediate.int_identity_match_pairs", pairs, MATCH_PAIR_TYPES)
    yield MaterializeResult(asset_key=MATCH_PAIRS, metadata={"dagster/row_count": len(pairs)})

    # Read back, as when the identities were a dbt model: they see the pairs as stored.
    pairs = tables.read("intermediate.int_identity_match_pairs")
    limits = step_settings(CHILD_IDENTITIES)
    thresholds = Thresholds(merge=float(limits["merge_threshold"]), review=float(limits["review_threshold"]))
    identities = resolve_identities(records, pairs, thresholds)
    tables.replace("intermediate.int_child_identities", identities, IDENTITY_TYPES)
    if ledger:
        ledger.record([MATCH_PAIRS, CHILD_IDENTITIES])
    yield MaterializeResult(asset_key=CHILD_IDENTITIES, metadata={"dagster/row_count": len(identities)})
