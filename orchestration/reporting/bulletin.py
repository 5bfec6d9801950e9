"""Render and publish the national bulletins.

Each report date's bulletin is built in a scratch folder and moved into place in one
rename, so readers never see a half-written bulletin; bulletins of other report dates
stay. The index lists every bulletin present."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from orchestration.paths import REPORT_TEMPLATES_DIR
from orchestration.reporting import thai
from orchestration.reporting.marts import BulletinData, read_bulletin_data, report_dates
from orchestration.reporting.templates import render
from orchestration.warehouse import connect

NATIONAL_FILE = "national.html"


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


def render_national(data: BulletinData, assets_href: str) -> str:
    return render(
        "national_bulletin.html.j2",
        data=data,
        summary_text=tracking_summary_text(data.tracking_summary),
        assets=assets_href,
    )


@dataclass
class PublishedBulletin:
    report_date: date
    path: Path


def publish_national_bulletins(warehouse_path: Path, bulletins_dir: Path) -> list[PublishedBulletin]:
    bulletins_dir.mkdir(parents=True, exist_ok=True)
    publish_assets(bulletins_dir)
    with connect(warehouse_path, read_only=True) as connection:
        contents = {d: render_national(read_bulletin_data(connection, d), "../assets") for d in report_dates(connection)}
    published = []
    for report_date, html in contents.items():
        target = bulletins_dir / report_date.isoformat()
        _replace_directory(target, {NATIONAL_FILE: html})
        published.append(PublishedBulletin(report_date, target / NATIONAL_FILE))
    write_index(bulletins_dir)
    return published


def write_index(bulletins_dir: Path) -> Path:
    entries = []
    for folder in sorted(bulletins_dir.iterdir(), reverse=True):
        try:
            report_date = date.fromisoformat(folder.name)
        except ValueError:
            continue
        if (folder / NATIONAL_FILE).exists():
            entries.append({"report_date": report_date, "href": f"{folder.name}/{NATIONAL_FILE}"})
    quality = bulletins_dir.parent / "quality" / "index.html"
    html = render(
        "index.html.j2",
        entries=entries,
        assets="assets",
        quality_href="../quality/index.html" if quality.exists() else None,
        deliveries_href="deliveries.html" if (bulletins_dir / "deliveries.html").exists() else None,
    )
    return write_atomically(bulletins_dir / "index.html", html)


def publish_assets(bulletins_dir: Path) -> None:
    fonts = REPORT_TEMPLATES_DIR / "assets" / "fonts"
    target = bulletins_dir / "assets" / "fonts"
    target.mkdir(parents=True, exist_ok=True)
    for font in fonts.iterdir():
        if not (target / font.name).exists():
            shutil.copy2(font, target / font.name)


def _replace_directory(target: Path, files: dict[str, str]) -> None:
    """Write files into a scratch folder beside target, then swap it in."""
    scratch = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    for name, text in files.items():
        (scratch / name).write_text(text, encoding="utf-8")
    retired = target.with_name(f".{target.name}.retired-{os.getpid()}")
    if target.exists():
        target.rename(retired)
    scratch.rename(target)
    shutil.rmtree(retired, ignore_errors=True)


def write_atomically(path: Path, text: str) -> Path:
    scratch = path.with_name(f".{path.name}.building-{os.getpid()}")
    scratch.write_text(text, encoding="utf-8")
    os.replace(scratch, path)
    return path
