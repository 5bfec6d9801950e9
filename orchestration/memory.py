"""Give the memory a finished step freed back to the operating system.

A run is one long Python process (the in-process executor), and memory a large step
frees stays with that process unless something hands it back: glibc keeps freed heap
pages for later allocations, and Arrow keeps its pool (the strings of the DataFrames
the checks read). At a million children the Dagster process still held about 3.8 GB
from the small-cell protection while the later steps ran on top of it, and the run's
peak was that plus the bulletins' own memory. Both jobs call this after every step
(the hooks in orchestration/jobs.py)."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from functools import cache

import pyarrow


def release_freed_memory() -> None:
    gc.collect()  # cycles first: what they hold is then free to give back
    pyarrow.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@cache
def _malloc_trim():
    """glibc's malloc_trim, or None where the C library has none (musl, macOS)."""
    library = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(library).malloc_trim if library else None
    except (OSError, AttributeError):
        return None
