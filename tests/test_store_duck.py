"""Issue 16: DuckDB spills into a folder of the user's own (configurable), never a shared fixed one."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from geomon.store.duck import TEMP_ENV, duckdb_connect, duckdb_settings, spill_dir


def test_default_spill_folder_is_per_user_and_private(monkeypatch, tmp_path):
    monkeypatch.delenv(TEMP_ENV, raising=False)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    want = tmp_path / f"geomon-duckdb-{os.getuid()}"
    assert spill_dir() == want
    assert duckdb_settings()["temp_directory"] == str(want)
    assert stat.S_IMODE(want.stat().st_mode) == 0o700


def test_spill_folder_is_configurable(monkeypatch, tmp_path):
    monkeypatch.setenv(TEMP_ENV, str(tmp_path / "mine"))
    assert duckdb_settings()["temp_directory"] == str(tmp_path / "mine")
    con = duckdb_connect(tmp_path / "staging" / "_spill")  # ingest: under its staging folder
    assert Path(con.execute("SELECT current_setting('temp_directory')").fetchone()[0]) == tmp_path / "staging" / "_spill"
    con.close()
