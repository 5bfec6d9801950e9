"""Helpers for the end-to-end tests: a finished run, queries against its outputs, and
reading the tables of a published bulletin."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from orchestration.reporting.thai import thai_date
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pandas as pd


@dataclass(frozen=True)
class FinishedRun:
    landing: Path
    out: Path

    @property
    def truth(self) -> Path:
        return self.landing / "_truth"

    @property
    def warehouse(self) -> Path:
        return self.out / "warehouse.duckdb"

    def query(self, sql: str, params: list | None = None, *, database: Path | None = None) -> list[tuple]:
        with duckdb.connect(str(database or self.warehouse), read_only=True) as connection:
            return connection.execute(sql, params or []).fetchall()

    def frame(self, sql: str, params: list | None = None) -> pd.DataFrame:
        with duckdb.connect(str(self.warehouse), read_only=True) as connection:
            return connection.execute(sql, params or []).df()

    def truth_csv(self, name: str) -> pd.DataFrame:
        return pd.read_csv(self.truth / name, dtype=str, keep_default_na=False)

    def truth_dates(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.truth_csv("truth_dates.csv")["report_date"]]


class _Tables(HTMLParser):
    """Collects the text of every cell of every table with an id, row by row, and the
    text of any element with an id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.texts: dict[str, str] = {}
        self._table: str | None = None
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._open_ids: list[tuple[str, str]] = []  # (tag, id) of elements being read

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and "id" in attributes:
            self._table = attributes["id"]
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []
        if "id" in attributes and tag != "table":
            self._open_ids.append((tag, attributes["id"]))
            self.texts[attributes["id"]] = ""

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self._table:
            self.tables[self._table].append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None
        if self._open_ids and self._open_ids[-1][0] == tag:
            self._open_ids.pop()

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        for _, element_id in self._open_ids:
            self.texts[element_id] += data


def assert_children_match_truth(run: FinishedRun, report_dates, place_columns=("province_code",)) -> pd.DataFrame:
    """Every cohort child on every report date has the truth's status, stage and agency,
    and its place codes wherever the province was spelt right; a misspelt province is
    recovered or left null (never another province), an unspecified one stays null.
    Returns the merged frame for further checks."""
    from orchestration.generator import expected_child_status

    expected = expected_child_status(run.truth, report_dates)
    actual = run.frame(
        f"""
        select c.child_id, f.report_date, f.status_code, f.education_stage, f.source_agency,
               {", ".join(f"f.{column}" for column in place_columns)}
        from marts.fct_child_status f join intermediate.int_cohort_children c using (child_key)
        """
    )
    actual["report_date"] = actual["report_date"].dt.date
    merged = expected.merge(actual, on=["child_id", "report_date"], how="outer", suffixes=("_true", ""), indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head()
    for column in ("status_code", "education_stage", "source_agency"):
        wrong = merged[merged[f"{column}_true"].astype(str) != merged[column].astype(str)]
        assert wrong.empty, wrong.head()
    exact = merged[merged["province_spelling"] == "exact"]
    for column in place_columns:
        wrong = exact[exact[f"{column}_true"].fillna("") != exact[column].fillna("")]
        assert wrong.empty, wrong[["child_id", "report_date", f"{column}_true", column]].head()
    # a misspelt province is recovered or left unknown, never taken for another province
    misspelt = merged[merged["province_spelling"] == "misspelt"]
    wrong = misspelt[misspelt["province_code"].notna() & (misspelt["province_code"] != misspelt["province_code_true"])]
    assert wrong.empty, wrong[["child_id", "province_code_true", "province_code"]].head()
    assert merged.loc[merged["province_spelling"] == "unspecified", "province_code"].isna().all()
    return merged


THAI_AFTER_SPACE = re.compile(r"(?<= )[\u0E01-\u0E5B]+")


def personal_data_found(run: FinishedRun) -> list[str]:
    """Where a child's identifier (as a substring) or full name appears in the analysts'
    copy or in any published page. Empty when the privacy boundary holds."""
    identifiers = {child for (child,) in run.query("select child_id from intermediate.int_cohort_children")}
    identifiers |= {child for (child,) in run.query(
        "select distinct child_id from intermediate.int_child_list_rows where child_id is not null")}
    names = {name for (name,) in run.query(
        "select distinct first_name || ' ' || last_name from intermediate.int_child_list_rows"
        " where first_name is not null and last_name is not null")}
    # children's birth dates (used rows: a quarantined row's "birth date" may be an
    # impossible one, such as a date in the programme year)
    births = {b for (b,) in run.query(
        "select distinct birth_date from intermediate.int_child_listings where birth_date is not null")}
    # birth dates as delivered (05/11/2552, 12 พ.ค. 2553, ISO) and as a bulletin would print them
    birth_texts = {t for (t,) in run.query(
        "select distinct birth_date_raw from intermediate.int_child_listings where length(birth_date_raw) >= 8")}
    birth_texts |= {b.isoformat() for b in births} | {thai_date(b) for b in births}
    candidate = re.compile(r"G?[0-9]{12,13}")

    birth_in = _substring_finder(birth_texts)
    by_family: dict[str, list[str]] = {}
    for name in names:
        by_family.setdefault(name.split(" ")[1], []).append(name)

    def leaks(text: str) -> bool:
        if any(token in identifiers for token in candidate.findall(text)) or birth_in(text):
            return True
        # a full name shows as "<first> <family>": only names whose family name starts a
        # run of Thai letters after a space in this text need the substring search
        starts = {run[:i] for run in set(THAI_AFTER_SPACE.findall(text)) for i in range(1, len(run) + 1)}
        return any(name in text for family in starts & by_family.keys() for name in by_family[family])

    found = []
    analytics = run.out / "analytics.duckdb"
    if analytics.exists():
        columns = run.query(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'VARCHAR'",
            database=analytics,
        )
        for schema, table, column in columns:
            values = run.query(f'select distinct "{column}" from {schema}.{table} where "{column}" is not null',
                               database=analytics)
            found += [f"{schema}.{table}.{column}" for (value,) in values if leaks(value)][:1]
        for schema, table, column in run.query(
            "select table_schema, table_name, column_name from information_schema.columns where data_type = 'DATE'",
            database=analytics,
        ):
            values = {v for (v,) in run.query(f'select distinct "{column}" from {schema}.{table}', database=analytics)}
            if values & births:
                found.append(f"{schema}.{table}.{column} (birth dates)")
    for page in sorted(run.out.rglob("*.html")):
        # a licence banner of a library in the dbt docs page ("jQuery UI - v1.12.1 -
        # 2017-01-20") is no child's data, whoever was born that day
        if leaks(LICENCE_BANNER.sub("", page.read_text(encoding="utf-8"))):
            found.append(str(page.relative_to(run.out)))
    return found


YEAR = re.compile(r"[0-9๐-๙]{4}")
LICENCE_BANNER = re.compile(r"/\*!.*?\*/", re.DOTALL)


def _substring_finder(texts: set[str]):
    """A test of whether any of ``texts`` occurs in a text, fast for dates: a date written
    as delivered or printed starts or ends with its four-digit year, so only the places
    where the text has four digits are looked at (the rest: plain substring search)."""
    ends = {len(t) for t in texts if YEAR.fullmatch(t[-4:])}
    starts = {len(t) for t in texts if YEAR.fullmatch(t[:4])}
    others = [t for t in texts if not (YEAR.fullmatch(t[-4:]) or YEAR.fullmatch(t[:4]))]

    def found(text: str) -> bool:
        for year in YEAR.finditer(text):
            at, end = year.start(), year.end()
            if any(text[end - n:end] in texts for n in ends if end >= n) or any(
                    text[at:at + n] in texts for n in starts):
                return True
        return any(t in text for t in others)

    return found


def read_bulletin(path: Path) -> _Tables:
    parser = _Tables()
    parser.feed(path.read_text(encoding="utf-8"))
    for key, text in parser.texts.items():
        parser.texts[key] = " ".join(text.split())
    return parser


# -- small-cell protection: an attacker working from the printed tables only ----------------

SMALL_SYMBOL, HIDDEN_SYMBOL = "<5", "x"


@dataclass
class PrintedTable:
    """A table as a reader sees it: printed text per cell, its rows and columns (without
    the totals), and which cells are totals. ``names`` gives a cell the name of the figure
    it prints, so that the same figure printed in several tables (a province's row) is
    one unknown; by default a cell is its own figure."""

    rows: list[str]
    columns: list[str]
    text: dict[tuple[str, str], str]
    names: dict[tuple[str, str], str] = None  # type: ignore[assignment]
    total: str = "total"
    label: str = "t"

    def name(self, row: str, column: str) -> str:
        if self.names and (row, column) in self.names:
            return self.names[(row, column)]
        return f"{self.label}:{row}:{column}"


def parse_count(text: str) -> int | None:
    """'1,234' -> 1234; a symbol -> None."""
    text = text.strip()
    if text in (SMALL_SYMBOL, HIDDEN_SYMBOL):
        return None
    return int(text.replace(",", ""))


def hidden_figure_ranges(tables: list[PrintedTable], only=None, floors=None) -> dict[str, tuple[int, int]]:
    """For every hidden figure of the tables, the lowest and highest value a reader can
    give it: integer programs (scipy's HiGHS) over what is printed — each row adds up to
    its total, each column to its total, "<5" is 0–4, "x" is 5 or more, a figure printed
    anywhere is known everywhere. Independent of the warehouse's own algorithm. ``only``:
    a predicate on figure names, to compute the ranges of those alone. ``floors``: figure
    name -> the least the reader knows it to be from the layout (a row there only when it
    has children)."""
    import numpy as np
    from scipy.optimize import Bounds, LinearConstraint, milp

    known: dict[str, int] = {}
    symbols: dict[str, str] = {}
    for table in tables:
        for (row, column), text in table.text.items():
            value = parse_count(text)
            name = table.name(row, column)
            if value is None:
                symbols.setdefault(name, text.strip())
            else:
                known[name] = value
    unknown = sorted(name for name in symbols if name not in known)
    index = {name: i for i, name in enumerate(unknown)}
    ceiling = 10_000_000  # "x": 5 or more
    equations, rhs = [], []

    def add(terms: list[tuple[str, int]]) -> None:
        row, constant = np.zeros(len(unknown)), 0
        for name, sign in terms:
            if name in index:
                row[index[name]] += sign
            else:
                constant -= sign * known[name]
        if row.any():
            equations.append(row)
            rhs.append(constant)
        elif constant != 0:
            raise AssertionError(f"printed figures do not add up: {terms}")

    for table in tables:
        for row in [*table.rows, table.total]:
            add([(table.name(row, c), 1) for c in table.columns] + [(table.name(row, table.total), -1)])
        for column in [*table.columns, table.total]:
            add([(table.name(r, column), 1) for r in table.rows] + [(table.name(table.total, column), -1)])
    if not unknown:
        return {}
    low = [max(0 if symbols[n] == SMALL_SYMBOL else 5, (floors or {}).get(n, 0)) for n in unknown]
    high = [4 if symbols[n] == SMALL_SYMBOL else ceiling for n in unknown]
    constraints = [LinearConstraint(np.array(equations), rhs, rhs)] if equations else []
    ranges = {}
    for name in unknown:
        if only is not None and not only(name):
            continue
        objective = np.zeros(len(unknown))
        objective[index[name]] = 1
        ends = []
        for sign in (1, -1):
            result = milp(sign * objective, constraints=constraints, bounds=Bounds(low, high),
                          integrality=np.ones(len(unknown)))
            assert result.success, f"no table fits what is printed ({result.message})"
            ends.append(round(sign * result.fun))
        ranges[name] = (ends[0], ends[1])
    return ranges


# -- a weekly bulletin run, through the partitioned job, with a planted school name ----------

PLANTED_SCHOOL_NAME = (
    "<script>document.title='PWNED';document.body.setAttribute('data-pwned','script')</script>"
    "โรงเรียนทดสอบ<b>ตัวหนา</b><img src=x onerror=\"document.body.setAttribute('data-pwned','img')\">"
)


@dataclass(frozen=True)
class PlantedSchool:
    code: str
    province_code: str
    rows: int


def plant_school_name(landing: Path, name: str = PLANTED_SCHOOL_NAME) -> PlantedSchool:
    """Give every DMC row of one province (the one with the most) one school, whose name
    is ``name``: in each DMC file the generator expects to load (or to skip as a
    duplicate: those stay byte for byte the same), the rows whose school code lies in
    that province get the code 1<province>9999901 and that name. The files keep their
    format (UTF-8 with BOM, every field quoted, CRLF); other files are untouched."""
    import csv
    import io
    from collections import Counter

    expected = pd.read_csv(landing / "_truth" / "files.csv", dtype=str, keep_default_na=False)
    loaded = [landing / f for f in expected.loc[
        (expected["source"] == "obec_dmc") & expected["expected_status"].isin(["loaded", "duplicate_file"]),
        "file_name"]]
    loaded = [p if p.exists() else landing / "obec_dmc" / Path(p).name for p in loaded]

    def rows_of(path: Path) -> list[str]:
        return path.read_bytes().decode("utf-8-sig").split("\r\n")

    counts: Counter = Counter()
    for path in loaded:
        for line in rows_of(path)[1:]:
            if line:
                fields = next(csv.reader([line]))
                if len(fields) > 8 and len(fields[7]) == 10:
                    counts[fields[7][1:3]] += 1
    province = counts.most_common(1)[0][0]
    code = f"1{province}9999901"
    planted = 0
    for path in loaded:
        lines = rows_of(path)
        for i, line in enumerate(lines[1:], start=1):
            if not line:
                continue
            fields = next(csv.reader([line]))
            if len(fields) > 8 and len(fields[7]) == 10 and fields[7][1:3] == province:
                fields[7], fields[8] = code, name
                buffer = io.StringIO()
                csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="").writerow(fields)
                lines[i] = buffer.getvalue()
                planted += 1
        path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    return PlantedSchool(code, province, planted)


def run_partition(landing: Path, out: Path, partition_key: str):
    """Run the partitioned job ``weekly_bulletin`` for one report date, in process, as the
    UI would for that partition; returns Dagster's result."""
    import contextlib
    import os

    from dagster import DagsterInstance

    from orchestration.jobs import report_dates_for

    out.mkdir(parents=True, exist_ok=True)
    os.environ["BACKTOSCHOOL_LANDING"] = str(landing.resolve())
    os.environ["BACKTOSCHOOL_OUT"] = str(out.resolve())
    from datetime import date as _date
    os.environ["BACKTOSCHOOL_REPORT_DATES"] = ",".join(report_dates_for(_date.fromisoformat(partition_key)))
    from orchestration.definitions import defs

    job = defs.resolve_job_def("weekly_bulletin")
    log = out / "logs" / f"partition-{partition_key}.log"
    log.parent.mkdir(exist_ok=True)
    # the product's default PDF policy (the other tests' runs render none: tests/conftest.py)
    previous_pdf = os.environ.pop("BACKTOSCHOOL_PDF", None)
    try:
        with log.open("w", encoding="utf-8") as stream, contextlib.redirect_stdout(stream):
            return job.execute_in_process(partition_key=partition_key, instance=DagsterInstance.ephemeral(),
                                          raise_on_error=False)
    finally:
        if previous_pdf is not None:
            os.environ["BACKTOSCHOOL_PDF"] = previous_pdf


@dataclass(frozen=True)
class WeeklyRun(FinishedRun):
    report_date: object = None
    previous_date: object = None
    planted: PlantedSchool | None = None

    @property
    def bulletins(self) -> Path:
        return self.out / "bulletins"


_WEEKLY: dict[str, WeeklyRun] = {}
WEEKLY_CHILDREN = 3_000
WEEKLY_PARTITION = "2022-07-31"  # a Sunday, and a month-end the generator reports on


def weekly_run(tmp_path_factory) -> WeeklyRun:
    """Generated national deliveries (a school name with markup planted in them) through
    the weekly_bulletin job's partition for Sunday 31 Jul 2022 — built once per session,
    shared by the bulletin and browser tests."""
    if "run" not in _WEEKLY:
        from datetime import date as _date

        from orchestration.generator import generate

        root = tmp_path_factory.mktemp("weekly")
        generate(root / "landing", scenario="national", children=WEEKLY_CHILDREN, seed=6)
        planted = plant_school_name(root / "landing")
        result = run_partition(root / "landing", root / "out", WEEKLY_PARTITION)
        failures = [e.step_key for e in result.get_step_failure_events()]
        assert result.success, f"the partition's run failed at {failures}"
        report_date = _date.fromisoformat(WEEKLY_PARTITION)
        _WEEKLY["run"] = WeeklyRun(root / "landing", root / "out", report_date,
                                   _date.fromisoformat("2022-07-24"), planted)
    return _WEEKLY["run"]


# -- headless Chromium through the DevTools protocol (over a pipe: no port, no websocket) ----

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--remote-debugging-pipe")


class Chromium:
    """Debian's Chromium, driven by the Chrome DevTools Protocol over --remote-debugging-pipe
    (the browser reads commands on fd 3 and writes answers on fd 4, NUL-separated JSON)."""

    def __init__(self, profile: Path, width: int = 900, height: int = 1200) -> None:
        import os
        import subprocess

        self._to_browser_read, self._to_browser = os.pipe()
        self._from_browser, self._from_browser_write = os.pipe()

        def pipes_as_3_and_4():
            os.dup2(self._to_browser_read, 3)
            os.dup2(self._from_browser_write, 4)

        self.process = subprocess.Popen(
            [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"],
            # 3 and 4 listed too: the fds kept open are those listed, after preexec_fn has run
            pass_fds=(3, 4, self._to_browser_read, self._from_browser_write), preexec_fn=pipes_as_3_and_4,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(self._to_browser_read)
        os.close(self._from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict] = []
        targets = self.call("Target.getTargets")["targetInfos"]
        page = next(t for t in targets if t["type"] == "page")
        self.session = self.call("Target.attachToTarget", targetId=page["targetId"], flatten=True)["sessionId"]
        for domain in ("Page", "DOM", "CSS", "Runtime"):
            self.call(f"{domain}.enable", session=True)

    def call(self, method: str, session: bool = False, timeout: float = 60, **params) -> dict:
        import json as _json
        import os
        import select
        import time

        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, _json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                answer = _json.loads(raw)
                if answer.get("id") == self._next_id:
                    if "error" in answer:
                        raise RuntimeError(f"{method}: {answer['error']}")
                    return answer.get("result", {})
                self.events.append(answer)
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                raise TimeoutError(f"Chromium did not answer {method}")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk

    def open(self, url: str) -> None:
        """Navigate and wait until the page has loaded (its load event) and its web fonts."""
        self.events.clear()
        self.call("Page.navigate", session=True, url=url)
        self.wait_for("Page.loadEventFired")
        self.evaluate("document.fonts.ready.then(() => true)")

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        import json as _json
        import os
        import select
        import time

        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                self.events.append(_json.loads(raw))
            if any(event.get("method") == method for event in self.events):
                continue
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_browser], [], [], remaining)[0]:
                raise TimeoutError(f"Chromium sent no {method}")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the pipe")
            self._buffer += chunk

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression, awaitPromise=True,
                           returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(result["exceptionDetails"])
        return result["result"].get("value")

    def screenshot(self, path: Path) -> Path:
        import base64

        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True,
                         clip=self._full_page())["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def _full_page(self) -> dict:
        metrics = self.call("Page.getLayoutMetrics", session=True)["cssContentSize"]
        return {"x": 0, "y": 0, "width": metrics["width"], "height": metrics["height"], "scale": 1}

    def fonts_by_text(self) -> list[tuple[str, list[dict]]]:
        """For every element with text of its own: its text, and the platform fonts
        Chromium drew that text with (CSS.getPlatformFontsForNode)."""
        root = self.call("DOM.getDocument", session=True, depth=-1)["root"]
        found = []

        def walk(node):
            texts = [child["nodeValue"] for child in node.get("children", []) if child["nodeType"] == 3
                     and child["nodeValue"].strip()]
            if texts and node.get("nodeName", "").upper() not in ("STYLE", "SCRIPT", "TITLE"):  # titles: tooltips
                fonts = self.call("CSS.getPlatformFontsForNode", session=True, nodeId=node["nodeId"])["fonts"]
                found.append(("".join(texts), fonts))
            for child in node.get("children", []):
                walk(child)

        walk(root)
        return found

    def close(self) -> None:
        import contextlib
        import os

        with contextlib.suppress(Exception):
            self.call("Browser.close", timeout=10)
        with contextlib.suppress(Exception):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        for fd in (self._to_browser, self._from_browser):
            with contextlib.suppress(OSError):
                os.close(fd)


class _KeyedRows(HTMLParser):
    """The rows of one table (by id), each with its <tr>'s attributes and cell texts."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.rows: list[tuple[dict, list[str]]] = []
        self._depth = 0
        self._row: tuple[dict, list[str]] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and (self._depth or attributes.get("id") == self.table_id):
            self._depth += 1
        elif self._depth and tag == "tr":
            self._row = (attributes, [])
        elif self._depth and tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table" and self._depth:
            self._depth -= 1
        elif tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row[1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def keyed_rows(path: Path, table_id: str, key: str) -> dict[str, list[str]]:
    """Rows of the table ``table_id`` that carry the attribute ``key`` (data-province,
    data-row, data-status…), by its value: the texts of their cells."""
    parser = _KeyedRows(table_id)
    parser.feed(path.read_text(encoding="utf-8"))
    return {attributes[key]: cells for attributes, cells in parser.rows if key in attributes}


def _pdf_objects(path: Path) -> bytes:
    """A PDF's bytes followed by its deflated streams (WeasyPrint packs objects in streams)."""
    import zlib

    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    blobs = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            blobs.append(zlib.decompress(data[match.end():end]))
        except zlib.error:
            pass
    return b"".join(blobs)


def pdf_link_targets(path: Path) -> list[str]:
    """The URIs of a PDF's links, in the order they are written."""
    return [uri.decode() for uri in re.findall(rb"/URI\s*\(([^)]*)\)", _pdf_objects(path))]


def pdf_fonts_and_pages(path: Path) -> tuple[set[str], int]:
    """Font names embedded in a PDF (subset prefixes dropped) and its page count."""
    text = _pdf_objects(path)
    fonts = {name.decode().split("+", 1)[-1] for name in re.findall(rb"/BaseFont\s*/([A-Za-z0-9+\-_]+)", text)}
    pages = len(re.findall(rb"/Type\s*/Page\b", text))
    return fonts, pages


class AnalystReading:
    """An analyst's connection to a DuckDB file, open and querying every 50 ms in a
    thread while the ``with`` block runs: what each query returned, and any error."""

    def __init__(self, database: Path, sql: str) -> None:
        import threading

        self.connection = duckdb.connect(str(database), read_only=True)
        self.sql = sql
        self.results: list[tuple] = []
        self.errors: list[Exception] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._keep_reading)

    def _keep_reading(self) -> None:
        while not self._stop.is_set():
            try:
                self.results.append(self.connection.execute(self.sql).fetchone())
            except Exception as error:  # noqa: BLE001 — any failure of the reader is the finding
                self.errors.append(error)
            self._stop.wait(0.05)

    def __enter__(self) -> AnalystReading:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.connection.close()
