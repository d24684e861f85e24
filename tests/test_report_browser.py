"""The HTML report in a real browser: headless Chromium (Debian packages ``chromium`` and
``chromium-driver``, installed by ``.ci/run``) driven by Selenium, with the network cut off
(the session's ``browser`` fixture in conftest.py; the report is the session's ``nld_report``).

Fails on any console error (and on any console warning from the page, e.g. Vega's),
checks that every chart rendered an SVG, uses the filters and the search, sorts a
column, and saves a screenshot in the test's temporary directory.
"""

from __future__ import annotations

import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("nld_report")]  # one worker: one Chromium and one NLD 2022 report (conftest)


@pytest.fixture(scope="module")
def page(open_page, nld_report_file):
    return open_page(nld_report_file("en", "html"))


def visible_products(drv) -> list[str]:
    return drv.execute_script(
        "return Array.from(document.querySelectorAll('#product-table tbody tr'))"
        ".filter(r => !r.hidden).map(r => r.getAttribute('data-product'))")


def test_no_console_errors(page):
    logs = page.get_log("browser")
    bad = [e for e in logs if e["level"] == "SEVERE" or (e["level"] == "WARNING" and e.get("source") == "console-api")]
    assert not bad, bad


def test_every_chart_rendered(page):
    n = int(page.execute_script("return document.body.getAttribute('data-charts')"))
    containers = page.execute_script("return document.querySelectorAll('div.vega').length")
    assert n == containers and n > 10
    missing = page.execute_script(
        "return Array.from(document.querySelectorAll('div.vega'))"
        ".filter(el => !el.querySelector('svg, canvas')).map(el => el.id)")
    assert missing == []
    errors = page.execute_script("return document.querySelectorAll('div.vega[data-error]').length")
    assert errors == 0
    # the supplier bars of lithium carbonate show Chile first
    labels = page.execute_script(
        "return Array.from(document.querySelectorAll('#chart-sup-283691 svg text')).map(t => t.textContent)")
    assert "Chile" in labels


def test_filters_and_search(page):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    everything = visible_products(page)
    tiers = page.execute_script(
        "const o = {}; document.querySelectorAll('#product-table tbody tr')"
        ".forEach(r => o[r.getAttribute('data-product')] = r.getAttribute('data-tier')); return o;")
    tier = Select(page.find_element(By.ID, "filter-tier"))
    tier.select_by_value("possible")
    shown = visible_products(page)
    assert shown and set(shown) == {p for p, t in tiers.items() if t == "possible"}
    assert page.find_element(By.ID, "shown-count").get_attribute("data-shown") == str(len(shown))
    tier.select_by_value("")

    supplier = Select(page.find_element(By.ID, "filter-supplier"))
    supplier.select_by_value("CHL")
    assert "283691" in visible_products(page)
    assert all(page.execute_script(f"return document.querySelector('#product-table tr[data-product=\"{p}\"]').dataset.supplier")
               == "CHL" for p in visible_products(page))
    supplier.select_by_value("")

    area = Select(page.find_element(By.ID, "filter-area"))
    area.select_by_value("energy")
    shown = visible_products(page)
    assert shown and len(shown) < len(everything)
    area.select_by_value("")

    search = page.find_element(By.ID, "search")
    search.send_keys("lithium")
    shown = visible_products(page)
    assert "283691" in shown and len(shown) < len(everything)
    search.clear()
    search.send_keys("283691")
    assert visible_products(page) == ["283691"]
    search.clear()
    page.execute_script("document.getElementById('search').dispatchEvent(new Event('input'))")
    assert len(visible_products(page)) == len(everything)


def test_sort_by_import_value(page):
    from selenium.webdriver.common.by import By

    headers = page.find_elements(By.CSS_SELECTOR, "#product-table thead th button")
    # Earlier tests share the page and may have scrolled; bring the header clear of the sticky bar.
    page.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", headers[3])
    headers[3].click()  # imports (USD): numeric, largest first
    values = page.execute_script(
        "return Array.from(document.querySelectorAll('#product-table tbody tr td[data-col=import_value_usd]'))"
        ".map(td => parseFloat(td.getAttribute('data-v')))")
    assert values == sorted(values, reverse=True)
    headers[3].click()
    values = page.execute_script(
        "return Array.from(document.querySelectorAll('#product-table tbody tr td[data-col=import_value_usd]'))"
        ".map(td => parseFloat(td.getAttribute('data-v')))")
    assert values == sorted(values)


def test_row_link_jumps_to_section_and_screenshot(page, tmp_path):
    from selenium.webdriver.common.by import By

    link = page.find_element(By.CSS_SELECTOR, "#product-table a[href='#p-283691']")
    page.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", link)
    link.click()
    time.sleep(1.0)  # smooth scrolling
    assert page.execute_script("return location.hash") == "#p-283691"
    top = page.execute_script("return document.getElementById('p-283691').getBoundingClientRect().top")
    assert 0 <= top < 200
    shot = tmp_path / "report.png"
    page.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
