"""Which child a list row names, when its ID cannot say: probabilistic record linkage.

A valid citizen ID or G-code is authoritative: rows with the same one are the same
child. Two different valid IDs are merged only when they are one slip apart (a digit,
or two digits swapped: about one typo in ten still passes the check digit) and the rows
agree on everything else; twins and namesakes differ in name or birth and stay apart.
The rest — rows with no usable ID, and IDs failing their check digit — are linked on
name, sex, birth date (or the age EEF gives) and place with splink, a maintained
linkage library that runs on DuckDB (and on Spark). Its m-probabilities are learnt from
the rows whose IDs agree: they are known matches, so no unsupervised guessing is needed.

`find_match_pairs` scores candidate pairs; `resolve_identities` turns them into one
identity per row: a pair at or above the merge threshold whose names agree is
merged; one between the review and merge thresholds — or whose first or family names
clearly disagree (twins and siblings share family name, birth and home; in a national
cohort, many children share a first name, sex, birth year and district) — is not
merged and goes to the review queue (a dbt model).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import duckdb
import pandas as pd

VALID, INVALID_CHECK, NO_ID = "valid", "invalid_check", "none"
RECORD_COLUMNS = ("row_key", "label", "id_class", "delivered_id", "first_name", "last_name", "sex",
                  "birth_date", "birth_year", "province_code", "district_code", "listed_order")

# Thai letters to single ASCII bytes, one to one: splink's string distances on DuckDB
# count UTF-8 bytes, and a Thai letter is three of them.
_THAI_TO_BYTE = {code: chr(code - 0x0E01 + 0x21) for code in range(0x0E01, 0x0E5C)}


def name_key(name: str | None) -> str | None:
    if name is None or pd.isna(name):
        return None
    return "".join(str(name).split()).translate(_THAI_TO_BYTE) or None


@dataclass(frozen=True)
class Thresholds:
    merge: float  # link at or above: the rows are merged into one child
    review: float  # link at or above (and below merge): a pair for a person to review


def _settings(prior: float):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on
    from splink.blocking_rule_library import CustomRule

    # Only pairs that need linkage: two valid IDs are already decided.
    not_both_valid = "(l.id_class <> 'valid' or r.id_class <> 'valid')"
    blocking = [
        CustomRule(f"l.first_name = r.first_name and l.last_name = r.last_name and {not_both_valid}"),
        CustomRule(f"l.last_name = r.last_name and l.birth_year = r.birth_year and {not_both_valid}"),
        CustomRule(f"l.first_name = r.first_name and l.birth_year = r.birth_year and {not_both_valid}"),
        CustomRule(f"l.first_name = r.first_name and l.province_code = r.province_code and {not_both_valid}"),
        CustomRule(f"l.delivered_id = r.delivered_id and {not_both_valid}"),
        # a mistyped ID that still passes its check digit: one slip from another valid ID
        CustomRule("l.first_name = r.first_name and l.last_name = r.last_name and l.id_class = 'valid' "
                   "and r.id_class = 'valid' and l.label <> r.label "
                   "and damerau_levenshtein(l.delivered_id, r.delivered_id) <= 1"),
    ]
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="row_key",
        probability_two_random_records_match=prior,
        comparisons=[
            cl.JaroWinklerAtThresholds("first_name", [0.95, 0.88]),
            cl.JaroWinklerAtThresholds("last_name", [0.95, 0.88]),
            cl.ExactMatch("sex"),
            cl.ExactMatch("birth_date"),
            cl.CustomComparison(
                output_column_name="birth_year",
                comparison_levels=[
                    _null_level("birth_year"),
                    _difference_level("birth_year", 0),
                    _difference_level("birth_year", 1),
                    _else_level(),
                ],
            ),
            cl.ExactMatch("province_code"),
            cl.ExactMatch("district_code"),
            cl.DamerauLevenshteinAtThresholds("delivered_id", [1, 2]),
        ],
        blocking_rules_to_generate_predictions=blocking,
        retain_intermediate_calculation_columns=True,  # gamma_*_name: see names_agree
        additional_columns_to_retain=[],
    ), block_on


def _null_level(column: str):
    import splink.comparison_level_library as cll

    return cll.NullLevel(column)


def _difference_level(column: str, most: int):
    import splink.comparison_level_library as cll

    return cll.AbsoluteDifferenceLevel(column, most)


def _else_level():
    import splink.comparison_level_library as cll

    return cll.ElseLevel()


@contextmanager
def duckdb_linkage_api() -> Iterator:
    """splink's DuckDB backend on an in-memory database of its own."""
    from splink import DuckDBAPI

    with duckdb.connect() as connection:
        yield DuckDBAPI(connection=connection)


def find_match_pairs(records: pd.DataFrame, *, review_threshold: float, seed: int = 1,
                     backend: Callable[[], AbstractContextManager] = duckdb_linkage_api) -> pd.DataFrame:
    """Scored candidate pairs (row_key_l, row_key_r, match_probability) at or above the
    review threshold: pairs in which at least one row has no valid ID, and pairs of valid
    IDs one slip apart. `backend` opens the splink database API to work in (DuckDB, or
    Spark: identity/spark_session.py); the same pairs come out of either, with
    probabilities a little apart: u is counted on samples of pairs chosen by hashing row
    keys, and each engine hashes differently."""
    empty = pd.DataFrame({"row_key_l": pd.Series(dtype="string"), "row_key_r": pd.Series(dtype="string"),
                          "match_probability": pd.Series(dtype="float64"),
                          "names_agree": pd.Series(dtype="boolean")})
    needs_linkage = records["id_class"] != VALID
    if not needs_linkage.any() or len(records) < 2:
        return empty
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    frame = records.copy()
    frame["first_name"] = frame["first_name"].map(name_key)
    frame["last_name"] = frame["last_name"].map(name_key)
    labelled = frame["label"].notna()
    # The chance that two random rows name the same child, from the labelled rows.
    same_child_pairs = int((frame[labelled].groupby("label").size().pipe(lambda n: n * (n - 1) / 2)).sum())
    all_pairs = len(frame) * (len(frame) - 1) / 2
    prior = min(max(same_child_pairs / all_pairs, 1e-9), 0.5)
    settings, block_on = _settings(prior)
    with backend() as db_api:
        linker = Linker(db_api.register(frame, dataset_display_name="list_rows"), settings, log_level=logging.ERROR)
        # u from every pair of the sample in one pass, not from a first chunk of it that
        # happens to meet splink's minimum counts: chunks are chosen by hashing row keys,
        # which each engine does differently, whereas the sample is every row when the
        # records make fewer than max_pairs pairs (~2,000 rows): then both engines count
        # the same pairs and give the same probabilities.
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=seed, num_chunks=1)
        if frame.loc[labelled, "label"].duplicated().any():
            linker.training.estimate_m_from_label_column("label")
        predictions = linker.inference.predict(threshold_match_probability=review_threshold).as_pandas_dataframe()
    if predictions.empty:
        return empty
    pairs = predictions[["row_key_l", "row_key_r", "match_probability"]].copy()
    # gamma 0 is the lowest level (clearly different names); -1 is a missing name. A pair
    # with either name clearly different is for a person, whatever its probability: the
    # m-probabilities are learnt from rows whose IDs agree, where names almost never
    # differ, so splink cannot weigh a different family name well.
    pairs["names_agree"] = (predictions["gamma_first_name"] != 0) & (predictions["gamma_last_name"] != 0)
    # in key order, not the order an engine happened to produce them in
    pairs = pairs.sort_values(["row_key_l", "row_key_r"], ignore_index=True)
    return pairs.astype({"row_key_l": "string", "row_key_r": "string", "match_probability": "float64",
                         "names_agree": "boolean"})


def _valid_id_aliases(records: pd.DataFrame, strong: list[tuple], valid: set[str]):
    """Valid IDs to merge (one slip apart, rows matching): each to the ID named by more
    rows, or on a tie the first listed. Returns (ID → canonical ID, ID → (p, row matched))."""
    by_key = records.set_index("row_key")
    labels = records.loc[records["id_class"] == VALID]
    rows_per_id = labels.groupby("label").size().to_dict()
    first_listed = labels.groupby("label")["listed_order"].min().to_dict()
    parent: dict[str, str] = {}
    link: dict[str, tuple[float, str]] = {}

    def root(label: str) -> str:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    for l_key, r_key, probability in strong:
        if l_key in valid and r_key in valid:
            a, b = root(by_key.at[l_key, "label"]), root(by_key.at[r_key, "label"])
            if a == b:
                continue
            keep, merge = sorted((a, b), key=lambda lab: (-rows_per_id[lab], first_listed[lab], lab))
            parent[merge] = keep
            row_of_keep = l_key if by_key.at[l_key, "label"] == keep else r_key
            link[merge] = (float(probability), row_of_keep)
    return {label: root(label) for label in parent}, link


def resolve_identities(records: pd.DataFrame, pairs: pd.DataFrame, thresholds: Thresholds) -> pd.DataFrame:
    """One identity per row: (row_key, identity_key, link_rule, match_probability, linked_to_row).

    Rows are decided in units: a row with a valid ID (its ID is its identity, rule
    exact_id); all rows carrying the same ID that fails its check digit (so that the ID,
    and the events naming it, map to one child); each row without a usable ID.
    - A unit that matches valid-ID rows at or above the merge threshold takes the identity
      of its best match (probabilistic).
    - Other units that match each other at or above the threshold are grouped; a group's
      identity is its smallest check-digit-failing ID (own_id), else its first-listed row
      ('row:<file>:<row>', own_row).
    Pairs between the review and merge thresholds are never merged (see review_pairs).
    """
    # Plain lists and dicts, not DataFrame.at or row iteration: a national cohort asks
    # millions of times, and Arrow-backed columns are slow to iterate element by element.
    row_keys = records["row_key"].tolist()
    label_of = dict(zip(row_keys, records["label"].tolist()))
    listed_order = dict(zip(row_keys, records["listed_order"].tolist()))
    unit = {key: key if id_class != INVALID_CHECK else f"id:{delivered}"
            for key, id_class, delivered in zip(row_keys, records["id_class"].tolist(), records["delivered_id"].tolist())}
    valid = set(records.loc[records["id_class"] == VALID, "row_key"].tolist())
    mergeable = (pairs["match_probability"] >= thresholds.merge) & pairs["names_agree"].fillna(True)
    # In key order: among equally strong matches the first one is kept (linked_to_row),
    # and the pairs' stored order differs by engine.
    strong = [tuple(p) for p in pairs.loc[mergeable, ["row_key_l", "row_key_r", "match_probability"]]
              .sort_values(["row_key_l", "row_key_r"]).itertuples(index=False)]
    canonical, alias_link = _valid_id_aliases(records, strong, valid)

    best_valid: dict[str, tuple[float, str, str]] = {}  # unit -> (probability, valid row, unit's row)
    for l_key, r_key, probability in strong:
        for this, other in ((l_key, r_key), (r_key, l_key)):
            if other in valid and this not in valid and probability > best_valid.get(unit[this], (-1.0,))[0]:
                best_valid[unit[this]] = (float(probability), other, this)
    # a weak row matched to a merged valid ID belongs to the ID it was merged into

    open_units = {u for u in unit.values() if u not in best_valid} - valid
    parent = {u: u for u in open_units}
    unit_rows: dict[str, list[str]] = {}
    for key, u in unit.items():
        unit_rows.setdefault(u, []).append(key)
    unit_order = {u: min(listed_order[k] for k in keys) for u, keys in unit_rows.items()}

    def root(u: str) -> str:
        while parent[u] != u:
            parent[u] = parent[parent[u]]
            u = parent[u]
        return u

    best_link: dict[str, tuple[float, str]] = {}
    for l_key, r_key, probability in strong:
        ul, ur = unit[l_key], unit[r_key]
        if ul in parent and ur in parent and ul != ur:
            first, second = sorted((root(ul), root(ur)), key=lambda u: (unit_order[u], u))
            parent[second] = first
            for this, other in ((l_key, r_key), (r_key, l_key)):
                if probability > best_link.get(this, (-1.0, ""))[0]:
                    best_link[this] = (float(probability), other)

    identity: dict[str, tuple[str, str, float | None, str | None]] = {}
    for key in valid:
        label = label_of[key]
        if canonical.get(label, label) == label:
            identity[key] = (label, "exact_id", None, None)
        else:  # a valid ID one slip from the child's ID
            probability, other = alias_link[label]
            identity[key] = (canonical[label], "probabilistic", probability, other)
    for u, (probability, valid_row, own_row) in best_valid.items():
        for key in unit_rows[u]:
            identity[key] = (identity[valid_row][0], "probabilistic", probability, valid_row)  # already canonical
    groups: dict[str, list[str]] = {}
    for u in open_units:
        groups.setdefault(root(u), []).append(u)
    for representative, units in groups.items():
        failing_ids = sorted(u[3:] for u in units if u.startswith("id:"))
        first_row = min(unit_rows[representative], key=listed_order.__getitem__)
        group_identity = failing_ids[0] if failing_ids else f"row:{first_row}"
        own_unit = f"id:{group_identity}" if failing_ids else representative
        for u in units:
            for key in unit_rows[u]:
                if u == own_unit:
                    identity[key] = (group_identity, "own_id" if failing_ids else "own_row", None, None)
                else:
                    probability, other = best_link.get(key, (None, None))
                    identity[key] = (group_identity, "probabilistic", probability, other)

    return pd.DataFrame(
        [(key, *identity[key]) for key in row_keys],
        columns=["row_key", "identity_key", "link_rule", "match_probability", "linked_to_row"],
    ).astype({"row_key": "string", "identity_key": "string", "link_rule": "string",
              "match_probability": "float64", "linked_to_row": "string"})
