"""Memory a step freed is given back to the system, and only after a step that grew the
run's process enough to be worth the ~0.2 s it costs (orchestration/memory.py)."""

from __future__ import annotations

from orchestration import memory

MB = 2**20


def test_freed_memory_goes_back_to_the_system():
    memory.release_freed_memory()  # what earlier tests freed: the blocks below need new pages
    before = memory.resident_bytes()
    blocks, pins = [], []
    for i in range(100_000):  # ~400 MB of malloc'd blocks
        blocks.append(bytes(4096) + bytes([i % 256]))
        if i % 1000 == 0:
            pins.append(bytes(600))  # a live block now and then: freeing the others cannot shrink the heap
    assert memory.resident_bytes() - before > 300 * MB
    del blocks
    assert memory.resident_bytes() - before > 300 * MB  # freed, but still the process's
    memory.release_freed_memory()
    assert memory.resident_bytes() - before < 100 * MB
    assert len(pins) == 100


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
