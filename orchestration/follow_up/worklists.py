"""Export the follow-up worklist per district, for the field teams: one xlsx (and one
CSV, UTF-8 with BOM for Excel) per district under OUT/worklists/<province>/.

These files name children: they are written to OUT/worklists/, never next to the
bulletins or into the analysts' copy. The whole folder is published as one release
(orchestration.publishing), so a district with nobody left to find keeps no stale list
of names."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import xlsxwriter

from orchestration.publishing import publish_folder, sweep_leftovers
from orchestration.reporting.thai import thai_date
from orchestration.warehouse import connect, query_dicts
from orchestration.workers import map_in_workers, worker_count

COLUMNS = (  # (worklist column, Thai header)
    ("escalation_label_th", "ผู้รับผิดชอบติดตาม"),
    ("status_label_th", "สถานะ"),
    ("days_since_listing", "วันนับจากขึ้นบัญชี"),
    ("days_since_latest_event", "วันนับจากบันทึกล่าสุด"),
    ("child_id", "เลขประจำตัว"),
    ("name_prefix", "คำนำหน้า"),
    ("first_name", "ชื่อ"),
    ("last_name", "นามสกุล"),
    ("school_name", "สถานศึกษา"),
    ("school_code", "รหัสสถานศึกษา"),
    ("subdistrict_th", "ตำบล"),
    ("first_listed", "ขึ้นบัญชีเมื่อ"),
    ("latest_event", "บันทึกล่าสุดเมื่อ"),
    ("latest_tracker_org", "ผู้บันทึกล่าสุด"),
)


@dataclass(order=True)
class DistrictWorklist:
    province_code: str
    district_code: str
    children: int
    xlsx: Path
    csv: Path


AS_OF_FILE = "as-of.txt"  # the report date the worklists are as of
PARALLEL_FROM_CHILDREN = 20_000  # fewer children than this: not worth starting workers
WORKERS_ENV = "BACKTOSCHOOL_WORKLIST_WORKERS"  # optional: how many worker processes (default: one per core)


def export_worklists(warehouse_path: Path, out_dir: Path) -> list[DistrictWorklist] | None:
    """The worklists as of the latest report date of the marts; None (the published ones
    kept) when those are as of a later date — a past week's bulletins being rebuilt must
    not hand the field teams an old list.

    A national list (150,000 children) takes about 15 s to write, cell by cell: the
    provinces are shared out between worker processes, each reading its own provinces'
    rows from the warehouse (read-only), so that no name passes through a scratch file.
    Nothing writes the warehouse while a step runs (DuckDB has one writer and a run's
    steps take turns): the workers read the rows the provinces were counted from."""
    with connect(warehouse_path, read_only=True) as connection:
        (as_of,) = connection.execute("select max(report_date) from marts.dim_report_dates").fetchone()
        published = out_dir / AS_OF_FILE
        if published.exists() and as_of.isoformat() < published.read_text(encoding="utf-8").strip():
            return None
        provinces = connection.execute(
            f"select {_PROVINCE_KEY} as province, count(*) from worklist.worklist_children as w"
            " group by all order by province"
        ).fetchall()
    workers = worker_count(WORKERS_ENV) if sum(n for _, n in provinces) >= PARALLEL_FROM_CHILDREN else 1
    shares = _shares(provinces, workers)

    def build(release: Path) -> list[DistrictWorklist]:
        (release / AS_OF_FILE).write_text(as_of.isoformat(), encoding="utf-8")
        jobs = [(str(warehouse_path), str(release), str(out_dir), share) for share in shares]
        return sorted(w for written in map_in_workers(_export_provinces, jobs, len(jobs)) for w in written)

    sweep_leftovers(out_dir.parent)
    return publish_folder(out_dir, build)


# The folder and the file of a child's worklist: its province and district codes, or
# "unknown" when its list gave none. Written once, so that sharing out the provinces and
# grouping the rows cannot disagree.
_PROVINCE_KEY = "coalesce(nullif(w.province_code, ''), 'unknown')"
_DISTRICT_KEY = "coalesce(nullif(w.district_code, ''), 'unknown')"


def _shares(provinces: list[tuple[str, int]], workers: int) -> list[list[str]]:
    """The provinces in ``workers`` shares of about as many children each (largest first,
    each to the share with the fewest so far)."""
    shares: list[tuple[int, list[str]]] = [(0, []) for _ in range(min(workers, len(provinces)))]
    for province, children in sorted(provinces, key=lambda p: (-p[1], p[0])):
        index = min(range(len(shares)), key=lambda i: shares[i][0])
        shares[index] = (shares[index][0] + children, shares[index][1] + [province])
    return [share for _, share in shares]


def _export_provinces(warehouse_path: str, release: str, out_dir: str, provinces: list[str]) -> list[DistrictWorklist]:
    """Write the worklists of ``provinces`` into ``release``; what was written, without names."""
    with connect(warehouse_path, read_only=True) as connection:
        rows = query_dicts(
            connection,
            f"""
            select w.*, {_PROVINCE_KEY} as worklist_province, {_DISTRICT_KEY} as worklist_district,
                s.status_label_th, e.escalation_label_th, e.escalation_order, g.subdistrict_th
            from worklist.worklist_children as w
            inner join marts.dim_status as s using (status_code)
            inner join reference.escalation_levels as e using (escalation_level)
            left join (select distinct subdistrict_code, subdistrict_th from reference.geography) as g
                using (subdistrict_code)
            where {_PROVINCE_KEY} in (select unnest(?))
            order by w.province_code, w.district_code, e.escalation_order desc, w.days_since_listing desc, w.child_id
            """,
            [provinces],
        )
    by_district: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        row["first_listed"] = thai_date(row["first_listed_on"])
        row["latest_event"] = thai_date(row["latest_event_on"]) if row["latest_event_on"] else ""
        by_district.setdefault((row["worklist_province"], row["worklist_district"]), []).append(row)
    exported = []
    for (province, district), children in sorted(by_district.items()):
        folder = Path(release) / province
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"worklist-{province}-{district}"
        (folder / f"{stem}.xlsx").write_bytes(_xlsx(children))
        (folder / f"{stem}.csv").write_bytes(_csv(children))
        final = Path(out_dir) / province
        exported.append(DistrictWorklist(province, district, len(children), final / f"{stem}.xlsx", final / f"{stem}.csv"))
    return exported


def _xlsx(children: list[dict]) -> bytes:
    buffer = io.BytesIO()
    # Names and school names come from the deliveries: written as text, always. By
    # default xlsxwriter turns a string starting with "=" into a formula and one that
    # looks like a URL into a link.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    sheet = workbook.add_worksheet("รายชื่อติดตาม")
    bold = workbook.add_format({"bold": True})
    report_date = children[0]["report_date"]
    sheet.write(0, 0, f"รายชื่อเด็กที่ยังติดตามไม่พบ ข้อมูล ณ วันที่ {thai_date(report_date)} (ข้อมูลส่วนบุคคล: ใช้เพื่อการติดตามเท่านั้น)", bold)
    for column, (_, header) in enumerate(COLUMNS):
        sheet.write(2, column, header, bold)
    names = [name for name, _ in COLUMNS]
    # Each cell by its type, not through write(), which tries every type in turn: a third
    # of the time of a national list. An empty cell is not written (write() skips it too).
    for row_index, child in enumerate(children, start=3):
        for column, name in enumerate(names):
            value = child.get(name)
            kind = type(value)
            if kind is str:
                if value:
                    sheet.write_string(row_index, column, value)
            elif kind is int:
                sheet.write_number(row_index, column, value)
            elif value is not None:
                sheet.write(row_index, column, value)
    sheet.freeze_panes(3, 0)
    workbook.close()
    return buffer.getvalue()


def _csv(children: list[dict]) -> bytes:
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([header for _, header in COLUMNS])
    for child in children:
        writer.writerow(["" if child.get(name) is None else child.get(name) for name, _ in COLUMNS])
    return ("\ufeff" + text.getvalue()).encode("utf-8")
