"""dbt-duckdb plugin: registers ``child_key_hmac(varchar) -> varchar`` on dbt's connection.

DuckDB has no HMAC function; the ``child_key`` dbt macro calls this UDF on DuckDB.
"""

from __future__ import annotations

import duckdb
from dbt.adapters.duckdb.plugins import BasePlugin

from orchestration.child_key import child_key, load_or_create_key


class Plugin(BasePlugin):
    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        key = load_or_create_key()

        def child_key_hmac(child_id: str | None) -> str | None:
            return None if child_id is None else child_key(key, child_id)

        conn.create_function(
            "child_key_hmac",
            child_key_hmac,
            [duckdb.sqltypes.VARCHAR],
            duckdb.sqltypes.VARCHAR,
            null_handling="special",
            side_effects=False,
        )
