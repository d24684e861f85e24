"""Supply-stop scenarios: hand computation, invariants (Hypothesis), real data, bad input."""

from __future__ import annotations

import json
from io import StringIO

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomon.analyses.supply.scenario import ASSUMPTIONS, scenario, scenario_alternatives
from geomon.engine import supply
from geomon.errors import InputError

COUNTRIES = ["NLD", "CHN", "AUS", "CHL", "DEU", "USA"]


def _flows(rows):
    df = pd.DataFrame(rows, columns=["product", "exporter", "importer", "value", "quantity"]).astype(
        {"product": "str", "exporter": "str", "importer": "str", "value": "float64", "quantity": "float64"})
    df.insert(0, "year", 2022)
    df["year"] = df["year"].astype("int32")
    df["quantity_known"] = df["quantity"].notna()
    return df


def _scenario(ctx, flows, reporter, stopped):
    ef = ctx.engine.table(flows)
    exposure = supply.stop_exposure(ef.filter(ef.importer == reporter), stopped)
    alts = supply.alternative_exports(ef, reporter, stopped)
    cov = ctx.engine.execute(supply.coverage(exposure, alts))
    return cov.set_index("product"), ctx.engine.execute(alts)


def test_scenario_hand_computed(ctx):
    # Product P in 2022. NLD imports: CHN 80 USD (8 t), AUS 20 USD (2 t) -> V = 100.
    # Others: AUS->DEU 30 (3 t), CHL->DEU 10 (1 t), CHN->DEU 100, NLD->BEL 5 (the reporter's own exports).
    # CHN stops: at risk A = 80 (8 t), share 80 / 100 = 0.8.
    # Alternatives (not CHN, not NLD), exports to the rest of the world: AUS 30, CHL 10 -> 40.
    # Covering share = min(1, 40 / 80) = 0.5; in tonnes min(1, 4 / 8) = 0.5.
    # Product Q: NLD imports 10 from CHN; USA exports 500 to DEU -> covering min(1, 500 / 10) = 1.
    flows = _flows([("P", "CHN", "NLD", 80, 8), ("P", "AUS", "NLD", 20, 2), ("P", "AUS", "DEU", 30, 3),
                    ("P", "CHL", "DEU", 10, 1), ("P", "CHN", "DEU", 100, 10), ("P", "NLD", "BEL", 5, 1),
                    ("Q", "CHN", "NLD", 10, 1), ("Q", "USA", "DEU", 500, 50)])
    cov, alts = _scenario(ctx, flows, "NLD", ["CHN"])
    p = cov.loc["P"]
    assert p["import_value_usd"] == 100 and p["at_risk_value_usd"] == 80 and p["at_risk_tonnes"] == 8
    assert p["at_risk_share"] == pytest.approx(0.8)
    assert p["alternative_export_value_usd"] == 40 and p["alternative_supplier_count"] == 2
    assert p["covering_share"] == pytest.approx(0.5) and p["covering_share_tonnes"] == pytest.approx(0.5)
    assert cov.loc["Q", "covering_share"] == 1.0   # capped at 1
    a = alts[alts["product"] == "P"].set_index("exporter")
    assert set(a.index) == {"AUS", "CHL"}          # neither the stopping country nor the reporter
    assert a.loc["AUS", "rest_value_usd"] == 30 and a.loc["AUS", "to_reporter_value_usd"] == 20


def test_stopping_a_non_supplier_changes_nothing(ctx):
    flows = _flows([("P", "AUS", "NLD", 20, 2), ("P", "CHL", "DEU", 10, 1)])
    cov, _ = _scenario(ctx, flows, "NLD", ["CHN"])
    p = cov.loc["P"]
    assert p["at_risk_value_usd"] == 0 and p["at_risk_share"] == 0 and pd.isna(p["covering_share"])


flow_rows = st.lists(
    st.tuples(st.sampled_from(["P", "Q"]), st.sampled_from(COUNTRIES), st.sampled_from(COUNTRIES),
              st.floats(0.01, 1e9), st.one_of(st.none(), st.floats(0, 1e6))),
    min_size=1, max_size=25,
).map(lambda rows: [r for r in rows if r[1] != r[2]])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flow_rows, st.sets(st.sampled_from(COUNTRIES[1:]), min_size=1, max_size=3))
def test_scenario_invariants(ctx, rows, stopped):
    if not any(r[2] == "NLD" for r in rows):
        rows = rows + [("P", "AUS", "NLD", 1.0, 1.0)]
    flows = _flows(rows)
    cov, _ = _scenario(ctx, flows, "NLD", sorted(stopped))
    # at-risk share in [0, 1]; covering share in [0, 1] (never above 1)
    assert ((cov["at_risk_share"] >= 0) & (cov["at_risk_share"] <= 1 + 1e-12)).all()
    c = cov["covering_share"].dropna()
    assert ((c >= 0) & (c <= 1)).all()
    assert (cov["covering_share_tonnes"].dropna() <= 1).all()
    # stopping a country that does not supply the reporter changes nothing
    suppliers = {r[1] for r in rows if r[2] == "NLD"}
    outsider = [c for c in COUNTRIES[1:] if c not in suppliers]
    if outsider:
        cov2, _ = _scenario(ctx, flows, "NLD", outsider[:1])
        assert (cov2["at_risk_value_usd"] == 0).all()
        pd.testing.assert_series_equal(cov2["import_value_usd"].sort_index(), cov["import_value_usd"].sort_index())
    # stopping more suppliers never puts less at risk
    cov3, _ = _scenario(ctx, flows, "NLD", sorted(stopped | {"USA"}))
    joined = cov3["at_risk_value_usd"].reindex(cov.index)
    assert (joined + 1e-6 >= cov["at_risk_value_usd"]).all()


# --- real data ------------------------------------------------------------------------------------

def _nld_imports(ctx, code, year=2022):
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    f = ctx.engine.execute(ctx.flows.filter(ctx.flows.year == year, ctx.flows["product"] == code))
    f["ex"], f["im"] = f["exporter"].map(iso), f["importer"].map(iso)
    return f[f["ex"] != f["im"]]


def test_rare_earth_compounds_from_china_real_data(ctx):
    # NLD 2022, HS 284690 rare-earth compounds: China supplies most of it.
    row = scenario(ctx, "NLD", "CHN", 2022, products=["284690"]).table.iloc[0]
    f = _nld_imports(ctx, "284690")
    nld = f[f["im"] == "NLD"]
    at_risk = nld.loc[nld["ex"] == "CHN", "value"].sum()
    assert row["at_risk_value_usd"] == pytest.approx(at_risk)
    assert row["at_risk_share"] == pytest.approx(at_risk / nld["value"].sum())
    assert row["at_risk_share"] > 0.8
    rest = f[(f["im"] != "NLD") & ~f["ex"].isin(["CHN", "NLD"])]["value"].sum()
    assert row["alternative_export_value_usd"] == pytest.approx(rest)
    assert row["covering_share"] == pytest.approx(min(1.0, rest / at_risk))


def test_all_products_invariants_real_data(ctx):
    t = scenario(ctx, "NLD", "CHN,RUS", 2022).table
    assert len(t) > 50 and (t["stopped"] == "CHN,RUS").all()
    assert t["at_risk_share"].between(0, 1).all()
    assert t["covering_share"].dropna().between(0, 1).all()
    assert (t["remaining_value_usd"] + t["at_risk_value_usd"] - t["import_value_usd"]).abs().max() < 1e-3
    # sorted by value at risk; nothing-at-risk rows say so
    assert t["at_risk_value_usd"].is_monotonic_decreasing
    none = t[t["at_risk_value_usd"] == 0]
    assert none["covering_share"].isna().all() and none["note"].str.contains("nothing at risk").all()


def test_stopping_a_country_that_does_not_supply_changes_nothing_real_data(ctx):
    # Argentina, the second-largest exporter of lithium carbonate, sent none to the Netherlands in 2022.
    f = _nld_imports(ctx, "283691")
    assert f[(f["ex"] == "ARG") & (f["im"] != "NLD")]["value"].sum() > 1e8 and f[(f["ex"] == "ARG") & (f["im"] == "NLD")].empty
    base = scenario(ctx, "NLD", "CHN", 2022, products=["283691"]).table.iloc[0]
    none = scenario(ctx, "NLD", "ARG", 2022, products=["283691"]).table.iloc[0]
    assert none["at_risk_value_usd"] == 0 and none["at_risk_share"] == 0
    assert none["remaining_value_usd"] == base["import_value_usd"] and pd.isna(none["covering_share"])


def test_chain_scenario_per_stage(ctx):
    t = scenario(ctx, "NLD", "CHN", 2022, chain="rare_earths").table
    assert t["product"].tolist() == ["ores", "compounds", "metals", "magnets"]
    assert t["stage_order"].tolist() == [1, 2, 3, 4]
    stage = t.set_index("product")
    # compounds = 284610 + 284690 summed
    f = pd.concat([_nld_imports(ctx, "284610"), _nld_imports(ctx, "284690")])
    nld = f[f["im"] == "NLD"]
    assert stage.loc["compounds", "at_risk_value_usd"] == pytest.approx(nld.loc[nld["ex"] == "CHN", "value"].sum())
    # stages without data: no numbers, a reason
    assert pd.isna(stage.loc["ores", "at_risk_value_usd"]) and "no trade data" in stage.loc["ores", "note"]


def test_alternatives_are_ranked_and_cumulative_share_capped(ctx):
    t = scenario_alternatives(ctx, "NLD", "CHL", 2022, products="283691").table
    assert t["rank"].tolist() == list(range(1, len(t) + 1))
    assert t["rest_of_world_export_value_usd"].is_monotonic_decreasing
    assert t["cumulative_covering_share"].is_monotonic_increasing and t["cumulative_covering_share"].max() <= 1
    assert not t["supplier"].isin(["CHL", "NLD"]).any()
    assert t.iloc[0]["supplier"] in {"ARG", "CHN"}  # the next-largest lithium carbonate exporters


def test_bloc_reporter_and_assumptions(ctx):
    res = scenario(ctx, "EU27", "CHN", 2022, products=["284690", "280530"])
    assert (res.table["reporter"] == "EU27").all()
    assert res.meta["assumptions"] == ASSUMPTIONS
    assert any("no new capacity" in a for a in ASSUMPTIONS) and any("price" in a for a in ASSUMPTIONS)


@pytest.mark.parametrize("kwargs, message", [
    (dict(reporter="NLD", stop="NLD"), r"stopping country NLD is the reporter; choose suppliers of NLD in 2022: USA, RUS"),
    (dict(reporter="EU27", stop="CHN,DEU"), r"stopping country DEU is inside the reporter EU27; choose suppliers"),
    (dict(reporter="NLD", stop="XYZ"), r"unknown stopping country 'XYZ'"),
    (dict(reporter="NLD", stop=""), r"no stopping country given"),
    (dict(reporter="NLD", stop="CHN", chain="unobtainium"), r"unknown chain 'unobtainium'; available: cobalt"),
    (dict(reporter="NLD", stop="CHN", products="123456"), r"unknown product '123456'"),
    (dict(reporter="NLD", stop="CHN", products="283691", chain="lithium"), r"give products or a chain, not both"),
])
def test_bad_input(ctx, kwargs, message):
    with pytest.raises(InputError, match=message):
        scenario(ctx, year=2022, **kwargs)


def test_cli_scenario(cli):
    r = cli("scenario", "--reporter", "NLD", "--stop", "CHN", "--year", "2022", "--products", "284690,283691")
    assert r.exit_code == 0, r.output
    assert "Assumptions: no new capacity" in r.stdout and "no price response" in r.stdout
    r = cli("scenario", "--reporter", "NLD", "--stop", "CHN,RUS", "--year", "2022", "--chain", "lithium", "-f", "csv")
    t = pd.read_csv(StringIO(r.stdout), dtype={"hs_codes": str})
    assert t["product"].tolist() == ["ores", "chemicals", "cells"] and (t["stopped"] == "CHN,RUS").all()
    r = cli("scenario", "-r", "NLD", "-s", "CHN", "-y", "2022", "-p", "284690", "--alternatives", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["meta"]["assumptions"] == ASSUMPTIONS and doc["rows"][0]["rank"] == 1


def test_cli_scenario_errors_are_one_line(cli):
    r = cli("scenario", "--reporter", "NLD", "--stop", "NLD", "--year", "2022")
    assert r.exit_code == 2
    assert "stopping country NLD is the reporter; choose suppliers of NLD in 2022:" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = cli("scenario", "--reporter", "NLD", "--stop", "CHN", "--chain", "unobtainium")
    assert r.exit_code == 2 and "unknown chain 'unobtainium'" in r.stderr
