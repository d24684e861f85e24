"""World-shortage scenario (issue 10): a dominant supplier's stop is a world shortage every importer
competes for. Rule: the remaining world exports are shared among all importers in proportion to
their demand (current imports), so every importer keeps (1 - sigma) of its imports."""

from __future__ import annotations

import duckdb
import ibis
import pandas as pd
import pytest

from geomon import api
from geomon.countries import EU27
from geomon.engine import supply


def test_world_shortage_on_a_four_country_world(ctx):
    """A, B, C, D trade one product. A exports 60 to C and 20 to D; B exports 10 to C and 10 to D.
    World exports W = 100. A stops: X_S = 80, sigma = 80 / 100 = 0.8. C imports 70 and keeps
    70 x 0.2 = 14 (shortfall 56); D imports 30 and keeps 6 (shortfall 24). The remaining exports
    (B's 20) are all that is shared: 14 + 6 = 20."""
    flows = pd.DataFrame({"year": [2022] * 4, "product": ["p"] * 4, "exporter": ["A", "A", "B", "B"],
                          "importer": ["C", "D", "C", "D"], "value": [60.0, 20.0, 10.0, 10.0],
                          "quantity": [1.0] * 4, "quantity_known": [True] * 4})
    t = ibis.memtable(flows)
    w = ctx.engine.execute(supply.world_shortage(t, ["A"])).iloc[0]
    assert w["world_export_value_usd"] == 100.0 and w["stopped_world_export_value_usd"] == 80.0
    assert w["world_shortfall_share"] == pytest.approx(0.8, abs=1e-15)
    kept = {i: m * (1 - w["world_shortfall_share"]) for i, m in (("C", 70.0), ("D", 30.0))}
    assert kept == pytest.approx({"C": 14.0, "D": 6.0})
    assert sum(kept.values()) == pytest.approx(20.0)  # exactly B's exports: nothing is created or lost
    # bilateral view for C: A's 60 at risk, other exporters (B) sell 10 elsewhere -> covers 10/60 at most
    exposure = supply.stop_exposure(t.filter(t.importer == "C"), ["A"])
    cov = ctx.engine.execute(supply.coverage(exposure, supply.alternative_exports(t, "C", ["A"]))).iloc[0]
    assert cov["covering_share"] == pytest.approx(10.0 / 60.0)


@pytest.fixture(scope="module")
def eu_rus():
    return api.scenario("EU27", "RUS", 2022).table.set_index("product")


def test_eu27_stop_rus_natural_gas_by_hand(ctx, eu_rus):
    """EU27, Russia stops, natural gas in gaseous state (271121), 2022, on the embedded BACI extract:
    W = 324.49 bn USD of world exports (intra-EU flows left out: the EU is one economy),
    X_RUS = 47.30 bn, sigma = 0.1458; the EU imports M = 212.21 bn, 40.37 bn of it from Russia.
    Expected shortfall = 0.1458 x 212.21 bn = 30.94 bn: the EU gets back only 1 - 30.94 / 40.37 =
    23 % of what Russia delivered, while the bilateral view says 100 % coverable."""
    root = ctx.dataset.root
    eu = "(" + ", ".join(f"'{c}'" for c in EU27) + ")"
    f = duckdb.sql(
        f"select e.iso3 ex, i.iso3 im, f.value from read_parquet('{root}/flows/**/*.parquet', hive_partitioning=true) f "
        f"join '{root}/countries.parquet' e on f.exporter = e.code join '{root}/countries.parquet' i "
        f"on f.importer = i.code where f.year = 2022 and f.product = '271121' "
        f"and not (e.iso3 in {eu} and i.iso3 in {eu})").df()
    world = f["value"].sum()
    x_rus = f.loc[f["ex"] == "RUS", "value"].sum()
    m_eu = f.loc[f["im"].isin(EU27), "value"].sum()
    a = f.loc[f["im"].isin(EU27) & (f["ex"] == "RUS"), "value"].sum()
    row = eu_rus.loc["271121"]
    assert row["world_export_value_usd"] == pytest.approx(world, rel=1e-12)
    assert row["world_shortfall_share"] == pytest.approx(x_rus / world, rel=1e-12)
    assert row["world_shortfall_share"] == pytest.approx(0.1458, abs=5e-5)
    assert row["expected_shortfall_usd"] == pytest.approx(x_rus / world * m_eu, rel=1e-12)
    assert row["expected_shortfall_usd"] == pytest.approx(30.94e9, rel=1e-3)
    assert row["at_risk_value_usd"] == pytest.approx(a, rel=1e-12)
    assert row["covering_share"] == 1.0  # the bilateral upper bound
    assert row["shortage_covering_share"] == pytest.approx(1 - x_rus / world * m_eu / a, rel=1e-12)
    assert row["shortage_covering_share"] < 0.25


def test_eu27_stop_rus_shortfall_below_full_coverage_where_russia_is_large(eu_rus):
    """Where Russia is a large world supplier (>= 10 % of world exports), the world-shortage view
    leaves the EU short although the bilateral view calls the loss 100 % coverable."""
    large = eu_rus[(eu_rus["world_shortfall_share"] >= 0.10) & (eu_rus["at_risk_value_usd"] > 0)]
    assert {"271121", "711021"} <= set(large.index)  # natural gas; palladium
    assert (large["covering_share"] == 1.0).all()
    assert (large["shortage_covering_share"] < 1.0).all()
    assert (large["expected_shortfall_share"] == large["world_shortfall_share"]).all()


def test_shortage_rule_is_stated():
    meta = api.scenario("NLD", "CHN", 2022, products="283691").meta
    assert "in proportion to their current imports" in " ".join(meta["assumptions"])
    assert meta["shortage_rule"].startswith("sigma = ")
