"""The `backtoschool` command: generate a landing folder, run the warehouse through
Dagster, or do both as a demo. See interface.md for the public surface."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

from orchestration.runner import RunOutcome, run_warehouse
from orchestration.settings import ENGINE_ENV, ENGINES

console = Console(highlight=False, soft_wrap=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="backtoschool", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser("generate", help="write a synthetic landing folder (and _truth/)")
    generate.add_argument("--out", required=True, type=Path, help="landing folder to create")
    _add_generation_options(generate)

    run = commands.add_parser("run", help="run every asset on a landing folder and publish")
    run.add_argument("--landing", required=True, type=Path)
    run.add_argument("--out", required=True, type=Path)
    run.add_argument("--report-date", required=True, action="append", dest="report_dates",
                     type=_iso_date, metavar="YYYY-MM-DD", help="repeat for several report dates")
    run.add_argument("--engine", choices=ENGINES, default=os.environ.get(ENGINE_ENV) or "duckdb",
                     help="what builds the warehouse: duckdb (one file) or spark (dbt-spark, Parquet "
                          "under OUT/spark); default $BACKTOSCHOOL_ENGINE or duckdb. An output folder "
                          "keeps the engine of its first run")
    run.add_argument("--rebuild", action="store_true",
                     help="build every table again from scratch, none kept from earlier runs (see README, "
                          "Performance)")
    run.add_argument("--verbose", action="store_true", help="also show each step's log lines")

    demo = commands.add_parser("demo", help="generate a sample landing folder and run the whole flow on it")
    demo.add_argument("--out", type=Path, default=Path("demo"), help="folder for the landing set and outputs")
    _add_generation_options(demo)

    args = parser.parse_args(argv)
    if args.command == "generate":
        _generate(args.out, args)
        return 0
    if args.command == "run":
        return _report(run_warehouse(args.landing, args.out, args.report_dates, verbose=args.verbose,
                                     engine=args.engine, rebuild=args.rebuild))
    return _demo(args)


def _add_generation_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--children", type=int, default=10_000, help="cohort size (default 10,000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=_iso_date, default=date(2022, 1, 17), help="first list date")
    parser.add_argument("--end", type=_iso_date, default=None, help="last tracking export date")
    parser.add_argument("--scenario", choices=["national", "seed003", "linkage"], default="national",
                        help="national: all five agencies; seed003: shaped like the published 2022 tables; "
                             "linkage: IDs missing or mistyped between agencies, twins and namesakes")


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date in YYYY-MM-DD form") from None


def _generate(out: Path, args: argparse.Namespace):
    from orchestration.generator import generate
    from orchestration.generator.progress import RichProgress

    console.print(f"Generating a [bold]{args.scenario}[/bold] landing set in {out} …")
    # Progress goes to stderr: bars on a terminal, a line per finished step when piped.
    with RichProgress(Console(stderr=True, highlight=False)) as progress:
        summary = generate(out, children=args.children, seed=args.seed, start=args.start, end=args.end,
                           scenario=args.scenario, progress=progress)
    console.print(str(summary))
    return summary


def _demo(args: argparse.Namespace) -> int:
    out = args.out.resolve()
    landing = out / "landing"
    summary = _generate(landing, args)
    truth_dates = [date.fromisoformat(line.split(",")[0])
                   for line in (landing / "_truth" / "truth_dates.csv").read_text().splitlines()[1:] if line]
    outcome = run_warehouse(landing, out / "output", truth_dates)
    code = _report(outcome)
    if code == 0:
        _compare_with_truth(landing / "_truth", out / "output" / "warehouse.duckdb", truth_dates)
    return code


def _compare_with_truth(truth_dir: Path, warehouse: Path, report_dates: list[date]) -> None:
    """The demo checks its own figures: status_summary against the generator's truth."""
    from orchestration.generator import expected_status_summary
    from orchestration.warehouse import connect

    keys = ["report_date", "status_code", "education_stage", "source_agency"]
    expected = expected_status_summary(truth_dir, report_dates).set_index(keys)["children"]
    with connect(warehouse, read_only=True) as connection:
        actual = connection.execute(
            "select report_date, status_code, education_stage, source_agency, cast(sum(children) as bigint) as children"
            " from marts.status_summary group by all"
        ).df()
    actual["report_date"] = actual["report_date"].dt.date
    actual = actual.set_index(keys)["children"]
    differences = expected.sub(actual, fill_value=0)
    wrong = differences[differences != 0]
    if wrong.empty:
        console.print(
            f"[green]Checked against the generator's truth ({truth_dir}): all {len(expected):,} cells of "
            f"status × stage × agency on {len(report_dates)} report dates match.[/green]"
        )
    else:
        console.print(f"[red]{len(wrong)} cells differ from the generator's truth ({truth_dir}).[/red]")


def _report(outcome: RunOutcome) -> int:
    console.print()
    for line in outcome.summary_lines:
        console.print(line)
    if outcome.ok:
        console.print("[green]Published.[/green]")
        return 0
    console.print(f"[red]Not published: {outcome.reason}[/red]")
    return 1


if __name__ == "__main__":
    sys.exit(main())
