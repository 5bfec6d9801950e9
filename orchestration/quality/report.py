"""The quality report published beside the bulletins: the latest result of every
Great Expectations suite. Re-rendered each time a suite runs, so it is current after
any run, including one that a failed check stopped. (What each delivery became is the
delivery report, orchestration.reporting.delivery_report.)"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from orchestration.publishing import sweep_leftovers, write_file
from orchestration.quality.suites import SuiteResult
from orchestration.reporting.templates import render


def quality_dir(out_path: Path) -> Path:
    return out_path / "quality"


def record_result(settings, result: SuiteResult) -> Path:
    results_dir = quality_dir(settings.out_path) / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(results_dir)
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
    write_file(path, json.dumps(payload, ensure_ascii=False, indent=2))
    render_quality_report(settings.out_path)
    return path


def render_quality_report(out_path: Path) -> Path:
    directory = quality_dir(out_path)
    directory.mkdir(parents=True, exist_ok=True)
    suites = [
        json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((directory / "results").glob("*.json"))
    ]
    html = render("quality_report.html.j2", suites=suites, assets="../bulletins/assets")
    sweep_leftovers(directory)
    return write_file(directory / "index.html", html)
