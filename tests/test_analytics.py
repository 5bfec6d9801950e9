"""Marts for analysts (issue 5), each computed independently from the generator's truth
(children, details, statuses, events) and compared exactly with the warehouse's.

Place codes: a misspelt province is either recovered or left null by the warehouse
(tests/test_national_flow.py proves it is never another province); the expected frame
takes the warehouse's choice for those children only, so every count by place is exact.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from orchestration.generator import expected_child_status, expected_transitions


@pytest.fixture(scope="module")
def children(national) -> pd.DataFrame:
    """Per child and report date: the truth, with the warehouse's key and (for a misspelt
    or unspecified province) its place codes."""
    dates = national.truth_dates()
    truth = expected_child_status(national.truth, dates)
    warehouse = national.frame(
        """
        select c.child_id, f.report_date, f.child_key, f.province_code as w_province, f.district_code as w_district
        from marts.fct_child_status f join intermediate.int_cohort_children c using (child_key)
        """
    )
    warehouse["report_date"] = warehouse["report_date"].dt.date
    merged = truth.merge(warehouse, on=["child_id", "report_date"], how="inner", validate="one_to_one")
    assert len(merged) == len(truth)
    guessed = merged["province_spelling"] != "exact"
    merged.loc[guessed, "province_code"] = merged.loc[guessed, "w_province"]
    merged.loc[guessed, "district_code"] = merged.loc[guessed, "w_district"]
    return merged.drop(columns=["w_province", "w_district"])


@pytest.fixture(scope="module")
def events(national) -> pd.DataFrame:
    frame = national.truth_csv("events.csv")
    frame["recorded_at"] = pd.to_datetime(frame["recorded_at"])
    frame["recorded_on"] = frame["recorded_at"].dt.date
    return frame.sort_values(["child_id", "recorded_at", "event_id"])


def _latest_events(children: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Each child's latest event on or before each report date (null when none)."""
    rows = []
    for report_date in sorted(children["report_date"].unique()):
        upto = events[events["recorded_on"] <= report_date]
        latest = upto.groupby("child_id").tail(1).set_index("child_id")
        day = children[children["report_date"] == report_date]
        rows.append(day.join(latest[["reason_code", "placement", "tracker_org"]], on="child_id"))
    return pd.concat(rows)


def _compare(actual: pd.DataFrame, expected: pd.DataFrame, keys: list[str], value: str = "children") -> None:
    def normal(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame[[*keys, value]].copy()
        for key in keys:
            frame[key] = frame[key].astype(str).replace({"None": "", "nan": "", "<NA>": "", "NaT": ""})
        frame[value] = frame[value].astype(float)
        return frame.groupby(keys, as_index=False)[value].sum().sort_values(keys).reset_index(drop=True)

    pd.testing.assert_frame_equal(normal(actual), normal(expected), check_exact=True)


def test_status_by_district(national, children):
    expected = children.groupby(
        ["report_date", "status_code", "education_stage", "source_agency", "province_code", "district_code"], dropna=False
    ).size().reset_index(name="children")
    actual = national.frame("select * from marts.status_by_district")
    actual["report_date"] = actual["report_date"].dt.date
    keys = ["report_date", "status_code", "education_stage", "source_agency", "province_code", "district_code"]
    _compare(actual, expected, keys)


def test_status_flow_reconciles_for_every_status(national):
    dates = national.truth_dates()
    moves = expected_transitions(national.truth, dates)
    rows = []
    for (before, after), pair in moves.groupby(["from_report_date", "to_report_date"]):
        for status in range(1, 6):
            came = pair["from_status_code"].astype("Int64")
            rows.append({
                "from_report_date": before, "to_report_date": after, "status_code": status,
                "opening": pair.loc[came == status, "children"].sum(),
                "new_to_cohort": pair.loc[came.isna() & (pair["to_status_code"] == status), "children"].sum(),
                "moved_in": pair.loc[(came != status) & came.notna() & (pair["to_status_code"] == status), "children"].sum(),
                "moved_out": pair.loc[(came == status) & (pair["to_status_code"] != status), "children"].sum(),
                "closing": pair.loc[pair["to_status_code"] == status, "children"].sum(),
            })
    expected = pd.DataFrame(rows)
    actual = national.frame("select * from marts.status_flow order by all")
    assert len(actual) == 5 * (len(dates) - 1)
    assert ((actual.opening + actual.new_to_cohort + actual.moved_in - actual.moved_out) == actual.closing).all()
    for column in ("opening", "new_to_cohort", "moved_in", "moved_out", "closing"):
        _compare(actual.assign(from_report_date=actual.from_report_date.dt.date, to_report_date=actual.to_report_date.dt.date),
                 expected, ["from_report_date", "to_report_date", "status_code"], column)


def test_reasons_not_back_and_placements_of_returned(national, children, events):
    latest = _latest_events(children, events)
    not_back = latest[latest["status_code"] == 2].assign(reason_code=lambda f: f["reason_code"].replace("", "unknown"))
    expected = not_back.groupby(["report_date", "reason_code", "education_stage", "province_code"], dropna=False).size()
    actual = national.frame("select * from marts.reasons_not_back")
    actual["report_date"] = actual["report_date"].dt.date
    _compare(actual, expected.reset_index(name="children"), ["report_date", "reason_code", "education_stage", "province_code"])
    returned = latest[latest["status_code"] == 1].assign(placement=lambda f: f["placement"].replace("", "unknown"))
    expected = returned.groupby(["report_date", "placement", "education_stage", "province_code"], dropna=False).size()
    actual = national.frame("select * from marts.placements_of_returned")
    actual["report_date"] = actual["report_date"].dt.date
    _compare(actual, expected.reset_index(name="children"), ["report_date", "placement", "education_stage", "province_code"])


def test_assistance_and_the_return_rate(national, children, events):
    given = events.assign(assistance=events["assistance"].str.split("|")).explode("assistance")
    given = given[given["assistance"].notna() & (given["assistance"] != "") & (given["assistance"] != "none")]
    rows = []
    for report_date in sorted(children["report_date"].unique()):
        status = children[children["report_date"] == report_date].set_index("child_id")["status_code"]
        assisted = given[given["recorded_on"] <= report_date].drop_duplicates(["child_id", "assistance"])
        for code, group in assisted.groupby("assistance"):
            returned = int((status.reindex(group["child_id"]) == 1).sum())
            rows.append({"report_date": report_date, "assistance": code, "children_assisted": len(group),
                         "children_returned": returned, "return_rate_pct": round(100 * returned / len(group), 2)})
    expected = pd.DataFrame(rows)
    actual = national.frame("select * from marts.assistance_outcomes")
    actual["report_date"] = actual["report_date"].dt.date
    assert len(expected) > 0
    for column in ("children_assisted", "children_returned", "return_rate_pct"):
        _compare(actual, expected, ["report_date", "assistance"], column)


def test_tracking_performance(national, children, events):
    firsts = events.groupby("child_id").agg(first_contact_on=("recorded_on", "first"), first_org=("tracker_org", "first"))
    found = events[events["status_code"].isin(["1", "2"])].groupby("child_id")["recorded_on"].first().rename("first_found_on")
    listed = national.truth_csv("children.csv").set_index("child_id")["first_listed_on"].map(date.fromisoformat)
    frame = children.join(firsts, on="child_id").join(found, on="child_id").join(listed, on="child_id")
    frame.loc[frame["first_contact_on"].isna() | (frame["first_contact_on"] > frame["report_date"]), ["first_contact_on", "first_org"]] = None
    frame.loc[frame["first_found_on"].isna() | (frame["first_found_on"] > frame["report_date"]), "first_found_on"] = None
    days = lambda a, b: (pd.to_datetime(frame[b]) - pd.to_datetime(frame[a])).dt.days  # noqa: E731
    frame["to_contact"], frame["to_found"] = days("first_listed_on", "first_contact_on"), days("first_listed_on", "first_found_on")
    frame["since_listing"] = days("first_listed_on", "report_date")
    actual = national.frame("select * from marts.tracking_performance")
    actual["report_date"] = actual["report_date"].dt.date
    by_org = frame[frame["first_org"].notna()].groupby(["report_date", "first_org"]).agg(
        children=("child_id", "size"), median_days_to_first_contact=("to_contact", "median"),
        found=("first_found_on", "count"), median_days_to_found=("to_found", "median"),
    ).reset_index().rename(columns={"first_org": "dimension_value"})
    org = actual[actual["dimension"] == "tracker_org"]
    for column in ("children", "median_days_to_first_contact", "found", "median_days_to_found"):
        _compare(org, by_org, ["report_date", "dimension_value"], column)
    frame["province"] = frame["province_code"].fillna("unknown")
    by_province = frame.groupby(["report_date", "province"]).agg(
        children=("child_id", "size"), contacted=("first_contact_on", "count"),
        **{f"listed_{d}_days": ("since_listing", lambda s, d=d: int((s >= d).sum())) for d in (30, 60, 90)},
    ).reset_index().rename(columns={"province": "dimension_value"})
    for d in (30, 60, 90):
        untracked = frame[(frame["since_listing"] >= d) & frame["first_contact_on"].isna()]
        by_province = by_province.merge(
            untracked.groupby(["report_date", "province"]).size().rename(f"untracked_{d}_days").reset_index()
            .rename(columns={"province": "dimension_value"}), how="left").fillna({f"untracked_{d}_days": 0})
    province = actual[actual["dimension"] == "province"]
    for column in ("children", "contacted", "listed_30_days", "untracked_30_days", "listed_60_days",
                   "untracked_60_days", "listed_90_days", "untracked_90_days"):
        _compare(province, by_province, ["report_date", "dimension_value"], column)
    assert province["untracked_30_days"].sum() > 0


def test_not_found_breakdown(national, children, events):
    latest = _latest_events(children, events)
    ids = national.truth_csv("children.csv").set_index("child_id")["id_type"]
    rows = national.truth_csv("list_rows.csv")
    agencies = rows.groupby("identity")["source"].nunique()
    contacted = events.groupby("child_id")["recorded_on"].min()
    latest = latest[latest["status_code"].isin([3, 4])].copy()

    def what(row) -> str:
        if row["reason_code"] == "R04":
            return "moved_away"
        if ids[row["child_id"]] == "none":
            return "no_id"
        if agencies.get(row["child_id"], 1) > 1:
            return "other_agency"
        first = contacted.get(row["child_id"])
        return "no_event_yet" if first is None or first > row["report_date"] else "other"

    latest["what_is_known"] = latest.apply(what, axis=1)
    expected = latest.groupby(["report_date", "status_code", "province_code", "what_is_known"], dropna=False).size()
    actual = national.frame("select * from marts.not_found_breakdown")
    actual["report_date"] = actual["report_date"].dt.date
    _compare(actual, expected.reset_index(name="children"), ["report_date", "status_code", "province_code", "what_is_known"])
    assert {"no_id", "no_event_yet", "other_agency"} <= set(actual["what_is_known"])


def test_the_new_marts_are_in_the_analysts_copy_and_the_worklist_is_not(national):
    tables = {t for (t,) in national.query("select table_schema || '.' || table_name from information_schema.tables",
                                           database=national.out / "analytics.duckdb")}
    assert {"marts.status_by_district", "marts.status_flow", "marts.fct_child_follow_up", "marts.reasons_not_back",
            "marts.placements_of_returned", "marts.assistance_outcomes", "marts.tracking_performance",
            "marts.not_found_breakdown"} <= tables
    assert not any(t.startswith("worklist.") for t in tables)


def test_the_readme_queries_run_against_the_analysts_copy(national):
    from orchestration.paths import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("```sql") + len("```sql")
    queries = [q.strip() for q in readme[start:readme.index("```", start)].split(";") if q.strip()]
    assert len(queries) >= 4
    for query in queries:
        assert national.query(query, database=national.out / "analytics.duckdb"), query


def test_the_dbt_docs_are_published_with_the_bulletins(national):
    page = (national.out / "bulletins" / "docs" / "index.html").read_text(encoding="utf-8")
    for model in ("fct_child_follow_up", "status_flow", "worklist_children", "tracking_performance"):
        assert model in page
