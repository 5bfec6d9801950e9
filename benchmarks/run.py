"""Benchmark the warehouse against what reading the same files costs.

For each scale (children in the generated cohort) it generates a landing set with the
project's generator, then measures on that set: the floor (DuckDB reading every file
once), a hand-written DuckDB script computing status_summary, `backtoschool run` end to
end, dbt's own time, and an incremental day (one more tracking export, run again).
Each step runs in its own process so its wall time and peak memory (the RSS of its whole
process tree) are its own. See benchmarks/README.md.

    .venv/bin/python benchmarks/run.py --children 20000
    .venv/bin/python benchmarks/run.py --scales 100000,1000000 --work /tmp/bench
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # the benchmark's sibling modules, when run as a script

from measure import Measured, memory_probe, run_measured  # noqa: E402
from report import write_results  # noqa: E402

try:
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    say = console.print
except ImportError:  # plain prints without rich
    def say(text: str = "", **_) -> None:
        print(re.sub(r"\[/?[a-z ]+\]", "", text), flush=True)

BIN = Path(sys.executable).parent
STEP_LINE = re.compile(r"^✓ (\S+) \((\d+(?:\.\d+)?) s\)")
SQL_SCRIPT = HERE / "hand_written_status_summary.sql"
SEEDS = ROOT / "dbt_project" / "seeds"


@dataclass
class Step:
    seconds: float
    peak_rss_mb: float
    details: dict = field(default_factory=dict)


@dataclass
class ScaleResult:
    children: int
    landing: dict  # what was generated: files, rows, bytes, events
    generate: Step
    floor: Step
    hand: Step
    warehouse: Step
    dbt: dict  # from run_results.json
    incremental: Step
    spark: Step | None = None  # the same full run with `--engine spark` (--spark)


    @property
    def peak_rss_mb(self) -> float:
        return max(s.peak_rss_mb for s in (self.floor, self.hand, self.warehouse, self.incremental))

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> ScaleResult:
        data = json.loads(path.read_text(encoding="utf-8"))
        steps = ("generate", "floor", "hand", "warehouse", "incremental", "spark")
        return cls(**{k: Step(**v) if k in steps and v is not None else v for k, v in data.items()})


# --- the steps run in their own process -------------------------------------------------------


def step_floor(landing: Path) -> dict:
    from landing_io import read_floor

    started = time.perf_counter()
    totals = read_floor(landing)
    return {"work_s": time.perf_counter() - started, "sources": totals}


def step_hand(landing: Path, converted: Path) -> dict:
    import duckdb

    from landing_io import convert_for_sql

    started = time.perf_counter()
    convert_for_sql(landing, converted)
    converted_at = time.perf_counter()
    with duckdb.connect() as connection:
        connection.execute(hand_written_sql(landing, converted, truth_dates(landing)))
        rows = connection.execute(
            "select cast(report_date as varchar), status_code, education_stage, source_agency,"
            " cast(sum(children) as bigint) from status_summary group by all"
        ).fetchall()
    finished = time.perf_counter()
    return {
        "work_s": finished - started,
        "convert_s": converted_at - started,
        "sql_s": finished - converted_at,
        "agreement": agreement_with_truth(rows, landing / "_truth" / "status_counts.csv"),
    }


def hand_written_sql(landing: Path, converted: Path, dates: list[date]) -> str:
    """The analyst's script with its placeholders filled in."""
    values = {
        "{landing}": landing.as_posix(),
        "{converted}": converted.as_posix(),
        "{seeds}": SEEDS.as_posix(),
        "{report_dates}": "[" + ", ".join(f"DATE '{d.isoformat()}'" for d in dates) + "]",
    }
    sql = SQL_SCRIPT.read_text(encoding="utf-8")
    for placeholder, value in values.items():
        sql = sql.replace(placeholder, value)
    return sql


def agreement_with_truth(rows: list[tuple], truth_counts: Path) -> dict:
    """How far the hand-written figures are from the truth, by date × status × stage × agency
    (the truth has no province): the script's shortcuts have a price, and it is shown."""
    got = {tuple(str(v) for v in row[:4]): row[4] for row in rows}
    with truth_counts.open(encoding="utf-8") as handle:
        expected = {(r["report_date"], r["status_code"], r["education_stage"], r["source_agency"]): int(r["children"])
                    for r in csv.DictReader(handle)}
    cells = set(got) | set(expected)
    off = sum(abs(got.get(c, 0) - expected.get(c, 0)) for c in cells)
    return {
        "cells": len(cells),
        "cells_exact": sum(got.get(c, 0) == expected.get(c, 0) for c in cells),
        "children_off": off,
        "children_true": sum(expected.values()),
    }


def truth_dates(landing: Path) -> list[date]:
    lines = (landing / "_truth" / "truth_dates.csv").read_text(encoding="utf-8").splitlines()[1:]
    return [date.fromisoformat(line.split(",")[0]) for line in lines if line.strip()]


# --- the parent: each step in a subprocess, measured -------------------------------------------


def _env() -> dict[str, str]:
    env = dict(os.environ, DBT_SEND_ANONYMOUS_USAGE_STATS="false")
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"  # dbt and backtoschool from this venv
    return env


def _check(measured: Measured, what: str) -> None:
    if measured.returncode != 0:
        tail = "\n".join((measured.stdout + measured.stderr).strip().splitlines()[-15:])
        raise SystemExit(f"{what} failed (exit {measured.returncode}):\n{tail}")


def _own_step(name: str, *args: str) -> Step:
    """Run one of this script's steps in a fresh interpreter; it prints its result as JSON."""
    command = [sys.executable, str(Path(__file__).resolve()), "--step", name, *args]
    measured = run_measured(command, cwd=ROOT, env=_env())
    _check(measured, f"step {name}")
    details = json.loads(measured.stdout.strip().splitlines()[-1])
    return Step(measured.seconds, measured.peak_rss_mb, details)


def ensure_landing(landing: Path, children: int, seed: int) -> Step:
    """Generate the landing set, or reuse one this script generated before with the same arguments."""
    if (landing / "_truth" / "truth_dates.csv").exists():
        say(f"  reusing the landing set in {landing}")
        return Step(0.0, 0.0, {"reused": True})
    if landing.exists():
        shutil.rmtree(landing)  # an interrupted generation
    say(f"  generating {children:,} children into {landing} …")
    command = [str(BIN / "backtoschool"), "generate", "--out", str(landing), "--children", str(children),
               "--seed", str(seed)]
    measured = run_measured(command, cwd=ROOT, env=_env())
    _check(measured, "backtoschool generate")
    return Step(measured.seconds, measured.peak_rss_mb, {"reused": False})


def describe_landing(landing: Path, floor: Step) -> dict:
    sources = floor.details["sources"]
    with (landing / "_truth" / "events.csv").open(encoding="utf-8") as handle:
        events = sum(1 for _ in handle) - 1
    list_rows = sum(v["rows"] for k, v in sources.items() if k != "tracking")
    return {
        "files": sum(v["files"] for v in sources.values()),
        "bytes": sum(v["bytes"] for v in sources.values()),
        "list_rows": list_rows,
        "tracking_lines": sources["tracking"]["rows"],
        "distinct_events": events,
    }


def run_warehouse(landing: Path, out: Path, dates: list[date], label: str, engine: str = "duckdb") -> Step:
    """`backtoschool run` end to end; its per-step times are read from its progress lines."""
    steps: dict[str, float] = {}

    def on_line(line: str) -> None:
        match = STEP_LINE.match(line.strip())
        if match:
            steps[match[1]] = float(match[2])
            if float(match[2]) >= 1.0:  # live progress, without the many sub-second steps
                say(f"    [dim]{label}: {match[1]} {float(match[2]):.1f} s[/dim]")

    command = [str(BIN / "backtoschool"), "run", "--engine", engine, "--landing", str(landing), "--out", str(out)]
    for day in dates:
        command += ["--report-date", day.isoformat()]
    measured = run_measured(command, cwd=ROOT, env=_env(), on_line=on_line)
    problem = None
    if measured.returncode != 0:
        # Still a measurement (a late step failing leaves the timings of the others), but
        # the results say so: the run did not publish.
        reasons = [line for line in measured.stdout.splitlines() if line.startswith(("✗", "Not published"))]
        problem = "; ".join(reasons) or f"exit status {measured.returncode}"
        say(f"  [red]{label} run did not publish: {problem}[/red]")
    return Step(measured.seconds, measured.peak_rss_mb, {"steps": steps, "problem": problem})


def dbt_timings(out: Path) -> dict:
    """dbt's own figures for the last run's `dbt build`s, one per stage between the Python
    steps (out/dbt_target/run_results.<stage>.json), added up."""
    paths = sorted((out / "dbt_target").glob("run_results.dbt_*.json"))
    if not paths:
        raise SystemExit(f"no {out / 'dbt_target'}/run_results.dbt_*.json: dbt did not run, nothing to measure")
    stages = [json.loads(path.read_text(encoding="utf-8")) for path in paths]
    results = [result for stage in stages for result in stage["results"]]
    by_kind: dict[str, float] = {}
    for result in results:
        kind = result["unique_id"].split(".")[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + result["execution_time"]
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:10]
    return {
        "elapsed_s": sum(stage["elapsed_time"] for stage in stages),
        "sum_by_kind_s": by_kind,
        "slowest": [(r["unique_id"].split(".", 2)[-1], r["execution_time"]) for r in slowest],
    }


def linked_copy(source: Path, target: Path) -> None:
    """The warehouse's own landing folder: hard links to the generated files (instant, no
    space), so the incremental day's extra export never touches the generated set."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(source, target, copy_function=os.link)


def bench_spark(base: Path, dates: list[date]) -> Step:
    """The full run again on Spark (dbt-spark, local session), on the same landing set
    and report dates, into its own output folder; dbt's own figures in its details."""
    out = base / "out_spark"
    if out.exists():
        shutil.rmtree(out)
    step = run_warehouse(base / "run_landing", out, dates, "spark", engine="spark")
    step.details["dbt_elapsed_s"] = dbt_timings(out)["elapsed_s"]
    say(f"  the same full run on Spark: {step.seconds:.1f} s, {step.peak_rss_mb:,.0f} MB;"
        f" dbt build {step.details['dbt_elapsed_s']:.1f} s")
    return step


def bench_scale(children: int, work: Path, seed: int, new_events: int, reuse: bool, spark: bool) -> ScaleResult:
    from new_export import write_new_export

    say(f"[bold]Scale: {children:,} children[/bold]")
    base = work / f"n{children}"
    if reuse and (base / "result.json").exists():
        say(f"  reusing the figures measured before in {base / 'result.json'}")
        result = ScaleResult.load(base / "result.json")
        if spark and (result.spark is None or result.spark.details.get("problem")):
            linked_copy(base / "landing", base / "run_landing")  # without the incremental day's file
            result.spark = bench_spark(base, truth_dates(base / "landing"))
            result.save(base / "result.json")
        return result
    landing, run_landing, out = base / "landing", base / "run_landing", base / "out"
    generated = ensure_landing(landing, children, seed)
    dates = truth_dates(landing)

    floor = _own_step("floor", "--landing", str(landing))
    say(f"  floor (read every file once): {floor.seconds:.1f} s, {floor.peak_rss_mb:,.0f} MB")
    hand = _own_step("hand", "--landing", str(landing), "--converted", str(base / "converted"))
    say(f"  hand-written SQL: {hand.seconds:.1f} s, {hand.peak_rss_mb:,.0f} MB")

    linked_copy(landing, run_landing)
    if out.exists():
        shutil.rmtree(out)  # a full run starts from an empty warehouse
    warehouse = run_warehouse(run_landing, out, dates, "full")
    dbt = dbt_timings(out)
    say(f"  warehouse (backtoschool run): {warehouse.seconds:.1f} s, {warehouse.peak_rss_mb:,.0f} MB;"
        f" dbt build {dbt['elapsed_s']:.1f} s")

    path, day, written = write_new_export(run_landing, new_events)
    incremental = run_warehouse(run_landing, out, [*dates, day], "incremental")
    incremental.details.update({"file": path.name, "events": written, "report_date_added": day.isoformat(),
                                "dbt_elapsed_s": dbt_timings(out)["elapsed_s"]})
    say(f"  incremental day (+{written:,} events in {path.name}): {incremental.seconds:.1f} s,"
        f" {incremental.peak_rss_mb:,.0f} MB")
    spark_step = None
    if spark:
        linked_copy(landing, run_landing)  # without the incremental day's file
        spark_step = bench_spark(base, dates)
    result = ScaleResult(children, describe_landing(landing, floor), generated, floor, hand, warehouse, dbt,
                         incremental, spark_step)
    result.save(base / "result.json")  # so that a later run can add a scale without measuring this one again
    return result


def ratios_line(result: ScaleResult) -> str:
    return (
        f"ratios: warehouse/floor={result.warehouse.seconds / result.floor.seconds:.2f}"
        f" transform/hand={result.dbt['elapsed_s'] / result.hand.seconds:.2f}"
        f" incremental/full={result.incremental.seconds / result.warehouse.seconds:.2f}"
        f" peak_rss_mb={result.peak_rss_mb:.0f}"
        f" warehouse_s={result.warehouse.seconds:.1f}"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--children", type=int, default=1_000_000, help="cohort size (default 1,000,000)")
    parser.add_argument("--scales", type=lambda s: [int(x) for x in s.split(",") if x.strip()],
                        help="comma-separated cohort sizes, run one after the other (default: --children)")
    parser.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "backtoschool-bench",
                        help="folder for landing sets and outputs (a landing set already there is reused)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--new-events", type=int, default=50_000, help="events in the incremental day's export")
    parser.add_argument("--results", type=Path, default=HERE / "results.md", help="where to write the figures")
    parser.add_argument("--reuse-results", action="store_true",
                        help="take a scale's figures from an earlier run's <work>/n<N>/result.json when there is one")
    parser.add_argument("--spark", action="store_true",
                        help="also time the full run on Spark (`backtoschool run --engine spark`) at each scale")
    parser.add_argument("--note", default="", help="a sentence about the conditions, written into the results")
    # internal: one measured step in a fresh process
    parser.add_argument("--step", choices=["floor", "hand"], help=argparse.SUPPRESS)
    parser.add_argument("--landing", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--converted", type=Path, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.step == "floor":
        print(json.dumps(step_floor(args.landing)))
        return 0
    if args.step == "hand":
        print(json.dumps(step_hand(args.landing, args.converted)))
        return 0
    scales = sorted(args.scales or [args.children])
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    say(f"Benchmark in {work}; memory sampled with {memory_probe()}")
    results = [bench_scale(n, work, args.seed, args.new_events, args.reuse_results, args.spark) for n in scales]
    write_results(args.results, results, note=args.note, memory_probe=memory_probe())
    say(f"Figures written to {args.results}")
    print(ratios_line(results[-1]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
