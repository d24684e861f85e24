"""World-shortage scenario recomputed from CEPII's own BACI CSV (review of 2026-11-30).

test_scenario_shortage.py checks the rule on a four-country world and EU27 gas against the store's
Parquet; this recomputes every product of two scenarios from ``BACI_HS92_Y2022_V202401b.csv`` (v in
thousands of USD) with plain pandas, so the ingest is checked too. Skipped when ../shared is absent.

For reporter r, stopped suppliers S and product p (a bloc reporter's members merged, intra-bloc flows
dropped): W = sum of all flows, X_S = sum of S's exports, sigma = X_S / W, V = r's imports,
A = r's imports from S; expected shortfall = sigma V; shortage covering share = 1 - min(1, sigma V / A);
bilateral covering share = min(1, other exporters' sales to others / A).
"""

from __future__ import annotations

import pandas as pd
import pytest

from geomon import api
from geomon.countries import EU27

def _by_hand(f: pd.DataFrame, reporter: str, stop: set[str]) -> pd.DataFrame:
    if reporter == "EU27":
        f = f[~(f["ex"].isin(EU27) & f["im"].isin(EU27))].copy()
        f.loc[f["ex"].isin(EU27), "ex"] = "EU27"
        f.loc[f["im"].isin(EU27), "im"] = "EU27"
    rows = {}
    for p, g in f.groupby("product"):
        imp = g[g["im"] == reporter]
        w, xs, v = g["usd"].sum(), g.loc[g["ex"].isin(stop), "usd"].sum(), imp["usd"].sum()
        a = imp.loc[imp["ex"].isin(stop), "usd"].sum()
        rest = g.loc[~g["ex"].isin(stop) & (g["ex"] != reporter) & (g["im"] != reporter), "usd"].sum()
        rows[p] = {"import_value_usd": v, "at_risk_value_usd": a, "world_export_value_usd": w,
                   "world_shortfall_share": xs / w, "expected_shortfall_usd": xs / w * v,
                   "covering_share": min(1.0, rest / a) if a > 0 else float("nan"),
                   "shortage_covering_share": 1 - min(1.0, xs / w * v / a) if a > 0 else float("nan")}
    return pd.DataFrame.from_dict(rows, orient="index")


@pytest.mark.parametrize("reporter,stop", [("EU27", "RUS"), ("NLD", "CHN")])
def test_every_product_equals_the_raw_csv(flows_2022, reporter, stop):
    got = api.scenario(reporter, stop, 2022).table.set_index("product")
    want = _by_hand(flows_2022, reporter, set(stop.split(",")))
    want = want[want["import_value_usd"] > 0]
    assert set(got.index) == set(want.index)
    for col in want.columns:
        pd.testing.assert_series_equal(got.loc[want.index, col].astype(float), want[col], rtol=1e-9,
                                       check_names=False, obj=f"{reporter} stop {stop}: {col}")


def test_eu27_gas_headline_numbers(flows_2022):
    """The README / issue-10 numbers: natural gas (271121), EU27, Russia stops, 2022:
    sigma = 47.30 / 324.49 bn = 14.58 %, expected shortfall 0.1458 x 212.21 bn = 30.94 bn USD,
    back if shared 1 - 30.94 / 40.37 = 23.4 %."""
    row = _by_hand(flows_2022[flows_2022["product"] == "271121"], "EU27", {"RUS"}).loc["271121"]
    assert round(row["world_shortfall_share"] * 100, 2) == 14.58
    assert round(row["expected_shortfall_usd"] / 1e9, 2) == 30.94
    assert round(row["at_risk_value_usd"] / 1e9, 2) == 40.37
    assert round(row["shortage_covering_share"] * 100, 1) == 23.4
