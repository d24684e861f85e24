"""Diversification options (``geomon alternatives``), the EU trade-agreements file, and product codes:
an unknown code names the closest ones; a code without trade data is "not in the store", which is
not "imported nothing"."""

from __future__ import annotations

import json

import duckdb
import pytest

from geomon.analyses.trade.codes import closest_codes
from geomon.errors import DataError
from geomon.sources.agreements import load_eu_agreements, read_agreements, shipped_path


@pytest.fixture(scope="module")
def nld_lithium(cli):
    res = cli("alternatives", "--reporter", "NLD", "--product", "283691", "--year", "2022", "--format", "json")
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


@pytest.fixture(scope="module")
def cli():  # module scope: the shared fixture is per test
    from typer.testing import CliRunner

    from geomon.cli import app

    runner = CliRunner()
    return lambda *a: runner.invoke(app, [str(x) for x in a], catch_exceptions=False)


def test_alternatives_rank_with_the_trade_agreement_flag(nld_lithium):
    rows = {r["supplier"]: r for r in nld_lithium["rows"]}
    chl, chn, arg = rows["CHL"], rows["CHN"], rows["ARG"]
    assert chl["rank"] == 1 and chl["qualifies"]
    assert chl["trade_agreement"] is True and chl["agreement"] == "EU-Chile Association Agreement (trade part)"
    assert chl["agreement_since"] == "2003" and "wikipedia.org" in chl["agreement_source"]
    assert chn["trade_agreement"] is False and arg["trade_agreement"] is False
    assert chn["crm_share"] == pytest.approx(0.562) and chn["crm_stage"] == "Lithium processing"
    assert rows["DEU"]["trusted"] and rows["DEU"]["agreement"] == "EU single market"
    ranks = [r["rank"] for r in nld_lithium["rows"]]
    assert ranks == list(range(1, len(ranks) + 1))
    q = [r["qualifies"] for r in nld_lithium["rows"]]
    assert q == sorted(q, reverse=True)  # qualifying alternatives first


def test_alternatives_numbers_by_hand(ctx, nld_lithium):
    """X_rest(CHL) = Chile's exports of lithium carbonate to everyone - its exports to NLD (2022)."""
    root = ctx.dataset.root
    f = duckdb.sql(f"select e.iso3 ex, i.iso3 im, f.value from read_parquet('{root}/flows/**/*.parquet', "
                   f"hive_partitioning=true) f join '{root}/countries.parquet' e on f.exporter = e.code "
                   f"join '{root}/countries.parquet' i on f.importer = i.code "
                   f"where f.year = 2022 and f.product = '283691'").df()
    x = f.loc[f["ex"] == "CHL", "value"].sum()
    v = f.loc[(f["ex"] == "CHL") & (f["im"] == "NLD"), "value"].sum()
    imports = f.loc[(f["im"] == "NLD") & (f["ex"] != "NLD"), "value"].sum()
    chl = next(r for r in nld_lithium["rows"] if r["supplier"] == "CHL")
    assert chl["rest_of_world_export_value_usd"] == pytest.approx(x - v, rel=1e-12)
    assert chl["multiple_of_imports"] == pytest.approx((x - v) / imports, rel=1e-12)
    assert chl["world_export_share"] == pytest.approx(x / f.loc[f["ex"] != f["im"], "value"].sum(), rel=1e-12)
    assert nld_lithium["meta"]["import_value_usd"] == pytest.approx(imports, rel=1e-12)


def test_agreements_file_has_a_source_per_row():
    a = load_eu_agreements()
    assert len(a) >= 25 and a["partner"].is_unique
    assert a["source_url"].str.startswith("https://").all() and a["source_title"].str.len().gt(5).all()
    for partner in ("CHN", "USA", "AUS", "IND", "BRA", "ARG", "IDN", "RUS"):  # no agreement in force
        assert partner not in set(a["partner"])
    assert a.set_index("partner").at["KOR", "since"] == "2011-07-01"


def test_agreements_reader_rejects_a_row_without_source(tmp_path):
    f = tmp_path / "a.csv"
    head = shipped_path().read_text(encoding="utf-8").splitlines()
    header = next(ln for ln in head if ln.startswith("partner,"))
    f.write_text(header + "\nCHL,Chile,Some agreement,fta,2003,,Wikipedia,n.d.,https://x,\n")
    with pytest.raises(DataError, match=r"line 2: source_title is empty for CHL"):
        read_agreements(f)


def test_alternatives_for_a_reporter_outside_the_eu_say_unknown(cli):
    res = cli("alternatives", "--reporter", "USA", "--product", "283691", "--year", "2022", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert {r["trade_agreement"] for r in doc["rows"]} == {None}


# --- codes ----------------------------------------------------------------------------------------

def test_closest_codes():
    known = {"811291", "811299", "811211", "283691"}
    assert closest_codes(known, "811292") == ["811291", "811299"]
    assert closest_codes(known, "999998") == []


def test_unknown_code_names_the_closest(cli):
    res = cli("suppliers", "--reporter", "EU27", "--product", "811292", "--year", "2022")
    assert res.exit_code == 2
    assert res.stderr.strip() == "error: unknown product '811292': not an HS6 code of HS92; closest HS92 codes: " \
                                 "811291, 811299"


def test_code_not_in_the_store_is_not_imported_nothing(cli):
    """Gallium etc. (811291) is an HS92 code, but the embedded extract has no flows of it."""
    res = cli("suppliers", "--reporter", "EU27", "--product", "811291", "--year", "2022")
    assert res.exit_code == 2
    assert "is not in the store (the embedded extract covers 74 raw-material codes; ingest a full BACI release)" \
        in res.stderr
    assert "imported no" not in res.stderr
    # a code in the store that NLD did not import in 2022: the old message, which is now true
    res = cli("suppliers", "--reporter", "NLD", "--product", "811230", "--year", "2022")
    assert res.exit_code == 2 and "NLD imported no 811230 in 2022" in res.stderr
    res = cli("alternatives", "--reporter", "EU27", "--product", "811291", "--year", "2022")
    assert res.exit_code == 2 and "not in the store" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_report_options_per_product(ctx):
    """The report's per-product section: the top options of each product; codes without data are left out."""
    from geomon.analyses.trade.diversification import options

    t = options(ctx, "NLD", ["720293", "283691", "811291"], 2022, top=3)
    assert list(t.groupby("product", sort=False).size().items()) == [("720293", 3), ("283691", 3)]
    assert t[t["product"] == "283691"]["supplier"].iloc[0] == "CHL"


def test_agreements_cover_the_extract_s_partners_with_economic_partnership_agreements(ctx):
    """Review of 2026-11-30: partners that supply raw materials in the extract and have an agreement in
    force were missing, and the output called them 'no EU trade agreement'. Zimbabwe applies the ESA
    interim EPA since 14 May 2012 (European Commission press release IP/12/475); Jordan's association
    agreement is in force since May 2002 (Jordan's Ministry of Planning); Mozambique applies the SADC EPA
    since 4 February 2018 (Port2Africa, 2022), so not yet in 2017."""
    from geomon.analyses.trade.diversification import alternatives

    zwe = alternatives(ctx, "NLD", "261000", 2022).table.set_index("supplier").loc["ZWE"]
    assert zwe["trade_agreement"] is True and zwe["agreement_since"] == "2012" and "ESA" in zwe["agreement"]
    assert alternatives(ctx, "EU27", "251020", 2022).table.set_index("supplier").at["JOR", "trade_agreement"] is True
    moz = {y: alternatives(ctx, "NLD", "250410", y).table.set_index("supplier").at["MOZ", "trade_agreement"]
           for y in (2017, 2018)}
    assert moz == {2017: False, 2018: True}
    a = load_eu_agreements().set_index("partner")
    assert a.at["MOZ", "since"] == "2018-02-04" and a.at["ZWE", "since"] == "2012"
    # a date the cited source does not pin down is marked uncertain in the row
    assert "uncertain" in a.at["PNG", "note"] and "uncertain" in a.at["MNE", "note"]


@pytest.mark.parametrize("reporter", ["NLD", "EU27"])
def test_options_from_statistics_equal_the_flows_route_and_the_single_product_path(ctx, reporter):
    """The report's options read x(e) from the statistics and only the reporter's own flows (issue 15):
    the same table as summing every flow (a context without statistics), and each product's rows
    equal the first rows of ``geomon alternatives`` for that product alone."""
    from dataclasses import replace

    import pandas as pd

    from geomon.analyses.trade.diversification import alternatives, options
    from geomon.store import Dataset

    codes = ["283691", "720293", "811292", "260300", "850760"]
    prov = {k: v for k, v in ctx.dataset.provenance.items() if k != "stats"}
    flows_ctx = replace(ctx, dataset=Dataset(ctx.dataset.root, prov))
    got = options(ctx, reporter, codes, 2022, top=4)
    pd.testing.assert_frame_equal(got, options(flows_ctx, reporter, codes, 2022, top=4), rtol=1e-12)
    assert got["product"].drop_duplicates().tolist() == [c for c in codes if c in set(got["product"])]
    assert len(set(got["product"])) >= 3
    for code, part in got.groupby("product", sort=False):
        one = alternatives(ctx, reporter, code, 2022).table.head(4)
        pd.testing.assert_frame_equal(part.reset_index(drop=True), one.reset_index(drop=True), check_dtype=False,
                                      rtol=1e-12)
