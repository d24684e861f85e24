"""Substitute groups: the shipped file, group screening in the engine, changed verdicts on real
data, absent members, user groups and bad input."""

from __future__ import annotations

import json

import ibis
import pandas as pd
import pytest

from geomon.analyses.trade.groups import groups, load_groups, read_groups, screen_groups, shipped_groups_path
from geomon.errors import DataError


@pytest.fixture(scope="module")
def shipped(ctx):
    return load_groups(ctx)


def test_shipped_groups(shipped):
    g = shipped.groups
    assert set(g["lithium_compounds"].members) == {"282520", "283691"}
    assert set(g["rare_earths"].members) == {"284610", "284690", "280530"}
    ph = set(g["phosphorus_inputs"].members)
    assert {"251010", "251020", "280910", "280920"} <= ph
    assert any(m.startswith("3103") for m in ph) and any(m.startswith("3105") for m in ph)
    assert all(grp.sources for grp in g.values())  # every group says why its members substitute


def test_group_flows_are_summed_in_the_engine():
    """Hand-made flows. Reporter R buys product P1 90 from A and 10 from B, and P2 10 from A
    and 90 from B. Each product: import HHI 0.9^2 + 0.1^2 = 0.82. The group {P1, P2}: A 100,
    B 100, HHI 0.5^2 + 0.5^2 = 0.5; so with a threshold of 0.6 each member meets c1 and the
    group does not. P3 is not in the group and is left out."""
    from geomon.engine import indicators as ind
    from geomon.engine.groups import map_products

    flows = pd.DataFrame([(2022, 1, 9, "P1", 90.0, 9.0), (2022, 2, 9, "P1", 10.0, 1.0),
                          (2022, 1, 9, "P2", 10.0, None), (2022, 2, 9, "P2", 90.0, 9.0),
                          (2022, 1, 9, "P3", 5.0, 1.0)],
                         columns=["year", "exporter", "importer", "product", "value", "quantity"])
    econ = ibis.memtable(pd.DataFrame({"code": [1, 2, 9], "economy": ["A", "B", "R"]}))
    mapping = ibis.memtable(pd.DataFrame({"product": ["P1", "P2"], "group": ["g", "g"]}))
    con = ibis.duckdb.connect()
    flows_t = ibis.memtable(flows)
    per_product = con.execute(ind.import_indicators(ind.economy_flows(flows_t, econ))).set_index("product")
    assert per_product.loc["P1", "import_hhi"] == pytest.approx(0.82)
    assert per_product.loc["P2", "import_hhi"] == pytest.approx(0.82)
    grouped = con.execute(ind.import_indicators(ind.economy_flows(map_products(flows_t, mapping), econ)))
    assert list(grouped["product"]) == ["g"]
    assert grouped.loc[0, "import_value_usd"] == 200.0
    assert grouped.loc[0, "import_hhi"] == pytest.approx(0.5)
    assert not grouped.loc[0, "quantity_complete"]  # one member flow had no quantity


def test_group_numbers_equal_summed_member_flows(ctx):
    """NLD lithium compounds 2022: the group's import value is the two members' sum and its
    import HHI is the HHI of the suppliers' summed values (recomputed from 'geomon suppliers')."""
    from geomon.analyses.trade.screening import screen
    from geomon.analyses.trade.suppliers import suppliers

    gs = load_groups(ctx)
    g = screen_groups(ctx, "NLD", 2022, 2022, gs, ["lithium_compounds"]).iloc[0]
    members = screen(ctx, "NLD", 2022, products=["282520", "283691"]).table
    assert g["import_value_usd"] == pytest.approx(members["import_value_usd"].sum())
    by_supplier = pd.concat([suppliers(ctx, "NLD", p, 2022, 2022, 2022).table for p in ("282520", "283691")])
    v = by_supplier.groupby("supplier")["value_usd"].sum()
    assert g["import_hhi"] == pytest.approx(((v / v.sum()) ** 2).sum())
    assert g["top_supplier"] == v.idxmax() == "CHL"


@pytest.mark.parametrize("reporter", ["NLD", "EU27"])
def test_grouping_changes_the_lithium_verdict(ctx, reporter):
    """Lithium carbonate (283691) is a dependency in 2022 for NLD and the EU27 (Chile is the
    main supplier), but lithium hydroxide (282520) comes from other suppliers, so the group of
    lithium compounds is not a dependency: grouping changes the verdict."""
    res = groups(ctx, reporter, 2022)
    li = res.table.set_index("group").loc["lithium_compounds"]
    assert li["members_dependent"] == "283691"
    assert not li["dependent"] and li["verdict_changed"]
    assert "283691 dependent" in li["member_verdicts"] and "282520 not dependent" in li["member_verdicts"]
    assert res.meta["verdicts_changed"] >= 1
    assert res.table.iloc[0]["group"] == "lithium_compounds"  # changed verdicts come first
    detail = groups(ctx, reporter, 2022, ids=["lithium_compounds"], members=True).table.set_index("member")
    assert detail.at["283691", "verdict_changed"] and not detail.at["282520", "verdict_changed"]
    assert detail.at["283691", "member_dependent"] and not detail.at["283691", "group_dependent"]


def test_absent_members_are_reported_never_zero(ctx):
    """The embedded extract holds 74 raw-material codes: of the phosphorus inputs only ground
    phosphate rock (251020) is in it."""
    res = groups(ctx, "NLD", 2022, ids=["phosphorus_inputs"])
    ph = res.table.iloc[0]
    assert ph["members_with_data"] == "251020"
    assert "280910" in ph["members_absent"].split("; ") and "251010" in ph["members_absent"].split("; ")
    detail = groups(ctx, "NLD", 2022, ids=["phosphorus_inputs"], members=True).table.set_index("member")
    assert detail.at["280910", "member_status"] == "absent from data"
    assert pd.isna(detail.at["280910", "member_import_value_usd"])
    assert detail.at["251020", "member_status"] == "imported"


def test_group_with_no_member_imported(ctx):
    res = groups(ctx, "NLD", 2022, ids=["potash"])
    row = res.table.iloc[0]
    assert row["members_with_data"] == "" and row["change"] == "no member imported"
    assert not row["dependent"] and row["tier"] == "none" and pd.isna(row["import_value_usd"])


def _groups_file(tmp_path, body: str):
    f = tmp_path / "my_groups.csv"
    f.write_text("# version: mine-1\ngroup,label,product,note,source\n" + body)
    return f


def test_user_groups_extend_and_expand_headings(ctx, tmp_path):
    f = _groups_file(tmp_path, "pgm_all,All platinum-group metals,7110,heading,own judgement\n")
    gs = load_groups(ctx, f)
    assert "lithium_compounds" in gs.groups
    # HS92 heading 7110: platinum, palladium, rhodium, iridium/osmium/ruthenium (unwrought, semi-manufactured)
    assert gs.groups["pgm_all"].members == ("711011", "711019", "711021", "711029", "711031", "711039",
                                             "711041", "711049")
    only = load_groups(ctx, f, replace=True)
    assert only.ids == ["pgm_all"]


@pytest.mark.parametrize("line, message", [
    ("lithium_x,Lithium,123456,,", "unknown member 123456 of group lithium_x: not in the product list"),
    ("lithium_x,Lithium,1234,,", "heading 1234 of group lithium_x matches no product code"),
    ("Lithium X,Lithium,283691,,", "group id 'Lithium X' must be lowercase"),
    ("lithium_x,Lithium,28369,,", "not in the product list"),
    ("lithium_x,Lithium,283691,,", "member 283691 appears twice"),
])
def test_bad_group_file_names_the_line(ctx, tmp_path, line, message):
    f = _groups_file(tmp_path, "lithium_x,Lithium,283691,,\n" + line + "\n")
    with pytest.raises(DataError) as exc:
        read_groups(f, set(ctx.descriptions))
    assert str(exc.value).startswith(f"{f}, line 4: ") and message in str(exc.value)


def test_user_group_may_not_redefine_a_shipped_one(ctx, tmp_path):
    f = _groups_file(tmp_path, "lithium_compounds,Lithium,283691,,\n")
    with pytest.raises(DataError, match="group lithium_compounds is already defined"):
        load_groups(ctx, f)


def test_cli_unknown_group_member(cli, tmp_path):
    f = _groups_file(tmp_path, "magnets,Magnet materials,284690,,\nmagnets,Magnet materials,850511,,\n")
    res = cli("groups", "--reporter", "NLD", "--year", "2022", "--groups", f)
    assert res.exit_code == 0, res.stderr  # 850511 permanent magnets is an HS92 code
    f.write_text("group,label,product\nmagnets,Magnet materials,284690\nmagnets,Magnet materials,123456\n")
    res = cli("groups", "--reporter", "NLD", "--year", "2022", "--groups", f)
    assert res.exit_code == 2
    assert f"{f}, line 3: unknown member 123456 of group magnets" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_unknown_group_id(cli):
    res = cli("groups", "--group", "unobtainium")
    assert res.exit_code == 2 and "unknown substitute group 'unobtainium'" in res.stderr


def test_cli_groups_json_and_group_override(cli, tmp_path):
    f = tmp_path / "experts.toml"
    f.write_text('[[override]]\ngroup = "lithium_compounds"\ntier = "strategic"\n'
                 'reason = "one battery value chain"\nauthor = "Panel"\ndate = "2024-05-31"\n')
    res = cli("groups", "--reporter", "EU27", "--year", "2022", "--overrides", f, "--format", "json")
    assert res.exit_code == 0, res.stderr
    li = next(r for r in json.loads(res.stdout)["rows"] if r["group"] == "lithium_compounds")
    assert li["tier"] == "strategic" and li["computed_tier"] != "strategic"
    assert li["verdict_changed"] is True and li["override_author"] == "Panel"
    # the group's override applies to its members in the HS6 tiers too
    res = cli("tiers", "--reporter", "EU27", "--year", "2022", "--overrides", f, "--format", "json")
    rows = {r["product"]: r for r in json.loads(res.stdout)["rows"]}
    assert rows["282520"]["tier"] == "strategic"
    assert rows["282520"]["override_reason"] == "one battery value chain (group lithium_compounds)"


def test_shipped_groups_path_exists():
    assert shipped_groups_path().is_file()
