"""Which engine an output folder was built on, so a run never mixes the two.

A DuckDB build keeps its tables in OUT/warehouse.duckdb; a Spark build keeps them under
OUT/spark/ and makes OUT/warehouse.duckdb a catalog of views over them
(orchestration/spark_catalog.py). A run on the other engine would find the wrong kind of
warehouse, so the first run writes its engine to OUT/engine and later runs must match.
"""

from __future__ import annotations

from pathlib import Path

from orchestration.publishing import write_file

MARKER = "engine"


def built_on(out: Path) -> str | None:
    """The engine `out` was built on; None for a folder no run has written yet. A folder
    from before the marker existed, with a warehouse, was built on DuckDB (the only engine
    then)."""
    marker = out / MARKER
    if marker.exists():
        return marker.read_text(encoding="utf-8").strip()
    if (out / "warehouse.duckdb").exists():
        return "duckdb"
    return None


def claim(out: Path, engine: str) -> str | None:
    """Mark `out` as built on `engine` (when it is new); the reason not to run there when
    it was built on another one."""
    existing = built_on(out)
    if existing is not None and existing != engine:
        return (f"{out} was built on {existing}, not {engine}: a run cannot mix the two engines' "
                f"warehouses; give another --out for a {engine} run (or run with --engine {existing})")
    marker = out / MARKER
    if not marker.exists():
        # written aside and renamed: a run killed here must not leave an empty marker,
        # which would refuse every later run
        write_file(marker, engine + "\n")
    return None
