"""Publish the delivery report page (bulletins/deliveries.html) from the delivery marts."""

from __future__ import annotations

from pathlib import Path

from orchestration.publishing import write_file
from orchestration.reporting.bulletin import publish_assets
from orchestration.reporting.templates import render
from orchestration.warehouse import connect, query_dicts

DELIVERY_REPORT_FILE = "deliveries.html"


def publish_delivery_report(warehouse_path: Path, bulletins_dir: Path) -> Path:
    with connect(warehouse_path, read_only=True) as connection:
        files = query_dicts(connection, "select * from marts.fct_file_loads order by source, file_name")
        quarantine = query_dicts(connection, "select * from marts.fct_quarantine_counts order by file_name, reason_code")
        flags = query_dicts(connection, "select * from marts.fct_row_flag_counts order by file_name, flag_code")
    sources: dict[str, dict] = {}
    for f in files:
        totals = sources.setdefault(f["source"], {"source": f["source"], "files_loaded": 0, "files_rejected": 0,
                                                   "files_duplicate": 0, "rows_in": 0, "rows_used": 0,
                                                   "rows_quarantined": 0, "rows_repaired": 0, "rows_flagged": 0})
        totals[{"loaded": "files_loaded", "rejected": "files_rejected"}.get(f["load_status"], "files_duplicate")] += 1
        for column in ("rows_in", "rows_used", "rows_quarantined", "rows_repaired", "rows_flagged"):
            totals[column] += f[column] or 0
    publish_assets(bulletins_dir)
    html = render("delivery_report.html.j2", sources=list(sources.values()), files=files, quarantine=quarantine,
                  flags=flags, assets="assets")
    return write_file(bulletins_dir / DELIVERY_REPORT_FILE, html)
