"""Read one delivered file into text rows aligned to its source's contract columns.

A file that cannot be read as the contract says raises ``FileRejected`` with a reason
code from the ``quarantine_reasons`` code list and a one-line explanation. Rows whose
fields cannot be aligned (wrong field count) are kept with a ``row_problem`` so that the
staging layer quarantines them instead of losing them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from python_calamine import CalamineWorkbook

from orchestration.raw.contract import SourceSpec


class FileRejected(Exception):
    def __init__(self, reason_code: str, detail: str):
        super().__init__(f"{reason_code}: {detail}")
        self.reason_code = reason_code
        self.detail = detail


@dataclass
class ParsedRow:
    row_number: int
    values: list[str | None]  # aligned to spec.columns
    problem: str | None = None


@dataclass
class ParsedFile:
    table: pa.Table  # the contract's raw columns as text, then _row_number and _row_problem
    extra_columns: list[str] = field(default_factory=list)


def _from_rows(spec: SourceSpec, rows: list[ParsedRow], extra_columns: list[str] | None = None) -> ParsedFile:
    columns = {
        name: pa.array([row.values[i] for row in rows], pa.string()) for i, name in enumerate(spec.raw_columns)
    }
    columns["_row_number"] = pa.array([row.row_number for row in rows], pa.int32())
    columns["_row_problem"] = pa.array([row.problem for row in rows], pa.string())
    return ParsedFile(pa.table(columns), extra_columns or [])


def read_file(spec: SourceSpec, path: Path, content: bytes) -> ParsedFile:
    readers = {"csv": _read_csv, "xlsx": _read_xlsx, "jsonl": _read_jsonl}
    parsed = readers[spec.file_format](spec, path, content)
    if not parsed.table.num_rows:
        raise FileRejected("no_rows", "the file holds no data rows")
    return parsed


# --- text files ---------------------------------------------------------------------


def _decode(spec: SourceSpec, content: bytes) -> tuple[str, bool]:
    """Decode per the contract. Returns (text, cut_mid_character)."""
    if spec.encoding == "cp874" and content.strip():
        try:
            as_utf8 = content.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            if not as_utf8.isascii():
                raise FileRejected(
                    "wrong_encoding",
                    "the file is UTF-8; the contract says Windows-874 (TIS-620) for this source",
                )
    encoding = "utf-8-sig" if spec.encoding.startswith("utf-8") else spec.encoding  # a BOM is always accepted
    try:
        return content.decode(encoding), False
    except UnicodeDecodeError as error:
        # A multi-byte character cut by the end of the file is truncation, not encoding.
        if error.reason == "unexpected end of data" and error.end >= len(content) - 3:
            return content[: error.start].decode(encoding), True
        raise FileRejected(
            "wrong_encoding",
            f"byte {error.start} is not valid {_encoding_name(spec.encoding)}, "
            f"the encoding the contract gives for this source",
        ) from None


def _encoding_name(encoding: str) -> str:
    return {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "cp874": "Windows-874"}[encoding]


def _header_index(spec: SourceSpec, header: list[str]) -> tuple[list[int], list[str]]:
    """Positions of the contract columns in the delivered header, and any extra columns."""
    cleaned = [cell.strip() for cell in header]
    missing = [name for name, _ in spec.columns if name not in cleaned]
    if missing:
        # Name only the contract's columns and a count: a file without its header has a
        # child's data where the header should be, and that must not reach a message.
        unexpected = sum(1 for cell in cleaned if cell and cell not in {n for n, _ in spec.columns})
        raise FileRejected(
            "missing_columns",
            f"header row {spec.header_row} lacks " + ", ".join(f"'{name}'" for name in missing)
            + f" ({unexpected} other cells found there)",
        )
    known = {name for name, _ in spec.columns}
    extra = [cell for cell in cleaned if cell and cell not in known]
    return [cleaned.index(name) for name, _ in spec.columns], extra


def _read_csv(spec: SourceSpec, path: Path, content: bytes) -> ParsedFile:
    text, cut_mid_character = _decode(spec, content)
    if not text.strip():
        raise FileRejected("no_rows", "the file is empty")
    ends_with_newline = text.endswith(("\n", "\r"))
    reader = csv.reader(
        io.StringIO(text, newline=""),
        delimiter=spec.delimiter,
        quoting=csv.QUOTE_MINIMAL if spec.quoted else csv.QUOTE_NONE,
    )
    try:
        header = next(reader)
    except csv.Error as error:
        raise FileRejected("unreadable_file", f"header line: {error}") from None
    positions, extra = _header_index(spec, header)
    width = len(header)
    rows: list[ParsedRow] = []
    try:
        for fields in reader:
            if not any(cell.strip() for cell in fields):
                continue
            rows.append(_align(reader.line_num, fields, positions, width))
    except csv.Error as error:
        raise FileRejected("unreadable_file", f"line {reader.line_num}: {error}") from None
    # A file cut inside its last field: every field of a quoted file ends with a quote.
    cut_in_field = spec.quoted and not text.endswith('"')
    if rows and not ends_with_newline and (cut_mid_character or cut_in_field or rows[-1].problem):
        raise FileRejected(
            "truncated_file",
            f"the last line, line {rows[-1].row_number}, is cut off: no line end and "
            + (rows[-1].problem or "its last field has no closing quote"),
        )
    if cut_mid_character:
        raise FileRejected("truncated_file", "the file ends in the middle of a character")
    return _from_rows(spec, rows, extra)


def _align(row_number: int, fields: list[str], positions: list[int], width: int) -> ParsedRow:
    problem = None
    if len(fields) != width:
        problem = f"expected {width} fields, found {len(fields)}"
    values = [fields[i] if i < len(fields) else None for i in positions]
    return ParsedRow(row_number, values, problem)


def _read_jsonl(spec: SourceSpec, path: Path, content: bytes) -> ParsedFile:
    text, cut_mid_character = _decode(spec, content)
    if not cut_mid_character:
        table = _jsonl_through_duckdb(spec, path, content)
        if table is not None:
            return ParsedFile(table)
        _reject_when_only_the_last_line_is_cut(path, content, text)
    return _jsonl_line_by_line(spec, text, cut_mid_character)


def _jsonl_through_duckdb(spec: SourceSpec, path: Path, content: bytes) -> pa.Table | None:
    """DuckDB's JSON reader: several times faster than Python's on the millions of lines of
    a national export. Gives the same text as the line-by-line reader (compact JSON for a
    non-string value). None when the file is not one JSON object per line, with no blank
    line (a broken or cut line, a byte order mark, a line that is not an object): the
    line-by-line reader then decides, and names the line."""
    keys = [_sql_text(key) for key in spec.raw_columns]
    paths = ", ".join(_sql_text(f"$.{key}") for key in spec.raw_columns)
    values = ", ".join(f"value[{i}] as {name}" for i, name in enumerate(spec.raw_columns, start=1))
    query = f"""
        select
            {values},
            case when len(missing) > 0 then 'missing keys ' || array_to_string(missing, ', ') end as _row_problem,
            is_object
        from (
            select
                value,
                is_object,
                list_filter([{', '.join(keys)}], lambda key: not list_contains(present, key)) as missing
            from (
                select
                    json_type(json) = 'OBJECT' as is_object,
                    json_extract_string(json, [{paths}]) as value,
                    json_keys(json) as present
                from read_json_objects({_sql_text(str(path))}, format = 'newline_delimited')
            )
        )"""
    with duckdb.connect() as connection:
        try:
            table = connection.sql(query).to_arrow_table()
        except duckdb.Error:
            return None
    lines = content.count(b"\n") + (not content.endswith(b"\n"))
    if table.num_rows != lines or not pc.all(table["is_object"]).as_py():
        return None
    table = table.drop_columns(["is_object"])
    numbers = pa.array(np.arange(1, table.num_rows + 1, dtype=np.int32))
    return table.add_column(len(spec.raw_columns), "_row_number", numbers)


def _reject_when_only_the_last_line_is_cut(path: Path, content: bytes, text: str) -> None:
    """The usual broken export: every line whole but the last, cut off in transfer. One
    DuckDB pass says so, instead of decoding the whole file line by line in Python only
    to reject it (13 s for a national export). The rejection is the one the line-by-line
    reader gives, trusting DuckDB's parser for the earlier lines as the fast reader
    trusts it for a whole file (it also takes a few things Python's does not, such as a
    trailing comma); any other case is left to the line-by-line reader."""
    if content.endswith(b"\n"):
        return
    last = text[text.rfind("\n") + 1:]  # not rsplit: that would copy the rest of the file
    if not last.strip():
        return
    try:
        _json_object(last)
        return
    except ValueError as error:
        cut = error
    lines = content.count(b"\n") + 1
    query = f"""
        select count(*), count_if(json_type(json) = 'OBJECT'), count_if(json is null)
        from read_json_objects({_sql_text(str(path))}, format = 'newline_delimited', ignore_errors = true)"""
    with duckdb.connect() as connection:
        try:
            [(rows, objects, broken)] = connection.sql(query).fetchall()
        except duckdb.Error:
            return
    # A blank line is left out of the rows and a broken one is a null: every line is a
    # row, one is broken (Python says it is the last) and all the others are objects.
    if rows == lines and broken == 1 and objects == lines - 1:
        raise _cut_off(lines, cut)


def _cut_off(line: int, error: ValueError) -> FileRejected:
    return FileRejected("truncated_file", f"the last line, line {line}, is cut off: {error}")


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _jsonl_line_by_line(spec: SourceSpec, text: str, cut_mid_character: bool) -> ParsedFile:
    lines = text.split("\n")
    ends_with_newline = text.endswith("\n")
    if ends_with_newline:
        lines.pop()
    keys = spec.raw_columns
    keys_set = set(keys)
    rows: list[ParsedRow] = []
    for index, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        is_last = index == len(lines)
        try:
            obj = _json_object(line)
        except ValueError as error:
            if is_last and not ends_with_newline:
                raise _cut_off(index, error) from None
            raise FileRejected("unreadable_file", f"line {index} is not a JSON object: {error}") from None
        problem = None
        if not keys_set <= obj.keys():
            problem = f"missing keys {', '.join(key for key in keys if key not in obj)}"
        rows.append(ParsedRow(index, [_json_text(obj.get(key)) for key in keys], problem))
    if cut_mid_character:
        raise FileRejected("truncated_file", "the file ends in the middle of a character")
    return _from_rows(spec, rows)


_DECODE_JSON = json.JSONDecoder().decode


def _json_object(line: str) -> dict:
    """The line's JSON object; ValueError when it is not one."""
    obj = _DECODE_JSON(line)
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    return obj
# Compact, as DuckDB's reader writes a non-string value; one encoder for every value
# (json.dumps with options builds a new one per call).
_ENCODE_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _json_text(value: object) -> str | None:
    kind = type(value)
    if kind is str or value is None:
        return value
    if kind is int:
        return str(value)  # what json.dumps writes for an int, without the encoder
    return _ENCODE_JSON(value)


# --- xlsx ---------------------------------------------------------------------------


def _read_xlsx(spec: SourceSpec, path: Path, content: bytes) -> ParsedFile:
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet_name = spec.sheet_name if spec.sheet_name in workbook.sheet_names else None
        if sheet_name is None:
            raise FileRejected(
                "missing_columns",
                f"no sheet '{spec.sheet_name}' (sheets: {', '.join(workbook.sheet_names)})",
            )
        cells = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
    except FileRejected:
        raise
    except Exception as error:  # calamine raises its own error types for corrupt files
        raise FileRejected("unreadable_file", f"not a readable xlsx workbook: {error}") from None
    if len(cells) < spec.header_row:
        raise FileRejected("no_rows", f"the sheet has no header row {spec.header_row}")
    header = [_cell_text(cell) or "" for cell in cells[spec.header_row - 1]]
    positions, extra = _header_index(spec, header)
    width = len(header)
    rows = []
    for offset, raw in enumerate(cells[spec.header_row :], start=spec.header_row + 1):
        values = [_cell_text(cell) for cell in raw]
        if not any(value and value.strip() for value in values):
            continue
        # Excel pads rows to the sheet's width: trailing empty cells are not extra fields.
        while len(values) > width and not values[-1]:
            values.pop()
        rows.append(_align(offset, values, positions, width))
    return _from_rows(spec, rows, extra)


def _cell_text(cell: object) -> str:
    """Cell value as the text a person would read; numbers without a spurious '.0'."""
    if isinstance(cell, str):
        return cell
    if isinstance(cell, bool):
        return "TRUE" if cell else "FALSE"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else repr(cell)
    if isinstance(cell, int):
        return str(cell)
    if isinstance(cell, datetime):
        return cell.date().isoformat() if cell.time() == datetime.min.time() else cell.isoformat()
    if isinstance(cell, date):
        return cell.isoformat()
    return "" if cell is None else str(cell)
