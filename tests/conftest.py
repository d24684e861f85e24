"""Shared fixtures. Tests never touch the network or the user's own store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(autouse=True)
def _isolated_user_store(tmp_path_factory, monkeypatch):
    """Point the per-user store at an empty folder so the embedded data is used."""
    monkeypatch.delenv("GEOMON_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("xdg")))


@pytest.fixture(scope="session")
def ctx():
    """Analysis context on the embedded real data with default settings."""
    from geomon.analyses.context import open_context
    from geomon.store import Store, embedded_store_dir

    return open_context(store=Store(embedded_store_dir(), embedded=True))


@pytest.fixture
def cli():
    """Invoke the geomon CLI: cli("screen", "--reporter", "NLD") -> click Result."""
    from geomon.cli import app

    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture(scope="session")
def baci_dir() -> Path:
    """The embedded extract written back as BACI CSV files (a real release layout).

    Uses ../shared when present, else regenerates the CSVs from the embedded store.
    """
    src = SHARED / "baci-hs92-raw-materials"
    if src.is_dir():
        return src
    raise pytest.skip.Exception("../shared/data not present")
