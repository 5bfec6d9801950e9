"""Shared test fixtures. Every test works in its own temporary folders and key file:
nothing touches the user's ~/.config or the repository's demo folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from orchestration.child_key import KEY_FILE_ENV
from orchestration.paths import DBT_PROJECT_DIR
from orchestration.settings import WAREHOUSE_ENV


@pytest.fixture(scope="session", autouse=True)
def isolated_key_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("secrets") / "child_key.secret"
    os.environ[KEY_FILE_ENV] = str(path)
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    os.environ.pop("DAGSTER_HOME", None)  # runs use an ephemeral Dagster instance
    return path


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

    result = dbtRunner().invoke(
        [*args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR), "--quiet"]
    )
    if not result.success:
        raise RuntimeError(f"dbt {' '.join(args)} failed: {result.exception or result.result}")
    return result
