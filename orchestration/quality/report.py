"""The quality report published beside the bulletins: the latest result of every
Great Expectations suite, and the delivery report (every file, its outcome, rows used
and quarantined by reason). Re-rendered each time a suite runs, so it is current after
any run, including one that a failed check stopped."""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.quality.suites import SuiteResult
from orchestration.reporting.templates import render
from orchestration.warehouse import connect, query_dicts


def quality_dir(out_path: Path) -> Path:
    return out_path / "quality"


def record_result(settings, result: SuiteResult) -> Path:
    results_dir = quality_dir(settings.out_path) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "suite": result.suite.name,
        "description": result.suite.description,
        "blocking": result.suite.blocking,
        "relation": result.suite.relation,
        "success": result.success,
        "rows_validated": result.rows,
        "validated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "expectations": [
            {"summary": o.summary, "success": o.success, "unexpected_count": o.unexpected_count}
            for o in result.outcomes
        ],
    }
    path = results_dir / f"{result.suite.name}.json"
    path.write_text(json.dumps(payload, ensure_ascii=False, indent=2), encoding="utf-8")
    render_quality_report(settings.out_path, settings.warehouse_path)
    return path


def render_quality_report(out_path: Path, warehouse_path: Path) -> Path:
    directory = quality_dir(out_path)
    directory.mkdir(parents=True, exist_ok=True)
    suites = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((directory / "results").glob("*.json"))
    ]
    files, quarantine = _delivery_report(warehouse_path)
    html = render("quality_report.html.j2", suites=suites, files=files, quarantine=quarantine,
                  assets="../bulletins/assets")
    target = directory / "index.html"
    scratch = target.with_name(f".index.html.building-{os.getpid()}")
    scratch.write_text(html, encoding="utf-8")
    os.replace(scratch, target)
    return target


def _delivery_report(warehouse_path: Path) -> tuple[list[dict], list[dict]]:
    try:
        with connect(warehouse_path, read_only=True) as connection:
            files = query_dicts(connection, "select * from marts.fct_file_loads order by source, file_name")
            quarantine = query_dicts(
                connection, "select * from marts.fct_quarantine_counts order by file_name, reason_code"
            )
    except duckdb.CatalogException:
        return [], []  # the marts are not built yet (a run stopped early)
    return files, quarantine
