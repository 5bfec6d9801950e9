"""orchestration.workers: jobs run in separate interpreters come back in order, and a
worker's failure is reported, not lost."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from orchestration.workers import map_in_workers, worker_count


def process_and_square(number: int) -> tuple[int, int]:
    if number < 0:
        raise ValueError(f"negative job {number}")
    return os.getpid(), number * number


def warn_at_length(number: int) -> int:
    """A job that writes more to stderr than a pipe holds (64 KB on Linux)."""
    sys.stderr.write("a library's warning\n" * 20_000)
    return number


def test_results_come_back_in_job_order_from_several_processes():
    results = map_in_workers(process_and_square, [(n,) for n in range(7)], workers=3)
    assert [square for _, square in results] == [n * n for n in range(7)]
    assert len({pid for pid, _ in results}) == 3 and os.getpid() not in {pid for pid, _ in results}


def test_one_worker_runs_in_this_process():
    assert map_in_workers(process_and_square, [(2,), (3,)], workers=1) == [(os.getpid(), 4), (os.getpid(), 9)]


def test_a_failing_job_fails_the_call_with_its_error():
    with pytest.raises(RuntimeError, match="negative job -1"):
        map_in_workers(process_and_square, [(1,), (-1,)], workers=2)


def test_a_worker_writing_much_to_stderr_is_not_left_waiting(monkeypatch):
    """Its stderr is read while it runs: waiting for it to end first would wait forever."""
    popen = subprocess.Popen

    def with_deadline(*args, **kwargs):
        process = popen(*args, **kwargs)
        wait = process.wait
        process.wait = lambda timeout=None: wait(timeout=60 if timeout is None else timeout)
        return process

    monkeypatch.setattr(subprocess, "Popen", with_deadline)
    assert map_in_workers(warn_at_length, [(1,), (2,), (3,)], workers=2) == [1, 2, 3]


@pytest.mark.parametrize(("setting", "workers"), [("3", 3), ("1", 1), ("0", 1), ("-2", 1)])
def test_a_worker_setting_below_one_means_no_worker_processes(monkeypatch, setting, workers):
    monkeypatch.setenv("BACKTOSCHOOL_TEST_WORKERS", setting)
    assert worker_count("BACKTOSCHOOL_TEST_WORKERS") == workers
