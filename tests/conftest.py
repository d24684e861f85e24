"""Shared fixtures. Tests never touch the network or the user's own store."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

SHARED = Path(os.environ.get("GEOMON_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))
#: Debian packages ``chromium`` and ``chromium-driver`` (installed by ``.ci/run``) for the browser tests.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


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


@pytest.fixture(scope="session")
def nld_report(ctx):
    """The NLD 2022 report on the embedded data with default settings, built ONCE per test session
    (per xdist worker) and shared by every module that reads it: ``"raw"`` is
    :func:`build_report_data`'s :class:`ReportData`, ``"en"`` and ``"nl"`` its report views
    (:func:`geomon.outputs.report.view.report_view`, what ``geomon.api.report_data`` returns).
    Tests read these, never change them (build a new one with ``dataclasses.replace``)."""
    from geomon.analyses.report_data import build_report_data
    from geomon.outputs.report.view import report_view

    raw = build_report_data(ctx, "NLD", 2022)
    return {"raw": raw, "en": report_view(raw, "en"), "nl": report_view(raw, "nl")}


@pytest.fixture(scope="session")
def nld_report_file(nld_report, tmp_path_factory):
    """``nld_report_file(lang, fmt)``: the path of :func:`nld_report` written by
    ``geomon.outputs.report.write_report`` as ``fmt`` (html or xlsx) in ``lang`` (en or nl),
    written on first use and then shared (in one temporary folder of the session)."""
    from geomon.outputs.report import write_report

    folder = tmp_path_factory.mktemp("nld-report")
    written: dict[tuple[str, str], Path] = {}

    def path(lang: str = "en", fmt: str = "html") -> Path:
        if (lang, fmt) not in written:
            out = folder / f"report-NLD-2022-{lang}.{fmt}"
            write_report(nld_report[lang], out, fmt)
            written[(lang, fmt)] = out
        return written[(lang, fmt)]

    return path


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    """One headless Chromium for the session (Debian chromium + chromedriver; --headless
    --no-sandbox --disable-gpu, a fresh --user-data-dir), driven by Selenium with the network cut
    off: anything a page tried to fetch would fail and log an error. Skips when not installed."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium or chromedriver not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                "--window-size=1400,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.execute_cdp_cmd("Network.enable", {})
    drv.execute_cdp_cmd("Network.emulateNetworkConditions",
                        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    yield drv
    drv.quit()


@pytest.fixture(scope="session")
def open_page(browser):
    """``open_page(path, ready="data-charts")``: load the local file ``path`` in the shared browser
    and wait (up to 120 s) until ``<body>`` has the attribute ``ready``; the console log of earlier
    pages is dropped first, so ``browser.get_log("browser")`` holds only this page's entries."""
    from selenium.webdriver.support.ui import WebDriverWait

    def load(path: Path, ready: str = "data-charts"):
        browser.get_log("browser")
        browser.get(Path(path).as_uri())
        WebDriverWait(browser, 120).until(lambda d: d.execute_script(f"return document.body.getAttribute('{ready}')"))
        return browser

    return load


@pytest.fixture(scope="session")
def flows_2022():
    """CEPII's raw BACI HS92 2022 CSV from ../shared (product, ex, im ISO3, usd), for recomputations by hand
    with plain pandas; skips without ../shared."""
    import pandas as pd

    baci = SHARED / "baci-hs92-raw-materials"
    if not (baci / "BACI_HS92_Y2022_V202401b.csv").exists():
        pytest.skip("shared BACI CSVs not present")
    codes = pd.read_csv(baci / "country_codes_V202401b.csv", keep_default_na=False)
    iso3 = dict(zip(codes["country_code"], codes["country_iso3"].str.strip()))
    f = pd.read_csv(baci / "BACI_HS92_Y2022_V202401b.csv", dtype={"k": str})
    return pd.DataFrame({"product": f["k"], "ex": f["i"].map(iso3), "im": f["j"].map(iso3), "usd": f["v"] * 1000})
