"""Memory a step freed is given back to the system, and only after a step that grew the
run's process enough to be worth the ~0.2 s it costs (orchestration/memory.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from orchestration import memory

MB = 2**20


# In a fresh interpreter: in the test process, what earlier tests freed would be reused.
FREE_AND_RELEASE = """
from orchestration import memory
before = memory.resident_bytes()
blocks, pins = [], []
for i in range(100_000):  # ~400 MB of malloc'd blocks
    blocks.append(bytes(4096) + bytes([i % 256]))
    if i % 1000 == 0:
        pins.append(bytes(600))  # a live block now and then: freeing the others cannot shrink the heap
grown = memory.resident_bytes()
del blocks
freed = memory.resident_bytes()
memory.release_freed_memory()
print(before, grown, freed, memory.resident_bytes(), len(pins))
"""


def test_freed_memory_goes_back_to_the_system():
    output = subprocess.run([sys.executable, "-c", FREE_AND_RELEASE], capture_output=True, text=True, check=True,
                            cwd=Path(__file__).parents[1]).stdout
    before, grown, freed, released, pins = (int(word) for word in output.split())
    assert grown - before > 300 * MB and pins == 100
    assert freed - before > 300 * MB  # freed, but still the process's
    assert released - before < 100 * MB


def test_released_only_after_enough_growth(monkeypatch):
    resident = [0]
    released = []
    monkeypatch.setattr(memory, "resident_bytes", lambda: resident[0])
    monkeypatch.setattr(memory, "release_freed_memory", lambda: released.append(resident[0]))
    releaser = memory.Releaser()
    for size, expected in ((900, True), (950, False), (1_100, True), (1_150, False), (600, False)):
        resident[0] = size * MB
        assert releaser.after_step() is expected, size
    assert released == [900 * MB, 1_100 * MB]
