"""A report date whose bulletins were made from the same mart rows, templates and code is
left as published, not read and rendered again; any change to what it is made from
renders it again, to the bytes a fresh publish writes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import duckdb
import pytest

from orchestration.paths import REPORT_TEMPLATES_DIR
from orchestration.reporting import bulletin, marts
from orchestration.reporting.bulletin import publish_national_bulletins
from orchestration.reporting.marts import input_digests, report_dates
from tests.e2e_support import WeeklyRun, weekly_run


@pytest.fixture(scope="module")
def weekly(tmp_path_factory) -> WeeklyRun:
    return weekly_run(tmp_path_factory)


@pytest.fixture
def warehouse(weekly, tmp_path) -> Path:
    copy = tmp_path / "warehouse.duckdb"
    shutil.copyfile(weekly.warehouse, copy)
    return copy


@pytest.fixture
def rendered_dates(monkeypatch) -> list:
    """The report dates whose pages get rendered, in order."""
    dates = []
    render = bulletin._date_files

    def counting(release):
        dates.append(release.report_date)
        return render(release)

    monkeypatch.setattr(bulletin, "_date_files", counting)
    return dates


def published_bytes(bulletins: Path) -> dict[str, bytes]:
    """Every published file by its published name (release folder names left out)."""
    return {str(path.relative_to(bulletins)): path.read_bytes()
            for path in sorted(bulletins.rglob("*")) if path.is_file() and not path.name.startswith(".")
            and not any(part.startswith(".") for part in path.relative_to(bulletins).parts)}


def execute(warehouse: Path, sql: str, params: list) -> None:
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(sql, params)


def test_an_unchanged_date_is_left_as_published(warehouse, tmp_path, rendered_dates):
    out = tmp_path / "bulletins"
    first = publish_national_bulletins(warehouse, out, pdf="none")
    before = published_bytes(out)
    links = {day.name: day.readlink() for day in out.iterdir() if day.is_symlink()}
    rendered_dates.clear()

    again = publish_national_bulletins(warehouse, out, pdf="none")

    assert rendered_dates == []
    assert published_bytes(out) == before
    assert {day.name: day.readlink() for day in out.iterdir() if day.is_symlink()} == links
    assert [(b.report_date, b.provinces) for b in again] == [(b.report_date, b.provinces) for b in first[1:]]


def test_a_changed_mart_row_renders_its_date_again_as_a_fresh_publish_would(warehouse, tmp_path, rendered_dates):
    out = tmp_path / "bulletins"
    publish_national_bulletins(warehouse, out, pdf="none")
    latest = report_dates_of(warehouse)[-1]
    execute(warehouse, "update marts.bulletin_school_table set school_name = school_name || ' (renamed)'"
                       " where report_date = ? and row_key <> 'total'", [latest])
    rendered_dates.clear()

    publish_national_bulletins(warehouse, out, pdf="none")

    assert rendered_dates == [latest]
    fresh = tmp_path / "fresh"
    publish_national_bulletins(warehouse, fresh, pdf="none")
    assert published_bytes(out) == published_bytes(fresh)
    pages = (out / latest.isoformat() / "provinces").glob("*.html")
    assert any("(renamed)" in page.read_text(encoding="utf-8") for page in pages)


def test_a_pdf_wanted_now_renders_the_date_again(warehouse, tmp_path, rendered_dates):
    out = tmp_path / "bulletins"
    publish_national_bulletins(warehouse, out, pdf="none")
    rendered_dates.clear()

    published = publish_national_bulletins(warehouse, out, pdf="latest")

    latest = report_dates_of(warehouse)[-1]
    assert rendered_dates == [latest]
    assert published[-1].pdfs_rendered == 1 + len(published[-1].provinces)
    assert (out / latest.isoformat() / "national.pdf").exists()
    rendered_dates.clear()
    assert publish_national_bulletins(warehouse, out, pdf="none")[-1].pdfs_reused == published[-1].pdfs_rendered
    assert rendered_dates == []


def test_the_digest_of_a_date_changes_with_its_rows_only(warehouse):
    first, latest = report_dates_of(warehouse)[-2:]
    before = digests(warehouse)
    execute(warehouse, "update marts.bulletin_area_summary set found_total = coalesce(found_total, 0) + 1"
                       " where report_date = ? and province_code = (select min(province_code)"
                       " from marts.bulletin_area_summary where report_date = ?)", [latest, latest])
    after = digests(warehouse)
    assert after[first] == before[first] and after[latest] != before[latest]

    execute(warehouse, "update marts.bulletin_status_trend set children = children + 1 where trend_date = ?", [first])
    trend_changed = digests(warehouse)
    assert all(trend_changed[day] != after[day] for day in (first, latest))  # each date reads the trend up to it

    execute(warehouse, "update marts.dim_status set status_label_th = status_label_th || '.'", [])
    assert all(digests(warehouse)[day] != trend_changed[day] for day in (first, latest))


def test_the_code_digest_covers_the_templates(tmp_path, monkeypatch):
    templates = tmp_path / "report_templates"
    shutil.copytree(REPORT_TEMPLATES_DIR, templates)
    monkeypatch.setattr(bulletin, "REPORT_TEMPLATES_DIR", templates)
    before = bulletin._code_digest()
    page = templates / "_macros.html.j2"
    page.write_text(page.read_text(encoding="utf-8") + " ", encoding="utf-8")
    assert bulletin._code_digest() != before


def test_every_mart_the_bulletins_read_is_in_the_digest():
    source = Path(marts.__file__).read_text(encoding="utf-8")
    queries = source[source.index("def report_dates("):source.index("def input_digests(")]
    read = set(re.findall(r"marts\.(\w+)", queries)) | set(re.findall(r'"((?:bulletin|dim)_\w+)"', queries))
    digested = {*marts.MARTS_BY_REPORT_DATE, marts.TREND_MART, *marts.WHOLE_MARTS}
    assert "bulletin_school_table" in read and read <= digested


def report_dates_of(warehouse: Path) -> list:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return report_dates(connection)


def digests(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return input_digests(connection, report_dates(connection))


def test_the_code_digest_covers_the_project_code(monkeypatch):
    """A module that reads or renders the pages, or a code list they print, is part of
    the project's code digest (orchestration/build_ledger.py)."""
    before = bulletin._code_digest()
    monkeypatch.setattr(bulletin, "code_digest", lambda: "other code")
    assert bulletin._code_digest() != before


def test_a_date_missing_a_page_renders_again(warehouse, tmp_path, rendered_dates):
    out = tmp_path / "bulletins"
    publish_national_bulletins(warehouse, out, pdf="none")
    before = published_bytes(out)
    latest = max(day.name for day in out.iterdir() if day.is_symlink())
    page = next((out / latest / "provinces").glob("*.html"))
    page.unlink()
    rendered_dates.clear()

    publish_national_bulletins(warehouse, out, pdf="none")

    assert [day.isoformat() for day in rendered_dates] == [latest]
    assert published_bytes(out) == before

