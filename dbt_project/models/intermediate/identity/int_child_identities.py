"""The child each used list row names: its valid ID; or, for a row without one, the
child it was linked to, or a new identity of its own (orchestration.identity.linkage.
resolve_identities). One row per list row, with the rule and the match probability."""

from orchestration.identity.linkage import Thresholds, resolve_identities


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_identity_records").df()
    pairs = dbt.ref("int_identity_match_pairs").df()
    thresholds = Thresholds(merge=float(dbt.config.get("merge_threshold")),
                            review=float(dbt.config.get("review_threshold")))
    return resolve_identities(records, pairs, thresholds)
