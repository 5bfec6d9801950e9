"""benchmarks/results.md: the machine, the figures at each scale, and the issue's targets."""

from __future__ import annotations

import os
import platform
import sys
from datetime import datetime
from importlib import metadata
from pathlib import Path

# The targets, checked at the largest scale measured.
TARGET_WAREHOUSE_OVER_FLOOR = 6.0
TARGET_TRANSFORM_OVER_HAND = 1.5
TARGET_INCREMENTAL_OVER_FULL = 0.15
TARGET_PEAK_RSS_MB = 4096
TARGET_GROWTH_PER_SCALE = 1.1  # 100k → 1M within 11×: at most 10 % worse than linear


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _ram_gb() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 2**20:.1f} GB"
    except OSError:
        pass
    return "unknown"


def _os_name() -> str:
    try:
        fields = dict(line.split("=", 1) for line in Path("/etc/os-release").read_text().splitlines() if "=" in line)
        name = fields.get("PRETTY_NAME", "").strip('"')
    except OSError:
        name = ""
    return f"{name or platform.system()} (kernel {platform.release()})"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines(memory_probe: str) -> list[str]:
    return [
        f"- CPU: {_cpu_model()}, {os.cpu_count()} logical cores",
        f"- RAM: {_ram_gb()}",
        f"- OS: {_os_name()}",
        f"- Python {platform.python_version()} ({sys.executable})",
        f"- duckdb {_version('duckdb')}, dbt-core {_version('dbt-core')}, dbt-duckdb {_version('dbt-duckdb')},"
        f" dagster {_version('dagster')}; for `--spark`: dbt-spark {_version('dbt-spark')},"
        f" pyspark {_version('pyspark')} (local[2] session)",
        f"- peak memory: RSS of each step's whole process tree, sampled every 0.1 s with {memory_probe}",
    ]


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _scale_table(results) -> list[str]:
    head = "| | " + " | ".join(f"{r.children:,} children" for r in results) + " |"
    rows = [head, "|---|" + "---|" * len(results)]

    def row(label: str, cell) -> None:
        rows.append(f"| {label} | " + " | ".join(cell(r) for r in results) + " |")

    row("landing: files / MB", lambda r: f"{r.landing['files']} / {r.landing['bytes'] / 2**20:,.0f}")
    row("list rows (5 agencies)", lambda r: f"{r.landing['list_rows']:,}")
    row("tracking lines (exports overlap)", lambda r: f"{r.landing['tracking_lines']:,}")
    row("distinct events", lambda r: f"{r.landing['distinct_events']:,}")
    row("generate (not measured against)", lambda r: "reused" if r.generate.details.get("reused")
        else f"{r.generate.seconds:.1f} s")
    row("1 floor: read every file once", lambda r: f"{r.floor.seconds:.1f} s, {_mb(r.floor.peak_rss_mb)}")
    row("2 hand-written SQL (incl. xlsx/cp874 → CSV)",
        lambda r: f"{r.hand.seconds:.1f} s ({r.hand.details['convert_s']:.1f} + {r.hand.details['sql_s']:.1f}),"
                  f" {_mb(r.hand.peak_rss_mb)}")
    row("3 warehouse: `backtoschool run`", lambda r: f"{r.warehouse.seconds:.1f} s, {_mb(r.warehouse.peak_rss_mb)}")
    row("4 transform: dbt build elapsed", lambda r: f"{r.dbt['elapsed_s']:.1f} s")
    row("  of which models / tests / seeds (summed, 4 threads)",
        lambda r: " / ".join(f"{r.dbt['sum_by_kind_s'].get(k, 0):.1f}" for k in ("model", "test", "seed")) + " s")
    row("5 incremental day: `backtoschool run`",
        lambda r: f"{r.incremental.seconds:.1f} s, {_mb(r.incremental.peak_rss_mb)}"
                  f" (dbt {r.incremental.details['dbt_elapsed_s']:.1f} s)")
    if any(r.spark for r in results):
        row("6 the same full run on Spark: `--engine spark`",
            lambda r: f"{r.spark.seconds:.1f} s, {_mb(r.spark.peak_rss_mb)} (dbt {r.spark.details['dbt_elapsed_s']:.1f} s)"
            if r.spark else "not measured")
    row("hand-written vs truth: cells exact / children off",
        lambda r: f"{r.hand.details['agreement']['cells_exact']}/{r.hand.details['agreement']['cells']}"
                  f" / {r.hand.details['agreement']['children_off']:,}"
                  f" of {r.hand.details['agreement']['children_true']:,}")
    return rows


def _verdict(ok: bool) -> str:
    return "met" if ok else "**not met**"


def _targets(results) -> list[str]:
    r = results[-1]
    warehouse_over_floor = r.warehouse.seconds / r.floor.seconds
    transform_over_hand = r.dbt["elapsed_s"] / r.hand.seconds
    incremental_over_full = r.incremental.seconds / r.warehouse.seconds
    lines = [
        f"At {r.children:,} children (the largest scale measured):",
        "",
        "| target | measured | |",
        "|---|---|---|",
        f"| warehouse ≤ {TARGET_WAREHOUSE_OVER_FLOOR:g}× floor | {warehouse_over_floor:.1f}× |"
        f" {_verdict(warehouse_over_floor <= TARGET_WAREHOUSE_OVER_FLOOR)} |",
        f"| transform ≤ {TARGET_TRANSFORM_OVER_HAND:g}× hand-written | {transform_over_hand:.1f}× |"
        f" {_verdict(transform_over_hand <= TARGET_TRANSFORM_OVER_HAND)} |",
        f"| incremental day ≤ {TARGET_INCREMENTAL_OVER_FULL:.0%} of full | {incremental_over_full:.0%} |"
        f" {_verdict(incremental_over_full <= TARGET_INCREMENTAL_OVER_FULL)} |",
        f"| peak RSS ≤ {TARGET_PEAK_RSS_MB / 1024:g} GB | {_mb(r.peak_rss_mb)} |"
        f" {_verdict(r.peak_rss_mb <= TARGET_PEAK_RSS_MB)} |",
    ]
    for small, large in zip(results, results[1:]):
        factor = large.children / small.children
        growth = large.warehouse.seconds / small.warehouse.seconds
        allowed = factor * TARGET_GROWTH_PER_SCALE
        lines.append(f"| {small.children:,} → {large.children:,} ({factor:g}× children): time ≤ {allowed:.1f}× |"
                     f" {growth:.1f}× | {_verdict(growth <= allowed)} |")
    return lines


def _profile(result) -> list[str]:
    steps = sorted(result.warehouse.details["steps"].items(), key=lambda item: -item[1])[:8]
    lines = [f"Slowest steps of the full run at {result.children:,} children (from `backtoschool run`'s own lines):", ""]
    lines += [f"- `{name}` {seconds:.1f} s" for name, seconds in steps]
    lines += ["", "Slowest dbt nodes (run_results.json, execution time):", ""]
    lines += [f"- `{name}` {seconds:.1f} s" for name, seconds in result.dbt["slowest"]]
    return lines


def write_results(path: Path, results, *, note: str, memory_probe: str) -> None:
    r = results[-1]
    text = [
        "# Benchmark results",
        "",
        f"Measured {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')} with"
        f" `benchmarks/run.py --scales {','.join(str(x.children) for x in results)}` (see README.md).",
        "",
        "## Machine",
        "",
        *machine_lines(memory_probe),
    ]
    if note:
        text += ["", note]
    text += [
        "",
        "## Figures",
        "",
        *_scale_table(results),
        "",
        f"The incremental day adds one tracking export ({r.incremental.details['events']:,} events,"
        f" `{r.incremental.details['file']}`) and the report date {r.incremental.details['report_date_added']}"
        " to the full run's report dates.",
        "",
        "## Targets",
        "",
        *_targets(results),
        "",
        "## Where the time goes",
        "",
        *_profile(r),
        "",
    ]
    problems = [f"- {x.children:,} children, {name} run: {step.details['problem']}"
                for x in results for name, step in (("full", x.warehouse), ("incremental", x.incremental))
                if step.details.get("problem")]
    if problems:
        text += ["## Runs that did not publish", "", *problems, ""]
    path.write_text("\n".join(text), encoding="utf-8")
