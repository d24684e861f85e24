"""EU CRM study 2023 (supply shares per stage): the shipped copy, country names, stage HHIs by hand,
the HS6 map, and its use in production, value chains and tiers.

Published values: European Commission (2023), Study on the Critical Raw Materials for the EU 2023,
Appendix 7 (doi:10.2873/725585): lithium processing China 56.2 %, Chile 32.1 %, Argentina 10.5 %,
United States 1.2 %; lithium extraction Australia 53.0 %; cerium (light rare earths) processing
China 84.9 %, Malaysia 10.5 %.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from geomon import api
from geomon.analyses.supply import crm as acrm
from geomon.sources import crm
from geomon.sources.crm import COUNTRY_ISO3, load_hs_map, load_supply_shares, parse_share

from conftest import SHARED


def test_shipped_copy_is_the_transcription_byte_for_byte():
    original = SHARED / "crm-eu-2023" / "fact_GlobalSupplyShares_and_t.csv"
    if not original.is_file():
        pytest.skip("../shared/data/crm-eu-2023 is not here; the shipped copy is checked where it is")
    shipped = crm.data_dir() / "global_supply_shares.csv"
    assert hashlib.sha256(shipped.read_bytes()).digest() == hashlib.sha256(original.read_bytes()).digest()


def test_every_country_name_has_an_iso3_code():
    raw = pd.read_csv(crm.data_dir() / "global_supply_shares.csv", encoding="latin-1", dtype=str)
    names = set(raw["Country"])
    assert len(names) == 163
    assert names == set(COUNTRY_ISO3)  # every name of the file, and only those
    shares = load_supply_shares()
    assert shares["iso3"].notna().all() and shares["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    # the transcription's odd spellings
    assert COUNTRY_ISO3["Brasilia"] == "BRA" and COUNTRY_ISO3["Turkyie"] == COUNTRY_ISO3["T\u00fcrkiye"] == "TUR"
    assert COUNTRY_ISO3["Congo, D.R."] == "COD" and COUNTRY_ISO3["Korea, South"] == "KOR"


def test_every_code_names_a_country_of_the_store(ctx):
    """Every ISO3 code is a BACI country, except those BACI does not list on their own."""
    iso3 = set(ctx.countries.column("iso3").to_pylist())
    missing = {c for c in set(COUNTRY_ISO3.values()) if c not in iso3}
    assert missing <= {"XKX", "GUF", "TWN"}  # Kosovo (no code), French Guiana (in France), Taiwan (S19)


def test_shares_parse_and_published_values():
    assert parse_share("56.2%") == (pytest.approx(0.562), False)
    assert parse_share("<0.1%") == (0.0, True)
    s = load_supply_shares().set_index(["material", "stage", "iso3"])["share"]
    assert s[("Lithium", "P", "CHN")] == pytest.approx(0.562)
    assert s[("Lithium", "P", "CHL")] == pytest.approx(0.321)
    assert s[("Lithium", "P", "ARG")] == pytest.approx(0.105)
    assert s[("Lithium", "E", "AUS")] == pytest.approx(0.530)
    assert s[("Cerium", "P", "CHN")] == pytest.approx(0.849)


def test_stage_hhi_by_hand():
    conc = acrm.stage_concentration().set_index(["material", "stage"])
    # lithium processing: 0.562^2 + 0.321^2 + 0.105^2 + 0.012^2 = 0.315844 + 0.103041 + 0.011025 + 0.000144
    assert conc.at[("Lithium", "P"), "crm_hhi"] == pytest.approx(0.430054, abs=1e-12)
    assert conc.at[("Lithium", "P"), "crm_top"] == "CHN 56.2%, CHL 32.1%, ARG 10.5%"
    # niobium processing: Brazil 88.8 %, Canada 11.2 %: 0.788544 + 0.012544
    assert conc.at[("Niobium", "P"), "crm_hhi"] == pytest.approx(0.801088, abs=1e-12)


def test_hs_map_is_sourced_and_uses_codes_of_the_store(ctx):
    m = load_hs_map()
    assert m["source"].str.len().gt(20).all()
    assert set(m["hs6"]) <= set(ctx.descriptions)
    assert set(m["stage"]) <= {"E", "P"}
    got = m.set_index(["hs6", "material"])["stage"]
    assert got[("283691", "Lithium")] == "P" and got[("261000", "Chromium")] == "E"  # examples of issue 10


def test_production_shows_both_stages():
    t = api.production("Lithium", 2022).table.iloc[0]
    assert t["crm_material"] == "Lithium"
    assert t["crm_extraction_top"].startswith("AUS 53.0%")
    assert t["crm_processing_top"].startswith("CHN 56.2%")


def test_chain_lithium_names_china_as_top_processor():
    res = api.chain("lithium", "NLD", 2022)
    chem = res.table.set_index("stage").loc["chemicals"]
    assert chem["crm_top_country"] == "CHN" and chem["crm_top_share"] == pytest.approx(0.562)
    assert chem["crm_stage"] == "Lithium processing"
    assert res.meta["chokepoint"] == "chemicals" and res.meta["chokepoint_kind"] == "processing"
    assert res.meta["chokepoint_basis"] == "EU CRM 2023 processing"
    assert "Study on the Critical Raw Materials for the EU 2023" in res.meta["stage_source"]


def test_chain_rare_earth_compounds_from_processing_shares():
    """Compounds (284610, 284690): world-export HHI 0.155 but light rare earths are processed 84.9 % in
    China: 0.849^2 + 0.105^2 + 0.019^2 + 0.016^2 + 0.010^2 + 0.001^2 + 0.001^2 = 0.732545."""
    t = api.chain("rare_earths", "NLD", 2022).table.set_index("stage").loc["compounds"]
    assert t["world_export_hhi"] < 0.16
    assert t["concentration"] == pytest.approx(0.732545, abs=1e-9)
    assert t["concentration_basis"] == "EU CRM 2023 processing" and t["crm_top"].startswith("CHN 84.9%")
