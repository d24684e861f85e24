"""DuckDB resources for every DuckDB connection geomon opens (ingest and the engine).

- ``GEOMON_THREADS``      worker threads (default: all cores);
- ``GEOMON_MEMORY_LIMIT`` DuckDB's buffer limit, e.g. ``4GB`` or ``50%`` (default ``2GB``, so
  that a run and its results stay under 4 GiB); above it, sorts, joins and aggregations
  spill to disk instead of failing;
- ``GEOMON_TEMP_DIR``     where they spill (default: ``geomon-duckdb`` in the system temp dir).

These are machine resources, not analysis settings: they never change a result and are
not part of the configuration (or its hash).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import duckdb

from geomon.errors import ConfigError

THREADS_ENV = "GEOMON_THREADS"
MEMORY_ENV = "GEOMON_MEMORY_LIMIT"
TEMP_ENV = "GEOMON_TEMP_DIR"
DEFAULT_MEMORY_LIMIT = "2GB"


def duckdb_settings() -> dict[str, Any]:
    """DuckDB configuration from the environment (see the module docstring)."""
    temp = Path(os.environ.get(TEMP_ENV) or Path(tempfile.gettempdir()) / "geomon-duckdb")
    try:
        temp.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{TEMP_ENV}: cannot create {temp} ({exc.strerror}); give a writable folder for DuckDB to spill to") from None
    settings: dict[str, Any] = {
        "memory_limit": os.environ.get(MEMORY_ENV) or DEFAULT_MEMORY_LIMIT,
        "temp_directory": str(temp),
    }
    if os.environ.get(THREADS_ENV):
        raw = os.environ[THREADS_ENV]
        if not raw.strip().isdigit() or int(raw) < 1:
            raise ConfigError(f"{THREADS_ENV} = {raw!r} must be a whole number >= 1 (or unset for all cores)")
        settings["threads"] = int(raw)
    return settings


def refused(exc: Exception) -> ConfigError:
    return ConfigError(f"DuckDB refused the resource settings ({str(exc).splitlines()[0]}); check {MEMORY_ENV} "
                       f"(e.g. 4GB or 50%), {THREADS_ENV} and {TEMP_ENV}")


def duckdb_connect() -> duckdb.DuckDBPyConnection:
    """A plain in-memory DuckDB connection with geomon's resource limits (used by ingest)."""
    try:
        con = duckdb.connect(config=duckdb_settings())
    except duckdb.Error as exc:
        raise refused(exc) from None
    con.execute("SET enable_progress_bar = false")
    return con
