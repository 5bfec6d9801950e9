"""Shared test fixtures. Every test works in its own temporary folders and key file:
nothing touches the user's ~/.config or the repository's demo folder."""

from __future__ import annotations

import __main__
import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration.child_key import KEY_FILE_ENV
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.settings import WAREHOUSE_ENV

# A pytest-xdist worker is started with `python -c`: its __main__ has neither a spec nor
# a file, which pyspark.sql.connect (imported by Great Expectations) takes for a doctest
# run without Spark Connect's dependencies, and ends the process (SystemExit 0).
if os.environ.get("PYTEST_XDIST_WORKER") and __main__.__spec__ is None and not hasattr(__main__, "__file__"):
    __main__.__file__ = __file__


@pytest.fixture(scope="session", autouse=True)
def isolated_key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("secrets") / "child_key.secret"
    os.environ[KEY_FILE_ENV] = str(path)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ.pop("DAGSTER_HOME", None)  # runs use an ephemeral Dagster instance
    # PDFs (0.3 s a page) only where they are tested: the weekly partition's run
    # (tests/e2e_support.run_partition) renders them as the product does by default
    os.environ["BACKTOSCHOOL_PDF"] = "none"
    return path


# Where dbt invoked by the tests (dbt() below) writes its manifest and log: not over the
# manifest the Dagster definitions are built from (dbt_project/target), which another
# test process may be reading (make test runs several: see SHARED_RUN_MODULES).
_DBT_SCRATCH: Path | None = None


@pytest.fixture(scope="session", autouse=True)
def dbt_scratch(tmp_path_factory) -> None:
    global _DBT_SCRATCH
    _DBT_SCRATCH = tmp_path_factory.mktemp("dbt_scratch")


# make test shares the tests out between processes, one per core (pytest-xdist), a module
# at a time (--dist loadscope); the modules that read one session-wide run of the flow go
# to the same process as one unit, so that the run is made once (a module left out of
# SHARED_RUN_MODULES makes it again in another process; so does `pytest -n 2` without
# `--dist loadscope`). xdist's loadgroup would say this with marks, but it cannot rename
# pytest 9's test ids.
SHARED_RUN_MODULES = {
    "national": ("tests/test_analytics.py", "tests/test_incremental_day.py", "tests/test_national_flow.py"),
    # their fixture ``weekly`` is tests.e2e_support.weekly_run, made once per process
    "weekly": ("tests/test_browser.py", "tests/test_bulletin_reuse.py", "tests/test_bulletins.py"),
}


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedRunScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            module = nodeid.split("::", 1)[0]
            return next((run for run, modules in SHARED_RUN_MODULES.items() if module in modules), module)

    return SharedRunScheduling(config, log)


@contextmanager
def warehouse_env(warehouse: Path) -> Iterator[None]:
    previous = os.environ.get(WAREHOUSE_ENV)
    os.environ[WAREHOUSE_ENV] = str(warehouse)
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(WAREHOUSE_ENV, None)
        else:
            os.environ[WAREHOUSE_ENV] = previous


def dbt(args: list[str]):
    """Invoke dbt in process against the project (raises with dbt's message on failure)."""
    from dbt.cli.main import dbtRunner

    scratch = [] if _DBT_SCRATCH is None else ["--target-path", str(_DBT_SCRATCH), "--log-path", str(_DBT_SCRATCH)]
    result = dbtRunner().invoke(
        [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet", *scratch]
    )
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or result.result}")
    return result


@pytest.fixture(scope="session")
def national(tmp_path_factory):
    """The whole flow on a generated national landing set (2,500 children, all agencies,
    every quirk), on every truth date; shared by the tests that read its outputs."""
    from orchestration.generator import generate
    from orchestration.runner import run_warehouse
    from tests.e2e_support import FinishedRun

    root = tmp_path_factory.mktemp("national")
    generate(root / "landing", scenario="national", children=2_500, seed=11)
    run = FinishedRun(root / "landing", root / "out")
    outcome = run_warehouse(run.landing, run.out, run.truth_dates())
    assert outcome.ok, outcome.reason
    return run


class ReceivedMail:
    """A local SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def subjects(self) -> list[str]:
        return [str(m["Subject"]) for m in self.messages]

    def environment(self, port: int) -> dict[str, str]:
        return {"BACKTOSCHOOL_SMTP_HOST": "127.0.0.1", "BACKTOSCHOOL_SMTP_PORT": str(port),
                "BACKTOSCHOOL_SMTP_FROM": "warehouse@example.org", "BACKTOSCHOOL_SMTP_TO": "data-team@example.org"}


@pytest.fixture
def smtp_server() -> Iterator[tuple[ReceivedMail, dict[str, str]]]:
    """(mailbox, the environment variables that point the warehouse's alerts at it)."""
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port (aiosmtpd cannot take port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = ReceivedMail()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, mailbox.environment(port)
    finally:
        controller.stop()
