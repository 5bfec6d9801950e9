"""PDFs of the bulletins with WeasyPrint.

The pages are the published HTML files themselves, rendered from where they sit so that
their relative links resolve: the Sarabun fonts in bulletins/assets/fonts (declared in
_fonts.css.j2 as two families, Latin and Thai) and the print rules of the stylesheet
(A4, page numbers, page breaks). WeasyPrint needs Pango (Debian: libpango-1.0-0,
installed by `make setup` when missing).

Many pages (a national run of nine report dates is about 700 bulletins) are shared out
between worker processes (orchestration.workers), one per core; a handful are rendered
in this process."""

from __future__ import annotations

import gc
import logging
from collections.abc import Sequence
from pathlib import Path

from orchestration.workers import map_in_workers, worker_count

PARALLEL_FROM = 24  # fewer pages than this: not worth starting workers
WORKERS_ENV = "BACKTOSCHOOL_PDF_WORKERS"  # optional: how many worker processes (default: one per core)


def render_pdfs(jobs: Sequence[tuple[Path, Path]]) -> None:
    """Render each (html file, pdf file)."""
    # largest pages first, dealt out in turn: the batches take about as long as each other
    jobs = sorted(((str(html), str(pdf)) for html, pdf in jobs), key=lambda job: -Path(job[0]).stat().st_size)
    if not jobs:
        return
    workers = worker_count(WORKERS_ENV) if len(jobs) >= PARALLEL_FROM else 1
    # one batch per worker: each process parses the fonts once
    map_in_workers(_render_batch, [(jobs[index::workers],) for index in range(workers)], workers)


def _render_batch(jobs: Sequence[tuple[str, str]]) -> int:
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    fonts = FontConfiguration()  # one per process: the fonts are parsed once
    # A render builds hundreds of thousands of objects that live until the PDF is
    # written, so the cyclic collector keeps walking a heap with almost no garbage: about
    # a fifth of the CPU time (perf). One collection per PDF frees the same memory and
    # renders a national date's 78 PDFs in 234 s of CPU instead of 272 s, byte-identical.
    # The collector is put back on afterwards: a small batch runs in the Dagster step.
    collector_was_on = gc.isenabled()
    gc.disable()
    try:
        for html, pdf in jobs:
            try:
                HTML(filename=html).write_pdf(pdf, font_config=fonts)
            finally:
                gc.collect()
    finally:
        if collector_was_on:
            gc.enable()
    return len(jobs)

