"""A sensor on the landing folder: a run starts when a new file arrives.

It compares the folder with the files it has already seen (name, size, modification
time, kept in the sensor's cursor) rather than with the warehouse, which a running job
holds open. A file still being copied is left for the next tick: only files unchanged
for `settle_seconds` count."""

import hashlib
import json
import time
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from orchestration.jobs import warehouse_job
from orchestration.raw.contract import SOURCES
from orchestration.settings import WarehouseSettings

SETTLE_SECONDS = 30


def landing_signatures(landing: Path, *, now: float, settle_seconds: int = SETTLE_SECONDS) -> list[str]:
    """'<source>/<file>|<size>|<mtime>' of every settled file in the source folders."""
    signatures = []
    for spec in SOURCES:
        folder = landing / spec.source
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith("."):
                continue
            stat = path.stat()
            if now - stat.st_mtime >= settle_seconds:
                signatures.append(f"{spec.source}/{path.name}|{stat.st_size}|{int(stat.st_mtime)}")
    return signatures


@sensor(
    job=warehouse_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description="Starts the warehouse job when a new file lands in one of the source folders.",
)
def landing_folder_sensor(context: SensorEvaluationContext, settings: WarehouseSettings):
    seen = set(json.loads(context.cursor)) if context.cursor else set()
    current = landing_signatures(settings.landing_path, now=time.time())
    new = [signature for signature in current if signature not in seen]
    if not new:
        return SkipReason(f"no new file in {settings.landing_path}")
    context.update_cursor(json.dumps(sorted(seen | set(current))))
    names = [signature.split("|")[0] for signature in new]
    return RunRequest(
        run_key=hashlib.sha256("\n".join(new).encode()).hexdigest()[:16],
        tags={"trigger": "landing_folder_sensor", "new_files": ", ".join(names)[:1000]},
    )
