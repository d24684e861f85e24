"""The report's coercion section (issue 11): the tables equal the API's numbers, the workbook
has the section's sheets, and in a real headless Chromium (as tests/test_report_browser.py,
network cut off) the section is there, every event chart drew an SVG and nothing logged an
error; both languages."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def data(ctx):
    from geomon.analyses.report_data import build_report_data

    return build_report_data(ctx, "NLD", 2022)


@pytest.fixture(scope="module")
def pages(data, tmp_path_factory):
    from dataclasses import replace

    from geomon.outputs.report import write_report

    out = {}
    folder = tmp_path_factory.mktemp("coercion-report")
    for lang in ("en", "nl"):
        d = data if lang == "en" else replace(data, meta={**data.meta, "lang": "nl"})
        out[lang] = folder / f"report-{lang}.html"
        write_report(d, out[lang], "html")
    out["xlsx"] = folder / "report.xlsx"
    write_report(data, out["xlsx"], "xlsx")
    return out


def test_section_tables_equal_the_api(ctx, data):
    from geomon.analyses.coercion.exposure import exposure

    part = data.parts["coercion"]
    api_totals = exposure(ctx, "NLD", 2022).pick("totals")
    assert part.tables["totals"]["share"].tolist() == pytest.approx(api_totals["share"].tolist(), rel=1e-12)
    # tiered products of NLD 2022 touched by cases with codes: EU coal ban (lignite 270210) and Section 301 List 3
    assert set(part.tables["cases"]["case_id"]) == {"EU27-RUS-2022-COAL", "USA-CHN-S301-L3"}
    assert set(part.tables["events"]["case_id"]) == {"EU27-RUS-2022-COAL", "USA-CHN-S301-L3"}


def test_workbook_has_the_section_sheets(pages):
    wb = openpyxl.load_workbook(pages["xlsx"], read_only=True)
    for sheet in ("coercion_totals", "coercion_products", "coercion_cases", "coercion_events"):
        assert sheet in wb.sheetnames


def test_html_shares_are_exact(pages, data):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(pages["en"].read_text(encoding="utf-8"), "lxml")
    cells = soup.select("#coercion-totals td.share")
    assert [float(c["data-v"]) for c in cells] == pytest.approx(data.parts["coercion"].tables["totals"]["share"].tolist(),
                                                                 rel=1e-15)
    assert soup.select_one("#chart-coercion-EU27-RUS-2022-COAL") is not None


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium or chromedriver not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tmp_path_factory.mktemp("chromium-profile-coercion")
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


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_section_renders_in_the_browser(driver, pages, lang, tmp_path):
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(pages[lang].as_uri())
    WebDriverWait(driver, 120).until(lambda d: d.execute_script("return document.body.getAttribute('data-charts')"))
    assert driver.execute_script("return document.querySelector('section#coercion') !== null")
    heading = driver.execute_script("return document.querySelector('section#coercion h2').textContent")
    assert heading == ("Economic coercion and export controls" if lang == "en" else "Economische dwang en exportbeperkingen")
    ids = driver.execute_script("return Array.from(document.querySelectorAll('section#coercion div.vega')).map(e => e.id)")
    assert sorted(ids) == ["chart-coercion-EU27-RUS-2022-COAL", "chart-coercion-USA-CHN-S301-L3"]
    for element in ids:
        svg = driver.execute_script(f"return document.querySelectorAll('#{element} svg').length")
        assert svg >= 1, element
    nav = driver.execute_script("return Array.from(document.querySelectorAll('a[href=\"#coercion\"]')).length")
    assert nav >= 1
    logs = driver.get_log("browser")
    bad = [e for e in logs if e["level"] == "SEVERE" or (e["level"] == "WARNING" and e.get("source") == "console-api")]
    assert not bad, bad
    driver.save_screenshot(str(tmp_path / f"coercion-{lang}.png"))
