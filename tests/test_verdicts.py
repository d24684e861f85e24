"""Verdicts a trade economist would sign (issue 10): materiality, quantity gaps, trusted partners,
world supply concentration from the EU CRM study 2023, and a stable ferro-niobium verdict."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from geomon import api
from geomon.analyses.trade.tiers import TierRules, apply_rules
from geomon.countries import EU27

RULES = TierRules()


@pytest.fixture(scope="module")
def nld():
    return api.tiers("NLD", 2022).table.set_index("product")


@pytest.fixture(scope="module")
def flows(ctx):
    """NLD's 2022 import flows of the embedded store by supplier ISO3 (plain DuckDB on the
    Parquet files: an independent route to the numbers)."""
    root = ctx.dataset.root
    return duckdb.sql(
        f"select f.product, e.iso3 as supplier, f.value, f.quantity from "
        f"read_parquet('{root}/flows/**/*.parquet', hive_partitioning=true) f "
        f"join '{root}/countries.parquet' e on f.exporter = e.code "
        f"join '{root}/countries.parquet' i on f.importer = i.code "
        f"where i.iso3 = 'NLD' and f.year = 2022 and e.iso3 <> 'NLD'").df()


# --- done when: NLD 2022 strategic list ----------------------------------------------------------

def test_nld_2022_strategic_list(nld):
    strategic = nld[nld["tier"] == "strategic"]
    # ferro-niobium (510.7 M USD, 93.5 % from Brazil) and lithium carbonate (135.7 M USD)
    assert {"720293", "283691"} <= set(strategic.index)
    assert (strategic["import_value_usd"] >= 1_000_000).all()
    # no dependency resting on trusted (EU27) suppliers is strategic
    assert (strategic["third_country_import_hhi"] > 0.4).all()
    assert not strategic["top_supplier"].isin(EU27).any()


def test_materiality_beryllium_is_none_with_the_reason(nld):
    be = nld.loc["811211"]  # 507 USD of imports in 2022 (issue 10)
    assert be["import_value_usd"] == 507.0
    assert be["dependent"] and be["tier"] == "none"
    assert "imports of 507 USD are below the materiality threshold of 1,000,000 USD" in be["tier_reasons"]
    # below the threshold nothing is tiered, whatever the indicators
    assert (nld.loc[nld["import_value_usd"] < 1_000_000, "tier"] == "none").all()


def test_materiality_threshold_is_a_setting():
    t = api.tiers("NLD", 2022, min_import_usd=0).table.set_index("product")
    assert t.loc["811211", "tier"] != "none"


def test_quantity_gap_of_ferro_niobium_is_37_usd(nld, flows):
    """37 USD of 510,708,481 USD came without a quantity (nine EU partners, 2-9 USD each): no effect."""
    fe = flows[flows["product"] == "720293"]
    gap = fe.loc[fe["quantity"].isna(), "value"].sum()
    assert gap == 37.0 and fe["value"].sum() == 510_708_481.0
    row = nld.loc["720293"]
    assert row["quantity_missing_share"] == pytest.approx(37.0 / 510_708_481.0, rel=1e-12)
    assert row["tier"] == "strategic"
    assert "quantities missing for <0.1% of the import value, below 5%: no effect" in row["tier_reasons"]


def test_third_country_view_by_hand(nld, flows):
    """HHI_3 = sum over non-EU suppliers of (v_s / V)^2: Brazil 477,578,898 / 510,708,481 = 0.9351,
    Canada 30,502,705 / 510,708,481 = 0.0597, ... -> 0.8745 + 0.0036 + (small) = 0.878."""
    fe = flows[flows["product"] == "720293"].groupby("supplier")["value"].sum()
    v = fe.sum()
    third = fe[~fe.index.isin(EU27)]
    row = nld.loc["720293"]
    assert row["third_country_import_hhi"] == pytest.approx(((third / v) ** 2).sum(), rel=1e-12)
    assert row["third_country_import_hhi"] == pytest.approx(0.878, abs=5e-4)
    assert row["third_country_share"] == pytest.approx(third.sum() / v, rel=1e-12)
    assert row["third_country_top_supplier"] == "BRA"
    assert row["third_country_top_supplier_share"] == pytest.approx(477_578_898 / 510_708_481, rel=1e-12)
    assert row["trusted_suppliers"] == "EU27"


def test_rhodium_from_france_rests_on_trusted_suppliers():
    """NLD rhodium (711039) is a linked dependency (mostly from France); with materiality off it is a
    dependency resting on trusted suppliers, never strategic; without trusted suppliers it is not."""
    t = api.tiers("NLD", 2022, min_import_usd=0).table.set_index("product").loc["711039"]
    assert t["dependent"] and t["tier"] == "dependency"
    assert "resting on trusted suppliers (EU27): third-country import HHI" in t["tier_reasons"]
    alone = api.tiers("NLD", 2022, min_import_usd=0, trusted_suppliers="").table.set_index("product").loc["711039"]
    assert alone["trusted_suppliers"] == "" and alone["tier"] != "dependency"


def test_trust_circle_from_a_config_bloc(tmp_path):
    """A named group in the config joins the circle: NLD trusting EU27 + EFTA sees Norway as trusted
    (BACI files Liechtenstein under Switzerland, so EFTA is CHE, ISL, NOR here)."""
    cfg = tmp_path / "geomon.toml"
    cfg.write_text('[tiers]\ntrusted_suppliers = "EU27,EFTA"\n\n[blocs]\nEFTA = ["CHE", "ISL", "NOR"]\n')
    t = api.tiers("NLD", 2022, config=cfg, min_import_usd=0).table
    assert set(t["trusted_suppliers"]) == {"EU27, EFTA"}
    usa = api.tiers("USA", 2022, config=cfg).table  # the USA is in neither: it trusts no one
    assert set(usa["trusted_suppliers"]) == {""}


# --- the rules on hand-made rows ------------------------------------------------------------------

def _row(**kw):
    base = dict(reporter="NLD", product="720293", year=2022, import_value_usd=5e8, top_supplier="BRA",
                top_supplier_share=0.935, import_hhi=0.878, world_export_hhi=0.54, import_export_ratio=9999.0,
                c1_import_concentration=True, c2_world_concentration=True, c3_low_substitutability=True,
                criteria_met_years=3, dependent=True, quantity_complete=False, interest_areas="critical raw materials",
                alternative_suppliers=5, alternative_suppliers_strict=5, window_years_missing=0,
                quantity_missing_share=0.0, trusted_suppliers="EU27", third_country_import_hhi=0.878,
                third_country_top_supplier="BRA", third_country_top_supplier_share=0.935,
                world_supply_hhi=0.801, world_supply_basis="EU CRM 2023: Niobium processing")
    base.update(kw)
    out = apply_rules(pd.DataFrame([base]), RULES)
    return out["computed_tier"].iloc[0], out["tier_reasons"].iloc[0]


def test_world_supply_from_the_crm_study_decides_and_is_named():
    t, why = _row()
    assert t == "strategic" and "world supply HHI 0.801 (EU CRM 2023: Niobium processing) > 0.5" in why
    t, why = _row(world_supply_hhi=0.54, world_supply_basis="world exports")
    assert t == "strategic" and "world-export HHI 0.540 > 0.5" in why


def test_quantity_gap_turns_strategic_into_possible_only_when_material():
    assert _row(quantity_missing_share=0.049)[0] == "strategic"  # 4.9 % < 5 %
    t, why = _row(quantity_missing_share=0.05)
    assert t == "possible" and "quantities missing for 5.0% of the import value (>= 5%)" in why
    assert apply_rules(pd.DataFrame([{**dict(import_value_usd=5e8, dependent=True, criteria_met_years=3,
                                              interest_areas="energy", world_export_hhi=0.9,
                                              quantity_missing_share=0.5)}]),
                       TierRules(incomplete_quantities=False))["computed_tier"].iloc[0] == "strategic"


def test_trusted_rule_on_hand_made_rows():
    # 90 % from France, 10 % from the USA: HHI_3 = 0.1^2 = 0.01 <= 0.4
    t, why = _row(third_country_import_hhi=0.01, third_country_top_supplier="USA", third_country_top_supplier_share=0.1)
    assert t == "dependency"
    assert "resting on trusted suppliers (EU27): third-country import HHI 0.010 <= 0.4, largest third-country " \
           "supplier USA 10.0%" in why
    assert _row(third_country_import_hhi=0.01, trusted_suppliers="")[0] == "strategic"  # no circle: no trust


def test_materiality_on_hand_made_rows():
    t, why = _row(import_value_usd=999_999.0)
    assert t == "none" and "imports of 999,999 USD are below the materiality threshold" in why
    assert _row(import_value_usd=1_000_000.0)[0] == "strategic"


# --- done when: ferro-niobium stable 2005-2024, every change explained ----------------------------

CROSSINGS = {  # a verdict may change only when one of these crosses its threshold
    "dependent": lambda r: bool(r["dependent"]),
    "material": lambda r: r["import_value_usd"] >= RULES.min_import_usd,
    "world supply": lambda r: r["world_supply_hhi"] > RULES.strategic_world_hhi,
    "alternatives": lambda r: r["alternative_suppliers"] < RULES.min_alternative_suppliers,
    "quantity gap": lambda r: r["quantity_missing_share"] >= RULES.quantity_gap_share,
    "trusted": lambda r: r["third_country_import_hhi"] <= RULES.import_hhi,
}


def test_ferro_niobium_tier_is_stable_2005_2024():
    t = api.trends("NLD", 2005, 2024, product="720293").table.sort_values("year").reset_index(drop=True)
    assert list(t["year"]) == list(range(2005, 2025))
    changes = []
    for prev, cur in zip(t.iloc[:-1].to_dict("records"), t.iloc[1:].to_dict("records")):
        if prev["tier"] != cur["tier"]:
            crossed = [k for k, f in CROSSINGS.items() if f(prev) != f(cur)]
            assert crossed, f"{cur['year']}: {prev['tier']} -> {cur['tier']} without an indicator crossing"
            changes.append((cur["year"], crossed))
    # on the embedded data no indicator crosses: Niobium processing HHI 0.801 (CRM 2023) > 0.5 and
    # at most 1 alternative supplier every year, so the verdict is strategic throughout
    assert changes == []
    assert set(t["tier"]) == {"strategic"}
    assert (t["quantity_missing_share"] < 0.05).all()
