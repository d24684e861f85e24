"""The supply part's faster routes give the numbers of the routes they replace (issue 15).

- scenario: alternatives X_rest(e) = x(e) - v(e, r) and the world shortage from stats/exports and
  stats/world, against summing every flow (the route of a store without statistics);
- chains: all chains in one batch of queries, against one chain at a time;
- EU CRM stage lookups: computed once per top_n as one table, against the per-group loop they
  replace (written out below);
- the top-N texts of all groups at once, against a hand-written case.

Floats to 1e-12 relative (the statistics are sums in another order: DuckDB's parallel sums move the
last bits); every text, count and flag equal.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geomon.analyses import context
from geomon.analyses.supply import crm
from geomon.analyses.supply import reference as ref
from geomon.analyses.supply.chains import chain, chain_list, chains
from geomon.analyses.supply.scenario import scenario, scenario_alternatives
from geomon.countries import ALIASES
from geomon.sources import crm as crm_source

CASES = {
    "NLD stop CHN, every product": dict(reporter="NLD", stop="CHN"),
    "DEU stop CHN and RUS, every product": dict(reporter="DEU", stop="CHN,RUS"),
    "NLD stop CHN, three codes": dict(reporter="NLD", stop="CHN", products="283691,282520,810590"),
    "NLD stop CHN, rare-earth chain": dict(reporter="NLD", stop="CHN", chain="rare_earths"),
    "USA stop CHN, lithium chain": dict(reporter="USA", stop="CHN", chain="lithium"),
}


def _both(ctx, fn, **kwargs):
    """(statistics route, flows route) of ``fn`` in 2022."""
    assert ctx.dataset.has_stats  # the embedded store carries the statistics
    fast = fn(ctx, year=2022, **kwargs)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ctx.engine, "stats", lambda *a, **k: None)  # as a store written before stats/ existed
        slow = fn(ctx, year=2022, **kwargs)
    return fast, slow


@pytest.mark.parametrize("case", sorted(CASES))
def test_scenario_from_statistics_equals_summing_the_flows(ctx, case):
    fast, slow = _both(ctx, scenario, **CASES[case])
    assert len(fast.table) > 0 and fast.table["at_risk_value_usd"].fillna(0).gt(0).any()
    pd.testing.assert_frame_equal(fast.table, slow.table, rtol=1e-12, atol=0)
    for k in ("at_risk_value_usd", "expected_shortfall_usd"):
        assert fast.meta[k] == pytest.approx(slow.meta[k], rel=1e-12)
    assert fast.meta["products_at_risk"] == slow.meta["products_at_risk"]


@pytest.mark.parametrize("case", ["NLD stop CHN, every product", "NLD stop CHN, rare-earth chain"])
def test_scenario_alternatives_from_statistics_equal_summing_the_flows(ctx, case):
    fast, slow = _both(ctx, scenario_alternatives, **CASES[case])
    assert len(fast.table) > 10
    # X_rest(e) = x(e) - v(e, r) can lose the last bits where e sells almost all to r: 1e-12 of x(e)
    pd.testing.assert_frame_equal(fast.table, slow.table, rtol=1e-9, atol=0)


def test_all_chains_in_one_batch_equal_one_chain_at_a_time(ctx):
    names = chain_list(ctx).table["chain"].tolist()
    for reporter in ("NLD", "EU27"):
        batch = chains(ctx, names, reporter, 2022)
        assert [r.meta["chain"] for r in batch] == names
        for name, got in zip(names, batch):
            one = chain(ctx, name, reporter, 2022)
            pd.testing.assert_frame_equal(got.table, one.table, rtol=1e-12, atol=0)
            assert got.meta["chokepoint"] == one.meta["chokepoint"]


def _stage_concentration_loop(top_n: int) -> pd.DataFrame:
    """The per-group computation :func:`crm.stage_concentration` replaced (geomon before issue 15)."""
    s = crm_source.load_supply_shares().copy()
    s["iso3"] = s["iso3"].map(lambda c: ALIASES.get(c, c))
    rows = []
    for (m, g), part in s.groupby(["material", "stage"], sort=True):
        top = part.sort_values(["share", "iso3"], ascending=[False, True]).iloc[0]
        r = part[part["share"] > 0].sort_values(["share", "iso3"], ascending=[False, True]).head(top_n)
        rows.append({"material": m, "stage": g, "crm_hhi": float((part["share"] ** 2).sum()),
                     "crm_top_country": top["iso3"], "crm_top_share": float(top["share"]),
                     "crm_top": ", ".join(f"{i} {v * 100:.1f}%" for i, v in zip(r["iso3"], r["share"])),
                     "crm_share_total": float(part["share"].sum())})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("top_n", [1, 3, 5])
def test_crm_stage_table_equals_the_per_group_loop(top_n):
    got = crm.stage_concentration(top_n)
    pd.testing.assert_frame_equal(got, _stage_concentration_loop(top_n), check_exact=True)
    got.loc[0, "crm_hhi"] = -1.0  # callers get a copy: the cached table stays as it was
    assert crm.stage_concentration(top_n).loc[0, "crm_hhi"] != -1.0


def test_crm_product_stage_per_code_equals_the_whole_map():
    codes = sorted(set(crm_source.load_hs_map()["hs6"]))
    every = crm.product_stage(codes + ["999999"]).set_index("product")
    assert list(every.index) == codes  # sorted, unmapped codes have no row
    for code in codes[::5]:
        one = crm.product_stage([code])
        pd.testing.assert_frame_equal(one.set_index("product"), every.loc[[code]], check_exact=True)
    # lithium carbonate: processing of lithium, CHN 56.2 % (EU CRM study 2023, see test_crm.py)
    assert every.loc["283691", "basis"] == "EU CRM 2023: Lithium processing"
    assert every.loc["283691", "crm_top"] == "CHN 56.2%, CHL 32.1%, ARG 10.5%"
    assert crm.product_stage([]).empty and list(crm.product_stage(["999999"]).columns) == list(every.reset_index().columns)


def test_top_texts_of_every_group_at_once():
    top = pd.DataFrame({"product": ["B", "A", "A", "B", "C"], "year": [2022, 2022, 2022, 2021, 2022],
                        "exporter": ["USA", "AUS", "CHN", "DEU", "FRA"], "share": [0.5, 0.25, 0.621, 1.0, 0.0004],
                        "rank": [1, 2, 1, 1, 1]})
    assert ref.top_texts(top[top["year"] == 2022], ["product"], key="exporter") == {
        "A": "CHN 62.1%, AUS 25.0%", "B": "USA 50.0%", "C": "FRA 0.0%"}
    assert ref.top_texts(top, ["product", "year"], key="exporter") == {
        ("A", 2022): "CHN 62.1%, AUS 25.0%", ("B", 2021): "DEU 100.0%", ("B", 2022): "USA 50.0%",
        ("C", 2022): "FRA 0.0%"}
    assert ref.top_texts(top.iloc[:0], ["product"]) == {}


def test_code_flows_read_once_equal_the_store(ctx):
    """Chains sum the flows of their codes read once (reference.code_flows): the same rows as
    the store's, and the same codes with data as codes_with_flows."""
    codes = ["283691", "282520", "810590", "260500", "999999"]
    got = ref.code_flows(ctx, codes, [2021, 2022])
    assert got.present == ref.codes_with_flows(ctx, codes, [2021, 2022])
    assert {"283691", "282520"} <= got.present[2022] and "999999" not in got.present[2022]
    f = ctx.flows
    want = ctx.engine.execute(f.filter(f.year.isin([2021, 2022]), f["product"].isin(codes)))
    keys = ["year", "product", "exporter", "importer"]
    rows = ctx.engine.execute(got.table).sort_values(keys).reset_index(drop=True)
    pd.testing.assert_frame_equal(rows, want.sort_values(keys).reset_index(drop=True))
    assert ref.code_flows(ctx, [], [2022]).present == {2022: set()}


def test_reporter_flows_without_the_pair_sum_equal_with_it(ctx, monkeypatch):
    """The statistics route reads the reporter's own flows without summing them per economy pair when
    every economy has one BACI code (issue 15). The embedded country list has ISO3 codes with two
    codes, so the pair sum runs there; in 2022 each of NLD's suppliers trades under one code only,
    so both ways must give the same scenario (floats to 1e-12, texts equal)."""
    from geomon.analyses.context import importer_codes

    f = ctx.flows
    own = ctx.engine.execute(f.filter(f.year == 2022, f.importer.isin(importer_codes(ctx, [ctx.economy("NLD")]))))
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    assert not pd.Series(sorted(set(own["exporter"]))).map(iso).duplicated().any()  # one code per supplier
    summed = scenario(ctx, "NLD", "CHN", 2022).table
    monkeypatch.setattr(context, "one_code_each", lambda c: True)  # merge_needed asks it
    plain = scenario(ctx, "NLD", "CHN", 2022).table
    pd.testing.assert_frame_equal(plain, summed, rtol=1e-12)
    assert (summed["at_risk_value_usd"] > 0).sum() > 10
