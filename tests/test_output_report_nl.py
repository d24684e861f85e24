"""Issue 16: the Dutch report is Dutch: tier reasons (verdicts), public-interest areas and country names."""

from __future__ import annotations

import re

import pytest

from geomon.outputs.report.localize import (
    AREAS_NL,
    country_names,
    localize,
    translate_reason,
)

pytestmark = pytest.mark.xdist_group("nld_report")  # with -n 2 one worker builds the session's NLD 2022 report (conftest) and runs every test reading it

ENGLISH = ("dependency", "supplier", "imports", "below", "missing", "room to", "public interest", "public-interest",
           " and ", "trusted", "world-export", " of the ", "needed", "not tiered", "no effect")


@pytest.fixture(scope="module")
def nl(nld_report):
    data = nld_report["nl"]  # the session's NLD 2022 report, Dutch view
    return data, localize(data, "nl")


def test_reasons_are_dutch(nl):
    raw, data = nl
    reasons = data["products"].tier_reasons.dropna()
    assert len(reasons) == len(raw["products"].tier_reasons.dropna()) > 50
    left = [r for r in reasons if any(w in r for w in ENGLISH)]
    assert left == []


def test_a_reason_by_hand():
    assert translate_reason("a dependency: c1, c2 and c3 all met in 3 of the last 3 years (2 needed); "
                            "public interest: critical raw materials") == (
        "een afhankelijkheid: c1, c2 en c3 alle voldaan in 3 van de laatste 3 jaren (2 nodig); "
        "publiek belang: kritieke grondstoffen")
    assert translate_reason("not tiered: imports of 181,969 USD are below the materiality threshold of "
                            "1,000,000 USD (tiers.min_import_usd)") == (
        "geen niveau: invoer van 181.969 USD ligt onder de materialiteitsdrempel van 1.000.000 USD "
        "(tiers.min_import_usd)")


def test_areas_are_dutch(nl):
    _, data = nl
    areas = {a.strip() for v in data["products"].interest_areas.dropna() for a in v.split(";") if a.strip()}
    assert areas and areas <= set(AREAS_NL.values())


def test_country_names_come_from_cldr(nl):
    """CLDR's Dutch names (unicode.org CLDR, nl.xml territories): DE Duitsland, CN China, BE België,
    US Verenigde Staten, CI Ivoorkust; the reporter NL is Nederland."""
    names = country_names("nl")
    assert (names["DEU"], names["CHN"], names["BEL"], names["USA"], names["CIV"]) == (
        "Duitsland", "China", "België", "Verenigde Staten", "Ivoorkust")
    raw, data = nl
    assert data.meta["reporter_name"] == "Nederland"
    p = data["products"]
    for code, name in zip(p.top_supplier, p.top_supplier_name):
        assert name == names.get(code, name)
    sup = data["suppliers"]
    assert set(sup.loc[sup.shown_as != sup.supplier_name, "shown_as"]) <= {"other", "overig"}
    assert "Duitsland" in set(sup.supplier_name) and "Germany" not in set(sup.supplier_name)
    assert raw["products"].top_supplier_name.tolist() != p.top_supplier_name.tolist()  # the input is left alone


def test_the_written_page_is_dutch(nld_report_file):
    out = nld_report_file("nl", "html")  # written by write_report from the Dutch view
    html = out.read_text()
    body = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    assert "Duitsland" in body and "kritieke grondstoffen" in body
    for english in ("critical raw materials", "not a dependency", "Germany", "United States"):
        assert english not in body, english
