"""Reading a landing folder without the warehouse: the benchmark's floor, and the
conversions an analyst needs before a plain DuckDB script can read every delivery.

How each source is encoded and laid out comes from the project's extract contract
(`orchestration.raw.contract`), not from a second copy here.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import duckdb
import python_calamine

from orchestration.raw.contract import SOURCES_BY_NAME

SOURCE_NAMES = ("obec_dmc", "eef", "ops", "ovec", "msdhs", "tracking")


def landing_files(landing: Path) -> list[tuple[str, Path]]:
    """Every delivered file, by source (the generator's `_truth/` is not a delivery)."""
    return [(source, path) for source in SOURCE_NAMES for path in sorted((landing / source).glob("*")) if path.is_file()]


# --- the floor: every file read once ----------------------------------------------------


def _count_csv(connection: duckdb.DuckDBPyConnection, path: Path, delimiter: str) -> int:
    if path.stat().st_size == 0:
        return 0  # an empty delivery: DuckDB's sniffer has nothing to read
    query = "select count(*) from read_csv(?, all_varchar = true, header = true, delim = ?, null_padding = true)"
    return connection.execute(query, [str(path), delimiter]).fetchall()[0][0]


def _count_cp874(connection: duckdb.DuckDBPyConnection, path: Path, delimiter: str) -> int:
    # DuckDB reads Windows-874 only through its `encodings` extension, which is downloaded
    # on first use (not possible here): decode in Python, let DuckDB parse the text.
    text = path.read_bytes().decode("cp874", errors="replace")
    if not text.strip():
        return 0
    relation = connection.read_csv(io.BytesIO(text.encode("utf-8")), all_varchar=True, sep=delimiter,
                                   header=True, quotechar="", null_padding=True)
    return relation.aggregate("count(*)").fetchall()[0][0]


def _count_jsonl(connection: duckdb.DuckDBPyConnection, path: Path, keys: list[str]) -> int:
    if path.stat().st_size == 0:
        return 0
    columns = "{" + ", ".join(f"'{key}': 'VARCHAR'" for key in keys) + "}"
    # ignore_errors: a truncated last line is the delivery's problem, not the reader's.
    query = (f"select count(*) from read_json(?, format = 'newline_delimited', columns = {columns},"
             " ignore_errors = true)")
    return connection.execute(query, [str(path)]).fetchall()[0][0]


def _count_xlsx(path: Path, sheet: str, header_row: int) -> int:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    return sum(1 for row in rows[header_row:] if any(cell not in ("", None) for cell in row))


def count_rows(connection: duckdb.DuckDBPyConnection, source: str, path: Path) -> int:
    """Rows (lines, for JSONL) in one delivered file, every field read as text."""
    spec = SOURCES_BY_NAME[source]
    if spec.file_format == "xlsx":
        return _count_xlsx(path, spec.sheet_name or "Sheet1", spec.header_row)
    if spec.file_format == "jsonl":
        return _count_jsonl(connection, path, spec.raw_columns)
    if spec.encoding == "cp874":
        return _count_cp874(connection, path, spec.delimiter)
    return _count_csv(connection, path, spec.delimiter)


def read_floor(landing: Path) -> dict[str, dict[str, int]]:
    """Read every landing file once; files, rows and bytes per source."""
    totals = {source: {"files": 0, "rows": 0, "bytes": 0} for source in SOURCE_NAMES}
    with duckdb.connect() as connection:
        for source, path in landing_files(landing):
            totals[source]["files"] += 1
            totals[source]["rows"] += count_rows(connection, source, path)
            totals[source]["bytes"] += path.stat().st_size
    return totals


# --- what the analyst's script needs first: xlsx and Windows-874 as UTF-8 CSV ------------


def _cell_text(cell) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # IDs and ages stored as numbers: 1234567890123.0 → 1234567890123
    if isinstance(cell, (date, datetime)):
        return cell.isoformat()[:10]
    return str(cell)


def _xlsx_to_csv(path: Path, sheet: str, header_row: int, target: Path) -> None:
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(sheet).to_python()
    with target.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        for row in rows[header_row - 1 :]:
            if any(cell not in ("", None) for cell in row):
                writer.writerow([_cell_text(cell) for cell in row])


def _cp874_to_utf8(path: Path, target: Path) -> bool:
    """Re-encode a Windows-874 file; False (and no copy) when it is not Windows-874."""
    try:
        text = path.read_bytes().decode("cp874")
    except UnicodeDecodeError:
        return False  # e.g. a UTF-8 file delivered by mistake: the analyst leaves it out
    target.write_text(text, encoding="utf-8", newline="")
    return True


def convert_for_sql(landing: Path, converted: Path) -> dict[str, int]:
    """Write UTF-8 CSV copies of the xlsx and Windows-874 deliveries under ``converted``,
    keeping each file's name (with a .csv suffix) because the list date is in it."""
    written = {"xlsx": 0, "cp874": 0, "skipped": 0}
    for source, path in landing_files(landing):
        spec = SOURCES_BY_NAME[source]
        target = converted / source / (path.stem + ".csv")
        if spec.file_format == "xlsx":
            target.parent.mkdir(parents=True, exist_ok=True)
            _xlsx_to_csv(path, spec.sheet_name or "Sheet1", spec.header_row, target)
            written["xlsx"] += 1
        elif spec.encoding == "cp874":
            target.parent.mkdir(parents=True, exist_ok=True)
            written["cp874" if _cp874_to_utf8(path, target) else "skipped"] += 1
    return written
