"""The landing-folder sensor: a run when a settled new file arrives, nothing otherwise."""

from __future__ import annotations

import os
import time

from dagster import RunRequest, SkipReason, build_sensor_context

from orchestration.raw.sensor import SETTLE_SECONDS, landing_folder_sensor
from orchestration.settings import WarehouseSettings


def _tick(tmp_path, cursor=None):
    settings = WarehouseSettings(landing_dir=str(tmp_path / "landing"), out_dir=str(tmp_path / "out"),
                                 report_dates="2022-07-27")
    context = build_sensor_context(cursor=cursor, resources={"settings": settings})
    return landing_folder_sensor(context), context.cursor


def _deliver(tmp_path, relative, content=b"x", age_seconds=SETTLE_SECONDS + 5):
    path = tmp_path / "landing" / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    moment = time.time() - age_seconds
    os.utime(path, (moment, moment))
    return path


def test_a_new_file_starts_a_run_once(tmp_path):
    _deliver(tmp_path, "obec_dmc/DMC_DROPOUT_25650117.csv")
    result, cursor = _tick(tmp_path)
    assert isinstance(result, RunRequest)
    assert result.tags["new_files"] == "obec_dmc/DMC_DROPOUT_25650117.csv"
    again, _ = _tick(tmp_path, cursor)
    assert isinstance(again, SkipReason)


def test_only_the_new_file_is_named_and_a_file_being_copied_waits(tmp_path):
    _deliver(tmp_path, "obec_dmc/DMC_DROPOUT_25650117.csv")
    _, cursor = _tick(tmp_path)
    _deliver(tmp_path, "tracking/tracking_2022-05-31.jsonl", age_seconds=0)  # still being written
    waiting, cursor = _tick(tmp_path, cursor)
    assert isinstance(waiting, SkipReason)
    _deliver(tmp_path, "tracking/tracking_2022-05-31.jsonl")
    result, _ = _tick(tmp_path, cursor)
    assert isinstance(result, RunRequest)
    assert result.tags["new_files"] == "tracking/tracking_2022-05-31.jsonl"


def test_files_outside_the_source_folders_are_ignored(tmp_path):
    _deliver(tmp_path, "_truth/status_counts.csv")
    _deliver(tmp_path, "obec_dmc/.partial")
    result, _ = _tick(tmp_path)
    assert isinstance(result, SkipReason)
