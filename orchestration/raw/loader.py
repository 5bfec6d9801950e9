"""Load a source's landing folder into ``raw.<table>`` and record every file in the manifest.

Each file is handled once: a file already recorded under the same name and bytes is
skipped, so a re-run changes nothing and new files are processed without re-reading
old ones. A file's rows count only once its manifest entry is written (on DuckDB both
go in one transaction; on Spark the entry is written last: orchestration.raw.storage),
so a crash never leaves half a file loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from orchestration.raw.contract import SourceSpec
from orchestration.raw.readers import FileRejected, read_file
from orchestration.raw.storage import MANIFEST_COLUMNS, MANIFEST_TABLE, RawStore, ensure_raw_tables

__all__ = ["MANIFEST_COLUMNS", "MANIFEST_TABLE", "FileOutcome", "SourceLoadResult", "ensure_raw_tables",
           "load_source", "record_stray_files"]


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


def load_source(store: RawStore, spec: SourceSpec, landing_dir: Path) -> SourceLoadResult:
    result = SourceLoadResult(spec.source)
    store.discard_unrecorded(spec)
    folder = landing_dir / spec.source
    if not folder.is_dir():
        return result
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        outcome = _load_file(store, spec, path, f"{spec.source}/{path.name}")
        if outcome is not None:
            result.outcomes.append(outcome)
    return result


def _load_file(store: RawStore, spec: SourceSpec, path: Path, file_name: str) -> FileOutcome | None:
    content = path.read_bytes()
    sha256 = hashlib.sha256(content).hexdigest()
    if store.is_recorded(file_name, sha256):
        return None  # handled in an earlier run: a re-run changes nothing
    loaded_as = store.loaded_as(sha256)
    loaded_before = store.loaded_before(file_name)

    entry = {
        "source": spec.source,
        "file_name": file_name,
        "file_sha256": sha256,
        "file_bytes": len(content),
        "file_date": spec.file_date(path.name),
        "loaded_at": datetime.now(timezone.utc).replace(tzinfo=None),
    }
    if loaded_as is not None:
        outcome = FileOutcome(file_name, "duplicate_file", 0, "duplicate_file", f"same bytes as {loaded_as}")
        store.record(_manifest_row(entry | {"duplicate_of": loaded_as}, outcome))
        return outcome
    if loaded_before:
        # A delivered file never changes (the contract): a correction comes as a new file.
        # The loaded version stays; a version that was rejected may be replaced.
        outcome = FileOutcome(
            file_name, "rejected", 0, "changed_file",
            "this name was loaded before with other content; send a correction under a new name",
        )
        store.record(_manifest_row(entry, outcome))
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
        store.record(_manifest_row(entry, outcome))
        return outcome

    outcome = FileOutcome(file_name, "loaded", parsed.table.num_rows)
    entry |= {"extra_columns": ", ".join(parsed.extra_columns) or None}
    store.append(spec, parsed.table, _manifest_row(entry, outcome))
    return outcome


def record_stray_files(store: RawStore, landing_dir: Path, sources: set[str]) -> list[FileOutcome]:
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
        if store.is_recorded(file_name, sha256):
            continue
        where = "folder" if len(relative.parts) > 1 else "landing folder root"
        outcome = FileOutcome(
            file_name, "rejected", 0, "unknown_source",
            f"not in a source folder ({', '.join(sorted(sources))}); found in the {where}",
        )
        store.record(_manifest_row(
            {"source": relative.parts[0] if len(relative.parts) > 1 else "", "file_name": file_name,
             "file_sha256": sha256, "file_bytes": len(content), "file_date": None,
             "loaded_at": datetime.now(timezone.utc).replace(tzinfo=None)},
            outcome,
        ))
        outcomes.append(outcome)
    return outcomes


def _manifest_row(entry: dict, outcome: FileOutcome) -> dict:
    return entry | {
        "load_status": outcome.status,
        "reason_code": outcome.reason_code,
        "reason_detail": outcome.detail,
        "data_rows": outcome.data_rows,
    }
