"""The build ledger (orchestration/build_ledger.py): what a step keeps from the previous
run, and what it records. The flow-level proof, that a weekly run keeping tables gives
exactly a fresh run's warehouse and bulletins, is test_weekly_run_keeping_tables_equals_a_fresh_run
in test_incremental_day.py (slow)."""

from __future__ import annotations

import duckdb
import pytest
from dagster import AssetKey

from orchestration import build_ledger
from orchestration.build_ledger import Entry, Ledger, StepLedger, fingerprint, plan_step, raw_versions
from orchestration.transformation.assets import REPORT_DATE_READERS, built_and_tested

RAW = AssetKey(["raw", "lists"])
STAGED = AssetKey(["staging", "lists"])
LINKED = AssetKey(["intermediate", "linked"])
DATES = AssetKey(["marts", "dates"])
STATUS = AssetKey(["marts", "status"])
PARENTS = {STAGED: [RAW], LINKED: [STAGED], DATES: [], STATUS: [LINKED, DATES]}
ORDER = [STAGED, LINKED, DATES, STATUS]
CONTEXT = "code and settings"


def built_entries(raw_version: str = "raw-1", report_dates: str = "2022-05-31", context: str = CONTEXT) -> dict:
    """The ledger after a run that built everything from `raw_version`."""
    entries: dict = {RAW: raw_version}
    for key in ORDER:
        parents = [entries[p].version if isinstance(entries[p], Entry) else entries[p] for p in PARENTS[key]]
        fp = fingerprint(key, context, parents, report_dates if key == DATES else None)
        entries[key] = Entry(fp, f"version of {key.to_user_string()} from {raw_version} {report_dates}")
    return entries


def plan(entries: dict, *, raw_version: str = "raw-1", report_dates: str = "2022-05-31", existing=None,
         context: str = CONTEXT):
    versions = {**entries, RAW: raw_version}
    return plan_step(ORDER, PARENTS, versions, set(ORDER) if existing is None else existing, context,
                     report_dates, {DATES})


def test_the_same_inputs_keep_every_table_in_dependency_order():
    result = plan(built_entries())
    assert result.keep == tuple(ORDER) and result.build == ()


def test_a_new_raw_file_builds_what_reads_it_and_nothing_else():
    result = plan(built_entries(), raw_version="raw-2")
    assert result.keep == (DATES,)
    assert result.build == (STAGED, LINKED, STATUS)


def test_new_report_dates_build_the_model_that_reads_them_and_its_children():
    result = plan(built_entries(), report_dates="2022-05-31,2022-06-30")
    assert result.keep == (STAGED, LINKED)
    assert result.build == (DATES, STATUS)


def test_changed_code_or_settings_build_everything():
    assert plan(built_entries(), context="other code").keep == ()


def test_a_missing_table_is_built_and_so_are_its_children():
    result = plan(built_entries(), existing={STAGED, DATES, STATUS})
    assert result.keep == (STAGED, DATES)
    assert result.build == (LINKED, STATUS)


def test_a_table_without_an_entry_is_built_and_so_are_its_children():
    entries = built_entries()
    del entries[STAGED]
    assert plan(entries).build == (STAGED, LINKED, STATUS)


def test_a_parent_unknown_to_the_ledger_builds_its_children():
    """A parent outside the ledger (a Python step that does not record, a failed build)
    has no version: its children cannot be known unchanged."""
    entries = built_entries()
    del entries[LINKED]
    result = plan_step([STATUS], PARENTS, {**entries, RAW: "raw-1"}, {STATUS}, CONTEXT, "2022-05-31", {DATES})
    assert result.build == (STATUS,)


@pytest.fixture
def warehouse(tmp_path):
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("create schema raw; create schema staging; create schema intermediate; create schema marts")
        connection.execute("create table raw.load_manifest (source varchar, file_name varchar, file_sha256 varchar, "
                           "load_status varchar, loaded_at timestamp)")
        connection.execute("insert into raw.load_manifest values ('lists', 'lists/a.csv', 'aa', 'loaded', "
                           "'2022-06-01 10:00')")
        for key in ORDER:
            connection.execute(f"create table {key.path[0]}.{key.path[1]} (x int)")
    return path


def step(warehouse, build_id: str, report_dates: str = "2022-05-31") -> StepLedger:
    return StepLedger(warehouse, ORDER, PARENTS, CONTEXT, report_dates, {DATES}, {"lists": RAW}, build_id)


def test_a_step_records_what_it_built_and_keeps_it_next_time(warehouse):
    first = step(warehouse, "run 1")
    assert first.plan().keep == ()
    first.record(ORDER)
    versions = {key: entry.version for key, entry in Ledger(warehouse).entries().items()}
    second = step(warehouse, "run 2")
    assert second.plan().keep == tuple(ORDER)
    assert {key: entry.version for key, entry in Ledger(warehouse).entries().items()} == versions


def test_a_rebuilt_parent_gets_a_new_version_so_its_children_are_built(warehouse):
    first = step(warehouse, "run 1")
    first.plan()
    first.record(ORDER)
    Ledger(warehouse).forget([LINKED])  # as when its build failed last time
    second = step(warehouse, "run 2")
    assert second.plan().build == (LINKED, STATUS)
    second.record([LINKED, STATUS])
    assert step(warehouse, "run 3").plan().keep == tuple(ORDER)


def test_planning_forgets_the_entries_of_what_it_will_build(warehouse):
    """So a step that dies half-way leaves no entry claiming an old table is current."""
    first = step(warehouse, "run 1")
    first.plan()
    first.record(ORDER)
    step(warehouse, "run 2", report_dates="2022-05-31,2022-06-30").plan()
    assert set(Ledger(warehouse).entries()) == {STAGED, LINKED}


def test_a_step_that_recorded_only_part_keeps_only_that(warehouse):
    first = step(warehouse, "run 1")
    first.plan()
    first.record([STAGED, DATES])  # LINKED's tests failed: not recorded, nor its child
    assert set(Ledger(warehouse).entries()) == {STAGED, DATES}
    assert step(warehouse, "run 2").plan().build == (LINKED, STATUS)


def test_raw_versions_change_with_a_new_manifest_entry_of_that_source_only(warehouse):
    keys = {"lists": RAW, "tracking": AssetKey(["raw", "tracking"])}
    with duckdb.connect(str(warehouse)) as connection:
        before = raw_versions(connection, keys)
        connection.execute("insert into raw.load_manifest values ('tracking', 'tracking/b.jsonl', 'bb', 'loaded', "
                           "'2022-06-02 10:00')")
        after = raw_versions(connection, keys)
    assert after[RAW] == before[RAW]
    assert after[keys["tracking"]] != before[keys["tracking"]]
    assert after[build_ledger.MANIFEST_KEY] != before[build_ledger.MANIFEST_KEY]


def test_the_settings_digest_covers_the_key_and_data_settings_but_not_paths():
    base = {"BACKTOSCHOOL_OUT": "/a", "BACKTOSCHOOL_MAX_COHORT_CHANGE_PCT": "50"}
    digest = build_ledger.settings_digest(b"k" * 32, base)
    assert build_ledger.settings_digest(b"k" * 32, {**base, "BACKTOSCHOOL_OUT": "/b"}) == digest
    assert build_ledger.settings_digest(b"k" * 32, {**base, "BACKTOSCHOOL_MAX_COHORT_CHANGE_PCT": "5"}) != digest
    assert build_ledger.settings_digest(b"j" * 32, base) != digest
    assert (b"k" * 32).hex() not in digest


def test_the_code_digest_changes_with_any_model_or_python_file(tmp_path):
    for name in ("dbt_project/models/a.sql", "orchestration/step.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("select 1")
    before = build_ledger.code_digest(tmp_path)
    (tmp_path / "orchestration/step.py").write_text("select 2")
    assert build_ledger.code_digest(tmp_path) != before


def test_only_dim_report_dates_reads_the_report_dates_itself():
    """Every other dated model reads them through dim_report_dates, so a new date
    rebuilds them through its new version."""
    assert REPORT_DATE_READERS == {AssetKey(["marts", "dim_report_dates"])}


def test_a_model_with_a_failed_or_warning_test_is_not_recorded():
    manifest = {"nodes": {
        "model.p.a": {"resource_type": "model", "schema": "marts", "name": "a"},
        "model.p.b": {"resource_type": "model", "schema": "marts", "name": "b"},
        "model.p.c": {"resource_type": "model", "schema": "marts", "name": "c"},
        "test.p.t1": {"resource_type": "test", "depends_on": {"nodes": ["model.p.b"]}},
        "test.p.t2": {"resource_type": "test", "depends_on": {"nodes": ["model.p.c"]}},
    }}
    results = {"results": [
        {"unique_id": "model.p.a", "status": "success"}, {"unique_id": "model.p.b", "status": "success"},
        {"unique_id": "model.p.c", "status": "error"}, {"unique_id": "test.p.t1", "status": "warn"},
        {"unique_id": "test.p.t2", "status": "skipped"},
    ]}
    assert built_and_tested(results, manifest) == {AssetKey(["marts", "a"])}


def test_rebuild_forgets_every_entry(warehouse):
    first = step(warehouse, "run 1")
    first.plan()
    first.record(ORDER)
    Ledger(warehouse).clear()
    assert Ledger(warehouse).entries() == {}
    assert step(warehouse, "run 2").plan().keep == ()


def test_the_run_command_passes_rebuild_on(monkeypatch, tmp_path):
    from orchestration import cli
    from orchestration.runner import RunOutcome

    calls = []
    monkeypatch.setattr(cli, "run_warehouse", lambda *args, **kwargs: calls.append(kwargs) or RunOutcome(True, None))
    cli.main(["run", "--landing", str(tmp_path), "--out", str(tmp_path / "out"), "--report-date", "2022-05-31",
              "--rebuild"])
    assert calls[0]["rebuild"] is True


def test_a_step_writing_its_tables_together_keeps_all_or_nothing(warehouse):
    first = step(warehouse, "run 1")
    first.plan()
    first.record(ORDER)
    Ledger(warehouse).forget([STATUS])
    assert step(warehouse, "run 2").plan(whole=True) == build_ledger.StepPlan((), tuple(ORDER))
    assert Ledger(warehouse).entries() == {}  # every table will be written: no entry stands


def test_part_of_a_step_asked_for_by_hand_keeps_nothing(warehouse):
    first = step(warehouse, "run 1")
    first.plan()
    first.record(ORDER)
    assert step(warehouse, "run 2").plan(keep=False).keep == ()


def test_a_build_is_recorded_against_the_inputs_it_was_planned_from(warehouse):
    """A raw file loaded by another process during the build must not pass for its input."""
    first = step(warehouse, "run 1")
    first.plan()
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("insert into raw.load_manifest values ('lists', 'lists/b.csv', 'bb', 'loaded', "
                           "'2022-06-02 10:00')")
    first.record(ORDER)
    assert step(warehouse, "run 2").plan().build == (STAGED, LINKED, STATUS)
