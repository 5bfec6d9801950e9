"""Render and publish the bulletins: for every report date in the marts, the national
bulletin and one bulletin per province with children, as HTML and PDF, and the index.

Layout of OUT/bulletins/:

    index.html                      every bulletin by date and province (HTML and PDF)
    assets/fonts/                   Sarabun (OFL), shared by every page
    <date>/national.html, .pdf
    <date>/provinces/<code>.html, .pdf
    <date>/manifest.json            what the date's folder holds (read by the index)

Each report date's folder is published as a whole (orchestration.publishing: built as
a new release, then the date's link is switched to it in one rename), so readers never
see a half-written bulletin, even if the run is killed; bulletins of other report dates
stay. A PDF is rendered again only when its page changed (the pages are deterministic:
no timestamps), so re-running a week, or rebuilding one past date, is cheap. A report
date whose folder was made from the same inputs (its mart rows, the templates and the
code: a fingerprint kept in the folder) is not even read and rendered again, so a weekly
run renders the new week and whatever changed. The PDFs of all the dates published in a
run are rendered together, shared out between the worker processes.

The earliest report date of a run with several is the comparison for the next one; its
bulletins are published only when none exist yet, so that next week's run (last Sunday
and the one before) does not replace last week's bulletins with ones that compare with
nothing. Provinces with no children on a report date get no bulletin; the index and the
national bulletin list them as having no children."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
import markupsafe

from orchestration.build_ledger import code_digest
from orchestration.paths import REPORT_TEMPLATES_DIR
from orchestration.publishing import copy_file, publish_folder, sweep_leftovers, write_file
from orchestration.reference import code_list
from orchestration.reporting import charts, thai
from orchestration.reporting.marts import (
    AreaBulletinData,
    BulletinData,
    input_digests,
    read_area_bulletins,
    read_bulletin_data,
    report_dates,
)
from orchestration.reporting.pdf import render_pdfs, renderer_digest
from orchestration.reporting.templates import render
from orchestration.warehouse import connect

NATIONAL_FILE = "national.html"
PROVINCES_DIR = "provinces"
MANIFEST_FILE = "manifest.json"
PDF_SOURCES_FILE = ".pdf-sources.json"  # PDF name -> sha256 of the HTML it was rendered from
INPUTS_FILE = ".inputs.sha256"  # the fingerprint of what the folder's pages were made from (_fingerprints)


def tracking_summary_text(summary: dict | None) -> str | None:
    """The ★ paragraph, in the words of seed 003, from bulletin_tracking_summary."""
    if not summary or summary["previous_report_date"] is None:
        return None
    n = thai.number
    if summary["found_total"] == 0:
        text = "ไม่มีเด็กที่ติดตามพบตัวเพิ่มขึ้นจากรอบรายงานก่อนหน้า"
    else:
        text = (
            f"ติดตามค้นหาเด็กได้เพิ่มขึ้น จากกลุ่มติดตามไม่พบตัว จำนวน {n(summary['found_from_not_found'])} คน "
            f"กลุ่มกำลังติดตาม จำนวน {n(summary['found_from_being_tracked'])} คน "
            f"รวมจำนวนเด็กที่ติดตามพบตัว เพิ่มขึ้น {n(summary['found_total'])} คน "
            f"นำกลับเข้าระบบได้จำนวน {n(summary['found_and_returned'])} คน "
            f"ยังไม่เข้าระบบ จำนวน {n(summary['found_not_returned'])} คน"
        )
    if summary["new_to_cohort"]:
        text += f" และมีเด็กเข้าสู่บัญชีรายชื่อเพิ่มขึ้น {n(summary['new_to_cohort'])} คน"
    return text


def area_summary_text(summary: dict | None) -> str | None:
    """The ★ paragraph of a provincial bulletin, from bulletin_area_summary: the same words,
    with "<5" or "x" where small-cell protection hides a figure."""
    if not summary or summary["previous_report_date"] is None:
        return None

    def figure(name: str) -> str:
        return summary[f"{name}_display"] or thai.number(summary[name])

    if summary["found_total_display"] is None and summary["found_total"] == 0:
        return "ไม่มีเด็กที่ติดตามพบตัวเพิ่มขึ้นจากรอบรายงานก่อนหน้า"
    return (
        f"ติดตามค้นหาเด็กได้เพิ่มขึ้น จากกลุ่มติดตามไม่พบตัว จำนวน {figure('found_from_not_found')} คน "
        f"กลุ่มกำลังติดตาม จำนวน {figure('found_from_being_tracked')} คน "
        f"รวมจำนวนเด็กที่ติดตามพบตัว เพิ่มขึ้น {figure('found_total')} คน "
        f"นำกลับเข้าระบบได้จำนวน {figure('found_and_returned')} คน "
        f"ยังไม่เข้าระบบ จำนวน {figure('found_not_returned')} คน"
    )


def _status_codes(statuses: list[dict]) -> list[int]:
    return [int(s["status_code"]) for s in statuses]


def render_national(data: BulletinData, assets_href: str) -> str:
    bars = charts.stacked_bars(
        [{"label": p["province_th"], "cells": p["cells"],
          "note": thai.percent(p["found_pct"]) if p["found_pct"] is not None else "-"} for p in data.provinces],
        _status_codes(data.statuses),
    )
    return render(
        "national_bulletin.html.j2",
        data=data,
        summary_text=tracking_summary_text(data.tracking_summary),
        trend_panels=charts.trend_panels(data.trend, data.statuses) if data.trend else None,
        province_bars=bars,
        assets=assets_href,
    )


def render_area(data: AreaBulletinData, assets_href: str) -> str:
    bars = charts.stacked_bars(
        [{"label": r["label"] if r["row_key"] != "unknown" else "ไม่ทราบอำเภอ", "cells": r["cells"],
          "note": _value(r["cells"].get("total"))} for r in data.district_rows],
        _status_codes(data.statuses),
    )
    return render(
        "provincial_bulletin.html.j2",
        data=data,
        summary_text=area_summary_text(data.summary),
        district_bars=bars,
        assets=assets_href,
    )


def _value(cell: dict | None) -> str:
    if not cell:
        return "-"
    return cell["display"] or thai.number(cell["children"])


@dataclass
class PublishedBulletin:
    report_date: date
    path: Path
    provinces: list[Path] = field(default_factory=list)
    pdfs_rendered: int = 0
    pdfs_reused: int = 0


PDF_POLICIES = ("all", "latest", "none")
PDF_ENV = "BACKTOSCHOOL_PDF"


def publish_national_bulletins(warehouse_path: Path, bulletins_dir: Path, *, pdf: str = "latest") -> list[PublishedBulletin]:
    """Every bulletin (national and provincial, HTML and PDF) of the report dates in the
    marts, and the index. (The name is kept from when only national bulletins existed.)

    ``pdf``: which bulletins get a PDF rendered — ``all``; ``latest`` (default): every
    national bulletin and the provincial ones of the run's latest report date, the week
    being published (a weekly run publishes that date only, so every bulletin gets its
    PDF in its own week; a catch-up run over many dates stays quick: WeasyPrint takes
    about 0.3 s a page); ``none``. A PDF whose page did not change is kept in any case.

    A report date whose published folder was made from the same inputs (see
    _fingerprints) and holds every PDF wanted is left as it is: publishing it again
    would write the same bytes."""
    if pdf not in PDF_POLICIES:
        raise ValueError(f"{PDF_ENV} must be one of {', '.join(PDF_POLICIES)}, not {pdf!r}")
    bulletins_dir.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(bulletins_dir)
    publish_assets(bulletins_dir)
    with connect(warehouse_path, read_only=True) as connection:
        dates = report_dates(connection)
        latest = max(dates) if dates else None
        due = [day for index, day in enumerate(dates) if not _kept_as_comparison(bulletins_dir, dates, index)]
        fingerprints = _fingerprints(connection, due)
        unchanged, releases = [], []
        for report_date in due:
            target = bulletins_dir / report_date.isoformat()
            wanted = _pdf_wanted(pdf, report_date, latest)
            if _is_current(target, fingerprints[report_date], wanted):
                unchanged.append(_as_published(report_date, target))
            else:
                releases.append(DateRelease(report_date, target, read_bulletin_data(connection, report_date),
                                            read_area_bulletins(connection, report_date), wanted,
                                            fingerprints[report_date]))
    published = sorted([*unchanged, *_publish_releases(releases)], key=lambda bulletin: bulletin.report_date)
    write_index(bulletins_dir)
    return published


def _kept_as_comparison(bulletins_dir: Path, dates: list[date], index: int) -> bool:
    """The earliest date of a run with several is only the comparison for the next one:
    its bulletins, once published (with their own comparison), are kept."""
    return index == 0 and len(dates) > 1 and (bulletins_dir / dates[0].isoformat() / NATIONAL_FILE).exists()


def _pdf_wanted(policy: str, report_date: date, latest: date | None) -> Callable[[str], bool]:
    def wanted(name: str) -> bool:
        return policy == "all" or (policy == "latest" and (name == NATIONAL_FILE or report_date == latest))
    return wanted


@dataclass
class DateRelease:
    """A report date's bulletins, read from the marts, to be published as a new release."""
    report_date: date
    target: Path
    national: BulletinData
    areas: list[AreaBulletinData]
    wanted: Callable[[str], bool]  # whether an HTML page gets its PDF rendered
    fingerprint: str


DATES_PER_PDF_BATCH = 32  # bounds the nesting of publish_folder calls (one level per date)


def _publish_releases(releases: list[DateRelease]) -> list[PublishedBulletin]:
    published = []
    for start in range(0, len(releases), DATES_PER_PDF_BATCH):
        published += _publish_together(releases[start:start + DATES_PER_PDF_BATCH])
    return published


def _publish_together(releases: list[DateRelease]) -> list[PublishedBulletin]:
    """Publish each date's folder as a new release (orchestration.publishing), with the
    PDFs of all the dates rendered in one go: the worker processes share out every page,
    instead of one date's at a time (a single national PDF rendered alone). A PDF is
    rendered from its page inside the page's release, which exists only while it is
    built: each date's build fills its release and then publishes the next date from
    within, the innermost renders the PDFs, and each date's link is switched as the
    builds return (each date still atomically)."""
    jobs: list[tuple[Path, Path]] = []
    published: list[PublishedBulletin] = []

    def publish(index: int) -> None:
        if index == len(releases):
            render_pdfs(jobs)
            return

        def build(folder: Path) -> None:
            published.append(_fill_release(releases[index], folder, jobs))
            publish(index + 1)

        publish_folder(releases[index].target, build)

    publish(0)
    return published


def _date_files(release: DateRelease) -> dict[str, str]:
    """The date folder's pages and manifest: relative name -> text."""
    areas = release.areas
    files = {NATIONAL_FILE: render_national(release.national, "../assets")}
    for area in areas:
        files[f"{PROVINCES_DIR}/{area.province_code}.html"] = render_area(area, "../../assets")
    manifest = {
        "report_date": release.report_date.isoformat(),
        "national": {"html": NATIONAL_FILE, "pdf": "national.pdf"},
        "provinces": [
            {"province_code": a.province_code, "province_th": a.province_th,
             "html": f"{PROVINCES_DIR}/{a.province_code}.html", "pdf": f"{PROVINCES_DIR}/{a.province_code}.pdf"}
            for a in areas
        ],
        "provinces_without_children": [
            {"province_code": p["province_key"], "province_th": p["province_th"]}
            for p in release.national.provinces_without_children
        ],
    }
    files[MANIFEST_FILE] = json.dumps(manifest, ensure_ascii=False, indent=1)
    return files


def _fill_release(release: DateRelease, folder: Path, jobs: list[tuple[Path, Path]]) -> PublishedBulletin:
    """Write the date's files into its new release folder, with the PDF of each page that
    is wanted: a PDF whose page is unchanged is taken from the release being replaced
    (wanted or not), the others are added to ``jobs``."""
    target = release.target
    files = _date_files(release)
    previous = _read_sources(target)
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    sources, rendered, reused = {}, 0, 0
    renderer = renderer_digest()
    for name, text in files.items():
        if not name.endswith(".html"):
            continue
        pdf_name = _pdf_name(name)
        digest = _digest(f"{renderer} {text}")
        old = target / pdf_name
        if previous.get(pdf_name) == digest and old.exists():
            shutil.copy2(old, folder / pdf_name)
            sources[pdf_name] = digest
            reused += 1
        elif release.wanted(name):
            jobs.append((folder / name, folder / pdf_name))
            sources[pdf_name] = digest
            rendered += 1
    (folder / PDF_SOURCES_FILE).write_text(json.dumps(sources, indent=1, sort_keys=True), encoding="utf-8")
    (folder / INPUTS_FILE).write_text(release.fingerprint, encoding="utf-8")
    return PublishedBulletin(release.report_date, target / NATIONAL_FILE,
                             [target / f"{PROVINCES_DIR}/{a.province_code}.html" for a in release.areas],
                             rendered, reused)


def _pdf_name(html_name: str) -> str:
    return html_name[: -len(".html")] + ".pdf"


def _fingerprints(connection, dates: list[date]) -> dict[date, str]:
    """Per report date, a sha256 of everything its folder is made from: the mart rows its
    pages are read from (marts.input_digests) and the code and templates rendering them."""
    code = _code_digest()
    return {day: _digest(f"{code} {digest}") for day, digest in input_digests(connection, dates).items()}


def _code_digest() -> str:
    """All the project's code and code lists (build_ledger.code_digest: any change to a
    module or a seed renders every date again, once), the templates with stylesheet and
    fonts (read each time: Jinja picks up an edited template in a long-lived process),
    and the versions of Jinja and MarkupSafe."""
    hasher = hashlib.sha256(
        f"{code_digest()} jinja2 {jinja2.__version__} markupsafe {markupsafe.__version__}\n".encode())
    for path in sorted(path for path in REPORT_TEMPLATES_DIR.rglob("*") if path.is_file()):
        hasher.update(f"{path.relative_to(REPORT_TEMPLATES_DIR)} {_digest_bytes(path.read_bytes())}\n".encode())
    return hasher.hexdigest()


def _is_current(target: Path, fingerprint: str, wanted: Callable[[str], bool]) -> bool:
    """Whether publishing the date again would write the same bytes: its published folder
    was made from the same inputs, and it holds each page, and each PDF it would hold
    afterwards (every one recorded in its sources, and every one wanted now)."""
    try:
        if (target / INPUTS_FILE).read_text(encoding="utf-8") != fingerprint:
            return False
        manifest = json.loads((target / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    sources = _read_sources(target)
    for page in _pages(manifest):
        if not (target / page).exists():
            return False
        pdf_name = _pdf_name(page)
        kept = pdf_name in sources and (target / pdf_name).exists()
        if not kept and (pdf_name in sources or wanted(page)):
            return False
    return True


def _pages(manifest: dict) -> list[str]:
    return [manifest["national"]["html"], *(province["html"] for province in manifest["provinces"])]


def _as_published(report_date: date, target: Path) -> PublishedBulletin:
    """A date left as it is, described as if published again (every PDF reused)."""
    manifest = json.loads((target / MANIFEST_FILE).read_text(encoding="utf-8"))
    reused = len(_read_sources(target))
    return PublishedBulletin(report_date, target / NATIONAL_FILE,
                             [target / province["html"] for province in manifest["provinces"]], 0, reused)


def write_index(bulletins_dir: Path) -> Path:
    entries = []
    for folder in sorted(bulletins_dir.iterdir(), reverse=True):
        try:
            report_date = date.fromisoformat(folder.name)
        except ValueError:
            continue
        manifest_path = folder / MANIFEST_FILE
        if manifest_path.exists():
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        elif (folder / NATIONAL_FILE).exists():  # published before provincial bulletins existed
            manifest = {"national": {"html": NATIONAL_FILE, "pdf": None}, "provinces": [],
                        "provinces_without_children": []}
        else:
            continue

        def href(name: str | None) -> str | None:
            return f"{folder.name}/{name}" if name and (folder / name).exists() else None

        provinces = {p["province_code"]: {**p, "href": href(p["html"]), "pdf_href": href(p["pdf"])}
                     for p in manifest["provinces"]}
        without = {p["province_code"] for p in manifest["provinces_without_children"]}
        entries.append({
            "report_date": report_date,
            "href": href(manifest["national"]["html"]),
            "pdf_href": href(manifest["national"]["pdf"]),
            "provinces": [
                provinces.get(code) or {"province_code": code, "province_th": name, "href": None, "pdf_href": None,
                                        "without_children": code in without}
                for code, name in _all_provinces()
            ],
            "with_bulletin": len(provinces),
            "without_children": len(without),
        })
    quality = bulletins_dir.parent / "quality" / "index.html"
    html = render(
        "index.html.j2",
        entries=entries,
        assets="assets",
        quality_href="../quality/index.html" if quality.exists() else None,
        deliveries_href="deliveries.html" if (bulletins_dir / "deliveries.html").exists() else None,
    )
    return write_file(bulletins_dir / "index.html", html)


def _all_provinces() -> list[tuple[str, str]]:
    """(code, Thai name) of the 77 provinces, from the geography seed."""
    seen: dict[str, str] = {}
    for row in code_list("geography"):
        seen.setdefault(row["province_code"], row["province_th"])
    return sorted(seen.items())


def publish_assets(bulletins_dir: Path) -> None:
    fonts = REPORT_TEMPLATES_DIR / "assets" / "fonts"
    target = bulletins_dir / "assets" / "fonts"
    target.mkdir(parents=True, exist_ok=True)
    sweep_leftovers(target)
    for font in fonts.iterdir():
        published = target / font.name
        if not published.exists() or published.read_bytes() != font.read_bytes():
            copy_file(font, published)


def _digest(text: str) -> str:
    return _digest_bytes(text.encode("utf-8"))


def _digest_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_sources(folder: Path) -> dict[str, str]:
    try:
        return json.loads((folder / PDF_SOURCES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
