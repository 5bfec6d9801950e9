"""A compact step-by-step progress display for `backtoschool run`: one line when a
step starts and ends, each quality check's outcome, and the warnings user code logs
(a rejected file, a failed expectation). Selected through run config; `dagster dev`
keeps Dagster's own console logger."""

from __future__ import annotations

import logging
import sys
import time

from dagster import Field, InitLoggerContext, logger
from rich.console import Console

_STARTED: dict[str, float] = {}


def _label(step_key: str | None) -> str:
    return (step_key or "").replace("__", "/", 1) if step_key and "__" in step_key else (step_key or "")


def _root_cause(error) -> str:
    """The innermost error's message: Dagster wraps user errors in its own."""
    while error is not None and error.cause is not None:
        error = error.cause
    if error is None:
        return "failed"
    lines = [line for line in error.message.strip().splitlines() if line.strip()]
    return lines[-1] if lines else error.cls_name or "failed"


class ProgressHandler(logging.Handler):
    def __init__(self, console: Console, show_info: bool):
        super().__init__()
        self.console = console
        self.show_info = show_info

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event")
        if event is None:
            message = meta.get("orig_message", record.getMessage())
            if message.startswith("Dependencies for step"):
                step = message.split()[3].rstrip(":")
                self.console.print(f"[yellow]-[/yellow] {step} not run: a step it depends on failed", highlight=False)
            elif record.levelno >= logging.WARNING:
                self.console.print(f"    [yellow]![/yellow] {message}", highlight=False)
            elif self.show_info and meta.get("step_key"):
                self.console.print(f"    {message}", highlight=False, style="dim")
            return
        kind, step = event.event_type_value, event.step_key
        if kind in ("STEP_START", "STEP_SUCCESS") and "_gx_" in (step or ""):
            return  # a quality check step: its outcome line says it all
        if kind == "STEP_START":
            _STARTED[step] = time.monotonic()
            self.console.print(f"[cyan]▶[/cyan] {step}", highlight=False)
        elif kind == "STEP_SUCCESS":
            took = time.monotonic() - _STARTED.pop(step, time.monotonic())
            self.console.print(f"[green]✓[/green] {step} [dim]({took:.1f} s)[/dim]", highlight=False)
        elif kind == "STEP_FAILURE":
            reason = _root_cause(event.event_specific_data.error)
            self.console.print(f"[red]✗[/red] {step}: {reason}", highlight=False)
        elif kind == "STEP_SKIPPED":
            self.console.print(f"[yellow]-[/yellow] {step} skipped", highlight=False)
        elif kind == "ASSET_CHECK_EVALUATION":
            data = event.event_specific_data
            name = f"{data.asset_key.to_user_string()} · {data.check_name}"
            if data.passed:
                if data.check_name.startswith("gx_"):  # dbt's many passing tests stay quiet
                    self.console.print(f"    [green]✓[/green] check {name}", highlight=False)
            else:
                severity = getattr(data.severity, "value", str(data.severity))
                colour = "red" if severity == "ERROR" else "yellow"
                self.console.print(f"    [{colour}]✗ check {name} ({severity})[/{colour}]", highlight=False)


@logger(
    config_schema={"show_info": Field(bool, default_value=False, is_required=False)},
    description="Compact step-by-step progress for the backtoschool CLI.",
)
def progress_logger(init_context: InitLoggerContext) -> logging.Logger:
    log = logging.getLogger("backtoschool.progress")
    log.setLevel(logging.DEBUG)
    log.propagate = False
    # The real terminal: the runner sends dbt's raw log (printed to stdout) to a file.
    console = Console(file=sys.__stdout__, highlight=False, soft_wrap=True)
    log.handlers = [ProgressHandler(console, init_context.logger_config["show_info"])]
    return log
