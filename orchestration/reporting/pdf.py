"""PDFs of the bulletins with WeasyPrint.

The pages are the published HTML files themselves, rendered from where they sit so that
their relative links resolve: the Sarabun fonts in bulletins/assets/fonts (declared in
_fonts.css.j2 as two families, Latin and Thai) and the print rules of the stylesheet
(A4, page numbers, page breaks). WeasyPrint needs Pango (Debian: libpango-1.0-0,
installed by `make setup` when missing).

WeasyPrint resolves every link against the page's own location, which is a release
folder that exists only while it is built (orchestration.publishing); the PDF's links
are written relative again (``_relative_links``), so they work wherever the bulletins
are published.

Many pages (a national run of nine report dates is about 700 bulletins) are shared out
between worker processes (orchestration.workers), one per core; a handful are rendered
in this process."""

from __future__ import annotations

import gc
import hashlib
import logging
import os
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit, urlunsplit

from orchestration.workers import map_in_workers, worker_count

PARALLEL_FROM = 24  # fewer pages than this: not worth starting workers
WORKERS_ENV = "BACKTOSCHOOL_PDF_WORKERS"  # optional: how many worker processes (default: one per core)


def renderer_digest() -> str:
    """What a PDF depends on besides its page: this module and WeasyPrint's version. A
    published PDF is kept only when both are those it was rendered with."""
    weasyprint = version("weasyprint")  # its metadata: importing it loads Pango
    return hashlib.sha256(f"{Path(__file__).read_text(encoding='utf-8')} weasyprint {weasyprint}".encode()).hexdigest()


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
                document = HTML(filename=html).render(font_config=fonts)
                _relative_links(document, Path(html).parent)
                document.write_pdf(pdf)
            finally:
                gc.collect()
    finally:
        if collector_was_on:
            gc.enable()
    return len(jobs)


def _relative_links(document, folder: Path) -> None:
    """Write the links WeasyPrint resolved to local files relative to ``folder`` again,
    as the page has them (``provinces/10.html``, ``../index.html``)."""
    for page in document.pages:
        for index, (link_type, target, rectangle, box) in enumerate(page.links):
            if link_type != "external" or not target.startswith("file:"):
                continue
            url = urlsplit(target)
            path = quote(os.path.relpath(unquote(url.path), folder)) + ("/" if url.path.endswith("/") else "")
            page.links[index] = (link_type, urlunsplit(("", "", path, url.query, url.fragment)), rectangle, box)
