"""Every delivered place resolved to official codes: exact matches (from SQL) as they
are, the rest by fuzzy matching of misspelt names (rapidfuzz, through
orchestration.places.matching), level by level — a district only within its province,
a subdistrict only within its district. What stays unmatched keeps a null code."""

import pandas as pd

from orchestration.places.matching import best_match, names_by_parent


def model(dbt, session):
    dbt.config(materialized="table")
    limits = {"min_score": float(dbt.config.get("min_score")), "min_margin": float(dbt.config.get("min_margin"))}
    places = dbt.ref("int_delivered_places").df()
    province_lookup = dbt.ref("int_province_name_lookup").df()
    district_lookup = dbt.ref("int_district_name_lookup").df()
    subdistrict_lookup = dbt.ref("int_subdistrict_name_lookup").df()
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
    return pd.DataFrame(rows, columns=[
        "place_key",
        "province_code", "province_match", "province_match_score",
        "district_code", "district_match", "district_match_score",
        "subdistrict_code", "subdistrict_match", "subdistrict_match_score",
    ]).astype({
        # explicit types, so that an empty landing folder still gives typed columns
        **{column: "string" for column in ("place_key", "province_code", "province_match", "district_code",
                                           "district_match", "subdistrict_code", "subdistrict_match")},
        **{column: "float64" for column in ("province_match_score", "district_match_score", "subdistrict_match_score")},
    })
