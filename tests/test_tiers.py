"""Tiers: the rules on hand-made rows, alternative suppliers, overrides, real data and the CLI."""

from __future__ import annotations

import json

import ibis
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomon.analyses.trade.tiers import (TIER_COLUMNS, TIERS, Override, TierRules, apply_overrides, apply_rules, classify,
                                         read_overrides)
from geomon.errors import DataError

RULES = TierRules()  # the defaults: t1 = t2 = 0.4, t3 = 1, 2 of 3 years, strategic world HHI 0.5, 3 alternatives,
# materiality 1 M USD, quantity gap 5 %


def tier_row(rec: dict, rules: TierRules) -> tuple[str, str]:
    """(computed tier, reasons) of one hand-made row, through the one (column-wise) implementation."""
    out = apply_rules(pd.DataFrame([rec]), rules)
    return out["computed_tier"].iloc[0], out["tier_reasons"].iloc[0]


def row(**kw):
    """One screening-shaped row: by default a dependency linked (certainly) to a public
    interest, with a concentrated world market (strategic)."""
    base = dict(reporter="NLD", product="283691", year=2022, import_value_usd=5e6, top_supplier="CHL",
                top_supplier_share=0.7, import_hhi=0.55, world_export_hhi=0.6, import_export_ratio=9999.0,
                c1_import_concentration=True, c2_world_concentration=True, c3_low_substitutability=True,
                criteria_met_years=3, dependent=True, quantity_complete=True,
                interest_areas="critical raw materials", interest_uncertain_areas="",
                alternative_suppliers=5, alternative_suppliers_strict=5, window_years_missing=0)
    base.update(kw)
    return base


def tier(**kw) -> str:
    return tier_row(row(**kw), RULES)[0]


# --- the rules, one case each (hand-made rows) ----------------------------------------------------

def test_strategic_by_world_concentration():
    t, why = tier_row(row(world_export_hhi=0.6, alternative_suppliers=5), RULES)
    assert t == "strategic"
    assert "world-export HHI 0.600 > 0.5" in why and "public interest: critical raw materials" in why


def test_strategic_by_few_alternative_suppliers():
    # world HHI 0.42 is below 0.5 x 0.9 = 0.45 (not near), but only 2 alternatives < 3
    t, why = tier_row(row(world_export_hhi=0.42, alternative_suppliers=2, alternative_suppliers_strict=2), RULES)
    assert t == "strategic"
    assert "2 alternative supplier(s)" in why


def test_linked_dependency_with_room_to_diversify_is_dependency():
    t, why = tier_row(row(world_export_hhi=0.42, alternative_suppliers=6, alternative_suppliers_strict=6), RULES)
    assert t == "dependency"
    assert "room to diversify" in why


def test_near_the_strategic_world_hhi_is_possible():
    # 0.47 > 0.5 x (1 - 0.1) = 0.45: within the 10 % margin
    assert tier(world_export_hhi=0.47, alternative_suppliers=6, alternative_suppliers_strict=6) == "possible"


def test_near_the_alternatives_rule_is_possible():
    # 3 alternatives at 0.5 x imports, but only 2 at 0.55 x imports
    assert tier(world_export_hhi=0.42, alternative_suppliers=3, alternative_suppliers_strict=2) == "possible"


def test_no_public_interest_link():
    assert tier(interest_areas="") == "dependency"
    assert tier(interest_areas="", dependent=False, criteria_met_years=1) == "none"


def test_met_in_fewer_years_than_required_is_possible():
    t, why = tier_row(row(dependent=False, criteria_met_years=1, c1_import_concentration=False, import_hhi=0.2), RULES)
    assert t == "possible"
    assert "fewer years than required" in why


def test_within_margin_of_a_criterion_is_possible():
    # c1 fails this year with import HHI 0.37 > 0.4 x 0.9 = 0.36; c2 and c3 hold
    near = dict(dependent=False, criteria_met_years=0, c1_import_concentration=False, import_hhi=0.37)
    assert tier(**near) == "possible"
    assert tier(**{**near, "import_hhi": 0.30}) == "none"
    # both failing criteria must be near: c2 far below
    assert tier(**{**near, "c2_world_concentration": False, "world_export_hhi": 0.2}) == "none"


def test_incomplete_data_makes_strategic_possible():
    t, why = tier_row(row(quantity_complete=False), RULES)
    assert t == "possible" and "quantities missing" in why
    assert tier_row(row(quantity_complete=False), TierRules(incomplete_quantities=False))[0] == "strategic"
    assert tier(window_years_missing=1) == "possible"
    # not dependent, met in 1 year, 1 window year missing from the data: could have been 2 of 3
    assert tier(dependent=False, criteria_met_years=1, window_years_missing=1, c1_import_concentration=False,
                import_hhi=0.1) == "possible"


def test_uncertain_link_makes_strategic_possible_only_without_a_certain_area():
    assert tier(interest_areas="energy", interest_uncertain_areas="energy") == "possible"
    assert tier(interest_areas="critical raw materials; energy", interest_uncertain_areas="energy") == "strategic"


def test_apply_rules_keeps_rows_and_adds_columns():
    df = pd.DataFrame([row(product="A"), row(product="B", interest_areas=""), row(product="C", dependent=False,
                                                                                 criteria_met_years=0,
                                                                                 interest_areas="")])
    out = apply_rules(df, RULES)
    assert list(out["product"]) == ["A", "B", "C"]
    assert list(out["computed_tier"]) == ["strategic", "dependency", "none"]
    assert "computed_tier" not in df  # pure: the input is not changed


@settings(max_examples=200, deadline=None)
@given(dependent=st.booleans(), met=st.integers(0, 3), linked=st.booleans(), unsure=st.booleans(),
       w=st.floats(0, 1), imp=st.floats(0, 1), alts=st.integers(0, 10), q=st.booleans(), missing=st.integers(0, 2))
def test_rule_properties(dependent, met, linked, unsure, w, imp, alts, q, missing):
    r = row(dependent=dependent, criteria_met_years=met if not dependent else max(met, 2),
            interest_areas="energy" if linked else "", interest_uncertain_areas="energy" if linked and unsure else "",
            world_export_hhi=w, import_hhi=imp, alternative_suppliers=alts, alternative_suppliers_strict=alts,
            quantity_complete=q, window_years_missing=missing)
    t, why = tier_row(r, RULES)
    assert t in TIERS and why
    if not linked:  # without a public interest only the quantitative verdict counts
        assert t == ("dependency" if dependent else "none")
    if t == "strategic":
        assert dependent and linked and not unsure and q and not missing
        assert w > RULES.strategic_world_hhi or alts < RULES.min_alternative_suppliers
    if dependent and linked:
        assert t != "none"


# apply_rules is column-wise: a frame's rows get exactly what each row gets alone. Generated frames mix values
# at and around every threshold and margin, missing values (None / NaN) and absent optional columns.
_HHI = st.one_of(st.sampled_from([0.0, 0.2, 0.36, 0.37, 0.4, 0.45, 0.46, 0.5, 0.55, 0.6, 1.0]),
                 st.floats(0, 1), st.none())
_RATIO = st.one_of(st.sampled_from([0.5, 0.9, 0.95, 1.0, 1.5, 9999.0]), st.floats(0, 50), st.none())
_COUNT = st.one_of(st.integers(0, 8), st.none())
_AREAS = ["", "energy", "health", "critical raw materials", "energy; health", "critical raw materials; energy"]
_GEN_COLUMNS = dict(
    dependent=st.one_of(st.booleans(), st.none()), criteria_met_years=st.integers(0, 5),
    interest_areas=st.one_of(st.sampled_from(_AREAS), st.none()),
    interest_uncertain_areas=st.one_of(st.sampled_from(_AREAS), st.none()),
    window_years_missing=st.integers(0, 3), quantity_complete=st.one_of(st.booleans(), st.none()),
    import_hhi=_HHI, world_export_hhi=_HHI, import_export_ratio=_RATIO,
    c1_import_concentration=st.booleans(), c2_world_concentration=st.booleans(),
    c3_low_substitutability=st.booleans(), alternative_suppliers=_COUNT, alternative_suppliers_strict=_COUNT,
    import_value_usd=st.one_of(st.sampled_from([0.0, 507.0, 999_999.0, 1e6, 5e8]), st.none()),
    quantity_missing_share=st.one_of(st.sampled_from([0.0, 1e-7, 0.049, 0.05, 0.5]), st.none()),
    trusted_suppliers=st.sampled_from(["", "EU27"]), third_country_import_hhi=_HHI,
    third_country_top_supplier=st.sampled_from(["", "BRA"]), third_country_top_supplier_share=_HHI,
    world_supply_hhi=_HHI, world_supply_basis=st.sampled_from(["", "world exports", "EU CRM 2023: Niobium processing"]))
_OPTIONAL = ["interest_uncertain_areas", "alternative_suppliers", "alternative_suppliers_strict",
             "window_years_missing", "quantity_complete", "import_value_usd", "quantity_missing_share",
             "trusted_suppliers", "third_country_import_hhi", "world_supply_hhi", "world_supply_basis"]
_GEN_RULES = st.builds(
    TierRules, import_hhi=st.sampled_from([0.3, 0.4, 0.5]), world_hhi=st.sampled_from([0.4, 0.5]),
    ratio=st.sampled_from([1.0, 0.9, 2]), window=st.integers(1, 5), min_years=st.integers(1, 5),
    strategic_world_hhi=st.sampled_from([0.5, 0.45, 0.6]), min_alternative_suppliers=st.integers(0, 6),
    alternative_min_share=st.sampled_from([0.5, 0.25, 1.0]), margin=st.sampled_from([0.0, 0.1, 0.25, 0.5]),
    incomplete_quantities=st.booleans(), min_import_usd=st.sampled_from([0.0, 1e6]),
    quantity_gap_share=st.sampled_from([0.0, 0.05, 1.0]))


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.fixed_dictionaries(_GEN_COLUMNS), min_size=1, max_size=12),
       dropped=st.sets(st.sampled_from(_OPTIONAL)), rules=_GEN_RULES)
def test_apply_rules_rows_are_independent(rows, dropped, rules):
    cols = [c for c in _GEN_COLUMNS if c not in dropped]
    df = pd.DataFrame([{c: r[c] for c in cols} for r in rows], columns=cols)
    out = apply_rules(df, rules)
    alone = [apply_rules(df.iloc[[i]].reset_index(drop=True), rules) for i in range(len(df))]
    assert list(out["computed_tier"]) == [a["computed_tier"].iloc[0] for a in alone]
    assert list(out["tier_reasons"]) == [a["tier_reasons"].iloc[0] for a in alone]
    assert list(out.columns) == list(df.columns) + ["computed_tier", "tier_reasons"]


# --- overrides ----------------------------------------------------------------------------------

def _tiered(**kw) -> pd.DataFrame:
    return apply_rules(pd.DataFrame([row(product="283691", **kw), row(product="282520", dependent=False,
                                                                        criteria_met_years=0, interest_areas="")]),
                       RULES)


def test_override_changes_the_tier_and_keeps_the_computed_one():
    ov = [Override("283691", "dependency", "Chile and Argentina are stable partners", "J. Jansen", "2024-05-31")]
    out = apply_overrides(_tiered(), ov)
    got = out.set_index("product")
    assert got.at["283691", "computed_tier"] == "strategic"
    assert got.at["283691", "tier"] == "dependency"
    assert got.at["283691", "override_reason"] == "Chile and Argentina are stable partners"
    assert got.at["283691", "override_author"] == "J. Jansen" and got.at["283691", "override_date"] == "2024-05-31"
    assert got.at["282520", "tier"] == "none" and got.at["282520", "override_reason"] == ""


def test_override_precedence_product_reporter_group():
    groups_of = {"283691": ["lithium_compounds"], "282520": ["lithium_compounds"]}
    ov = [Override("lithium_compounds", "possible", "substitutable", "A", "2024-01-01"),
          Override("283691", "none", "for everyone", "B", "2024-01-02"),
          Override("283691", "strategic", "for NLD", "C", "2024-01-03", reporter="NLD")]
    out = apply_overrides(_tiered(), ov, groups_of).set_index("product")
    assert out.at["283691", "tier"] == "strategic" and out.at["283691", "override_author"] == "C"
    assert out.at["282520", "tier"] == "possible"
    assert out.at["282520", "override_reason"] == "substitutable (group lithium_compounds)"


def _overrides_row_by_row(df, overrides, groups_of):
    """The reference for one row at a time: product + reporter, product, then per group
    (in order) group + reporter, group; the first found wins."""
    by = {(o.target, o.reporter): o for o in overrides}
    out = []
    for target, reporter, computed in df[["product", "reporter", "computed_tier"]].itertuples(index=False):
        found = by.get((target, reporter)) or by.get((target, ""))
        for g in ([] if found else groups_of.get(target, [])):
            found = by.get((g, reporter)) or by.get((g, ""))
            if found:
                break
        if found is None:
            out.append((computed, "", "", ""))
        else:
            via = f" (group {found.target})" if found.target != target else ""
            out.append((found.tier, found.reason + via, found.author, found.date))
    return out


_PRODUCTS, _GROUPS, _REPORTERS = ["283691", "282520", "720293", "310530"], ["g1", "g2"], ["NLD", "DEU", "EU27"]


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(_PRODUCTS), st.sampled_from(_REPORTERS), st.sampled_from(TIERS)),
                     max_size=20),
       overrides=st.lists(st.tuples(st.sampled_from(_PRODUCTS + _GROUPS), st.sampled_from(["", *_REPORTERS]),
                                    st.sampled_from(TIERS)), max_size=8),
       groups_of=st.dictionaries(st.sampled_from(_PRODUCTS), st.lists(st.sampled_from(_GROUPS), unique=True)))
def test_apply_overrides_equals_the_row_by_row_precedence(rows, overrides, groups_of):
    df = pd.DataFrame(rows, columns=["product", "reporter", "computed_tier"])
    ovs = [Override(t, tier, f"reason {i}", f"author {i}", f"2024-01-{i + 1:02d}", reporter=r)
           for i, (t, r, tier) in enumerate(overrides)]
    out = apply_overrides(df, ovs, groups_of)
    got = list(out[["tier", "override_reason", "override_author", "override_date"]].itertuples(index=False, name=None))
    assert got == _overrides_row_by_row(df, ovs, groups_of)
    pd.testing.assert_frame_equal(out[df.columns], df)


def test_read_overrides_csv_and_toml(tmp_path):
    csv_file = tmp_path / "ov.csv"
    csv_file.write_text("# expert panel 2024\nproduct,tier,reason,author,date,reporter\n"
                        "283691,dependency,\"stable partners, long contracts\",J. Jansen,2024-05-31,NLD\n"
                        "lithium_compounds,possible,substitutes exist,K. de Vries,2024-06-01,\n")
    got = read_overrides(csv_file, {"283691", "lithium_compounds"})
    assert [(o.target, o.tier, o.reporter, o.line) for o in got] == [
        ("283691", "dependency", "NLD", 3), ("lithium_compounds", "possible", "", 4)]
    assert got[0].reason == "stable partners, long contracts"
    toml_file = tmp_path / "ov.toml"
    toml_file.write_text('[[override]]\nproduct = "283691"\ntier = "none"\nreason = "r"\nauthor = "a"\n'
                         'date = "2024-05-31"\n\n[[override]]\ngroup = "lithium_compounds"\ntier = "possible"\n'
                         'reason = "r"\nauthor = "a"\ndate = "2024-05-31"\n')
    assert [(o.target, o.line) for o in read_overrides(toml_file, {"283691", "lithium_compounds"})] == [
        ("283691", 1), ("lithium_compounds", 8)]


@pytest.mark.parametrize("line, message", [
    ("283691,urgent,r,a,2024-05-31", "tier 'urgent' is not allowed"),
    ("283691,none,r,a,31-05-2024", "date '31-05-2024' is not a date"),
    ("999999,none,r,a,2024-05-31", "'999999' is neither an HS6 product code"),
    ("283691,none,,a,2024-05-31", "reason is empty"),
    ("283691,none,r,a", "4 fields where the header has 5"),
])
def test_malformed_override_names_file_and_line(tmp_path, line, message):
    f = tmp_path / "ov.csv"
    f.write_text("product,tier,reason,author,date\n282520,none,ok,a,2024-05-31\n" + line + "\n")
    with pytest.raises(DataError) as exc:
        read_overrides(f, {"283691", "282520"})
    assert f"{f}, line 3: " in str(exc.value) and message in str(exc.value)
    assert "\n" not in str(exc.value)


def test_duplicate_override_is_an_error(tmp_path):
    f = tmp_path / "ov.csv"
    f.write_text("product,tier,reason,author,date\n283691,none,r,a,2024-05-31\n283691,possible,r,a,2024-05-31\n")
    with pytest.raises(DataError, match=r"line 3: a second override for 283691 \(first on line 2\)"):
        read_overrides(f, {"283691"})


# --- alternative suppliers in the engine ----------------------------------------------------------

@pytest.mark.parametrize("running", [True, False])
def test_alternative_suppliers_hand_computed(running):
    """Reporter R imports 100 of product P: 60 from A (top), 40 from B. Exports of P to
    others: A 500, B 30 (+ 40 to R = 70 in all), C 80, D 49, E 50, R itself 1000.
    With share 0.5 an alternative must export >= 50 elsewhere: C (80) and E (50); not A
    (top supplier), B (70 - 40 = 30), D (49) or R (the reporter). At share 0.55 (>= 55): C only.
    Both ways of counting (running count, join) give these numbers."""
    from geomon.engine.alternatives import alternative_suppliers

    flows = pd.DataFrame(
        [(2022, "A", "R", "P", 60.0), (2022, "B", "R", "P", 40.0), (2022, "A", "X", "P", 500.0),
         (2022, "B", "X", "P", 30.0), (2022, "C", "Y", "P", 80.0), (2022, "D", "X", "P", 49.0),
         (2022, "E", "Y", "P", 25.0), (2022, "E", "X", "P", 25.0), (2022, "R", "X", "P", 1000.0)],
        columns=["year", "exporter", "importer", "product", "value"]).astype({"year": "int32"})
    keys = pd.DataFrame({"year": [2022], "importer": ["R"], "product": ["P"], "import_value_usd": [100.0],
                         "top_supplier": ["A"]})
    con = ibis.duckdb.connect()
    out = con.execute(alternative_suppliers(ibis.memtable(flows), ibis.memtable(keys), 0.5, margin=0.1,
                                            running=running))
    assert out.loc[0, "alternative_suppliers"] == 2
    assert out.loc[0, "alternative_suppliers_strict"] == 1


_CON = None


def _duckdb():
    global _CON
    if _CON is None:
        _CON = ibis.duckdb.connect()
    return _CON


@settings(max_examples=60, deadline=None)
@given(flows=st.dictionaries(st.tuples(st.sampled_from("ABCDR"), st.sampled_from("ABCDRX"), st.sampled_from("PQ")),
                             st.sampled_from([1.0, 2.0, 3.0, 5.0, 10.0, 20.0]), max_size=30),
       tops=st.lists(st.one_of(st.none(), st.sampled_from("ABCDX")), min_size=4, max_size=4),
       share=st.sampled_from([0.25, 0.5, 1.0]), margin=st.sampled_from([-0.2, 0.0, 0.1, 0.5]),
       running=st.booleans())
def test_alternative_suppliers_equal_the_definition(flows, tops, share, margin, running):
    """Counts from the engine equal the definition, exporter by exporter: e != r, e != top,
    x(e) - v(e, r) >= share x V(r) (small values, so thresholds are often hit exactly), by the
    running count and by the join alike."""
    from geomon.engine.alternatives import alternative_suppliers

    f = pd.DataFrame([(2022, e, i, p, v) for (e, i, p), v in flows.items() if e != i],
                     columns=["year", "exporter", "importer", "product", "value"]).astype({"year": "int32"})
    keys = pd.DataFrame([(2022, r, p, v, t) for (r, p, v), t in zip(
        [("R", "P", 10.0), ("R", "Q", 4.0), ("X", "P", 6.0), ("D", "Q", 2.0)], tops)],
        columns=["year", "importer", "product", "import_value_usd", "top_supplier"])
    schema = {"year": "int32", "exporter": "string", "importer": "string", "product": "string", "value": "float64"}
    out = _duckdb().execute(alternative_suppliers(ibis.memtable(f, schema=schema), ibis.memtable(keys), share, margin,
                                                  running=running))
    out = out.set_index(["importer", "product"])
    x = f.groupby(["product", "exporter"])["value"].sum()
    for k in keys.itertuples():
        v = f[(f["importer"] == k.importer) & (f["product"] == k.product)].set_index("exporter")["value"]
        rest = {e: total - v.get(e, 0.0) for (p, e), total in x.items() if p == k.product}
        ok = [e for e in rest if e != k.importer and e != k.top_supplier]
        assert out.at[(k.importer, k.product), "alternative_suppliers"] == sum(
            rest[e] >= share * k.import_value_usd for e in ok)
        assert out.at[(k.importer, k.product), "alternative_suppliers_strict"] == sum(
            rest[e] >= share * (1.0 + margin) * k.import_value_usd for e in ok)


def test_alternative_suppliers_on_real_data_match_pandas(ctx):
    """NLD lithium carbonate 2022, recounted in pandas from the economy flows."""
    from geomon.analyses.trade.screening import screen_years
    from geomon.engine import indicators as ind

    s = screen_years(ctx, "NLD", 2022, 2022, ["283691"])
    got = classify(ctx, s)
    f = ctx.flows.filter(ctx.flows.year == 2022, ctx.flows["product"] == "283691")
    ef = ctx.engine.execute(ind.economy_flows(f, ctx.econ_table(ctx.economy("NLD"))))
    imports = ef[ef["importer"] == "NLD"]
    top = imports.sort_values("value").iloc[-1]["exporter"]
    rest = ef[ef["importer"] != "NLD"].groupby("exporter")["value"].sum()
    expect = int(((rest >= 0.5 * imports["value"].sum()) & (rest.index != top) & (rest.index != "NLD")).sum())
    assert top == got.loc[0, "top_supplier"] == "CHL"
    assert got.loc[0, "alternative_suppliers"] == expect


# --- classify on the embedded real data -----------------------------------------------------------

def test_classify_keeps_screening_rows_and_adds_tier_columns(ctx):
    from geomon.analyses.trade.screening import screen

    screened = screen(ctx, "NLD", 2022).table
    got = classify(ctx, screened)
    assert list(got.columns) == list(screened.columns) + TIER_COLUMNS
    pd.testing.assert_frame_equal(got[screened.columns], screened)  # the numbers equal 'geomon screen'
    assert set(got["tier"]) <= set(TIERS)
    assert (got["tier"] == got["computed_tier"]).all()  # no overrides configured
    assert not got.loc[~got["dependent"], "computed_tier"].isin(["strategic", "dependency"]).any()
    assert got["tier_reasons"].str.len().gt(0).all()


def test_eu27_ferro_niobium_is_strategic(ctx):
    """Ferro-niobium (720293): Brazil (CBMM) supplies most of the world (USGS Mineral Commodity
    Summaries 2024, niobium: Brazil about 90 % of mine production); niobium is on the EU
    CRM list (Regulation (EU) 2024/1252, Annex II)."""
    from geomon.analyses.trade.tiers import tiers

    res = tiers(ctx, "EU27", 2022)
    fe_nb = res.table.set_index("product").loc["720293"]
    assert fe_nb["top_exporter"] == "BRA" and fe_nb["world_export_hhi"] > 0.5
    assert fe_nb["dependent"] and fe_nb["tier"] == "strategic"
    assert "critical raw materials" in fe_nb["interest_areas"]
    assert res.meta["tiers"]["strategic"] >= 1


def test_classify_several_reporters_and_years(ctx):
    from geomon.analyses.trade.screening import screen_years

    both = pd.concat([screen_years(ctx, "NLD", 2021, 2022), screen_years(ctx, "EU27", 2022, 2022)],
                     ignore_index=True)
    got = classify(ctx, both)
    assert len(got) == len(both)
    one = classify(ctx, screen_years(ctx, "EU27", 2022, 2022))
    pd.testing.assert_frame_equal(got[got["reporter"] == "EU27"].reset_index(drop=True), one)


# --- CLI ----------------------------------------------------------------------------------------

def test_cli_tiers_csv(cli):
    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "--format", "csv")
    assert res.exit_code == 0, res.output
    from io import StringIO

    df = pd.read_csv(StringIO(res.stdout), dtype={"product": str})
    for col in ["product", "dependent", "interest_areas", "computed_tier", "tier", "tier_reasons", "override_reason"]:
        assert col in df.columns
    assert "283691" in set(df["product"])


def test_cli_override_changes_a_tier(cli, tmp_path):
    f = tmp_path / "experts.csv"
    f.write_text("product,tier,reason,author,date\n283691,dependency,battery value chain,Panel,2024-05-31\n")
    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "--overrides", f, "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    li = next(r for r in doc["rows"] if r["product"] == "283691")
    assert li["computed_tier"] == "strategic" and li["tier"] == "dependency"
    assert li["override_reason"] == "battery value chain" and li["override_author"] == "Panel"
    assert doc["meta"]["overridden"] == 1


def test_cli_malformed_override_file(cli, tmp_path):
    f = tmp_path / "experts.csv"
    f.write_text("product,tier,reason,author,date\n283691,strategic,ok,Panel,2024-05-31\n282520,high,x,Panel,2024-05-31\n")
    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "--overrides", f)
    assert res.exit_code == 2
    assert f"{f}, line 3: tier 'high' is not allowed" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_unknown_tier_filter(cli):
    res = cli("tiers", "--tier", "critical")
    assert res.exit_code == 2 and "unknown tier 'critical'" in res.stderr


def test_toml_override_errors_name_the_line(tmp_path):
    f = tmp_path / "ov.toml"
    f.write_text('[[override]]\nproduct = "283691"\ntier = "none"\nreason = "r"\nauthor = "a"\n'
                 'date = "2024-05-31"\n\n[[override]]\nproduct = "282520"\ntier = "maybe"\nreason = "r"\n'
                 'author = "a"\ndate = "2024-05-31"\n')
    with pytest.raises(DataError, match=rf"{f}, line 8: tier 'maybe' is not allowed"):
        read_overrides(f, {"283691", "282520"})
    f.write_text('[[override]]\nproduct = "283691"\ntier = none\n')
    with pytest.raises(DataError, match=r"not valid TOML: .*line 3"):
        read_overrides(f, {"283691"})


def test_tiers_meta_records_the_curated_files(ctx):
    from geomon.analyses.trade.tiers import tiers

    meta = tiers(ctx, "NLD", 2022).meta
    (path, info), = meta["interest_map_files"].items()
    assert path.endswith("public_interest.csv") and info["version"] and len(info["sha256"]) == 12
    assert meta["overrides"] == "" and meta["groups_files"]


def test_classify_duplicate_rows_get_the_same_counts(ctx):
    from geomon.analyses.trade.screening import screen_years

    one = screen_years(ctx, "NLD", 2022, 2022, ["283691", "720293"])
    twice = classify(ctx, pd.concat([one, one], ignore_index=True))
    single = classify(ctx, one)
    assert list(twice["alternative_suppliers"]) == list(single["alternative_suppliers"]) * 2


# --- substitute groups, column-wise -------------------------------------------------------------

def _member_rows_row_by_row(ctx, reporters, chosen, year, g_df, m_df, present):
    """The reference: one dict per (reporter, group, member), looked up row by row."""
    have = set(zip(present["group"], present["product"]))
    g_idx = g_df.set_index(["reporter", "product"]) if len(g_df) else None
    m_idx = m_df.set_index(["reporter", "product"]) if len(m_df) else None
    rows = []
    for rep in reporters:
        for g in chosen:
            grow = g_idx.loc[(rep, g.id)] if g_idx is not None and (rep, g.id) in g_idx.index else None
            for p in g.members:
                mrow = m_idx.loc[(rep, p)] if m_idx is not None and (rep, p) in m_idx.index else None
                rec = {"reporter": rep, "group": g.id, "label": g.label, "year": year, "member": p,
                       "member_description": ctx.descriptions.get(p, ""),
                       "member_status": ("imported" if mrow is not None else
                                         "not imported" if (g.id, p) in have else "absent from data")}
                for c in ("import_value_usd", "top_supplier", "import_hhi", "criteria_met_years"):
                    rec[f"member_{c}"] = mrow[c] if mrow is not None else None
                rec["member_dependent"] = bool(mrow["dependent"]) if mrow is not None else None
                rec["member_tier"] = mrow["tier"] if mrow is not None else None
                for c in ("import_value_usd", "top_supplier", "import_hhi", "criteria_met_years"):
                    rec[f"group_{c}"] = grow[c] if grow is not None else None
                rec["group_dependent"] = bool(grow["dependent"]) if grow is not None else False
                rec["group_tier"] = grow["tier"] if grow is not None else "none"
                rec["verdict_changed"] = mrow is not None and rec["member_dependent"] != rec["group_dependent"]
                rec["tier_changed"] = mrow is not None and rec["member_tier"] != rec["group_tier"]
                rows.append(rec)
    return pd.DataFrame(rows)


def _summary_row_by_row(detail):
    rows = []
    for rep, sub in detail.groupby("reporter", sort=True):
        for gid, d in sub.groupby("group", sort=False):
            imported = d[d["member_status"] == "imported"]
            dep = imported[imported["member_dependent"] == True]  # noqa: E712
            changed, gdep = bool(d["verdict_changed"].any()), bool(d["group_dependent"].iloc[0])
            change = ("no member imported" if imported.empty else
                      f"group {'dependent' if gdep else 'not dependent'}, {len(dep)} of {len(imported)} imported "
                      f"members dependent" if changed else f"same verdict as its {len(imported)} imported member(s)")
            verdicts = "; ".join(f"{r.member} {'dependent' if r.member_dependent else 'not dependent'} "
                                 f"({r.member_tier})" for r in imported.itertuples())
            rows.append({"reporter": rep, "group": gid, "members": "; ".join(d["member"]),
                         "members_with_data": "; ".join(d.loc[d["member_status"] != "absent from data", "member"]),
                         "members_absent": "; ".join(d.loc[d["member_status"] == "absent from data", "member"]),
                         "members_imported": "; ".join(imported["member"]), "members_dependent": "; ".join(dep["member"]),
                         "member_verdicts": verdicts, "verdict_changed": changed,
                         "tier_changed": bool(d["tier_changed"].any()), "change": change})
    return pd.DataFrame(rows)


def test_group_member_rows_and_summary_equal_the_row_by_row_build(ctx, tmp_path):
    """Reporters of ALL 2022 (a sample), with a group override: member rows joined column-wise
    and the per-group summary equal the row-by-row build (values and column types)."""
    from geomon.analyses.trade import groups as G
    from geomon.analyses.trade.screening import screen_years

    ov = tmp_path / "ov.csv"
    ov.write_text("group,tier,reason,author,date\nlithium_compounds,strategic,battery chain,Panel,2024-05-31\n")
    gs = G.load_groups(ctx)
    ids = gs.ids
    mapping = gs.mapping(ids)
    g_df = classify(ctx, G.screen_groups(ctx, "ALL", 2022, 2022, gs, ids), overrides=str(ov), groups_of={},
                    group_map=mapping)
    m_df = classify(ctx, screen_years(ctx, "ALL", 2022, 2022, sorted(set(mapping["product"]))), overrides=str(ov),
                    groups_of=gs.groups_of())
    present = G._presence(ctx, [2022], mapping)
    reporters = sorted(set(g_df["reporter"]) | set(m_df["reporter"]))[::6] + ["NLD"]  # a sample: the reference is slow
    chosen = [gs.groups[g] for g in ids]
    detail = G._member_rows(ctx, reporters, chosen, 2022, g_df, m_df, present)
    pd.testing.assert_frame_equal(detail, _member_rows_row_by_row(ctx, reporters, chosen, 2022, g_df, m_df, present))
    assert detail["member_status"].eq("imported").any() and detail["member_status"].eq("absent from data").any()
    pd.testing.assert_frame_equal(G._summary(detail), _summary_row_by_row(detail))
    assert G._summary(detail)["verdict_changed"].any()


# --- public-interest links, column-wise ---------------------------------------------------------

@settings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["28", "2836", "283691", "283699", "31", "3105", "310530", "7202"]),
                               st.sampled_from(["energy", "health", "critical raw materials"]),
                               st.sampled_from(["certain", "uncertain"]), st.sampled_from(["list A", "list B"])),
                     max_size=12),
       products=st.lists(st.sampled_from(["283691", "283699", "283620", "310530", "310540", "720293", "28", "2"]),
                         max_size=10),
       mode=st.sampled_from(["possible", "ignore", "link"]))
def test_link_products_equals_the_prefix_definition(rows, products, mode):
    """A product links to the areas of every map row whose prefix starts its code; an area is
    uncertain when none of its matching rows is certain (mode possible)."""
    from geomon.analyses.trade.interests import COLUMNS, InterestMap, link_products

    table = pd.DataFrame([(p, a, "", s, c, "") for p, a, c, s in rows], columns=COLUMNS)
    got = link_products(InterestMap(table, {}), products, mode)
    assert list(got["product"]) == sorted(set(products))
    for r in got.itertuples():
        hit = [x for x in rows if r.product.startswith(x[0]) and (mode != "ignore" or x[2] == "certain")]
        areas = sorted({x[1] for x in hit})
        unsure = [a for a in areas if mode == "possible" and not any(x[1] == a and x[2] == "certain" for x in hit)]
        assert r.interest_areas == "; ".join(areas)
        assert r.interest_uncertain_areas == "; ".join(unsure) and r.interest_certain == (not unsure)
        assert r.interest_sources == "; ".join(sorted({x[3] for x in hit}))
