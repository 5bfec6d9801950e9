"""One writer per delivery format, byte-exact to the extract contract.

Deterministic: no clocks, fixed xlsx document properties and zip timestamps, so the
same rows always give the same bytes.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

import xlsxwriter

from orchestration.raw.contract import SOURCES_BY_NAME

from . import thai_dates
from .events import Event
from .rows import Cell

EEF_TITLE = "รายชื่อเด็กนอกระบบการศึกษา ข้อมูล ณ วันที่ {date}"


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str
    quote_all: bool
    line_end: str


CSV_FORMATS = {
    "obec_dmc": CsvFormat("utf-8-sig", ",", True, "\r\n"),
    "ops": CsvFormat("cp874", "|", False, "\r\n"),
    "ovec": CsvFormat("utf-8", ",", False, "\n"),
}


def file_name(source: str, day: date) -> str:
    """The contract's file name for a list (or export) dated ``day``."""
    return SOURCES_BY_NAME[source].file_name_for(day)


def header(source: str) -> list[str]:
    return [delivered for delivered, _ in SOURCES_BY_NAME[source].columns]


def raw_columns(source: str) -> list[str]:
    return SOURCES_BY_NAME[source].raw_columns


def first_data_row(source: str) -> int:
    """Row number (as a person sees it) of the first data row."""
    return {"eef": 4, "tracking": 1}.get(source, 2)


def header_row(source: str) -> int:
    return SOURCES_BY_NAME[source].header_row


def _text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, date):
        return thai_dates.iso_date(cell)
    return str(cell)


class _EncodingSink:
    """A text sink for ``csv.writer``: encodes each line as it comes, writes it and hashes it.

    An incremental encoder gives the same bytes as encoding the whole text at once (a
    ``utf-8-sig`` BOM only at the start), without holding the file in memory.
    """

    def __init__(self, handle: BinaryIO, encoding: str):
        self._handle = handle
        self._encode = codecs.getincrementalencoder(encoding)().encode
        self.digest = hashlib.sha256()

    def write(self, text: str) -> None:
        data = self._encode(text)
        self._handle.write(data)
        self.digest.update(data)


def write_csv(path: Path, source: str, header_cells: Sequence[str], rows: Iterable[Sequence[Cell]], *, encoding: str | None = None) -> str:
    """Stream a CSV list file to ``path``; returns the SHA-256 of its bytes."""
    fmt = CSV_FORMATS[source]
    with path.open("wb") as handle:
        sink = _EncodingSink(handle, encoding or fmt.encoding)
        if fmt.quote_all or source == "ovec":
            writer = csv.writer(
                sink,
                delimiter=fmt.delimiter,
                quoting=csv.QUOTE_ALL if fmt.quote_all else csv.QUOTE_MINIMAL,
                lineterminator=fmt.line_end,
            )
            writer.writerow(header_cells)
            for row in rows:
                writer.writerow([_text(cell) for cell in row])
        else:
            # OPS: plain pipes, no quoting at all; fields never hold a pipe or a line break.
            sink.write(fmt.delimiter.join(header_cells) + fmt.line_end)
            for row in rows:
                fields = [_text(cell) for cell in row]
                if any(fmt.delimiter in f or "\n" in f or "\r" in f for f in fields):
                    raise ValueError(f"unquotable field in {source} row: {fields}")
                sink.write(fmt.delimiter.join(fields) + fmt.line_end)
    return sink.digest.hexdigest()


def _write_xlsx(
    path: Path,
    sheet_name: str,
    leading_rows: Sequence[Sequence[str]],
    header_cells: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    created: date,
) -> None:
    # "in_memory" keeps xlsxwriter's part files off disk; the zip itself goes straight to
    # ``path`` (the same bytes as zipping into a buffer, without holding them).
    workbook = xlsxwriter.Workbook(
        str(path),
        {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    # A fixed creation time: xlsxwriter otherwise stamps the current time into docProps.
    workbook.set_properties({"created": datetime(created.year, created.month, created.day, 9, 0, 0)})
    sheet = workbook.add_worksheet(sheet_name)
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    id_format = workbook.add_format({"num_format": "0"})
    row_index = 0
    for leading in leading_rows:
        for col, value in enumerate(leading):
            if value:
                sheet.write_string(row_index, col, value)
        row_index += 1
    for col, value in enumerate(header_cells):
        sheet.write_string(row_index, col, value)
    row_index += 1
    for row in rows:
        for col, cell in enumerate(row):
            if cell is None or cell == "":
                continue
            if isinstance(cell, date):
                sheet.write_datetime(row_index, col, datetime(cell.year, cell.month, cell.day), date_format)
            elif isinstance(cell, int):
                sheet.write_number(row_index, col, cell, id_format if cell >= 10**9 else None)
            else:
                sheet.write_string(row_index, col, cell)
        row_index += 1
    workbook.close()


def write_xlsx(path: Path, source: str, header_cells: Sequence[str], rows: Iterable[Sequence[Cell]], list_date: date) -> str:
    """Write an Excel list file to ``path``; returns the SHA-256 of its bytes."""
    spec = SOURCES_BY_NAME[source]
    leading: list[list[str]] = []
    if source == "eef":
        leading = [[EEF_TITLE.format(date=thai_dates.long_date(list_date))], []]
    if len(leading) != spec.header_row - 1:
        raise ValueError(f"{source}: layout does not put the header on row {spec.header_row}")
    _write_xlsx(path, spec.sheet_name or "Sheet1", leading, header_cells, rows, list_date)
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def write_list_file(
    path: Path, source: str, header_cells: Sequence[str], rows: Iterable[Sequence[Cell]], list_date: date, *, encoding: str | None = None
) -> str:
    """Write a list file in its source's format; returns the SHA-256 of its bytes."""
    if SOURCES_BY_NAME[source].file_format == "xlsx":
        return write_xlsx(path, source, header_cells, rows, list_date)
    return write_csv(path, source, header_cells, rows, encoding=encoding)


def event_line(event: Event) -> str:
    record = {
        "event_id": event.event_id,
        "citizen_id": event.citizen_text,
        "recorded_at": event.recorded_at.strftime("%Y-%m-%dT%H:%M:00+07:00"),
        "status": event.status,
        "tracker_org": event.tracker_org,
        "placement": event.placement,
        "reason_code": event.reason_code,
        "assistance": list(event.assistance),
        "note": event.note,
    }
    return json.dumps(record, ensure_ascii=False) + "\n"


def write_export(path: Path, events: Iterable[Event]) -> tuple[int, str]:
    """Stream one tracking export; returns (lines written, SHA-256 of the bytes)."""
    count = 0
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for event in events:
            data = event_line(event).encode("utf-8")
            handle.write(data)
            digest.update(data)
            count += 1
    return count, digest.hexdigest()
