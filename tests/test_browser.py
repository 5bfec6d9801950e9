"""The bulletins in a real browser: Debian's headless Chromium, driven through the
DevTools protocol (tests/e2e_support.Chromium), on the weekly run of test_bulletins
(shared: built once per session).

- The national bulletin is laid out in Thai with the fonts shipped in the repository
  and nothing else: for every element with text, Chromium reports which platform fonts
  it drew the text with (CSS.getPlatformFontsForNode); a glyph Sarabun lacked would be
  drawn from a system fallback font and show up there. Every character on the page is
  also looked up in the shipped fonts' character maps. A screenshot is taken and
  checked to be a page, not a blank.
- A script typed into a school name does not run: the planted name's <script> and
  <img onerror> would change the title and mark the body; they do not. The same page
  with the name pasted in unescaped does run them — so the check can fail."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import markupsafe
import pytest
from fontTools.ttLib import TTFont

from orchestration.paths import REPORT_TEMPLATES_DIR
from orchestration.reporting.thai import thai_date
from tests.e2e_support import CHROMIUM, PLANTED_SCHOOL_NAME, Chromium, WeeklyRun, weekly_run

SHIPPED_FAMILIES = {"Sarabun", "Bulletin Symbols"}  # the fonts' own names (Latin and Thai files are both "Sarabun")


@pytest.fixture(scope="module")
def weekly(tmp_path_factory) -> WeeklyRun:
    return weekly_run(tmp_path_factory)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert Path(CHROMIUM).exists(), "Chromium is missing: `make setup` installs Debian's chromium"
    chromium = Chromium(tmp_path_factory.mktemp("chromium-profile"), width=900, height=1200)
    yield chromium
    chromium.close()


def shipped_characters() -> set[int]:
    characters: set[int] = set()
    for font in (REPORT_TEMPLATES_DIR / "assets" / "fonts").glob("*.woff2"):
        characters |= set(TTFont(font).getBestCmap())
    return characters


def test_the_national_bulletin_is_laid_out_in_thai_with_the_shipped_fonts(weekly, browser, tmp_path):
    page = weekly.bulletins / weekly.report_date.isoformat() / "national.html"
    browser.open(page.as_uri())
    assert browser.evaluate("document.title") == f"พาน้องกลับมาเรียน — รายงานสถานะ ณ {thai_date(weekly.report_date)}"
    assert browser.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family).sort()")

    texts = browser.fonts_by_text()
    thai = [text for text, _ in texts if any("\u0e00" <= ch <= "\u0e7f" for ch in text)]
    assert len(thai) > 100
    drawn: dict[str, int] = {}
    for text, fonts in texts:
        assert fonts, f"no font drew {text!r}"
        for font in fonts:
            assert font["isCustomFont"] and font["familyName"] in SHIPPED_FAMILIES, (text, font)
            drawn[font["familyName"]] = drawn.get(font["familyName"], 0) + font["glyphCount"]
    assert drawn["Sarabun"] > 5_000 and drawn["Bulletin Symbols"] >= 1  # ▲/▼ and ★ too

    visible = browser.evaluate("document.body.innerText")
    shipped = shipped_characters()
    missing = {ch for ch in visible if not ch.isspace() and ord(ch) not in shipped}
    assert not missing, f"no glyph for {[unicodedata.name(ch, hex(ord(ch))) for ch in missing]}"

    # laid out: the tables fit the page, Thai lines have a height, nothing overflows sideways
    boxes = browser.evaluate(
        "['cohort-total', 'status-table', 'stage-table', 'province-table', 'tracking-summary'].map(id => {"
        " const r = document.getElementById(id).getBoundingClientRect(); return [id, r.width, r.height]; })")
    assert all(width > 0 and height > 0 for _, width, height in boxes), boxes
    assert browser.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    line = browser.evaluate("(() => { const r = document.getElementById('tracking-summary').getBoundingClientRect();"
                            " return [r.height, parseFloat(getComputedStyle(document.getElementById("
                            "'tracking-summary')).lineHeight)]; })()")
    assert line[0] >= line[1] > 10  # a paragraph of Thai, at least one line high

    shot = browser.screenshot(tmp_path / "national.png")
    from PIL import Image

    with Image.open(shot) as image:
        assert image.width == 900 and image.height > 3000
        colours = image.convert("RGB").resize((225, image.height // 4)).getcolors(maxcolors=1 << 20)
        assert len(colours) > 200  # text, tables and charts, not a blank page


def test_a_script_typed_into_a_school_name_does_not_run(weekly, browser, tmp_path):
    page = weekly.bulletins / weekly.report_date.isoformat() / "provinces" / f"{weekly.planted.province_code}.html"
    browser.open(page.as_uri())
    title, pwned, scripts, images = browser.evaluate(
        "[document.title, document.body.getAttribute('data-pwned'), document.scripts.length, document.images.length]")
    assert title.startswith("พาน้องกลับมาเรียน — จังหวัด") and "PWNED" not in title
    assert pwned is None and scripts == 0 and images == 0
    cell = browser.evaluate(f"document.querySelector('#school-table tr[data-row=\"{weekly.planted.code}\"] td')"
                            ".textContent")
    assert "<script>document.title='PWNED'" in cell and "<img src=x onerror=" in cell  # shown as typed

    # The same page with the name pasted in raw: the planted script runs, so the check above can fail.
    control = tmp_path / "date" / "provinces" / "control.html"
    control.parent.mkdir(parents=True)
    (tmp_path / "assets").symlink_to(weekly.bulletins / "assets")
    source = page.read_text(encoding="utf-8")
    escaped = str(markupsafe.escape(PLANTED_SCHOOL_NAME))
    assert escaped in source
    control.write_text(source.replace(escaped, PLANTED_SCHOOL_NAME), encoding="utf-8")
    browser.open(control.as_uri())
    title, pwned = browser.evaluate("[document.title, document.body.getAttribute('data-pwned')]")
    assert title == "PWNED" and pwned in ("script", "img")
