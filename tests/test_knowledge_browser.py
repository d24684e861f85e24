"""The report's knowledge section in a real browser (headless Chromium, network cut off): the
small-multiples chart renders one panel per field with the compared geographies, the page logs
no error, and the table shows the NCSES values (issue 12)."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_report_browser import CHROMEDRIVER, CHROMIUM  # noqa: F401  (same binaries as the report's browser test)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    from geomon import api

    path = tmp_path_factory.mktemp("knowledge-browser") / "report.html"
    data = api.report_data("NLD", 2022, lang="nl", top_products=0, scenario_stop="")
    api.write_report(data, path, "html")
    return path


@pytest.fixture(scope="module")
def page(report, tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.skip("chromium or chromedriver not installed (Debian: apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import WebDriverWait

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path_factory.mktemp('profile')}",
                "--window-size=1400,1000"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.execute_cdp_cmd("Network.enable", {})
    drv.execute_cdp_cmd("Network.emulateNetworkConditions",
                        {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    drv.get(report.as_uri())
    WebDriverWait(drv, 120).until(lambda d: d.execute_script("return document.body.getAttribute('data-charts')"))
    yield drv
    drv.quit()


def test_knowledge_chart_renders(page):
    logs = page.get_log("browser")
    bad = [e for e in logs if e["level"] == "SEVERE" or (e["level"] == "WARNING" and e.get("source") == "console-api")]
    assert not bad, bad
    svg = page.execute_script("return document.querySelector('#chart-knowledge-fields svg') !== null")
    assert svg
    assert page.execute_script("return document.querySelector('#chart-knowledge-fields[data-error]')") is None
    texts = page.execute_script(
        "return Array.from(document.querySelectorAll('#chart-knowledge-fields svg text')).map(t => t.textContent)")
    # one panel header per field (29), the legend names the compared geographies
    # Dutch field names (the NCSES names translated): semiconductors, materials science, all fields, AI, pharmaceuticals
    for field in ("halfgeleiders", "materiaalkunde", "alle vakgebieden", "kunstmatige intelligentie", "farmaceutica"):
        assert field in texts, field
    assert {"NLD", "CHN", "USA", "EU27"} <= set(texts)
    lines = page.execute_script("return document.querySelectorAll('#chart-knowledge-fields svg path[aria-roledescription=\"line mark\"]').length")
    assert lines == 29 * 4


def test_knowledge_section_text(page):
    heading = page.execute_script("return document.querySelector('section#knowledge h2').textContent")
    assert heading == "Kennispositie in wetenschap en sleuteltechnologieën"
    nav = page.execute_script("return Array.from(document.querySelectorAll('nav a')).map(a => a.textContent.trim())")
    assert "Kennis" in nav
    cell = page.execute_script(
        "return document.querySelector('#knowledge-table tr[data-code=\"CHN\"][data-field=\"semiconductors\"] td[data-col=\"value\"]').textContent")
    assert cell == "10.462"  # Dutch thousands separator; NCSES SINV-13 China 2020
