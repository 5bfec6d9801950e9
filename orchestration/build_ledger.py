"""Keep what a run would build again from the same inputs (DuckDB warehouses).

A weekly run usually brings one new tracking export and one more report date. The lists,
the linkage of their rows and every table built only from them would come out as last
week: this module lets a step leave those tables as they are.

Each built table has a *version*, kept in the ledger (``meta.build_ledger`` in the
warehouse file, so it goes wherever the tables go):

- a raw table's version is a digest of its entries in ``raw.load_manifest``: its rows are
  appended with those entries and never changed;
- a dbt model's, seed's or Python step's version is new at each build, and stored with
  the *fingerprint* of what it was built from: the code (every file of the dbt project
  and of ``orchestration/``, and the libraries doing the work), the settings that change
  data (the child key, ``BACKTOSCHOOL_*`` variables), the report dates when it reads them
  itself, and its parents' versions.

A table is *kept* when the fingerprint it would be built from now equals the one stored
with its version, and the table exists. A rebuilt parent has a new version, so its
children are built again too: nothing relies on a build being deterministic.

The entries of what a step is about to build are deleted before it starts and written
only after it built (a dbt model: and its tests passed), so a step that fails or is
killed half-way leaves no entry and the next run builds it again. Spark runs keep nothing (their
staging is rebuilt in full anyway); neither does a warehouse without a ledger.
"""

from __future__ import annotations

import hashlib
import hmac
import importlib.metadata
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dagster import AssetKey

from orchestration.paths import PROJECT_ROOT
from orchestration.warehouse import connect, table_exists

LEDGER_TABLE = "meta.build_ledger"
MANIFEST_TABLE = "raw.load_manifest"
MANIFEST_KEY = AssetKey(["raw", "load_manifest"])

# What the code digest covers: any change there builds everything again.
CODE_FOLDERS = ("dbt_project/models", "dbt_project/macros", "dbt_project/seeds", "dbt_project/tests",
                "orchestration")
CODE_FILES = ("dbt_project/dbt_project.yml", "dbt_project/profiles.yml", "requirements.lock")
CODE_SUFFIXES = (".sql", ".yml", ".yaml", ".csv", ".py", ".json", ".lock")
LIBRARIES = ("duckdb", "dbt-core", "dbt-duckdb", "splink", "rapidfuzz", "pandas", "pyarrow")
# BACKTOSCHOOL_* variables that say where things are or how to deliver them, not what
# the tables hold; every other one is part of the fingerprint (an unknown variable
# rebuilds rather than risks a stale table). The report dates are an input of their own.
NOT_DATA_SETTINGS = frozenset({
    "BACKTOSCHOOL_LANDING", "BACKTOSCHOOL_OUT", "BACKTOSCHOOL_WAREHOUSE", "BACKTOSCHOOL_REPORT_DATES",
    "BACKTOSCHOOL_KEY_FILE", "BACKTOSCHOOL_ENGINE", "BACKTOSCHOOL_EXPECTATIONS_DIR",
    "BACKTOSCHOOL_PDF", "BACKTOSCHOOL_PDF_WORKERS", "BACKTOSCHOOL_FULL_REFRESH", "BACKTOSCHOOL_PROTECTION_WORKERS",
    "BACKTOSCHOOL_DUCKDB_MEMORY_LIMIT", "BACKTOSCHOOL_SPARK_DIR", "BACKTOSCHOOL_SPARK_SOURCES",
    "BACKTOSCHOOL_SPARK_DRIVER_MEMORY", "BACKTOSCHOOL_SPARK_HOST", "BACKTOSCHOOL_SPARK_USER",
    "BACKTOSCHOOL_CHILD_KEY_IPAD", "BACKTOSCHOOL_CHILD_KEY_OPAD",  # Spark's copy of the key: covered by it
    "BACKTOSCHOOL_SMTP_HOST", "BACKTOSCHOOL_SMTP_PORT", "BACKTOSCHOOL_SMTP_USER", "BACKTOSCHOOL_SMTP_PASSWORD",
    "BACKTOSCHOOL_SMTP_FROM", "BACKTOSCHOOL_SMTP_TO", "BACKTOSCHOOL_SMTP_STARTTLS",
})


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    version: str


def _sha256(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(f"{len(part)}:".encode())
        digest.update(part.encode())
    return digest.hexdigest()


def code_digest(root: Path = PROJECT_ROOT) -> str:
    """Every file of the code that shapes the tables, and the libraries' versions. Read
    each time (about 15 ms): a process may run twice with the files edited between."""
    paths = [root / name for name in CODE_FILES if (root / name).is_file()]
    for folder in CODE_FOLDERS:
        paths += [path for path in (root / folder).rglob("*")
                  if path.is_file() and path.suffix in CODE_SUFFIXES and "__pycache__" not in path.parts]
    digest = hashlib.sha256()
    for path in sorted(paths):
        content = path.read_bytes()
        digest.update(f"{path.relative_to(root)} {len(content)}\n".encode())
        digest.update(content)
    for library in LIBRARIES:
        try:
            version = importlib.metadata.version(library)
        except importlib.metadata.PackageNotFoundError:
            version = "-"
        digest.update(f"{library} {version}\n".encode())
    return digest.hexdigest()


def settings_digest(child_key: bytes, environ: Mapping[str, str] = os.environ) -> str:
    """The settings that change data. The key enters as an HMAC of a fixed text, so the
    ledger tells nothing about it."""
    settings = sorted((name, value) for name, value in environ.items()
                      if name.startswith("BACKTOSCHOOL_") and name not in NOT_DATA_SETTINGS)
    return _sha256(hmac.new(child_key, b"build ledger", hashlib.sha256).hexdigest(), json.dumps(settings))


def raw_versions(connection: duckdb.DuckDBPyConnection, raw_keys: Mapping[str, AssetKey]) -> dict[AssetKey, str]:
    """The version of each raw table (``raw_keys``: landing source -> the raw table's
    asset) and of the load manifest, from the manifest's entries."""
    if not table_exists(connection, MANIFEST_TABLE):
        return {}
    columns = [row[0] for row in connection.execute(f"describe {MANIFEST_TABLE}").fetchall()]
    rows = connection.execute(
        f"select {', '.join(columns)} from {MANIFEST_TABLE} order by all").fetchall()
    entries: dict[str, list[str]] = {source: [] for source in raw_keys}
    for row in rows:
        entries.setdefault(row[columns.index("source")], []).append(json.dumps(row, default=str))
    versions = {key: _sha256(source, *entries[source]) for source, key in raw_keys.items()}
    versions[MANIFEST_KEY] = _sha256("manifest", *(json.dumps(row, default=str) for row in rows))
    return versions


def fingerprint(key: AssetKey, context: str, parent_versions: Iterable[str], report_dates: str | None) -> str:
    """What `key` is built from: the code and settings (``context``), its parents'
    versions, and the report dates when it reads them itself (None otherwise)."""
    return _sha256(context, key.to_user_string(), report_dates or "-", *sorted(parent_versions))


def new_version(fingerprint_: str, build_id: str) -> str:
    return _sha256(fingerprint_, build_id)


@dataclass(frozen=True)
class StepPlan:
    """What one step keeps, given what the ledger and the raw manifest say."""

    keep: tuple[AssetKey, ...]  # in dependency order, like build
    build: tuple[AssetKey, ...]


def plan_step(keys: Iterable[AssetKey], parents: Mapping[AssetKey, Iterable[AssetKey]],
              versions: Mapping[AssetKey, Entry | str], existing: set[AssetKey], context: str,
              report_dates: str, reads_report_dates: set[AssetKey]) -> StepPlan:
    """``keys`` in dependency order; ``versions``: the ledger's entries and the raw
    tables' versions. A key is kept when every parent's version is known now (a parent
    built in this step has none yet), its fingerprint matches its entry's, and its table
    exists."""
    current = {key: _version(value) for key, value in versions.items()}
    keep, build = [], []
    for key in keys:
        entry = versions.get(key)
        parent_versions = [current.get(parent) for parent in parents.get(key, ())]
        if (isinstance(entry, Entry) and key in existing and None not in parent_versions
                and entry.fingerprint == fingerprint(key, context, parent_versions,
                                                     report_dates if key in reads_report_dates else None)):
            keep.append(key)
        else:
            build.append(key)
            current.pop(key, None)
    return StepPlan(tuple(keep), tuple(build))


class Ledger:
    """The ledger table of one warehouse file (short-lived connections, like every step)."""

    def __init__(self, warehouse: Path) -> None:
        self.warehouse = warehouse

    def entries(self) -> dict[AssetKey, Entry]:
        with connect(self.warehouse, read_only=True) as connection:
            return self.entries_in(connection)

    @staticmethod
    def entries_in(connection: duckdb.DuckDBPyConnection) -> dict[AssetKey, Entry]:
        if not table_exists(connection, LEDGER_TABLE):
            return {}
        rows = connection.execute(f"select asset_key, fingerprint, version from {LEDGER_TABLE}").fetchall()
        return {AssetKey.from_user_string(key): Entry(fingerprint_, version) for key, fingerprint_, version in rows}

    def clear(self) -> None:
        """Forget every entry: the next run builds every table (``backtoschool run --rebuild``)."""
        if not self.warehouse.exists():
            return
        with connect(self.warehouse) as connection:
            connection.execute(f"drop table if exists {LEDGER_TABLE}")

    def forget(self, keys: Iterable[AssetKey]) -> None:
        names = [key.to_user_string() for key in keys]
        if not names:
            return
        with connect(self.warehouse) as connection:
            self._ensure(connection)
            connection.execute(f"delete from {LEDGER_TABLE} where asset_key in (select unnest(?))", [names])

    def record(self, entries: Mapping[AssetKey, Entry]) -> None:
        if not entries:
            return
        rows = [(key.to_user_string(), entry.fingerprint, entry.version) for key, entry in entries.items()]
        with connect(self.warehouse) as connection:
            self._ensure(connection)
            connection.execute("begin")
            connection.execute(f"delete from {LEDGER_TABLE} where asset_key in (select unnest(?))",
                               [[row[0] for row in rows]])
            connection.executemany(f"insert into {LEDGER_TABLE} values (?, ?, ?, current_timestamp)", rows)
            connection.execute("commit")

    @staticmethod
    def _ensure(connection: duckdb.DuckDBPyConnection) -> None:
        connection.execute("create schema if not exists meta")
        connection.execute(f"create table if not exists {LEDGER_TABLE} (asset_key varchar primary key, "
                           "fingerprint varchar not null, version varchar not null, built_at timestamp not null)")


class StepLedger:
    """The ledger's part in one step: which of its tables to keep (``plan``, which also
    forgets the entries of the rest), and the entries of what it built (``record``)."""

    def __init__(self, warehouse: Path, keys: Iterable[AssetKey], parents: Mapping[AssetKey, Iterable[AssetKey]],
                 context: str, report_dates: str, reads_report_dates: set[AssetKey],
                 raw_keys: Mapping[str, AssetKey], build_id: str) -> None:
        self.ledger = Ledger(warehouse)
        self.warehouse, self.keys, self.parents = warehouse, list(keys), parents
        self.context, self.report_dates, self.reads_report_dates = context, report_dates, reads_report_dates
        self.raw_keys, self.build_id = raw_keys, build_id

    def _state(self) -> tuple[dict[AssetKey, Entry | str], set[AssetKey]]:
        """The ledger's entries with the raw tables' versions, and which of the step's
        tables ([schema, table]) exist: one read of the warehouse."""
        if not self.warehouse.exists():
            return {}, set()
        with connect(self.warehouse, read_only=True) as connection:
            versions = {**Ledger.entries_in(connection), **raw_versions(connection, self.raw_keys)}
            existing = {key for key in self.keys if table_exists(connection, f"{key.path[0]}.{key.path[-1]}")}
        return versions, existing

    def plan(self, *, keep: bool = True, whole: bool = False) -> StepPlan:
        """What to keep, from the versions as they are now (``record`` uses the same: a
        parent rebuilt by another process meanwhile must not pass for this build's input).
        ``keep=False``: keep nothing (a run of part of a step, asked for by hand);
        ``whole``: all or nothing (a step that writes its tables together)."""
        versions, existing = self._state()
        plan = plan_step(self.keys, self.parents, versions, existing, self.context, self.report_dates,
                         self.reads_report_dates)
        if not keep or (whole and plan.build):
            plan = StepPlan((), tuple(self.keys))
        self.ledger.forget(plan.build)
        self._inputs = {key: _version(value) for key, value in versions.items() if key not in plan.build}
        return plan

    def record(self, built: Iterable[AssetKey]) -> None:
        """Entries for ``built`` (keys of this step that built and passed their tests),
        in dependency order, so that a child's fingerprint has its parent's new version."""
        built = set(built)
        current = dict(self._inputs)
        entries = {}
        for key in self.keys:
            if key not in built:  # kept (its entry stands) or failed (its entry was forgotten)
                continue
            parent_versions = [current.get(parent) for parent in self.parents.get(key, ())]
            if None in parent_versions:
                continue
            fingerprint_ = fingerprint(key, self.context, parent_versions,
                                       self.report_dates if key in self.reads_report_dates else None)
            entries[key] = Entry(fingerprint_, new_version(fingerprint_, self.build_id))
            current[key] = entries[key].version
        self.ledger.record(entries)


def _version(value: Entry | str) -> str:
    return value.version if isinstance(value, Entry) else value
