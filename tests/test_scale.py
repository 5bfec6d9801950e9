"""The national flow at a larger scale (slow: `make test-slow`): 50,000 children, all
agencies, every quirk, every month end — still exactly the generator's truth."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from orchestration.generator import expected_status_summary, generate
from orchestration.runner import run_warehouse
from tests.e2e_support import FinishedRun


@pytest.mark.slow
def test_fifty_thousand_children_equal_the_truth(tmp_path):
    generate(tmp_path / "landing", scenario="national", children=50_000, seed=5)
    run = FinishedRun(tmp_path / "landing", tmp_path / "out")
    dates = [date.fromisoformat(d) for d in run.truth_csv("truth_dates.csv")["report_date"]]
    outcome = run_warehouse(run.landing, run.out, dates)
    assert outcome.ok, outcome.reason
    actual = run.frame(
        "select report_date, status_code, education_stage, source_agency, cast(sum(children) as bigint) as children"
        " from marts.status_summary group by all order by all"
    )
    expected = expected_status_summary(run.truth, dates)
    pd.testing.assert_frame_equal(actual.astype(str), expected.astype(str), check_dtype=False)
    assert run.query("select count(*) from marts.fct_file_loads where load_status = 'loaded'"
                     " and rows_in <> rows_used + rows_quarantined") == [(0,)]
