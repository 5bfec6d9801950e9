"""Every delivered place resolved to official codes: exact matches (from SQL) as they
are, the rest by fuzzy matching of misspelt names (`matching.best_match`), level by
level — a district only within its province, a subdistrict only within its district.
What stays unmatched keeps a null code."""

from __future__ import annotations

import pandas as pd

from orchestration.places.matching import best_match, names_by_parent

# The table intermediate.int_place_name_resolutions, column by column.
COLUMN_TYPES = {
    "place_key": "string",
    "province_code": "string", "province_match": "string", "province_match_score": "double",
    "district_code": "string", "district_match": "string", "district_match_score": "double",
    "subdistrict_code": "string", "subdistrict_match": "string", "subdistrict_match_score": "double",
}


def resolve_places(
    places: pd.DataFrame,
    province_lookup: pd.DataFrame,
    district_lookup: pd.DataFrame,
    subdistrict_lookup: pd.DataFrame,
    *,
    min_score: float,
    min_margin: float,
) -> pd.DataFrame:
    """`places`: int_delivered_places; the lookups: int_*_name_lookup. One row per place
    with COLUMN_TYPES' columns."""
    limits = {"min_score": min_score, "min_margin": min_margin}
    province_names = dict(province_lookup[["province_key", "province_code"]].itertuples(index=False))
    districts = names_by_parent(district_lookup[["province_code", "district_key", "district_code"]].itertuples(index=False))
    subdistricts = names_by_parent(
        subdistrict_lookup[["district_code", "subdistrict_key", "subdistrict_code"]].itertuples(index=False))

    def resolve(exact_code, exact_kind, key, candidates):
        """(code, how matched, fuzzy score) for one level; candidates is None when the
        level above is unknown, so this one cannot be looked up."""
        if exact_code is not None and not pd.isna(exact_code):
            return exact_code, exact_kind, None
        if key is None or pd.isna(key):
            return None, None, None
        if candidates is None:
            return None, "parent_unmatched", None
        if key in candidates:  # exact within a parent that was itself fuzzy-matched
            return candidates[key], "exact", None
        match = best_match(key, candidates, **limits)
        return (match.code, "fuzzy", match.score) if match else (None, "unmatched", None)

    rows = []
    for place in places.itertuples(index=False):
        province = resolve(place.province_code_exact, place.province_match_exact, place.province_key, province_names)
        if province[1] is None and not pd.isna(place.province_code_given):
            province = (None, "unmatched", None)  # a code that is not an official one
        district = resolve(place.district_code_exact, "exact", place.district_key,
                           districts.get(province[0], {}) if province[0] else None)
        subdistrict = resolve(place.subdistrict_code_exact, "exact", place.subdistrict_key,
                              subdistricts.get(district[0], {}) if district[0] else None)
        rows.append((place.place_key, *province, *district, *subdistrict))
    return pd.DataFrame(rows, columns=list(COLUMN_TYPES)).astype(
        {column: "string" if sql_type == "string" else "float64" for column, sql_type in COLUMN_TYPES.items()})
