"""Load a source's landing folder into ``raw.<table>`` and record every file in the manifest.

Each file is handled once: a file already recorded under the same name and bytes is
skipped, so a re-run changes nothing and new files are processed without re-reading
old ones. Each file's rows and its manifest entry are written in one transaction, so a
crash never leaves half a file loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from orchestration.raw.contract import META_COLUMNS, SourceSpec
from orchestration.raw.readers import FileRejected, read_file

MANIFEST_TABLE = "raw.load_manifest"
MANIFEST_COLUMNS = (
    ("source", "VARCHAR NOT NULL"),
    ("file_name", "VARCHAR NOT NULL"),  # <source>/<file>
    ("file_sha256", "VARCHAR NOT NULL"),
    ("file_bytes", "BIGINT NOT NULL"),
    ("file_date", "DATE"),
    ("load_status", "VARCHAR NOT NULL"),  # loaded | rejected | duplicate_file
    ("reason_code", "VARCHAR"),
    ("reason_detail", "VARCHAR"),
    ("data_rows", "INTEGER"),
    ("extra_columns", "VARCHAR"),
    ("duplicate_of", "VARCHAR"),
    ("loaded_at", "TIMESTAMP NOT NULL"),
)


@dataclass
class FileOutcome:
    file_name: str
    status: str
    data_rows: int = 0
    reason_code: str | None = None
    detail: str | None = None

    @property
    def message(self) -> str:
        if self.status == "loaded":
            return f"{self.file_name}: loaded {self.data_rows:,} rows"
        if self.status == "duplicate_file":
            return f"{self.file_name}: skipped, {self.detail}"
        return f"{self.file_name}: REJECTED ({self.reason_code}) {self.detail}"


@dataclass
class SourceLoadResult:
    source: str
    outcomes: list[FileOutcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome.status == status)

    @property
    def rows_loaded(self) -> int:
        return sum(outcome.data_rows for outcome in self.outcomes if outcome.status == "loaded")


def ensure_raw_tables(connection: duckdb.DuckDBPyConnection, specs: tuple[SourceSpec, ...]) -> None:
    """Create the raw schema, manifest and every source table, even before any delivery,
    so that dbt's sources always exist."""
    connection.execute("create schema if not exists raw")
    connection.execute(
        f"create table if not exists {MANIFEST_TABLE} ("
        + ", ".join(f"{name} {kind}" for name, kind in MANIFEST_COLUMNS)
        + ")"
    )
    for spec in specs:
        columns = [f"{name} VARCHAR" for name in spec.raw_columns]
        columns += [f"{name} {kind}" for name, kind in META_COLUMNS]
        connection.execute(f"create table if not exists raw.{spec.table} ({', '.join(columns)})")


def load_source(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, landing_dir: Path
) -> SourceLoadResult:
    result = SourceLoadResult(spec.source)
    folder = landing_dir / spec.source
    if not folder.is_dir():
        return result
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        outcome = _load_file(connection, spec, path, f"{spec.source}/{path.name}")
        if outcome is not None:
            result.outcomes.append(outcome)
    return result


def _load_file(
    connection: duckdb.DuckDBPyConnection, spec: SourceSpec, path: Path, file_name: str
) -> FileOutcome | None:
    content = path.read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    if connection.execute(
        f"select count(*) from {MANIFEST_TABLE} where file_name = ? and file_sha256 = ?",
        [file_name, sha256],
    ).fetchall()[0][0]:
        return None  # handled in an earlier run: a re-run changes nothing
    loaded_as = connection.execute(
        f"select min(file_name) from {MANIFEST_TABLE} where file_sha256 = ? and load_status = 'loaded'",
        [sha256],
    ).fetchall()[0][0]
    (loaded_before,) = connection.execute(
        f"select count(*) from {MANIFEST_TABLE} where file_name = ? and load_status = 'loaded'", [file_name]
    ).fetchall()[0]

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    entry = {
        "source": spec.source,
        "file_name": file_name,
        "file_sha256": sha256,
        "file_bytes": len(content),
        "file_date": spec.file_date(path.name),
        "loaded_at": now,
    }
    if loaded_as is not None:
        outcome = FileOutcome(file_name, "duplicate_file", 0, "duplicate_file", f"same bytes as {loaded_as}")
        _record(connection, entry | {"duplicate_of": loaded_as}, outcome)
        return outcome
    if loaded_before:
        # A delivered file never changes (the contract): a correction comes as a new file.
        # The loaded version stays; a version that was rejected may be replaced.
        outcome = FileOutcome(
            file_name, "rejected", 0, "changed_file",
            "this name was loaded before with other content; send a correction under a new name",
        )
        _record(connection, entry, outcome)
        return outcome
    try:
        if entry["file_date"] is None:
            raise FileRejected(
                "unknown_file_name",
                f"the name is not {spec.file_name_format} with a valid date",
            )
        parsed = read_file(spec, path, content)
    except FileRejected as rejection:
        outcome = FileOutcome(file_name, "rejected", 0, rejection.reason_code, rejection.detail)
        _record(connection, entry, outcome)
        return outcome

    outcome = FileOutcome(file_name, "loaded", parsed.table.num_rows)
    connection.execute("begin transaction")
    try:
        connection.register("incoming_rows", parsed.table)
        connection.execute(
            f"insert into raw.{spec.table} by name select *, $file_name as _file_name,"
            " $sha256 as _file_sha256, $file_date as _file_date, $loaded_at as _loaded_at from incoming_rows",
            {"file_name": file_name, "sha256": sha256, "file_date": entry["file_date"], "loaded_at": now},
        )
        connection.unregister("incoming_rows")
        _record(connection, entry | {"extra_columns": ", ".join(parsed.extra_columns) or None}, outcome)
        connection.execute("commit")
    except Exception:
        connection.execute("rollback")
        raise
    return outcome


def record_stray_files(connection: duckdb.DuckDBPyConnection, landing_dir: Path, sources: set[str]) -> list[FileOutcome]:
    """Files the loader would never read — at the landing root, in an unknown folder, or
    in a subfolder of a source folder — are recorded as rejected, so no delivery vanishes.
    Folders starting with '_' or '.' are tooling space (e.g. the generator's _truth/)."""
    outcomes = []
    for path in sorted(p for p in landing_dir.rglob("*") if p.is_file()):
        relative = path.relative_to(landing_dir)
        if any(part.startswith(("_", ".")) for part in relative.parts):
            continue
        if len(relative.parts) == 2 and relative.parts[0] in sources:
            continue  # a source's own file, handled by its raw asset
        file_name = relative.as_posix()
        content = path.read_bytes()
        sha256 = hashlib.sha256(content).hexdigest()
        if connection.execute(
            f"select count(*) from {MANIFEST_TABLE} where file_name = ? and file_sha256 = ?", [file_name, sha256]
        ).fetchall()[0][0]:
            continue
        where = "folder" if len(relative.parts) > 1 else "landing folder root"
        outcome = FileOutcome(
            file_name, "rejected", 0, "unknown_source",
            f"not in a source folder ({', '.join(sorted(sources))}); found in the {where}",
        )
        _record(
            connection,
            {"source": relative.parts[0] if len(relative.parts) > 1 else "", "file_name": file_name,
             "file_sha256": sha256, "file_bytes": len(content), "file_date": None,
             "loaded_at": datetime.now(timezone.utc).replace(tzinfo=None)},
            outcome,
        )
        outcomes.append(outcome)
    return outcomes


def _record(connection: duckdb.DuckDBPyConnection, entry: dict, outcome: FileOutcome) -> None:
    row = entry | {
        "load_status": outcome.status,
        "reason_code": outcome.reason_code,
        "reason_detail": outcome.detail,
        "data_rows": outcome.data_rows,
    }
    names = [name for name, _ in MANIFEST_COLUMNS]
    connection.execute(
        f"insert into {MANIFEST_TABLE} ({', '.join(names)}) values ({', '.join('?' * len(names))})",
        [row.get(name) for name in names],
    )
