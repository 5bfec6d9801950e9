"""The landing folder being written: file names, bytes, and what the warehouse should make of them."""

from __future__ import annotations

from pathlib import Path

from .scenarios import ScenarioError
from .truth import DUPLICATE_FILE, LOADED, FileFact, sha256


class Landing:
    """Writes files under ``<out>/<source>/`` and records what the warehouse should make of them."""

    def __init__(self, root: Path):
        self.root = root
        self.files: list[FileFact] = []
        self._names: set[tuple[str, str]] = set()
        self._seen: dict[str, str] = {}  # SHA-256 → source of the first file with those bytes

    def path(self, source: str, name: str) -> Path:
        if (source, name) in self._names:
            raise ScenarioError(f"two files named {source}/{name}")
        self._names.add((source, name))
        folder = self.root / source
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def write(self, source: str, name: str, data: bytes, rows: int, status: str = LOADED, reason: str | None = None) -> None:
        self.path(source, name).write_bytes(data)
        self.record(source, name, rows, sha256(data), status, reason)

    def record(self, source: str, name: str, rows: int, digest: str, status: str = LOADED, reason: str | None = None) -> None:
        """Files are recorded in name order within a source, as the warehouse reads them."""
        previous = self._seen.get(digest)
        if previous is not None and status != DUPLICATE_FILE:
            if previous != source or status != LOADED:
                # Across folders the reading order is not defined by the rules: never rely on it.
                raise ScenarioError(f"{source}/{name} repeats the bytes of another file")
            status, reason = DUPLICATE_FILE, DUPLICATE_FILE
        self._seen.setdefault(digest, source)
        self.files.append(FileFact(source, name, status, reason, rows, digest))
