"""Shared fixtures. Tests never touch the network or the user's own store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

SHARED = Path(os.environ.get("GEOMON_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


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
def baci_dir(tmp_path_factory) -> Path:
    """The real BACI HS92 raw-materials extract as CEPII lays it out (CSV per year + code lists).

    Uses ../shared/data when present, else writes the same files back from the embedded store,
    so the tests need nothing outside the repository.
    """
    src = SHARED / "baci-hs92-raw-materials"
    if src.is_dir():
        return src
    import duckdb

    from geomon.store import Store, embedded_store_dir

    ds = Store(embedded_store_dir()).dataset()
    out = tmp_path_factory.mktemp("baci")
    con = duckdb.connect()
    for year in ds.years:
        con.execute(f"""COPY (SELECT {year} AS t, exporter AS i, importer AS j, product AS k,
                              round(value / 1000, 3) AS v, coalesce(CAST(quantity AS VARCHAR), 'NA') AS q
                              FROM read_parquet('{ds.root}/flows/year={year}/*.parquet'))
                        TO '{out}/BACI_HS92_Y{year}_V202401b.csv' (HEADER, QUOTE '')""")
    con.execute(f"""COPY (SELECT code AS country_code, name AS country_name, iso2 AS country_iso2, iso3 AS country_iso3
                          FROM read_parquet('{ds.root}/countries.parquet')) TO '{out}/country_codes_V202401b.csv' (HEADER)""")
    con.execute(f"""COPY (SELECT product AS code, description FROM read_parquet('{ds.root}/products.parquet'))
                    TO '{out}/product_codes_HS92_V202401b.csv' (HEADER)""")
    return out
