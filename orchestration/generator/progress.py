"""Progress of a generation run: silent by default, a ``rich`` display for the CLI.

The generator reports steps (the world, each list file, the tracking exports, the
truth) to a ``Progress``; the base class reports nothing, so library callers and tests
see no output. ``RichProgress`` draws bars on a terminal and, when its console is not one
(output piped to a log), prints one line per finished step instead of redrawing.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

from rich import progress as bars
from rich.console import Console
from rich.text import Text

T = TypeVar("T")

TICK = 1024  # items between two updates of a bar: cheap enough for millions of rows


class Step:
    """One running step: counts what it has done and may rename itself with its result."""

    def __init__(self, description: str, total: int | None):
        self.description = description
        self.total = total
        self.done = 0

    def advance(self, amount: int = 1) -> None:
        self.done += amount

    def describe(self, description: str) -> None:
        self.description = description

    def track(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, advancing by each (in batches of ``TICK``: a bar update costs)."""
        pending = 0
        for item in items:
            yield item
            pending += 1
            if pending == TICK:
                self.advance(pending)
                pending = 0
        if pending:
            self.advance(pending)


class Progress:
    """Reports nothing: the default for library use."""

    @contextmanager
    def step(self, description: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        yield Step(description, total)


class _Count(bars.ProgressColumn):
    """``12,345/67,890 rows``; nothing for a step that counts nothing."""

    def render(self, task: bars.Task) -> Text:
        if not task.fields.get("unit"):
            return Text("")
        total = f"{task.total:,.0f}" if task.total is not None else "?"
        return Text(f"{task.completed:,.0f}/{total} {task.fields['unit']}", style="progress.download")


class _BarStep(Step):
    def __init__(self, bar: bars.Progress, description: str, total: int | None, unit: str):
        super().__init__(description, total)
        self._bar = bar
        self.task = bar.add_task(description, total=total, unit=unit)

    def advance(self, amount: int = 1) -> None:
        super().advance(amount)
        self._bar.advance(self.task, amount)

    def describe(self, description: str) -> None:
        super().describe(description)
        self._bar.update(self.task, description=description)


class RichProgress(Progress):
    """Bars on a terminal; elsewhere one line per finished step (no redraws in a log file).

    Use as a context manager around ``generate``.
    """

    def __init__(self, console: Console):
        self._console = console
        self._live = console.is_terminal and not console.is_dumb_terminal
        self._bar = bars.Progress(
            bars.SpinnerColumn(finished_text="[green]✓[/green]"),
            bars.TextColumn("{task.description}"),
            bars.BarColumn(),
            _Count(),
            bars.TimeElapsedColumn(),
            console=console,
            disable=not self._live,
        )

    def __enter__(self) -> RichProgress:
        self._bar.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bar.stop()

    @contextmanager
    def step(self, description: str, total: int | None = None, unit: str = "") -> Iterator[Step]:
        started = time.monotonic()
        step = _BarStep(self._bar, description, total, unit)
        yield step
        # A finished step shows full, whatever its estimate was.
        self._bar.update(step.task, total=step.done or 1, completed=step.done or 1)
        if not self._live:
            count = f": {step.done:,} {unit}".rstrip() if step.done else ""
            self._console.print(f"✓ {step.description}{count} ({time.monotonic() - started:.1f} s)", highlight=False)
