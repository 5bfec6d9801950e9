"""Give the memory a finished step freed back to the operating system.

A run is one long Python process (the in-process executor), and memory a large step
frees stays with that process unless something hands it back: glibc keeps freed heap
pages for later allocations, and Arrow keeps its pool (the strings of the DataFrames
the checks read). At a million children the Dagster process still held about 3.8 GB
from the small-cell protection while the later steps ran on top of it, and the run's
peak was that plus the bulletins' own memory. Both jobs call `after_step` after every
step (the hooks in orchestration/jobs.py).

Giving memory back costs about 0.2 s (most of it a full garbage collection), and a run
has dozens of steps: it is done only after a step that left the process larger by
GROWTH_WORTH_RELEASING than the last release did. Small runs (tests, a province) then
rarely pay for it; at national scale every large step is followed by one."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
from functools import cache
from pathlib import Path

import pyarrow

GROWTH_WORTH_RELEASING = 128 * 2**20  # bytes of resident memory


class Releaser:
    def __init__(self) -> None:
        self.resident_after_release = 0

    def after_step(self) -> bool:
        """Give freed memory back if the process grew enough since the last time; whether it did."""
        if resident_bytes() - self.resident_after_release < GROWTH_WORTH_RELEASING:
            return False
        release_freed_memory()
        self.resident_after_release = resident_bytes()
        return True


after_step = Releaser().after_step


def release_freed_memory() -> None:
    gc.collect()  # cycles first: what they hold is then free to give back
    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def resident_bytes() -> int:
    """This process's resident memory (Linux; elsewhere 0, and nothing is released)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    library = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(library).malloc_trim if library else None
    except (OSError, AttributeError):
        return None
