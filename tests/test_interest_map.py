"""The public-interest map: the shipped file, user maps (extend / replace), malformed files."""

from __future__ import annotations

import pandas as pd
import pytest

from geomon.analyses.trade.interests import AREAS, link_products, load_map, read_map, shipped_map_path
from geomon.config import Config
from geomon.errors import DataError


@pytest.fixture(scope="module")
def shipped():
    return read_map(shipped_map_path())


def test_shipped_map_is_versioned_sourced_and_covers_every_area(shipped):
    t = shipped.table
    assert shipped.versions[str(shipped_map_path())]  # '# version: ...' line
    assert set(AREAS) <= set(t["area"])
    assert t["source"].str.len().gt(0).all()
    assert set(t["certainty"]) == {"certain", "uncertain"}
    assert not t.duplicated(["hs_prefix", "area"]).any()


def test_every_shipped_prefix_is_an_hs92_code(shipped, ctx):
    """HS92-compatible: every prefix starts at least one code of the HS 1992 product list."""
    codes = list(ctx.descriptions)
    orphans = [p for p in shipped.table["hs_prefix"] if not any(c.startswith(p) for c in codes)]
    assert orphans == []


@pytest.mark.parametrize("code, areas", [
    # Regulation (EU) 2024/1252 Annex II lists lithium; IEA Critical Minerals Outlook 2024: batteries
    ("283691", "critical raw materials; energy"),
    ("282520", "critical raw materials; energy"),
    # Annex II lists phosphate rock; COM(2022) 590 names phosphates as fertiliser inputs
    ("251020", "critical raw materials; food security"),
    ("284690", "critical raw materials; energy"),  # rare earths (Annex II), magnets for wind turbines
    ("720293", "critical raw materials"),  # niobium (Annex II)
    ("270900", "energy"),  # crude oil (IEA)
    ("250700", ""),  # kaolin: on no list
])
def test_links_of_embedded_raw_materials(shipped, code, areas):
    got = link_products(shipped, [code]).set_index("product")
    assert got.at[code, "interest_areas"] == (areas or "")


def test_most_embedded_raw_materials_are_linked(shipped, ctx):
    """The embedded extract is 74 raw-material codes; most are on a public list."""
    from geomon.analyses.trade.screening import screen

    products = sorted(set(screen(ctx, "EU27", 2022).table["product"]))
    links = link_products(shipped, products)
    assert (links["interest_areas"] != "").sum() >= 45


def test_uncertain_links(shipped):
    # 280450 'boron; tellurium': only boron is listed, so the row is uncertain
    got = link_products(shipped, ["280450"], "possible").set_index("product")
    assert got.at["280450", "interest_uncertain_areas"] == "critical raw materials"
    assert link_products(shipped, ["280450"], "link").loc[0, "interest_uncertain_areas"] == ""
    assert link_products(shipped, ["280450"], "ignore").loc[0, "interest_areas"] == ""


def _user_map(tmp_path, body: str):
    f = tmp_path / "my_map.csv"
    f.write_text("# version: test-1\nhs_prefix,area,subarea,source,certainty,note\n" + body)
    return f


def test_user_map_extends_or_replaces(tmp_path):
    f = _user_map(tmp_path, "2507,industrial minerals,kaolin,National raw-materials strategy 2024,certain,\n")
    extended = load_map(Config(), f)
    got = link_products(extended, ["250700", "283691"]).set_index("product")
    assert got.at["250700", "interest_areas"] == "industrial minerals"
    assert got.at["283691", "interest_areas"] == "critical raw materials; energy"
    replaced = load_map(Config().with_overrides(**{"tiers.interest_map": str(f), "tiers.interest_map_mode": "replace"}))
    got = link_products(replaced, ["250700", "283691"]).set_index("product")
    assert got.at["283691", "interest_areas"] == ""
    assert "my_map.csv test-1" in replaced.describe()


def test_replace_without_a_user_map_is_an_error():
    with pytest.raises(DataError, match="needs a user map"):
        load_map(Config().with_overrides(**{"tiers.interest_map_mode": "replace"}))


@pytest.mark.parametrize("line, message", [
    ("25A0,energy,,IEA,certain,", "hs_prefix '25A0' must be an HS code of 2, 4 or 6 digits"),
    ("25101,energy,,IEA,certain,", "hs_prefix '25101'"),
    ("2510,energy,,IEA,maybe,", "certainty 'maybe' is not allowed"),
    ("2510,energy,,,certain,", "source is empty"),
    ("2510,,,IEA,certain,", "area is empty"),
    ("2510,energy,IEA,certain", "4 fields where the header has 6"),
])
def test_malformed_map_names_file_and_line(tmp_path, line, message):
    f = _user_map(tmp_path, "2701,energy,coal,IEA,certain,\n" + line + "\n")
    with pytest.raises(DataError) as exc:
        read_map(f)
    assert str(exc.value).startswith(f"{f}, line 4: ") and message in str(exc.value)


def test_map_header_errors(tmp_path):
    f = tmp_path / "m.csv"
    f.write_text("prefix,area,source,certainty\n2701,energy,IEA,certain\n")
    with pytest.raises(DataError, match=r"line 1: header lacks hs_prefix"):
        read_map(f)
    with pytest.raises(DataError, match="does not exist"):
        read_map(tmp_path / "missing.csv")


def test_cli_malformed_interest_map(cli, tmp_path):
    f = _user_map(tmp_path, "2701,energy,coal,IEA,certain,\n2709,energy,oil,IEA,sure,\n")
    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "--interest-map", f)
    assert res.exit_code == 2
    assert f"{f}, line 4: certainty 'sure' is not allowed" in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_cli_user_map_changes_a_tier(cli, tmp_path):
    """Chromium ore (261000) is a dependency of NLD in 2022 without a public-interest link
    (chromium is not on the EU 2023 CRM list); a user map linking it makes it possible or strategic."""
    import json

    base = json.loads(cli("tiers", "--reporter", "NLD", "--year", "2022", "--format", "json").stdout)
    cr = next(r for r in base["rows"] if r["product"] == "261000")
    assert cr["dependent"] and cr["tier"] == "dependency" and cr["interest_areas"] == ""
    f = _user_map(tmp_path, "261000,defence and dual-use,stainless and superalloys,National list,certain,\n")
    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "--interest-map", f, "--format", "json")
    cr = next(r for r in json.loads(res.stdout)["rows"] if r["product"] == "261000")
    assert cr["interest_areas"] == "defence and dual-use"
    assert cr["tier"] in ("strategic", "possible")
    assert pd.notna(cr["tier_reasons"])
