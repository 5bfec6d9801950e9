"""One more tracking export for the incremental-day measurement, in the app's format.

The fields, their order and their spelling follow the generator's writer
(`orchestration.generator.writers.event_line`); the file name comes from the extract
contract. The events are about cohort children (from the generator's truth), recorded
in office hours after the last export, so a correct warehouse uses every one of them.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from orchestration.raw.contract import SOURCES_BY_NAME

TRACKING = SOURCES_BY_NAME["tracking"]
EXPORT_EVERY_DAYS = 14  # the generator's cadence: an export every other Friday
# Roughly the generator's mix late in the programme: most children found, a few still tracked.
STATUS_WEIGHTS = {1: 45, 2: 25, 3: 15, 4: 14, 5: 1}
PLACEMENTS = ("original_school", "other_school", "nfe", "vocational", "special_ed")
REASONS = ("R01", "R02", "R03", "R04", "R05", "R06", "R07", "R08", "R09", "R99")
TRACKER_ORGS = ("school", "school", "school", "esa", "moi", "moph", "msdhs", "local_gov", "other")
ASSISTANCE = ("scholarship", "uniform_supplies", "transport", "counselling", "job_training", "health_referral")


def _latest_export(tracking_dir: Path) -> tuple[date, Path]:
    dated = [(TRACKING.file_date(path.name), path) for path in tracking_dir.glob("*.jsonl")]
    return max((day, path) for day, path in dated if day is not None)


def _last_event_number(export: Path) -> int:
    """Event IDs are EV + a running number in recording order: the latest export holds the highest."""
    numbers = [0]
    with export.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                event_id = json.loads(line)["event_id"]
            except (ValueError, KeyError):
                continue  # a truncated line
            if event_id.startswith("EV") and event_id[2:].isdigit():
                numbers.append(int(event_id[2:]))
    return max(numbers)


def _cohort_ids(truth_dir: Path, listed_by: date) -> list[str]:
    with (truth_dir / "children.csv").open(encoding="utf-8") as handle:
        return [row["child_id"] for row in csv.DictReader(handle) if date.fromisoformat(row["first_listed_on"]) <= listed_by]


def _event(rng: random.Random, number: int, child_id: str, recorded_at: datetime) -> dict:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    return {
        "event_id": f"EV{number:08d}",
        "citizen_id": child_id,
        "recorded_at": recorded_at.strftime("%Y-%m-%dT%H:%M:00+07:00"),
        "status": status,
        "tracker_org": rng.choice(TRACKER_ORGS),
        "placement": rng.choice(PLACEMENTS) if status == 1 else None,
        "reason_code": rng.choice(REASONS) if status in (2, 3) else None,
        "assistance": sorted(rng.sample(ASSISTANCE, rng.randrange(1, 3))) if status in (1, 2) else ["none"],
        "note": "",
    }


def write_new_export(landing: Path, events: int, *, seed: int = 7) -> tuple[Path, date, int]:
    """Write the export that follows the latest one; returns (path, its date, events written)."""
    rng = random.Random(seed)
    last_day, last_path = _latest_export(landing / "tracking")
    day = last_day + timedelta(days=EXPORT_EVERY_DAYS)
    children = _cohort_ids(landing / "_truth", last_day)
    first_number = _last_event_number(last_path) + 1
    window = [last_day + timedelta(days=offset) for offset in range(1, EXPORT_EVERY_DAYS + 1)]
    # Recording order, as the app writes its exports.
    stamps = sorted(datetime.combine(rng.choice(window), time(rng.randrange(8, 18), rng.randrange(60)))
                    for _ in range(events))
    path = landing / "tracking" / TRACKING.file_name_for(day)
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for offset, stamp in enumerate(stamps):
            record = _event(rng, first_number + offset, rng.choice(children), stamp)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path, day, events
