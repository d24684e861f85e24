"""Trends: every year equals screening (and tiering) that year alone; summaries by hand."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomon.analyses.trade.screening import EXTRA_COLUMNS, SCREEN_COLUMNS, screen
from geomon.analyses.trade.tiers import TIER_COLUMNS, tiers
from geomon.analyses.trade.trends import SUMMARIES, summarise, trends
from geomon.errors import InputError

FIRST, LAST = 2015, 2024
CHECK_YEARS = [2015, 2019, 2022, 2024]


@pytest.fixture(scope="module", params=["NLD", "EU27"])
def trend(request, ctx):
    return request.param, trends(ctx, request.param, FIRST, LAST)


def _year(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    # screen() holds the descriptions as a Categorical (issue 15), trends as strings: same texts
    df = df.astype({"description": "str"}) if "description" in cols else df
    return df[cols].sort_values(["reporter", "product"]).reset_index(drop=True)


@pytest.mark.parametrize("year", CHECK_YEARS)
def test_each_year_equals_screen_and_tiers_of_that_year_alone(trend, ctx, year):
    reporter, res = trend
    rows = res.table[res.table["year"] == year]
    cols = SCREEN_COLUMNS + EXTRA_COLUMNS
    alone = screen(ctx, reporter, year).table
    assert len(rows) == len(alone) > 50
    pd.testing.assert_frame_equal(_year(rows, cols), _year(alone, cols), check_exact=False, rtol=1e-12)
    tiered = tiers(ctx, reporter, year).table
    pd.testing.assert_frame_equal(_year(rows, cols + TIER_COLUMNS), _year(tiered, cols + TIER_COLUMNS),
                                  check_exact=False, rtol=1e-12)


def test_rows_are_one_per_product_and_year_with_tier_columns(trend):
    reporter, res = trend
    t = res.table
    assert list(t.columns) == SCREEN_COLUMNS + EXTRA_COLUMNS + TIER_COLUMNS
    assert not t.duplicated(["reporter", "product", "year"]).any()
    assert set(t["year"]) == set(range(FIRST, LAST + 1))
    assert set(t["reporter"]) == {reporter}
    assert res.meta["years"] == f"{FIRST}-{LAST}" and res.meta["rows"] == len(t)
    assert set(res.summaries) == set(SUMMARIES)


def test_summaries_agree_with_the_rows(trend):
    _, res = trend
    t, by = res.table, res.summaries["by_tier"].set_index("year")
    for year in (2016, 2024):
        y = t[t["year"] == year]
        assert by.loc[year, "products"] == len(y)
        assert by.loc[year, "dependent"] == int(y["dependent"].sum())
        for tier in ("strategic", "possible", "dependency", "none"):
            assert by.loc[year, tier] == int((y["tier"] == tier).sum())
        sup = res.summaries["by_supplier"]
        sup = sup[sup["year"] == year]
        assert sup["dependencies"].sum() == by.loc[year, "dependent"]


def test_product_series_equals_the_full_trend(ctx):
    full = trends(ctx, "NLD", 2018, 2024)
    one = trends(ctx, "NLD", 2018, 2024, products=["283691"])
    assert list(one.table["year"]) == list(range(2018, 2025))
    expect = full.table[full.table["product"] == "283691"].reset_index(drop=True)
    pd.testing.assert_frame_equal(one.table, expect, check_exact=False, rtol=1e-12)
    # Lithium carbonate: NLD depends on Chile, dependent from 2021 (see 'geomon screen -r NLD -y 2021').
    d = one.summaries["durations"].iloc[0]
    assert d["product"] == "283691" and d["dependent_since"] == 2021 and d["current_run_years"] == 4
    assert d["latest_top_supplier"] == "CHL"


def test_hs4_heading_gives_its_hs6_products(ctx):
    res = trends(ctx, "NLD", 2022, 2024, products=["2846"])  # rare-earth compounds: 284610 cerium, 284690 other
    assert set(res.table["product"]) == {"284610", "284690"} and res.meta["products"] == ["284610", "284690"]


def test_default_range_is_the_last_twenty_years(ctx):
    res = trends(ctx, "NLD", products=["720293"])
    assert res.meta["first_year"] == ctx.default_year() - 19 and res.meta["last_year"] == ctx.default_year()


def test_all_reporters_in_the_same_code(ctx):
    res = trends(ctx, "ALL", 2023, 2024)
    t = res.table
    assert t["reporter"].nunique() > 150
    assert res.meta["reporter"] == "ALL"
    nld = trends(ctx, "NLD", 2023, 2024).table
    mine = t[t["reporter"] == "NLD"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, nld, check_exact=False, rtol=1e-12)
    by = res.summaries["by_tier"]
    assert by.groupby("year")["products"].sum().to_dict() == t.groupby("year").size().to_dict()


@pytest.mark.parametrize("first,last,needle", [
    (2024, 2005, "year range 2024-2005 is empty"),
    (1990, 2000, "year 1990 is not in the data"),
    (2020, 2031, "year 2031 is not in the data"),
])
def test_bad_year_range(ctx, first, last, needle):
    with pytest.raises(InputError, match=needle):
        trends(ctx, "NLD", first, last)


def test_unknown_product_and_reporter(ctx):
    with pytest.raises(InputError, match="unknown product 'abc'"):
        trends(ctx, "NLD", 2020, 2024, products=["abc"])
    # chapter 12 (oil seeds) is not in the embedded raw-materials extract
    with pytest.raises(InputError, match=r"NLD imported none of 120100, .*\(44 in all\) in 2020-2024"):
        trends(ctx, "NLD", 2020, 2024, products=["12"])
    with pytest.raises(InputError, match="unknown reporter 'XXX'"):
        trends(ctx, "XXX", 2020, 2024)


# --- summaries on a hand-made table -----------------------------------------------------------

def _hand_rows() -> pd.DataFrame:
    """Reporter AAA, years 2001-2005.

    P1: dependent 2001, 2002, -, 2004, 2005 (tiers strategic, strategic, none, possible, strategic), top CHN.
    P2: not imported 2001, dependent 2002-2005 (tier dependency), top BRA 2002-2003, CHN 2004-2005.
    P3: imported 2001-2003 only, never dependent, tier possible in 2003.
    """
    rec = []
    p1 = [(2001, True, "strategic"), (2002, True, "strategic"), (2003, False, "none"), (2004, True, "possible"),
          (2005, True, "strategic")]
    rec += [("P1", y, d, t, "CHN", 10.0) for y, d, t in p1]
    rec += [("P2", y, True, "dependency", "BRA" if y < 2004 else "CHN", 5.0) for y in range(2002, 2006)]
    rec += [("P3", y, False, "possible" if y == 2003 else "none", "DEU", 1.0) for y in range(2001, 2004)]
    df = pd.DataFrame(rec, columns=["product", "year", "dependent", "tier", "top_supplier", "import_value_usd"])
    df.insert(0, "reporter", "AAA")
    df["description"] = "d " + df["product"]
    return df


def test_hand_made_by_tier():
    s = summarise(_hand_rows(), 2001, 2005, {"CHN": "China"})
    by = s["by_tier"].set_index("year")
    # products imported per year: 2001 P1,P3; 2002-2003 P1,P2,P3; 2004-2005 P1,P2
    assert by["products"].tolist() == [2, 3, 3, 2, 2]
    assert by["dependent"].tolist() == [1, 2, 1, 2, 2]
    assert by["strategic"].tolist() == [1, 1, 0, 0, 1]
    assert by["possible"].tolist() == [0, 0, 1, 1, 0]
    assert by["dependency"].tolist() == [0, 1, 1, 1, 1]
    assert by["none"].tolist() == [1, 1, 1, 0, 0]
    # entered: P2 2002, P1 2004; left: P1 2003
    assert by["entered"].tolist() == [0, 1, 0, 1, 0]
    assert by["left"].tolist() == [0, 0, 1, 0, 0]
    assert by.loc[2005, "top_suppliers"] == "CHN 2"
    assert by.loc[2002, "top_suppliers"] == "BRA 1, CHN 1"


def test_hand_made_changes():
    ch = summarise(_hand_rows(), 2001, 2005)["changes"]
    got = {(r.year, r.product): (r.event, r.tier_before, r.tier_after) for r in ch.itertuples()}
    assert got == {
        (2002, "P2"): ("entered", "none", "dependency"),      # not imported in 2001 counts as none
        (2003, "P1"): ("left", "strategic", "none"),
        (2003, "P3"): ("tier changed", "none", "possible"),
        (2004, "P1"): ("entered", "none", "possible"),
        (2004, "P3"): ("tier changed", "possible", "none"),    # P3 no longer imported
        (2005, "P1"): ("tier changed", "possible", "strategic"),
    }


def test_hand_made_durations():
    du = summarise(_hand_rows(), 2001, 2005)["durations"].set_index("product")
    assert list(du.index) == ["P2", "P1"]  # longest current run first; P3 never dependent
    p1, p2 = du.loc["P1"], du.loc["P2"]
    assert (p1["dependent_years"], p1["current_run_years"], p1["dependent_since"], p1["longest_run_years"]) == (4, 2, 2004, 2)
    assert (p1["first_dependent_year"], p1["last_dependent_year"], bool(p1["current_run_censored"])) == (2001, 2005, False)
    assert (p2["dependent_years"], p2["current_run_years"], p2["dependent_since"], p2["longest_run_years"]) == (4, 4, 2002, 4)
    assert p2["latest_tier"] == "dependency" and p2["latest_top_supplier"] == "CHN"


def test_hand_made_by_supplier():
    sup = summarise(_hand_rows(), 2001, 2005, {"CHN": "China"})["by_supplier"]
    y5 = sup[sup["year"] == 2005].set_index("top_supplier")
    assert y5.loc["CHN", ["dependencies", "strategic", "dependency", "possible"]].tolist() == [2, 1, 1, 0]
    assert y5.loc["CHN", "supplier_name"] == "China"
    assert y5.loc["CHN", "dependent_import_value_usd"] == 15.0
    y3 = sup[sup["year"] == 2003].set_index("top_supplier")
    # 2003: P2 (BRA) dependent; P3 (DEU) possible but not dependent; P1 none and not dependent: not listed
    assert set(y3.index) == {"BRA", "DEU"}
    assert y3.loc["DEU", "dependencies"] == 0 and y3.loc["DEU", "possible"] == 1


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.booleans(), min_size=6, max_size=6), min_size=1, max_size=8))
def test_duration_and_change_invariants(matrix):
    """For any dependent pattern: runs are bounded by the total, and entries minus exits
    equal the change in status between the first and the last year."""
    years = list(range(2000, 2006))
    rec = [("R", f"P{i}", y, d, "dependency" if d else "none", "X", 1.0)
           for i, row in enumerate(matrix) for y, d in zip(years, row)]
    df = pd.DataFrame(rec, columns=["reporter", "product", "year", "dependent", "tier", "top_supplier",
                                    "import_value_usd"])
    s = summarise(df, years[0], years[-1])
    d = np.array(matrix, dtype=bool)
    du = s["durations"].set_index("product")
    for i, row in enumerate(d):
        p = f"P{i}"
        if not row.any():
            assert p not in du.index
            continue
        r = du.loc[p]
        trailing = len(row) - (np.flatnonzero(~row)[-1] + 1 if (~row).any() else 0)
        assert r["dependent_years"] == row.sum()
        assert r["current_run_years"] == trailing
        assert r["current_run_years"] <= r["longest_run_years"] <= r["dependent_years"]
        assert bool(r["current_run_censored"]) == bool(row.all())
    by = s["by_tier"]
    assert by["entered"].sum() - by["left"].sum() == int(d[:, -1].sum()) - int(d[:, 0].sum())


# --- CLI ------------------------------------------------------------------------------------------

def test_cli_csv_json_and_summary(cli, ctx):
    res = cli("trends", "--reporter", "NLD", "--from", "2020", "--to", "2024", "--format", "csv")
    assert res.exit_code == 0
    lines = res.stdout.strip().splitlines()
    assert lines[0].split(",")[:4] == ["reporter", "product", "description", "year"]
    api = trends(ctx, "NLD", 2020, 2024)
    assert len(lines) == len(api.table) + 1
    res = cli("trends", "-r", "NLD", "--from", "2020", "--to", "2024", "-f", "csv", "--summary", "by_tier")
    assert res.exit_code == 0 and res.stdout.splitlines()[0].startswith("reporter,year,products,dependent")
    assert len(res.stdout.strip().splitlines()) == 6
    res = cli("trends", "-r", "NLD", "--from", "2020", "--to", "2024", "-f", "json")
    doc = json.loads(res.stdout)
    assert set(doc) == {"meta", "rows", "summaries"} and set(doc["summaries"]) == set(SUMMARIES)
    assert len(doc["rows"]) == len(api.table) and doc["meta"]["years"] == "2020-2024"


def test_cli_xlsx_has_a_sheet_per_table(cli, tmp_path):
    import openpyxl

    out = tmp_path / "t.xlsx"
    res = cli("trends", "-r", "EU27", "--from", "2022", "--to", "2024", "-f", "xlsx", "-o", out)
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(out, read_only=True).sheetnames == ["trends", *SUMMARIES, "provenance"]


def test_cli_terminal_summary(cli):
    res = cli("trends", "-r", "NLD", "--from", "2015", "--to", "2024")
    assert res.exit_code == 0
    assert "NLD 2015-2024: products per tier and year" in res.stdout
    assert "Became or stopped being dependent" in res.stdout and "Longest-running dependencies" in res.stdout
    res = cli("trends", "-r", "NLD", "--from", "2015", "--to", "2024", "-p", "283691")
    assert res.exit_code == 0 and "283691" in res.stdout


@pytest.mark.parametrize("args,needle", [
    (["--from", "2024", "--to", "2005"], "year range 2024-2005 is empty"),
    (["--from", "1980"], "year 1980 is not in the data"),
    (["--summary", "bogus"], "unknown table 'bogus'"),
    (["-f", "xlsx"], "give --output FILE"),
])
def test_cli_bad_input_is_one_line(cli, args, needle):
    res = cli("trends", "-r", "NLD", "--to", "2024", *args)
    assert res.exit_code == 2
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_by_tier_totals_sum_over_reporters():
    # Two reporters, one year: products 3 + 5 = 8, dependent 1 + 2 = 3, strategic 0 + 1 = 1, entered 1 + 0 = 1.
    import pandas as pd

    from geomon.analyses.trade.trends import by_tier_totals

    by = pd.DataFrame({"reporter": ["AAA", "BBB"], "year": [2022, 2022], "products": [3, 5], "dependent": [1, 2],
                       "strategic": [0, 1], "entered": [1, 0], "left": [0, 0], "top_suppliers": ["CHN 1", "BRA 2"]})
    out = by_tier_totals(by).iloc[0]
    assert (out["products"], out["dependent"], out["strategic"], out["entered"], out["left"]) == (8, 3, 1, 1, 0)
    assert out["top_suppliers"] == ""
