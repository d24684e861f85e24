"""The report's view model (issue 9 item 5): language, caveats and the chart grouping of
suppliers live with the report (:mod:`geomon.outputs.report.view`), the analyses' tables
(:func:`geomon.analyses.report_data.build_report_data`) carry none of them."""

from __future__ import annotations

import pandas as pd
import pytest

from geomon.errors import InputError
from geomon.outputs.report.view import (
    CAVEATS,
    LANGUAGES,
    OTHER,
    leading_supplier_groups,
    report_view,
    supplier_groups,
)

pytestmark = pytest.mark.xdist_group("nld_report")  # with -n 2 one worker builds the session's NLD 2022 report (conftest) and runs every test reading it


def test_the_analyses_tables_carry_no_view(nld_report):
    raw = nld_report["raw"]
    assert "lang" not in raw.meta and "caveats" not in raw.meta
    for name in ("suppliers", "world_exporters", "trend_suppliers"):
        assert "shown_as" not in raw[name].columns, name
    assert "shown_order" not in raw["trend_suppliers"].columns


def test_view_adds_language_caveats_and_groups_without_changing_the_data(nld_report):
    raw, en, nl = nld_report["raw"], nld_report["en"], nld_report["nl"]
    assert (en.meta["lang"], nl.meta["lang"]) == ("en", "nl") and LANGUAGES == ("en", "nl")
    assert en.meta["caveats"] == list(CAVEATS)
    # the provenance sheet lists the keys where it always did: caveats after top_products, lang after history_years
    keys = list(en.meta)
    assert keys[keys.index("top_products") + 1] == "caveats" and keys[keys.index("history_years") + 1] == "lang"
    assert [k for k in keys if k not in ("caveats", "lang")] == list(raw.meta)
    for name in raw.tables:
        cols = [c for c in en[name].columns if c not in ("shown_as", "shown_order")]
        pd.testing.assert_frame_equal(en[name][cols], raw[name], obj=name)
    assert report_view(en, "nl").meta == nl.meta  # a view of a view: same view


def test_supplier_groups_by_hand():
    """rank <= top keeps the name, the rest is 'other' (top 2 of four suppliers)."""
    shares = pd.DataFrame({"product": ["1"] * 4, "rank": [1, 2, 3, 4], "supplier_name": ["Chile", "Argentina", "China", "USA"]})
    assert supplier_groups(shares, 2)["shown_as"].tolist() == ["Chile", "Argentina", OTHER, OTHER]


def test_leading_suppliers_by_hand():
    """Dependencies summed over the years: China 3 + 2 = 5, Chile 4, Peru 1 + 3 = 4, USA 1. With
    top 2: China (order 0), then the tie Chile/Peru at 4 goes to the first name, Chile (order 1);
    Peru and USA are 'other' (order 2)."""
    df = pd.DataFrame({"year": [2021, 2021, 2021, 2022, 2022, 2022], "supplier_name": ["China", "Chile", "Peru", "China", "Peru", "USA"],
                       "dependencies": [3, 4, 1, 2, 3, 1]})
    out = leading_supplier_groups(df, 2)
    assert out["shown_as"].tolist() == ["China", "Chile", OTHER, "China", OTHER, OTHER]
    assert out["shown_order"].tolist() == [0, 1, 2, 0, 2, 2]


def test_report_groups_follow_the_setting(nld_report):
    """In the NLD 2022 report every product's suppliers beyond report.top_suppliers are 'other'."""
    en = nld_report["en"]
    top = en.meta["top_suppliers"]
    sup = en["suppliers"]
    assert (sup.loc[sup["rank"] <= top, "shown_as"] == sup.loc[sup["rank"] <= top, "supplier_name"]).all()
    assert (sup.loc[sup["rank"] > top, "shown_as"] == OTHER).all() and (sup["rank"] > top).any()
    named = set(en["trend_suppliers"]["shown_as"]) - {OTHER}
    assert 0 < len(named) <= top


def test_unknown_language_fails_before_any_work(monkeypatch):
    import sys

    from geomon import api

    api_report = sys.modules["geomon.api.report"]  # the module (geomon.api.report is also the function)

    def no_work(*a, **k):
        raise AssertionError("the report opened its data before checking the language")

    monkeypatch.setattr(api_report, "context", no_work)
    with pytest.raises(InputError, match="unknown language 'fr'; choose one of en, nl"):
        api.report_data("NLD", 2022, lang="fr")
    with pytest.raises(InputError, match="unknown language 'fr'"):
        report_view(pd.DataFrame(), "fr")
