"""Crash safety (issue 8, slow): `backtoschool run` killed with SIGKILL at ten random
instants — seeded, different each time; BACKTOSCHOOL_KILL_SEED replays a failure —
leaves what was published before intact and readable, and the next run produces
exactly what an uninterrupted run produces.

Every run starts from the same published state: the warehouse after an earlier week
(fewer deliveries, an earlier report date). The uninterrupted run from there is the
reference."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.generator import generate
from orchestration.paths import PROJECT_ROOT

EARLIER_WEEK = date(2022, 3, 31)
REPORT_DATES = [EARLIER_WEEK, date(2022, 6, 30)]
KILLS = 10
# Files that say when they were made, not what was published (GX validation times, the
# dbt docs' generation time), and PDFs (rendered only with BACKTOSCHOOL_PDF; off here to
# keep the test short — the folder they are published in is the same).
UNCOMPARED = ("docs/", ".pdf", ".pdf-sources.json")


def _earlier_landing(landing: Path, target: Path) -> None:
    """The deliveries as they were on EARLIER_WEEK: no EEF list yet, tracking up to then."""
    shutil.copytree(landing, target, ignore=shutil.ignore_patterns("_truth", "eef"))
    for export in (target / "tracking").iterdir():
        if date.fromisoformat(export.stem.split("_")[1][:10]) > EARLIER_WEEK:
            export.unlink()


def _command(landing: Path, out: Path, report_dates: list[date]) -> list[str]:
    dates = [arg for d in report_dates for arg in ("--report-date", d.isoformat())]
    return [sys.executable, "-m", "orchestration.cli", "run", "--landing", str(landing), "--out", str(out), *dates]


def _environment() -> dict[str, str]:
    return {**os.environ, "BACKTOSCHOOL_PDF": "none"}


def _run(landing: Path, out: Path, report_dates: list[date]) -> float:
    started = time.monotonic()
    process = subprocess.run(_command(landing, out, report_dates), cwd=PROJECT_ROOT, env=_environment(),
                             capture_output=True, text=True, timeout=900)
    assert process.returncode == 0, process.stdout[-3000:] + process.stderr[-3000:]
    return time.monotonic() - started


def _killed_run(landing: Path, out: Path, after_seconds: float) -> bool:
    """Start a run and SIGKILL it, with every process it started, after the given time.
    False when it finished first."""
    process = subprocess.Popen(_command(landing, out, REPORT_DATES), cwd=PROJECT_ROOT, env=_environment(),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        process.wait(timeout=after_seconds)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


# When a file was loaded (fct_file_loads.loaded_at): the wall clock, not the data.
UNCOMPARED_COLUMNS = ("loaded_at",)


def _tables(database: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        columns: dict[str, list[str]] = {}
        for table, column in connection.execute(
                "select table_name, column_name from information_schema.columns where table_schema = 'marts'"
                " order by table_name, ordinal_position").fetchall():
            if column not in UNCOMPARED_COLUMNS:
                columns.setdefault(table, []).append(f'"{column}"')
        return {table: connection.execute(f"select {', '.join(names)} from marts.{table} order by all").fetchall()
                for table, names in columns.items()}


def _files(folder: Path) -> dict[str, bytes]:
    """Every published file under folder, as a reader sees it: through the links, not
    into hidden releases or files being written."""
    found = {}
    for root, dirs, files in os.walk(folder, followlinks=True):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            relative = os.path.relpath(os.path.join(root, name), folder)
            if not name.startswith(".") and not any(part in relative for part in UNCOMPARED):
                found[relative] = Path(root, name).read_bytes()
    return found


def _published(out: Path) -> dict:
    return {
        "marts": _tables(out / "warehouse.duckdb"),
        "analytics": _tables(out / "analytics.duckdb"),
        "bulletins": _files(out / "bulletins"),
        "worklists": {k: v for k, v in _files(out / "worklists").items() if k.endswith(".csv")},
    }


def _assert_readable(out: Path, earlier: dict) -> None:
    """What a reader sees right after the kill: a whole analysts' copy (the earlier one or
    the new one) and, for every report date listed, a whole bulletin."""
    with duckdb.connect(str(out / "analytics.duckdb"), read_only=True) as connection:
        names = {n for (n,) in connection.execute(
            "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}
        assert names >= set(earlier["analytics"])
        connection.execute("select sum(children) from marts.status_summary").fetchall()
    bulletins = _files(out / "bulletins")
    assert set(earlier["bulletins"]) <= set(bulletins)
    for name, content in bulletins.items():
        if name.endswith(".html"):
            assert content.rstrip().endswith(b"</html>"), name


@pytest.mark.slow
def test_runs_killed_at_random_instants_publish_exactly_what_a_clean_run_does(tmp_path):
    seed = int(os.environ.get("BACKTOSCHOOL_KILL_SEED") or time.time_ns() % 1_000_000)
    print(f"kill instants seeded with BACKTOSCHOOL_KILL_SEED={seed}")
    rng = random.Random(seed)
    landing = tmp_path / "landing"
    generate(landing, scenario="national", children=1_500, seed=8)
    _earlier_landing(landing, tmp_path / "earlier_landing")
    earlier_out = tmp_path / "earlier"
    _run(tmp_path / "earlier_landing", earlier_out, [EARLIER_WEEK])
    earlier = _published(earlier_out)

    reference_out = tmp_path / "reference"
    shutil.copytree(earlier_out, reference_out, symlinks=True)
    duration = _run(landing, reference_out, REPORT_DATES)
    reference = _published(reference_out)
    assert reference["bulletins"] != earlier["bulletins"]

    killed = 0
    for attempt in range(KILLS):
        out = tmp_path / f"killed-{attempt}"
        shutil.copytree(earlier_out, out, symlinks=True)
        # half the instants anywhere, half in the run's last third, where it publishes
        instant = rng.uniform(0.5, duration) if attempt % 2 else rng.uniform(duration * 2 / 3, duration)
        killed += _killed_run(landing, out, instant)
        _assert_readable(out, earlier)
        _run(landing, out, REPORT_DATES)
        after = _published(out)
        for part in reference:
            assert after[part] == reference[part], f"kill at {instant:.1f} s (seed {seed}): {part} differ"
        assert not [p for p in out.rglob(".*") if ".building-" in p.name], "leftovers of the killed run remain"
    assert killed >= KILLS // 2  # most instants fall inside the run
