"""GeoPolRisk (Koyamparambath et al. 2024, as in ../shared/DESIGN.md): hand computations,
the WGI normalisation, real data against an independent pandas computation, blocs, errors."""

from __future__ import annotations

import json
from io import StringIO

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomon.analyses.supply import reference as ref
from geomon.analyses.supply.risk import risk
from geomon.countries import EU27
from geomon.engine import supply
from geomon.errors import InputError
from geomon.sources import wgi

CF_CU = 0.409412948


def _flows(rows):
    df = pd.DataFrame(rows, columns=["exporter", "importer", "value", "quantity"]).astype(
        {"exporter": "str", "importer": "str", "value": "float64"})
    df.insert(0, "year", 2022)
    df.insert(1, "product", "X")
    df["year"] = df["year"].astype("int32")
    df["product"] = df["product"].astype("str")
    df["quantity"] = df["quantity"].astype("float64")
    df["quantity_known"] = df["quantity"].notna()
    return df


def _run(ctx, flows, wgi_rows, prod_rows, members, inside):
    e = ctx.engine
    instab = supply.instability(e.table(pd.DataFrame(wgi_rows, columns=["iso3", "year", "estimate"]).astype({"estimate": "float64"})))
    imports = supply.weighted_imports(e.table(flows), instab, inside, 0.5)
    prod = pd.DataFrame(prod_rows, columns=["commodity", "year", "iso3", "production"])
    prod["production_t"] = prod["production"]
    pt = e.table(prod)
    keys = supply.production_concentration(pt).select("commodity", "year", "production_hhi")
    out = e.execute(supply.geopolrisk(keys, imports, supply.domestic_production(pt, members), CF_CU))
    return out.iloc[0]


def test_geopolrisk_hand_computed(ctx):
    # Commodity X in 2022. World production: A 60 t, B 30 t, R 10 t
    #   HHI_production = 0.6^2 + 0.3^2 + 0.1^2 = 0.36 + 0.09 + 0.01 = 0.46
    # Instability g = (2.5 - estimate) / 5:  A: -0.5 -> 0.6;  B: 1.5 -> 0.2;  D: no score -> 0.5
    # R imports  A 30 t for 60,000 USD;  B 50 t for 150,000 USD;  D 20 t for 40,000 USD;
    #            E 10,000 USD with an unknown quantity (left out of tonnes and price)
    #   import tonnes = 30 + 50 + 20 = 100;  weighted = 30 x 0.6 + 50 x 0.2 + 20 x 0.5 = 38
    #   WTA   = 38 / (100 + 10 own production) = 0.345454...
    #   Score = 0.46 x 0.345454... = 0.158909...
    #   Price = (60,000 + 150,000 + 40,000) USD / (100 t x 1000 kg/t) = 2.5 USD/kg
    #   CF    = 0.158909... x 2.5 / 0.409412948 = 0.970347...
    flows = _flows([("A", "R", 60000.0, 30.0), ("B", "R", 150000.0, 50.0), ("D", "R", 40000.0, 20.0),
                    ("E", "R", 10000.0, None)])
    wgi_rows = [("A", 2022, -0.5), ("B", 2022, 1.5), ("D", 2022, None), ("E", 2022, 0.0), ("A", 2021, 2.5)]
    prod = [("X", 2022, "A", 60.0), ("X", 2022, "B", 30.0), ("X", 2022, "R", 10.0)]
    r = _run(ctx, flows, wgi_rows, prod, ["R"], [])
    assert r["production_hhi"] == pytest.approx(0.46)
    assert r["import_tonnes"] == pytest.approx(100.0)
    assert r["weighted_tonnes"] == pytest.approx(38.0)
    assert r["domestic_production_tonnes"] == pytest.approx(10.0)
    assert r["wta"] == pytest.approx(38 / 110)
    assert r["score"] == pytest.approx(0.46 * 38 / 110)
    assert r["price_usd_per_kg"] == pytest.approx(2.5)
    assert r["cf"] == pytest.approx(0.46 * 38 / 110 * 2.5 / CF_CU)
    assert r["cf"] == pytest.approx(0.970347, abs=1e-6)
    assert r["import_value_usd"] == pytest.approx(260000.0)   # E's value stays in the import value
    assert r["missing_instability_tonnes"] == pytest.approx(20.0)
    assert not r["quantity_complete"]


def test_bloc_suppliers_count_zero_and_stay_in_the_denominator(ctx):
    # Bloc {R, S} imports X: R from A 30 t (g = 0.6), R from member S 10 t (g = 0 inside the bloc).
    # Own production: R 10 t + S 5 t = 15 t; world production A 60, R 10, S 5 (HHI irrelevant here).
    # count (geopolrisk-py 2.x): WTA = 30 x 0.6 / (30 + 10 + 15) = 18 / 55
    # drop:                      WTA = 18 / (30 + 15) = 0.4   (the member's flow is left out)
    flows = _flows([("A", "BLOC", 3000.0, 30.0), ("S", "BLOC", 1000.0, 10.0)])
    wgi_rows = [("A", 2022, -0.5), ("S", 2022, 2.5)]
    prod = [("X", 2022, "A", 60.0), ("X", 2022, "R", 10.0), ("X", 2022, "S", 5.0)]
    count = _run(ctx, flows, wgi_rows, prod, ["R", "S"], ["R", "S"])
    assert count["wta"] == pytest.approx(18 / 55) and count["inside_bloc_tonnes"] == pytest.approx(10.0)
    assert count["price_usd_per_kg"] == pytest.approx(4000 / 40000)
    drop = _run(ctx, flows[flows["exporter"] != "S"], wgi_rows, prod, ["R", "S"], [])
    assert drop["wta"] == pytest.approx(0.4)


def test_no_imports_and_no_production_leaves_wta_undefined(ctx):
    flows = _flows([])  # R imports nothing and produces nothing
    r = _run(ctx, flows, [("A", 2022, 0.0)], [("X", 2022, "A", 1.0)], ["R"], [])
    assert r["import_tonnes"] == 0 and pd.isna(r["wta"]) and pd.isna(r["score"]) and pd.isna(r["price_usd_per_kg"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from("ABCDE"), st.floats(0, 1e6), st.one_of(st.none(), st.floats(0, 1e4))),
                min_size=1, max_size=8),
       st.lists(st.one_of(st.none(), st.floats(-4, 4)), min_size=5, max_size=5),
       st.floats(0, 1e4))
def test_wta_and_score_stay_in_unit_interval(ctx, imports, estimates, own):
    flows = _flows([(s, "R", v, q) for s, v, q in imports])
    wgi_rows = [(c, 2022, e) for c, e in zip("ABCDE", estimates)]
    r = _run(ctx, flows, wgi_rows, [("X", 2022, "A", 5.0), ("X", 2022, "R", own + 1e-9)], ["R"], [])
    if not pd.isna(r["wta"]):
        assert -1e-12 <= r["wta"] <= 1 + 1e-12
        assert -1e-12 <= r["score"] <= r["production_hhi"] + 1e-12


# --- the WGI normalisation ------------------------------------------------------------------------

def test_instability_reproduces_the_shipped_normalisation(ctx):
    # geopolrisk-py's 'normalized' = clip((2.5 - estimate) / 5, 0, 1), wherever the estimate exists.
    w = wgi.load_political_stability()
    g = ctx.engine.execute(supply.instability(ctx.engine.table(w[["iso3", "year", "estimate"]])))
    check = w.assign(g=g["instability"].to_numpy()).dropna(subset=["estimate"])
    assert len(check) > 5000
    assert (check["g"] - check["source_normalized"]).abs().max() < 1e-9
    # e.g. Netherlands 2022: estimate 0.717305 -> (2.5 - 0.717305) / 5 = 0.356539
    nld = check[(check["iso3"] == "NLD") & (check["year"] == 2022)].iloc[0]
    assert nld["g"] == pytest.approx((2.5 - 0.717305) / 5, abs=1e-6)


def test_missing_estimates_are_missing_not_zero(ctx):
    w = wgi.load_political_stability()
    missing = w[w["estimate"].isna()]
    assert len(missing) > 100  # the source writes normalized = 0 for these; we keep them missing
    g = ctx.engine.execute(supply.instability(ctx.engine.table(missing[["iso3", "year", "estimate"]])))
    assert g["instability"].isna().all()
    # GUY merges Guyana and French Guiana in the source: two different series up to 2022 are
    # ambiguous, so missing (-> 0.5 in GeoPolRisk); in 2023 and 2024 the rows agree.
    guy = w[w["iso3"] == "GUY"].set_index("year")
    assert guy.loc[:2022, "ambiguous"].all() and guy.loc[:2022, "estimate"].isna().all()
    assert guy.loc[2023, "estimate"] == pytest.approx(0.4180182) and not guy.loc[2024, "ambiguous"]


def test_wgi_reader_dedups_and_flags(tmp_path):
    p = tmp_path / "pv.csv"
    p.write_text("country,country_iso3,year,estimate,normalized\n"
                 "Aruba,ABW,1996,,0.0\n"
                 "Guyana,GUY,2022,0.33,0.49\nGuyana,GUY,2022,0.33,0.43\nGuyana,GUY,2022,0.03,0.49\n"
                 "Netherlands,NLD,2022,0.717305,0.356539\n", encoding="utf-8")
    df = wgi.read_political_stability_csv(p).set_index("iso3")
    assert pd.isna(df.loc["ABW", "estimate"]) and pd.isna(df.loc["ABW", "source_normalized"])
    assert df.loc["GUY", "ambiguous"] and pd.isna(df.loc["GUY", "estimate"])
    assert df.loc["NLD", "estimate"] == pytest.approx(0.717305)


# --- real data ------------------------------------------------------------------------------------

def _pandas_geopolrisk(ctx, codes, wmd_name, year, members, reporter):
    """An independent pandas implementation of DESIGN.md's formula (count mode)."""
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    f = ctx.engine.execute(ctx.flows.filter(ctx.flows.year == year, ctx.flows["product"].isin(codes)))
    f["ex"], f["im"] = f["exporter"].map(iso), f["importer"].map(iso)
    f = f[(f["ex"] != f["im"]) & f["im"].isin(members)]
    g = f.groupby(["ex", "im", "product"]).agg(value=("value", "sum"), q=("quantity", "sum"),
                                               known=("quantity", lambda s: s.notna().all())).reset_index()
    w = ref.wgi_table()
    w = w[w["year"] == year].set_index("iso3")["estimate"]
    inst = ((2.5 - w) / 5).clip(0, 1)
    g["g"] = [0.0 if ex in members and len(members) > 1 else inst.get(ex, float("nan")) for ex in g["ex"]]
    g["g"] = g["g"].fillna(0.5)
    k = g[g["known"]]
    p = ref.production_table()
    p = p[(p["commodity"] == wmd_name) & (p["year"] == year)]
    pp = p[p["production"] > 0]["production"]
    hhi = ((pp / pp.sum()) ** 2).sum()
    own = p[p["iso3"].isin(members)]["production_t"].sum()
    wta = (k["q"] * k["g"]).sum() / (k["q"].sum() + own)
    price = k["value"].sum() / (k["q"].sum() * 1000)
    return {"production_hhi": hhi, "wta": wta, "score": hhi * wta, "price_usd_per_kg": price,
            "cf": hhi * wta * price / CF_CU, "import_tonnes": k["q"].sum(), "domestic_production_tonnes": own}


@pytest.mark.parametrize("reporter, commodity, codes, wmd_name", [
    ("NLD", "Lithium", ["282520", "283691"], "Lithium (Li2O)"),
    ("NLD", "Cobalt", ["282200", "810510"], "Cobalt"),
    ("EU27", "Rare earth", ["284690", "284610", "280530"], "Rare Earths (REO)"),
    ("EU27", "Lithium", ["282520", "283691"], "Lithium (Li2O)"),
])
def test_real_data_equals_an_independent_pandas_computation(ctx, reporter, commodity, codes, wmd_name):
    members = list(EU27) if reporter == "EU27" else [reporter]
    row = risk(ctx, reporter, 2022, commodities=[commodity]).table.iloc[0]
    want = _pandas_geopolrisk(ctx, codes, wmd_name, 2022, members, reporter)
    for key, value in want.items():
        assert row[key] == pytest.approx(value, rel=1e-9), key


def test_eu27_domestic_production_is_the_members_sum(ctx):
    t = risk(ctx, "EU27", 2022, commodities=["Lithium", "Tungsten", "Natural gas"]).table.set_index("commodity")
    p = ref.production_table()
    p = p[(p["year"] == 2022) & p["iso3"].isin(EU27)]
    # Lithium: Portugal is the only EU producer in World Mining Data (210 t Li2O in 2022)
    assert t.loc["Lithium", "domestic_production_tonnes"] == pytest.approx(210.0)
    for name, wmd_name in [("Tungsten", "Tungsten (W)"), ("Natural gas", "Natural Gas")]:
        assert t.loc[name, "domestic_production_tonnes"] == pytest.approx(p[p["commodity"] == wmd_name]["production_t"].sum())


def test_intra_bloc_count_versus_drop(ctx):
    count = risk(ctx, "EU27", 2022).table.set_index("wmd_commodity").sort_index()
    drop_ctx = type(ctx)(ctx.store, ctx.dataset, ctx.engine, ctx.config.with_overrides(**{"risk.intra_bloc": "drop"}))
    drop = risk(drop_ctx, "EU27", 2022).table.set_index("wmd_commodity").sort_index()
    both = count["score"].notna() & drop["score"].notna()
    assert both.sum() > 40
    c, d = count[both], drop[both]
    # members' imports from each other add tonnes with instability 0: same numerator, larger denominator
    pd.testing.assert_series_equal(c["weighted_import_tonnes"], d["weighted_import_tonnes"], rtol=1e-9)
    pd.testing.assert_series_equal(c["import_tonnes"], d["import_tonnes"] + c["inside_bloc_tonnes"], rtol=1e-9,
                                   check_names=False)
    assert (c["score"] <= d["score"] + 1e-12).all() and (d["inside_bloc_tonnes"] == 0).all()


def test_all_rows_are_consistent_and_bounded(ctx):
    t = risk(ctx, "NLD", first=2020, last=2022).table
    assert sorted(t["year"].unique()) == [2020, 2021, 2022] and len(t) == 3 * 65
    s = t.dropna(subset=["score"])
    assert ((s["wta"] >= 0) & (s["wta"] <= 1) & (s["score"] >= 0) & (s["score"] <= s["production_hhi"])).all()
    c = s.dropna(subset=["cf"])
    assert (c["cf"] - c["score"] * c["price_usd_per_kg"] / CF_CU).abs().max() < 1e-9


def test_commodities_without_codes_or_data_have_no_score_and_say_why(ctx):
    t = risk(ctx, "NLD", 2022, commodities=["Gallium", "Germanium", "Potash"]).table.set_index("commodity")
    for name in t.index:
        assert t.loc[name, ["wta", "score", "cf", "price_usd_per_kg", "import_tonnes"]].isna().all(), name
        assert t.loc[name, "production_hhi"] > 0
    assert t.loc["Gallium", "note"] == "no HS code in the commodity map"
    assert "no trade data in the store for HS 811230" in t.loc["Germanium", "note"]


def test_cf_reference_is_a_setting(ctx):
    base = risk(ctx, "NLD", 2022, commodities=["Cobalt"]).table.iloc[0]
    half = type(ctx)(ctx.store, ctx.dataset, ctx.engine, ctx.config.with_overrides(**{"risk.cf_reference": 2 * CF_CU}))
    other = risk(half, "NLD", 2022, commodities=["Cobalt"]).table.iloc[0]
    assert other["cf"] == pytest.approx(base["cf"] / 2) and other["score"] == pytest.approx(base["score"])


def test_years_without_production_or_wgi_data(ctx):
    with pytest.raises(InputError, match=r"no production data for 2010: World Mining Data covers 2018-2024"):
        risk(ctx, "NLD", 2010)
    with pytest.raises(InputError, match=r"no WGI political-stability data for 1997: the WGI covers 1996, 1998, 2000, 2002"):
        ref.check_wgi_year(1997)
    with pytest.raises(InputError, match="unknown commodity 'Kryptonite'; available: .*Cobalt"):
        risk(ctx, "NLD", 2022, commodities=["Kryptonite"])


REQUIRED_COLUMNS = ["reporter", "commodity", "year", "production_hhi", "wta", "score", "cf", "price_usd_per_kg",
                    "import_tonnes", "domestic_production_tonnes"]


def test_cli_risk_csv_columns_and_blocs(cli):
    r = cli("risk", "--reporter", "NLD", "--year", "2022", "-f", "csv")
    assert r.exit_code == 0, r.output
    t = pd.read_csv(StringIO(r.stdout))
    assert list(t.columns[:len(REQUIRED_COLUMNS)]) == REQUIRED_COLUMNS
    assert {"Lithium", "Cobalt", "Rare earth"} <= set(t["commodity"])
    r = cli("risk", "--reporter", "EU27", "--from", "2021", "--to", "2022", "-c", "Lithium,Cobalt", "-f", "json")
    doc = json.loads(r.stdout)
    assert {(x["reporter"], x["year"]) for x in doc["rows"]} == {("EU27", 2021), ("EU27", 2022)}
    assert doc["meta"]["intra_bloc"] == "count" and "GeoPolRisk" in doc["meta"]["method"]
    r = cli("risk", "--reporter", "NLD", "--year", "2022", "-c", "Lithium")
    assert r.exit_code == 0 and "GeoPolRisk for NLD, 2022" in r.stdout


def test_cli_risk_errors_are_one_line(cli):
    for args, message in [(("--year", "2010"), "no production data for 2010"),
                          (("-c", "Kryptonite"), "unknown commodity 'Kryptonite'; available:"),
                          (("--reporter", "XYZ"), "unknown reporter 'XYZ'"),
                          (("--intra-bloc", "maybe"), "risk.intra_bloc = 'maybe' is not allowed")]:
        r = cli("risk", *args)
        assert r.exit_code == 2, args
        assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
