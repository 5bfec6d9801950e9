"""Run a function over jobs in separate Python processes, one per core.

Separate interpreters (``python -m orchestration.workers``), not ``fork`` — the callers
(Dagster, dbt) run threads — and not multiprocessing's ``spawn`` either, which runs the
caller's ``__main__`` again in every worker. Jobs and results travel as pickle files.
"""

from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def worker_count(env_var: str) -> int:
    """How many worker processes: ``env_var`` when set, else one per core; at least one
    (which means none: the work runs in the calling process)."""
    return max(1, int(os.environ.get(env_var) or os.cpu_count() or 1))


def map_in_workers(function: Callable[..., Any], jobs: Sequence[tuple], workers: int) -> list[Any]:
    """``[function(*job) for job in jobs]``, the jobs shared out round-robin between
    ``workers`` processes. ``function`` must be a module-level function."""
    jobs = list(jobs)
    workers = min(workers, len(jobs))
    if workers <= 1:
        return [function(*job) for job in jobs]
    with tempfile.TemporaryDirectory(prefix="backtoschool-workers-") as scratch:
        processes = []
        for index in range(workers):
            batch, results = Path(scratch) / f"batch-{index}.pickle", Path(scratch) / f"results-{index}.pickle"
            batch.write_bytes(pickle.dumps((function.__module__, function.__qualname__, jobs[index::workers])))
            command = [sys.executable, "-m", __name__, str(batch), str(results)]
            processes.append((subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True),
                              results))
        outcomes = []
        for process, results in processes:
            # communicate(), not wait(): a worker writing more to stderr than a pipe holds
            # would wait for it to be read while this process waited for it to end.
            _, error = process.communicate()
            outcomes.append((process.returncode, error, results))
        for code, error, _ in outcomes:
            if code != 0:
                last = error.strip().splitlines()[-1] if error.strip() else f"exit status {code}"
                raise RuntimeError(f"a worker process running {function.__qualname__} failed: {last}")
        batches = [pickle.loads(results.read_bytes()) for _, _, results in outcomes]
    ordered: list[Any] = [None] * len(jobs)
    for index, results in enumerate(batches):
        ordered[index::workers] = results
    return ordered


def _run_batch(batch: Path, results: Path) -> None:
    module, name, jobs = pickle.loads(batch.read_bytes())
    function = getattr(importlib.import_module(module), name)
    results.write_bytes(pickle.dumps([function(*job) for job in jobs]))


if __name__ == "__main__":  # a worker: python -m orchestration.workers BATCH RESULTS
    _run_batch(Path(sys.argv[1]), Path(sys.argv[2]))
