"""The report's coercion section (issue 11): the tables equal the API's numbers, the workbook
has the section's sheets, and in a real headless Chromium (as tests/test_report_browser.py,
network cut off) the section is there, every event chart drew an SVG and nothing logged an
error; both languages."""

from __future__ import annotations

import openpyxl
import pytest

pytestmark = pytest.mark.xdist_group("nld_report")  # with -n 2 one worker builds the session's NLD 2022 report (conftest) and runs every test reading it


@pytest.fixture(scope="module")
def data(nld_report):
    return nld_report["en"]


@pytest.fixture(scope="module")
def pages(nld_report_file):
    """The session's NLD 2022 report written as HTML in both languages and as a workbook."""
    return {"en": nld_report_file("en", "html"), "nl": nld_report_file("nl", "html"), "xlsx": nld_report_file("en", "xlsx")}


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


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "nl"])
def test_section_renders_in_the_browser(open_page, pages, lang, tmp_path):
    driver = open_page(pages[lang])
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
