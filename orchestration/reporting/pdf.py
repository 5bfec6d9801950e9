"""PDFs of the bulletins with WeasyPrint.

The pages are the published HTML files themselves, rendered from where they sit so that
their relative links resolve: the Sarabun fonts in bulletins/assets/fonts (declared in
_fonts.css.j2 as two families, Latin and Thai) and the print rules of the stylesheet
(A4, page numbers, page breaks). WeasyPrint needs Pango (Debian: libpango-1.0-0,
installed by `make setup` when missing).

Many pages (a national run of nine report dates is about 700 bulletins) are shared out
between worker processes, one per core; a handful are rendered in this process."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

PARALLEL_FROM = 24  # fewer pages than this: not worth starting workers
WORKERS_ENV = "BACKTOSCHOOL_PDF_WORKERS"  # optional: how many worker processes (default: one per core)


def render_pdfs(jobs: Sequence[tuple[Path, Path]]) -> None:
    """Render each (html file, pdf file)."""
    jobs = [(str(html), str(pdf)) for html, pdf in jobs]
    if not jobs:
        return
    workers = int(os.environ.get(WORKERS_ENV) or os.cpu_count() or 1)
    if workers <= 1 or len(jobs) < PARALLEL_FROM:
        _render_batch(jobs)
        return
    # Separate interpreters (``python -m`` this module), not fork: the parent runs
    # Dagster's threads; not multiprocessing's spawn either, which re-imports __main__.
    with tempfile.TemporaryDirectory(prefix="bulletin-pdfs-") as scratch:
        processes = []
        for index in range(workers):
            batch = Path(scratch) / f"batch-{index}.json"
            batch.write_text(json.dumps(jobs[index::workers]), encoding="utf-8")
            processes.append(subprocess.Popen([sys.executable, "-m", __name__, str(batch)],
                                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True))
        failures = [(p.wait(), p.stderr.read()) for p in processes]
        failures = [error for code, error in failures if code != 0]
        if failures:
            raise RuntimeError(f"rendering PDFs failed: {failures[0].strip().splitlines()[-1]}")


def _render_batch(jobs: Sequence[tuple[str, str]]) -> int:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()  # one per process: the fonts are parsed once
    for html, pdf in jobs:
        HTML(filename=html).write_pdf(pdf, font_config=fonts)
    return len(jobs)


if __name__ == "__main__":  # a worker: python -m orchestration.reporting.pdf BATCH.json
    _render_batch(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))
