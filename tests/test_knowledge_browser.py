"""The report's knowledge section in a real browser (headless Chromium, network cut off): the
small-multiples chart renders one panel per field with the compared geographies, the page logs
no error, and the table shows the NCSES values (issue 12)."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("nld_report")]  # one worker: one Chromium and one NLD 2022 report (conftest)


@pytest.fixture(scope="module")
def page(open_page, nld_report_file):
    """The Dutch NLD 2022 report (the session's ``nld_report``) in the shared headless Chromium."""
    return open_page(nld_report_file("nl", "html"))


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
