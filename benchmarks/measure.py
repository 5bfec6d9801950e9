"""Wall time and peak memory of a process tree.

Peak memory is the largest *sum* of the resident set sizes of a process and all its
descendants, sampled in a thread. `resource.getrusage(RUSAGE_CHILDREN)` would only give
the largest single child, and `backtoschool run` is a tree (Python + dbt + its threads),
so it would under-report. psutil is used when it is installed; otherwise the tree is read
from Linux's /proc, so the benchmark needs no extra dependency.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

try:  # optional: not in the project's dependencies
    import psutil
except ImportError:  # pragma: no cover - depends on the environment
    psutil = None

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
SAMPLE_SECONDS = 0.1


@dataclass(frozen=True)
class Measured:
    seconds: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


def _tree_rss_psutil(root: int) -> int:
    try:
        parent = psutil.Process(root)
        processes = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            pass  # ended between listing and reading: it no longer uses memory
    return total


def _parents_from_proc() -> dict[int, int]:
    """pid → parent pid of every process, from /proc/<pid>/stat."""
    parents = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after its last ')'.
        fields = stat[stat.rindex(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def _tree_rss_proc(root: int) -> int:
    children: dict[int, list[int]] = {}
    for pid, parent in _parents_from_proc().items():
        children.setdefault(parent, []).append(pid)
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, ()))
        try:
            resident_pages = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
        except (OSError, IndexError, ValueError):
            continue
        total += resident_pages * PAGE_SIZE
    return total


def tree_rss_bytes(root: int) -> int:
    """Resident memory of ``root`` and all its descendants, now."""
    return _tree_rss_psutil(root) if psutil is not None else _tree_rss_proc(root)


def memory_probe() -> str:
    return "psutil" if psutil is not None else "/proc (psutil not installed)"


class PeakSampler:
    """Samples the tree's RSS in a background thread until stopped; keeps the peak."""

    def __init__(self, root: int):
        self.root = root
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss_bytes(self.root))
            self._stop.wait(SAMPLE_SECONDS)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None,
                 on_line=None) -> Measured:
    """Run ``command``, streaming its stdout lines to ``on_line``; time it and its peak tree RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, bufsize=1)
    lines: list[str] = []
    # stderr is drained in a thread so a chatty child can never block on a full pipe.
    errors: list[str] = []
    drain = threading.Thread(target=lambda: errors.extend(process.stderr), daemon=True)
    drain.start()
    with PeakSampler(process.pid) as sampler:
        for line in process.stdout:
            lines.append(line)
            if on_line is not None:
                on_line(line.rstrip("\n"))
        process.wait()
    drain.join()
    seconds = time.perf_counter() - started
    return Measured(seconds, sampler.peak / 2**20, process.returncode, "".join(lines), "".join(errors))
