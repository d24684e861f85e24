"""Coercion part (issue 11): the shipped cases, exposure computed by hand from raw flows, events
checked against the raw BACI rows, and bad input as one-line errors."""

from __future__ import annotations

import csv
import datetime as dt
import re

import duckdb
import pandas as pd
import pytest

from geomon.analyses.coercion import registry as R
from geomon.analyses.coercion.event import event
from geomon.analyses.coercion.exposure import exposure
from geomon.sources.cases import parse_codes, read_cases

from conftest import SHARED


@pytest.fixture(scope="module")
def reg(ctx):
    return R.registry(ctx)


def test_every_shipped_case_has_a_source_valid_codes_and_dates(ctx, reg):
    iso3 = set(ctx.countries.column("iso3").to_pylist()) | {"EU27"}
    lists = R.code_lists()
    assert len(reg) == 27
    for r in reg.itertuples():
        assert r.sources and r.source_url.startswith("http"), r.case_id
        assert r.coercer in iso3 and (r.target in iso3 or r.target == "WORLD"), r.case_id
        assert r.start_year >= 2010 and (pd.isna(r.end_year) or r.end_year >= r.start_year)
        for rev, code in parse_codes(r.hs_codes, r.hs_revision or "HS2017"):
            known = lists[rev] if rev != "HS1992" else lists["HS1992"] | set(ctx.descriptions)
            assert any(c.startswith(code) for c in known), (r.case_id, rev, code)
    # every source of the curated file is complete (title, publisher, date or n.d., URL)
    with open(R.CURATED, encoding="utf-8") as f:
        for row in csv.DictReader(f):
            assert row["source_title"] and row["source_publisher"] and row["source_url"].startswith("http")
            assert row["source_date"] == "n.d." or re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row["source_date"])


def test_counts_per_source_are_as_documented(reg):
    """data/coercion/README.md: 22 curated cases (CHN 15, RUS 3, EU27 2, IDN 1, JPN 1; 8 informal
    pressure, 7 export controls, 3 import bans, 2 tariffs, 2 sanctions); Section 301 lists 1-4A as
    cases (List 1 817 lines / 560 HS6 ... List 4B 542 / 328 skipped, 11 chapter 98/99 lines
    dropped of 10,637); China 2018: 128 lines, 91 HS6 codes."""
    cur = reg[reg["set"] == "curated"]
    assert len(cur) == 22
    assert cur["coercer"].value_counts().to_dict() == {"CHN": 15, "RUS": 3, "EU27": 2, "IDN": 1, "JPN": 1}
    assert cur["instrument"].value_counts().to_dict() == {"informal_pressure": 8, "export_control": 7, "import_ban": 3,
                                                          "tariff": 2, "sanctions": 2}
    c = reg.attrs["counts"]
    assert c["section301"]["lines"] == 10637 and c["section301"]["dropped_98_99"] == 11
    assert {k: (v["lines"], v["hs6"]) for k, v in c["section301"]["lists"].items()} == {
        "List 1": (817, 560), "List 2": (279, 199), "List 3": (5759, 3066), "List 4A": (3229, 1439), "List 4B": (542, 328)}
    assert len(reg[reg["set"] == "section301"]) == 4
    assert c["china_retaliation"] == {"lines": 128, "hs6": 91}
    assert "128 tariff lines (120 at +15%, 8 at +25%), 91 HS6 codes" in reg.set_index("case_id").loc["CHN-USA-2018-S232", "note"]
    readme = (R.DATA / "README.md").read_text(encoding="utf-8").replace("\n", " ")
    assert "22 cases; coercers CHN 15, RUS 3, EU27 2, IDN 1, JPN 1" in readme
    corr = R.correlation().groupby("revision")["code"].agg(["size", "nunique"])
    assert (corr.loc["HS2017"].tolist(), corr.loc["HS2022"].tolist()) == ([7862, 5387], [18900, 5613])
    assert "7,862 HS2017 pairs (5,387 codes) and 18,900 HS2022 pairs (5,613 codes)" in readme


def test_codes_match_the_store_and_say_what_is_missing(ctx):
    ge = R.case_codes(ctx, R.get_case(ctx, "CHN-WLD-2023-GAGE")).set_index("code")
    # HS2022 811292 (unwrought Ga, Ge, Hf, In, Nb, Re, V) correlates n:n with HS1992 811230/811240/811291: not used
    assert ge.loc["811292", "how"] == "n:n only" and ge.loc["811292", "store_codes"] == []
    assert ge.loc["811230", "how"] == "exact" and ge.loc["811230", "in_data"] == ["811230"]   # germanium, HS1992
    assert R.store_codes(ctx, R.get_case(ctx, "CHN-WLD-2023-GRAPHITE")) == ["250410"]
    assert R.store_codes(ctx, R.get_case(ctx, "CHN-WLD-2024-SB")) == ["261710"]
    assert R.store_codes(ctx, R.get_case(ctx, "CHN-WLD-2025-HREE")) == ["280530", "284690"]


def test_cases_filters(ctx):
    res = R.cases(ctx, coercer="chn", product="250410")
    assert set(res.table["case_id"]) == {"CHN-WLD-2023-GRAPHITE", "CHN-LTU-2021"}   # LTU: all goods
    assert set(R.cases(ctx, target="WORLD").table["coercer"]) == {"CHN", "IDN"}
    assert "CHN-AUS-2020-BARLEY" not in set(R.cases(ctx, since=2024).table["case_id"])   # ended 2023-08-05


@pytest.fixture(scope="module")
def raw(ctx):
    con = duckdb.connect()
    root = ctx.dataset.root
    con.execute(f"CREATE VIEW f AS SELECT * FROM read_parquet('{root}/flows/*/*.parquet', hive_partitioning=true)")
    con.execute(f"CREATE VIEW c AS SELECT * FROM read_parquet('{root}/countries.parquet')")
    return con


def test_exposure_share_by_hand_from_raw_flows(ctx, raw):
    """NLD 2022, records since 2010 (EU27 ignored): CHN (e.g. CHN-WLD-2023-GRAPHITE), IDN (nickel
    2020), JPN (Korea 2019), RUS (food ban 2014, no end), USA (Section 301, 2018). Share = sum of
    NLD's imports from them / all NLD imports, summed here straight from the raw rows."""
    res = exposure(ctx, "NLD", 2022)
    assert res.meta["record_economies"] == ["CHN", "IDN", "JPN", "RUS", "USA"]
    rec = "('CHN','IDN','JPN','RUS','USA')"
    total, with_rec = raw.execute(f"""
        SELECT sum(f.value), sum(CASE WHEN c.iso3 IN {rec} THEN f.value ELSE 0 END)
        FROM f JOIN c ON f.exporter = c.code WHERE f.year = 2022 AND f.importer = 528""").fetchone()
    tot = res.pick("totals").set_index(["flow", "scope"])
    assert tot.loc[("imports", "all products"), "total_usd"] == pytest.approx(total, rel=1e-12)
    assert tot.loc[("imports", "all products"), "share"] == pytest.approx(with_rec / total, rel=1e-12)
    exp_total, exp_rec = raw.execute(f"""
        SELECT sum(f.value), sum(CASE WHEN c.iso3 IN {rec} THEN f.value ELSE 0 END)
        FROM f JOIN c ON f.importer = c.code WHERE f.year = 2022 AND f.exporter = 528""").fetchone()
    assert tot.loc[("exports", "all products"), "share"] == pytest.approx(exp_rec / exp_total, rel=1e-12)
    # per tiered product: lignite (HS92 270210) comes mostly from IDN, whose latest case is the nickel-ore ban
    row = res.table.set_index("product").loc["270210"]
    assert row["record_suppliers"] == "IDN" and row["latest_case"].startswith("IDN-WLD-2020-NICKEL")


def test_exposure_eu27_and_all(ctx, raw):
    eu = exposure(ctx, "EU27", 2022)
    tot = eu.pick("totals").set_index(["flow", "scope"])
    members = "('AUT','BEL','BGR','HRV','CYP','CZE','DNK','EST','FIN','FRA','DEU','GRC','HUN','IRL','ITA','LVA','LTU'," \
              "'LUX','MLT','NLD','POL','PRT','ROU','SVK','SVN','ESP','SWE')"
    total, with_rec = raw.execute(f"""
        SELECT sum(f.value), sum(CASE WHEN ce.iso3 IN ('CHN','IDN','JPN','RUS','USA') THEN f.value ELSE 0 END)
        FROM f JOIN c ce ON f.exporter = ce.code JOIN c ci ON f.importer = ci.code
        WHERE f.year = 2022 AND ci.iso3 IN {members} AND ce.iso3 NOT IN {members}""").fetchone()
    assert tot.loc[("imports", "all products"), "share"] == pytest.approx(with_rec / total, rel=1e-12)
    al = exposure(ctx, "ALL", 2022)
    nld = al.table[(al.table["reporter"] == "NLD") & (al.table["scope"] == "all products") & (al.table["flow"] == "imports")]
    assert float(nld["share"].iloc[0]) == pytest.approx(exposure(ctx, "NLD", 2022).pick("totals")["share"].iloc[0])


@pytest.mark.parametrize("case_id,product,start", [("CHN-WLD-2023-GRAPHITE", "250410", 2023),
                                                   ("CHN-WLD-2024-SB", "261710", 2024)])
def test_event_matches_raw_baci_rows(ctx, raw, case_id, product, start):
    """CHN (156) -> world and -> NLD (528) per year, against the raw rows; change vs the mean of the
    three years before the start year."""
    res = event(ctx, case_id, "NLD")
    s = res.table
    assert sorted(set(s["year"])) == list(range(start - 3, 2025))
    for series, cond in (("CHN -> WORLD", "importer <> 156"), ("CHN -> NLD", "importer = 528")):
        got = s[s["series"] == series].set_index("year")["value_usd"]
        want = dict(raw.execute(f"SELECT year, sum(value) FROM f WHERE exporter = 156 AND product = '{product}' AND {cond} "
                                f"AND year >= {start - 3} GROUP BY year").fetchall())
        for y in got.index:
            assert got[y] == pytest.approx(want.get(y, 0.0), rel=1e-12), (series, y)
        pre = sum(want.get(y, 0.0) for y in range(start - 3, start)) / 3
        last = s[(s["series"] == series) & (s["year"] == 2024)]
        if pre > 0:
            assert float(last["change_vs_pre"].iloc[0]) == pytest.approx(want.get(2024, 0.0) / pre - 1, rel=1e-9)


def test_event_graphite_against_the_shared_baci_csv(ctx):
    """The same number from CEPII's own CSV (v in thousands of USD), when ../shared is present."""
    path = SHARED / "baci-hs92-raw-materials" / "BACI_HS92_Y2022_V202401b.csv"
    if not path.exists():
        pytest.skip("shared BACI CSVs not present")
    v = duckdb.connect().execute(f"SELECT sum(v) FROM read_csv('{path}', types={{'k': 'VARCHAR'}}) "
                                 "WHERE i = 156 AND k = '250410' AND j <> 156").fetchone()[0]
    got = event(ctx, "CHN-WLD-2023-GRAPHITE").table.set_index("year").loc[2022, "value_usd"]
    assert got == pytest.approx(v * 1000, rel=1e-6)


def test_event_says_which_codes_are_missing(ctx, raw):
    res = event(ctx, "CHN-WLD-2023-GAGE", "EU27")
    # gallium/germanium: the raw rows of germanium (811230) stop in 2016, so every value 2020-2024 is 0
    assert raw.execute("SELECT count(*) FROM f WHERE product = '811230' AND year >= 2020").fetchone()[0] == 0
    assert raw.execute("SELECT max(year) FROM f WHERE product = '811230'").fetchone()[0] == 2016
    assert (res.table["value_usd"] == 0).all() and sorted(set(res.table["year"])) == [2020, 2021, 2022, 2023, 2024]
    assert res.meta["store_codes"] == ["811230"]
    assert "HS2022:811292" in res.meta["codes_not_in_data"] and "HS1992:282560" in res.meta["codes_not_in_data"]
    # the HS92 extract has germanium (811230) flows only up to 2016
    assert res.meta["codes_without_flows_in_years"] == ["811230"]
    assert set(res.table["series"]) == {"CHN -> WORLD", "CHN -> EU27"}


def test_import_measure_event_is_target_to_coercer(ctx, raw):
    res = event(ctx, "CHN-AUS-2020-COAL")
    s = res.table.set_index("year")
    assert set(s["series"]) == {"AUS -> CHN"}
    want = raw.execute("SELECT sum(value) FROM f WHERE exporter = 36 AND importer = 156 AND product = '270112' "
                       "AND year = 2021").fetchone()[0]
    assert s.loc[2021, "value_usd"] == pytest.approx(want, rel=1e-12)


def test_bad_input_is_one_line(cli, tmp_path):
    r = cli("coercion", "event", "NO-SUCH-CASE")
    assert r.exit_code == 2 and "unknown case 'NO-SUCH-CASE'" in r.output and len(r.output.strip().splitlines()) == 1
    r = cli("coercion", "cases", "--coercer", "XXX")
    assert r.exit_code == 2 and "unknown coercer 'XXX'" in r.output
    bad = tmp_path / "mine.csv"
    header = open(R.CURATED, encoding="utf-8").readline()
    bad.write_text(header + "MY-1,CHN,NLD,2021-13,,tariff,imports,HS2017,250410,source,t,,,T,P,2021,https://x.org,,,,\n",
                   encoding="utf-8")
    r = cli("coercion", "cases", "--cases", bad)
    assert r.exit_code == 2 and "mine.csv line 2: date '2021-13' is not a date" in r.output
    assert len(r.output.strip().splitlines()) == 1


def test_user_cases_file_is_added(cli, tmp_path):
    mine = tmp_path / "mine.csv"
    header = open(R.CURATED, encoding="utf-8").readline()
    mine.write_text(header + "MY-1,CHN,NLD,2021-03,,informal_pressure,exports,HS2017,250410,nomenclature,test,,,"
                    "T,P,2021,https://example.org,,,,\n", encoding="utf-8")
    r = cli("coercion", "cases", "--cases", mine, "--target", "NLD", "--format", "csv")
    assert r.exit_code == 0 and "MY-1" in r.output
    assert read_cases(mine).iloc[0]["start"] == "2021-03"
    r = cli("coercion", "cases", "--cases", tmp_path / "none.csv")
    assert r.exit_code == 2 and "does not exist" in r.output


def test_gsdb_reader_on_real_rows(tmp_path, ctx):
    """Six rows of GSDB release 3 as published (cases 866, 867, 1199, 1225, 1325, 43), written here."""
    from geomon.sources.gsdb import gsdb_cases

    text = ("case_id,sanctioned_state,sanctioning_state,begin,end,trade,descr_trade,arms,military,financial,travel,other,"
            "target_mult,sender_mult,objective,success\n"
            "866,Norway,China,2010,2017,0,,0,0,0,0,1,0,0,\"democracy,human_rights\",\"success_part,success_part\"\n"
            "867,Norway,China,2010,2018,1,imp_part,0,0,0,1,0,0,0,policy_change,failed\n"
            "1199,EU,China,2021,2022,1,\"exp_part, imp_part\",0,0,0,1,0,1,0,policy_change,ongoing\n"
            "1225,Lithuania,China,2021,2022,1,\"exp_part, imp_part\",0,0,0,0,1,0,0,policy_change,ongoing\n"
            "1325,United States,Russia,2022,2022,1,\"exp_part, imp_part\",0,0,1,1,1,0,0,policy_change,ongoing\n"
            "43,\"Egypt, Arab Rep.\",\"United States, United Kingdom, France\",1956,1957,0,,0,0,1,0,0,0,1,prevent_war,"
            "nego_settlement\n")
    path = tmp_path / "GSDB_V3.csv"
    path.write_text(text, encoding="utf-8")
    df = gsdb_cases(path, {name: iso3 for iso3, name in ctx.names.items()})
    got = df.set_index("case_id")
    assert got.loc["GSDB-867", "coercer"] == "CHN" and got.loc["GSDB-867", "target"] == "NOR"
    assert got.loc["GSDB-867", "direction"] == "imports" and got.loc["GSDB-867", "end"] == "2018"
    assert got.loc["GSDB-1199", "target"] == "EU27" and got.loc["GSDB-1225", "end"] == ""   # ongoing in 2022
    assert got.loc["GSDB-1325", "coercer"] == "RUS" and got.loc["GSDB-1325", "target"] == "USA"
    # "Egypt, Arab Rep." is one state; "United States, United Kingdom, France" three senders
    assert [(got.loc[k, "coercer"], got.loc[k, "target"]) for k in ("GSDB-43", "GSDB-43-2", "GSDB-43-3")] == [
        ("USA", "EGY"), ("GBR", "EGY"), ("FRA", "EGY")]
    original = SHARED / "staging" / "gsdb" / "GSDB_V3.csv"
    if original.exists():   # the rows above are the published ones
        pub = pd.read_csv(original, dtype=str, keep_default_na=False).set_index("case_id")
        assert pub.loc["867", "sanctioned_state"] == "Norway" and pub.loc["1325", "sanctioning_state"] == "Russia"
        assert len(gsdb_cases(original, {n: i for i, n in ctx.names.items()})) >= 1325


def test_dates_parse():
    from geomon.sources.cases import parse_date
    assert parse_date("2023") == dt.date(2023, 1, 1) and parse_date("2023-08-01") == dt.date(2023, 8, 1)
    with pytest.raises(ValueError):
        parse_date("2023-8")


def test_readme_numbers(ctx):
    """The numbers the README's Coercion section quotes, recomputed."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    tot = exposure(ctx, "NLD", 2022).pick("totals").set_index(["flow", "scope"])
    imp, dep = tot.loc[("imports", "all products")], tot.loc[("imports", "dependencies")]
    assert f"{imp['share']:.1%}".replace("%", " %") in text                               # 33.0 %
    assert imp["largest_record_partners"].startswith("USA 19.0%, RUS 13.7%") and "USA 19.0 %, RUS 13.7 %" in text
    assert f"{dep['share']:.2%}".replace("%", " %") in text and dep["products"] == 7      # 0.03 %, seven
    assert f"{tot.loc[('exports', 'all products'), 'share']:.1%}".replace("%", " %") in text   # 0.9 %
    s = event(ctx, "CHN-WLD-2023-GRAPHITE").table.set_index("year")
    assert f"{s.loc[2022, 'value_usd'] / 1e6:.1f} M USD in 2022" in text
    assert f"{s.loc[2024, 'value_usd'] / 1e6:.1f} M USD in 2024, {-s.loc[2024, 'change_vs_pre']:.1%}".replace("%", " %") in text
    repl = event(ctx, "CHN-WLD-2023-GRAPHITE").pick("replacements")
    assert list(repl["supplier"].head(2)) == ["MDG", "MOZ"] and "Madagascar\nand Mozambique gained most" in text
