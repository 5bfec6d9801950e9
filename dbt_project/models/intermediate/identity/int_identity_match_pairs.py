"""Candidate pairs of list rows that may name the same child, scored by probabilistic
record linkage (splink, through orchestration.identity.linkage): every pair in which at
least one row has no valid ID, with a match probability at or above the review
threshold. Restricted: it links rows of personal data."""

from orchestration.identity.linkage import find_match_pairs


def model(dbt, session):
    dbt.config(materialized="table")
    records = dbt.ref("int_identity_records").df()
    return find_match_pairs(records, review_threshold=float(dbt.config.get("review_threshold")))
