"""DuckDB resources for every DuckDB connection geomon opens (ingest and the engine).

- ``GEOMON_THREADS``      worker threads (default: all cores);
- ``GEOMON_MEMORY_LIMIT`` DuckDB's buffer limit, e.g. ``4GB`` or ``50%`` (default ``2GB``, so
  that a run and its results stay under 4 GiB); above it, sorts, joins and aggregations
  spill to disk instead of failing;
- ``GEOMON_TEMP_DIR``     where they spill (default: ``geomon-duckdb-UID`` in the system temp dir, one
  folder per user, created 0700 and refused when another user owns it; ingest spills into its
  staging folder under the store instead, removed with it).

These are machine resources, not analysis settings: they never change a result and are
not part of the configuration (or its hash).
"""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb

from geomon.errors import ConfigError, is_interrupt

THREADS_ENV = "GEOMON_THREADS"
MEMORY_ENV = "GEOMON_MEMORY_LIMIT"
TEMP_ENV = "GEOMON_TEMP_DIR"
DEFAULT_MEMORY_LIMIT = "2GB"


def spill_dir() -> Path:
    """$GEOMON_TEMP_DIR, else ``<system temp>/geomon-duckdb-<uid>`` (this user's own folder)."""
    if os.environ.get(TEMP_ENV):
        return Path(os.environ[TEMP_ENV]).expanduser()
    return Path(tempfile.gettempdir()) / f"geomon-duckdb-{os.getuid()}"


def duckdb_settings(temp_dir: Path | None = None) -> dict[str, Any]:
    """DuckDB configuration from the environment (see the module docstring); ``temp_dir``
    replaces the spill folder."""
    temp = temp_dir or spill_dir()
    try:
        temp.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"{TEMP_ENV}: cannot create {temp} ({exc.strerror}); give a writable folder for DuckDB to spill to") from None
    if temp.stat().st_uid != os.getuid() and not os.access(temp, os.W_OK):
        raise ConfigError(f"the DuckDB spill folder {temp} belongs to another user and is not writable; "
                          f"set {TEMP_ENV} to a folder of your own")
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


def duckdb_connect(temp_dir: Path | None = None) -> duckdb.DuckDBPyConnection:
    """A plain in-memory DuckDB connection with geomon's resource limits (used by ingest);
    ``temp_dir`` replaces the spill folder."""
    try:
        con = duckdb.connect(config=duckdb_settings(temp_dir))
    except duckdb.Error as exc:
        raise refused(exc) from None
    con.execute("SET enable_progress_bar = false")
    return con


@contextmanager
def interruptible() -> Iterator[None]:
    """Turn DuckDB's "statement interrupted" (:func:`geomon.errors.is_interrupt`) into
    KeyboardInterrupt, what Python raises for Ctrl-C everywhere else, so a caller handles one
    exception (the CLI: "interrupted; nothing was written", exit status 130) instead of a traceback."""
    try:
        yield
    except Exception as exc:
        if is_interrupt(exc):
            raise KeyboardInterrupt from None
        raise
