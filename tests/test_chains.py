"""Value chains: the shipped definitions, per-stage concentration, the chokepoint, user chains."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from geomon.analyses.supply import reference as ref
from geomon.analyses.supply.chains import chain, chain_list
from geomon.errors import ConfigError, DataError, InputError
from geomon.sources.chains import load_chains, read_chain, shipped_dir
from geomon.store import embedded_store_dir

REQUIRED = {"lithium", "rare_earths", "cobalt", "nickel", "graphite", "phosphorus"}


def _hs92_codes() -> set[str]:
    path = embedded_store_dir() / "baci" / "HS92_V202401b" / "products.parquet"
    return set(pq.read_table(path).column("product").to_pylist())


def test_shipped_chains_are_there_and_valid():
    chains = load_chains()
    assert REQUIRED <= set(chains)
    lithium = chains["lithium"]
    assert [s.kind for s in lithium.stages] == ["extraction", "processing", "components"]
    assert set(lithium.stages[1].hs) == {"283691", "282520"}
    assert lithium.stages[0].production == "Lithium (Li2O)"
    assert set(chains["rare_earths"].stages[1].hs) == {"284610", "284690"}
    assert chains["rare_earths"].stages[2].hs == ("280530",)


def test_every_hs92_code_of_the_shipped_chains_is_an_hs92_code():
    # Checked against the BACI HS92 product list (5,022 codes) shipped with the embedded data.
    hs92 = _hs92_codes()
    bad = [(c.name, s.id, code) for c in load_chains().values() for s in c.stages for code in s.codes("HS92")
           if code not in hs92]
    assert bad == []


def test_hs_by_revision_codes_exist_in_their_revision():
    from conftest import SHARED

    lists = {"HS17": SHARED / "classifications" / "product_codes_HS17_V202301.csv",
             "HS22": SHARED / "classifications" / "product_codes_HS22_V202501.csv"}
    if not all(p.is_file() for p in lists.values()):
        pytest.skip("../shared/data not present")
    codes = {rev: {str(c).zfill(6) for c in pd.read_csv(p, dtype=str)["code"]} for rev, p in lists.items()}
    for c in load_chains().values():
        for s in c.stages:
            for rev, known in codes.items():
                missing = [x for x in s.codes(rev) if x not in known]
                assert not missing, (c.name, s.id, rev, missing)


def test_every_production_series_exists_in_world_mining_data():
    for c in load_chains().values():
        for s in c.stages:
            if s.production:
                assert ref.wmd_commodity(s.production) in set(ref.production_table()["commodity"])


# --- the lithium chain on real data ---------------------------------------------------------------

@pytest.fixture(scope="module")
def lithium(ctx):
    return chain(ctx, "lithium", "NLD", 2022)


def test_lithium_stages_and_no_data_stages_say_so(lithium):
    t = lithium.table.set_index("stage")
    assert list(t.index) == ["ores", "chemicals", "cells"]
    # The embedded BACI extract has no flows for the ore codes (253090, 261790) nor cells (850780):
    # those stages show no numbers -- not zero -- and say why.
    for stage in ("ores", "cells"):
        assert pd.isna(t.loc[stage, "world_export_hhi"]) and pd.isna(t.loc[stage, "import_value_usd"])
        assert "no trade data in the store for HS" in t.loc[stage, "note"]
    # ...but the ore stage has its production series: Australia leads (World Mining Data)
    assert t.loc["ores", "top_producers"].startswith("AUS ")
    assert t.loc["ores", "production_hhi"] == pytest.approx(
        ref.production_table().query("commodity == 'Lithium (Li2O)' and year == 2022 and production > 0")
        .pipe(lambda p: ((p["production"] / p["production"].sum()) ** 2).sum()))


def _economy_flows(ctx, codes, year):
    f = ctx.engine.execute(ctx.flows.filter(ctx.flows.year == year, ctx.flows["product"].isin(codes)))
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    f["ex"], f["im"] = f["exporter"].map(iso), f["importer"].map(iso)
    return f[f["ex"] != f["im"]]


def test_lithium_chemicals_stage_equals_pandas(ctx, lithium):
    row = lithium.table.set_index("stage").loc["chemicals"]
    f = _economy_flows(ctx, ["283691", "282520"], 2022)
    x = f.groupby("ex")["value"].sum()            # world exports of the stage, both codes summed
    assert row["world_export_hhi"] == pytest.approx(((x / x.sum()) ** 2).sum(), rel=1e-9)
    v = f[f["im"] == "NLD"].groupby("ex")["value"].sum()   # NLD's suppliers
    assert row["import_value_usd"] == pytest.approx(v.sum())
    assert row["import_hhi"] == pytest.approx(((v / v.sum()) ** 2).sum(), rel=1e-9)
    top = (v / v.sum()).sort_values(ascending=False)
    assert row["top_suppliers"].split(", ")[0] == f"{top.index[0]} {top.iloc[0] * 100:.1f}%"
    assert row["top_exporters"].startswith("CHL ")  # Chile leads lithium-chemical exports


def test_chokepoint_is_the_most_concentrated_stage(lithium):
    t = lithium.table
    assert t["chokepoint"].sum() == 1
    best = t.loc[t["concentration"].idxmax()]
    assert bool(best["chokepoint"]) and lithium.meta["chokepoint"] == best["stage"]
    # concentration = max(production HHI, CRM 2023 stage HHI, export HHI) per stage
    both = t[["production_hhi", "crm_hhi", "world_export_hhi"]].max(axis=1)
    pd.testing.assert_series_equal(t["concentration"], both, check_names=False)
    # 2022: lithium chemicals' processing HHI (0.430, EU CRM study 2023) exceeds their export HHI (0.420)
    # and the mine-production HHI of the ores (0.320)
    assert lithium.meta["chokepoint"] == "chemicals"
    assert lithium.meta["chokepoint_basis"] == "EU CRM 2023 processing"


def test_all_shipped_chains_run_for_nld_and_eu27(ctx):
    for name in sorted(REQUIRED):
        for reporter in ("NLD", "EU27"):
            t = chain(ctx, name, reporter, 2022).table
            assert (t["reporter"] == reporter).all()
            hhis = t[["production_hhi", "world_export_hhi", "import_hhi"]].stack().dropna()
            assert ((hhis > 0) & (hhis <= 1)).all()
            no_data = t["world_export_hhi"].isna() & t["production_hhi"].isna()
            assert t.loc[no_data, "note"].str.len().gt(0).all()


def test_year_without_production_keeps_trade_and_says_so(ctx):
    t = chain(ctx, "lithium", "NLD", 2010).table.set_index("stage")
    assert pd.isna(t.loc["ores", "production_hhi"]) and "no production data for 2010" in t.loc["ores", "note"]
    assert t.loc["chemicals", "world_export_hhi"] > 0


# --- definitions: errors and user chains ----------------------------------------------------------

NIOBIUM = """
name = "niobium"
title = "Niobium for steel"
[[stages]]
id = "ores"
name = "Niobium, tantalum, vanadium ores"
kind = "extraction"
hs = ["261590"]
production = "Niobium"
[[stages]]
id = "ferro"
name = "Ferro-niobium"
kind = "processing"
hs = [720293]
"""


@pytest.mark.parametrize("text, message", [
    ("name = 'x'\n[[stages]]\nid='a'\nname='A'\nkind='mining'\nhs=['283691']\n", "kind = 'mining'"),
    ("name = 'x'\n[[stages]]\nid='a'\nname='A'\nkind='processing'\nhs=['lithium']\n", "not an HS6 code"),
    ("name = 'x'\n[[stages]]\nid='a'\nname='A'\nkind='processing'\ncodes=['283691']\n", "unknown key.*codes"),
    ("name = 'x'\n", "no \\[\\[stages\\]\\]"),
    ("name = 'X Y'\n[[stages]]\nid='a'\nname='A'\nkind='processing'\nhs=['283691']\n", "must be lower-case"),
    ("name = 'x\n", "not valid TOML"),
])
def test_bad_chain_files_name_the_file_and_the_entry(tmp_path, text, message):
    p = tmp_path / "bad.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message) as exc:
        read_chain(p)
    assert "bad.toml" in str(exc.value)


def test_user_chains_dir_adds_chains(ctx, tmp_path):
    (tmp_path / "niobium.toml").write_text(NIOBIUM, encoding="utf-8")
    user_ctx = type(ctx)(ctx.store, ctx.dataset, ctx.engine, ctx.config.with_overrides(**{"chains.dir": str(tmp_path)}))
    listed = chain_list(user_ctx).table["chain"].tolist()
    assert "niobium" in listed and set(listed) - {"niobium"} == set(chain_list(ctx).table["chain"])
    t = chain(user_ctx, "niobium", "NLD", 2022).table.set_index("stage")
    assert t.loc["ferro", "top_exporters"].startswith("BRA ")  # Brazil supplies most ferro-niobium
    assert t.loc["ores", "top_producers"].startswith("BRA ")
    with pytest.raises(ConfigError, match="does not exist"):
        load_chains(tmp_path / "nowhere")


def test_unknown_chain_lists_the_available_ones(ctx):
    with pytest.raises(InputError, match=r"unknown chain 'unobtainium'; available: cobalt, graphite, lithium"):
        chain(ctx, "unobtainium", "NLD", 2022)


def test_cli_chain_table_csv_json(cli, tmp_path):
    r = cli("chain", "lithium", "--reporter", "NLD", "--year", "2022")
    assert r.exit_code == 0, r.output
    assert "Chokepoint: chemicals" in r.stdout
    r = cli("chain", "lithium", "--reporter", "NLD", "--year", "2022", "-f", "csv")
    from io import StringIO

    t = pd.read_csv(StringIO(r.stdout), dtype={"hs_codes": str})
    assert t["stage"].tolist() == ["ores", "chemicals", "cells"] and t["chokepoint"].tolist() == [False, True, False]
    r = cli("chain", "lithium", "--year", "2022", "-f", "json")
    doc = json.loads(r.stdout)
    assert doc["meta"]["chokepoint"] == "chemicals" and len(doc["rows"]) == 3
    r = cli("chain")
    assert r.exit_code == 0 and "rare_earths" in r.stdout
    (tmp_path / "niobium.toml").write_text(NIOBIUM, encoding="utf-8")
    r = cli("chain", "niobium", "--chains-dir", tmp_path, "--year", "2022", "-f", "csv")
    assert r.exit_code == 0 and "ferro" in r.stdout


def test_cli_chain_errors_are_one_line(cli):
    r = cli("chain", "unobtainium")
    assert r.exit_code == 2
    assert "unknown chain 'unobtainium'; available: cobalt, graphite, lithium, nickel, phosphorus, rare_earths" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    r = cli("chain", "lithium", "--reporter", "XYZ")
    assert r.exit_code == 2 and "unknown reporter 'XYZ'" in r.stderr
    r = cli("chain", "lithium", "--chains-dir", "/nonexistent/chains")
    assert r.exit_code == 2 and "does not exist" in r.stderr


def test_shipped_dir_holds_only_toml_chains():
    assert sorted(p.suffix for p in shipped_dir().iterdir()) == [".toml"] * len(list(shipped_dir().iterdir()))
