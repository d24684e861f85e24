"""Knowledge position (issue 12): NCSES values, geographies, relative indices, trend verdict, CLI.

Published values checked (NCSES Science and Engineering Indicators, public domain): table SPBS-54
(share of S&E publications in the top 1 % most cited, all fields) Netherlands 2020 = 1.34; SPBS-63
(materials science) Netherlands 2020 = 1.75; SINV-13 (international patent families granted in
semiconductors) 2020: Netherlands 59, China 10,462, United States 2,822 (the values the issue quotes,
and the rows of shared/data/staging/ncses_sei).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED

NCSES = SHARED / "staging" / "ncses_sei"


@pytest.fixture(scope="module")
def nld():
    from geomon import api

    return api.knowledge("NLD", compare="CHN,USA,EU27")


def at(table, code, field, year):
    row = table[(table["code"] == code) & (table["field"] == field) & (table["year"] == year)]
    assert len(row) == 1, (code, field, year)
    return row.iloc[0]


def test_published_values(nld):
    t = nld.table
    assert at(t, "NLD", "all fields", 2020)["value"] == 1.34
    assert at(t, "NLD", "materials science", 2020)["value"] == 1.75
    assert at(t, "NLD", "semiconductors", 2020)["value"] == 59
    assert at(t, "CHN", "semiconductors", 2020)["value"] == 10462
    assert at(t, "USA", "semiconductors", 2020)["value"] == 2822
    # world share = 59 / 28,211 (SINV-13 world row 2020); group share = 59 / (59 + 10,462 + 2,822 + 1,209)
    assert at(t, "NLD", "semiconductors", 2020)["world_share"] == pytest.approx(59 / 28211)
    assert at(t, "NLD", "semiconductors", 2020)["group_share"] == pytest.approx(59 / (59 + 10462 + 2822 + 1209))
    # top-1% index = share / world's 1.0; EU27 is the published EU-27 row (0.96 in 2020)
    assert at(t, "NLD", "all fields", 2020)["index"] == pytest.approx(1.34)
    eu = at(t, "EU27", "all fields", 2020)
    assert eu["value"] == 0.96 and eu["aggregate_method"] == "published NCSES EU-27 row"


def test_every_field_shown(nld):
    fields = set(nld.table.loc[nld.table["code"] == "NLD", "field"])
    assert len(fields) == 29  # 15 top-1% tables (all fields + 14), 13 patent fields, AI articles
    assert {"semiconductors", "materials science", "all fields", "artificial intelligence"} <= fields


@pytest.mark.skipif(not NCSES.is_dir(), reason="shared NCSES originals not present")
def test_embedded_release_equals_raw_csv():
    """Every number of the shipped release is the raw CSV's (same table, geography and year)."""
    import html

    from geomon.analyses.knowledge.data import _load, embedded_dir, release_dirs

    raw = pd.read_csv(NCSES / "ncses_sei_tech_tables_long.csv", dtype=str)
    raw["geo_name"] = raw["geo"].map(html.unescape)
    raw["num"] = pd.to_numeric(raw.pop("value"), errors="coerce")
    rel = _load(str(release_dirs(embedded_dir())[0]), True).table
    rel = rel[~rel["aggregate_method"].str.startswith("sum")]
    m = raw.astype({"table_id": "int64", "year": "int64"}).merge(rel.drop(columns="income_group"), how="outer",
                                                                 on=["table_id", "geo_name", "year"], indicator=True)
    assert (m["_merge"] == "both").all()
    assert np.allclose(m["num"].fillna(-1), m["value"].fillna(-1))


@pytest.mark.skipif(not NCSES.is_dir(), reason="shared NCSES originals not present")
def test_every_raw_geography_maps():
    import html

    from geomon.sources.ncses import read_geographies, resolve_names

    raw = pd.read_csv(NCSES / "ncses_sei_tech_tables_long.csv", dtype=str)
    names = resolve_names(pd.Series(sorted({html.unescape(g).strip() for g in raw["geo"]})), read_geographies())
    assert names["code"].notna().all(), names.loc[names["code"].isna(), "geo_name"].tolist()
    assert set(names.loc[names["geo_name"] == "EU-27b", "code"]) == {"EU27"}
    assert set(names.loc[names["geo_name"] == "Côte d’Ivoire", "code"]) == {"CIV"}


def test_geography_map_is_consistent():
    """Every name maps to one code; countries have three capital letters; a code has one kind."""
    from geomon.analyses.knowledge.data import _load, embedded_dir, release_dirs
    from geomon.sources.ncses import read_geographies

    g = read_geographies()
    assert not g["name"].duplicated().any()
    countries = g[g["kind"] == "country"]
    assert countries["code"].str.fullmatch(r"[A-Z]{3}").all()
    assert g.groupby("code")["kind"].nunique().max() == 1
    folder = release_dirs(embedded_dir())[0]
    prov = json.loads((folder / "release.json").read_text(encoding="utf-8"))
    assert prov["unmapped_geographies"] == [] and prov["skipped_tables"] == []
    assert set(_load(str(folder), True).table["code"]) <= set(g["code"])


# --- formulas by hand on a small table ---------------------------------------------------------

def small_table() -> pd.DataFrame:
    """Two patent fields A and B, countries X and Y, the world W; a top-1% field S."""
    rows = []
    for year, (xa, xb, ya, yb, wa, wb) in {2010: (5, 40, 10, 20, 100, 400), 2015: (10, 40, 20, 20, 100, 400),
                                           2020: (20, 40, 30, 20, 100, 400)}.items():
        for code, kind, a, b in (("X", "country", xa, xb), ("Y", "country", ya, yb), ("WORLD", "aggregate", wa, wb)):
            rows += [(code, kind, "patent_families", "A", year, a), (code, kind, "patent_families", "B", year, b)]
        rows += [("X", "country", "top1_share", "S", year, {2010: 1.0, 2015: 1.2, 2020: 1.5}[year]),
                 ("WORLD", "aggregate", "top1_share", "S", year, 1.0)]
    return pd.DataFrame(rows, columns=["code", "geo_kind", "indicator", "field", "year", "value"])


def test_rta_by_hand():
    from geomon.analyses.knowledge import position as pos

    e = pos.enrich(small_table(), 0.1, 1.0, 5)
    get = lambda c, f, y, col: e[(e["code"] == c) & (e["field"] == f) & (e["year"] == y)][col].iloc[0]  # noqa: E731
    # X 2020: share of world in A = 20/100 = 0.2; over all fields (20+40)/(100+400) = 0.12 -> RTA 0.2/0.12
    assert get("X", "A", 2020, "index") == pytest.approx(0.2 / 0.12)
    assert get("X", "B", 2020, "index") == pytest.approx((40 / 400) / 0.12)
    # Y 2020: (30/100) / (50/500) = 3.0 ; (20/400) / 0.1 = 0.5
    assert get("Y", "A", 2020, "index") == pytest.approx(3.0)
    assert get("Y", "B", 2020, "index") == pytest.approx(0.5)
    # top-1% index = 1.5 / 1.0 ; strong when >= 1
    assert get("X", "S", 2020, "index") == pytest.approx(1.5)
    assert get("X", "S", 2020, "position") == "strong" and get("Y", "B", 2020, "position") == "weak"
    # rank: in A 2020, Y (30) before X (20); world share X in A = 0.2
    assert get("Y", "A", 2020, "rank") == 1 and get("X", "A", 2020, "rank") == 2
    assert get("X", "A", 2020, "countries_ranked") == 2
    assert get("X", "A", 2020, "world_share") == pytest.approx(0.2)


def test_trend_verdict_by_hand():
    from geomon.analyses.knowledge import position as pos

    e = pos.enrich(small_table(), 0.1, 1.0, 5)
    get = lambda c, f, y, col: e[(e["code"] == c) & (e["field"] == f) & (e["year"] == y)][col].iloc[0]  # noqa: E731
    # X in A: world share 0.05 (2010), 0.10 (2015), 0.20 (2020): +100 % over 5 y, +300 % over 10 y
    assert get("X", "A", 2020, "change_5y") == pytest.approx(1.0)
    assert get("X", "A", 2020, "change_10y") == pytest.approx(3.0)
    assert get("X", "A", 2020, "verdict") == "improving"
    # X in B: 0.10 every year -> 0 % -> stable; Y in B: 0.05 -> 0.05 stable; S index 1.2 -> 1.5 = +25 %
    assert get("X", "B", 2020, "verdict") == "stable"
    assert get("X", "S", 2020, "change_5y") == pytest.approx(0.25)
    # Y in A: 0.2 -> 0.3 = +50 %; 2010 has no 5-year-earlier value -> no data
    assert get("Y", "A", 2020, "change_5y") == pytest.approx(0.5)
    assert get("Y", "A", 2010, "verdict") == "no data"
    # the tolerance is the boundary: +25 % is stable with tolerance 0.3, declining needs < -tolerance
    s = pos.verdict(pd.Series([0.25, -0.25, -0.31, 0.31, np.nan]), 0.3)
    assert s.tolist() == ["stable", "stable", "declining", "improving", "no data"]


def test_eu27_sum_when_not_published():
    """A count table without NCSES's EU-27 row gets the sum of the members it lists."""
    from geomon.analyses.knowledge.data import _with_eu27

    t = pd.DataFrame({"table_id": [1, 1, 1, 2], "table_number": "T", "indicator": ["patent_families"] * 3 + ["top1_share"],
                      "field": ["A", "A", "A", "S"], "unit": "", "geo_name": ["Netherlands", "Germany", "China", "Germany"],
                      "code": ["NLD", "DEU", "CHN", "DEU"], "geo_kind": "country", "income_group": "", "year": 2020,
                      "value": [59.0, 559.0, 10462.0, 1.2], "value_flag": ""})
    out = _with_eu27(t)
    eu = out[out["code"] == "EU27"]
    assert len(eu) == 1  # no sum for top-1% shares
    assert eu["value"].iloc[0] == 59 + 559
    assert eu["aggregate_method"].iloc[0] == "sum of 2 member countries listed by NCSES"


# --- CLI -----------------------------------------------------------------------------------------

def test_cli_country_compare_field(cli):
    res = cli("knowledge", "--country", "EU27", "--compare", "CHN,USA", "--field", "semiconductors", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    rows = pd.DataFrame(data["rows"] if "rows" in data else data["table"])
    assert set(rows["code"]) == {"EU27", "CHN", "USA"} and set(rows["field"]) == {"semiconductors"}
    res = cli("knowledge", "--country", "CHN", "--field", "semiconductors")
    assert res.exit_code == 0 and "10,462" in res.output


@pytest.mark.parametrize("args, message", [
    (("--country", "XXX"), "unknown country 'XXX' in the NCSES tables; give one of"),
    (("--field", "alchemy"), "unknown field 'alchemy'; give one of all-fields"),
    (("--compare", "CHN,ZZZ"), "unknown compared geography 'ZZZ'"),
    (("--set", "knowledge.verdict_years=7"), "knowledge.verdict_years"),
])
def test_cli_errors_one_line(cli, args, message):
    res = cli("knowledge", *args)
    assert res.exit_code == 2
    lines = [ln for ln in res.output.splitlines() if ln.startswith("error:")]
    assert len(lines) == 1 and message in lines[0], res.output
    assert "Traceback" not in res.output


# --- ingest --------------------------------------------------------------------------------------

def write_release(folder, rows, index_rows):
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(index_rows, columns=["table_id", "table_number", "title", "units", "source"]).to_csv(
        folder / "sei_tables_index.csv", index=False)
    pd.DataFrame(rows, columns=["table_id", "geo", "geo_path", "income_group", "year", "value"]).to_csv(
        folder / "sei_long.csv", index=False)
    return folder


def test_ingest_later_release_shape(tmp_path):
    """New table ids, rows in another order, another footnote letter and an unknown table kind still load."""
    from geomon.analyses.knowledge.data import _load, find_release
    from geomon.ingest.ncses import ingest_ncses

    index = [(7001, "SINV-99", "International patent families granted in semiconductors, by region, country, or economy: 1998–2022", "Number", "NCSES"),
             (7002, "SPBS-99", "Share of S&E publications in the top 1% most-cited journal articles in the Scopus database, fractional count, by region: 2003–21", "Percent", "NCSES"),
             (7003, "X-1", "Researchers per million inhabitants", "Number", "NCSES")]
    rows = [(7002, "Netherlands", "", "High", 2021, "1.40"), (7001, "EU-27c", "", "", 2022, "1300"),
            (7001, "Netherlands", "", "", 2022, "61"), (7001, "World", "", "", 2022, "30000"),
            (7002, "World", "", "", 2021, "1.0"), (7001, "China", "", "", 2022, "na"), (7003, "Netherlands", "", "", 2022, "5")]
    src = write_release(tmp_path / "src", rows, index)
    store = tmp_path / "store"
    r = ingest_ncses(src, store=store)
    assert not r.unchanged and r.rows == 6 and r.unmapped == [] and r.skipped_tables[0].startswith("7003")
    assert ingest_ncses(src, store=store).unchanged
    folder, embedded = find_release(store)
    assert not embedded
    t = _load(str(folder), False).table
    assert t.loc[(t["code"] == "EU27"), "value"].tolist() == [1300]
    chn = t[t["code"] == "CHN"].iloc[0]
    assert np.isnan(chn["value"]) and chn["value_flag"] == "na"
    assert set(t["field"]) == {"semiconductors", "all fields"}


def test_ingest_bad_value_is_one_line(tmp_path, cli):
    index = [(1, "SINV-1", "International patent families granted in optics, by region", "Number", "NCSES")]
    src = write_release(tmp_path / "src", [(1, "Netherlands", "", "", 2020, "12"), (1, "World", "", "", 2020, "lots")], index)
    store = tmp_path / "store"
    res = cli("ingest", "ncses", src, "--store", store)
    assert res.exit_code == 2
    assert "sei_long.csv line 3: value 'lots' is not a number, na or ne" in res.output
    assert not (store / "ncses").exists() or not any((store / "ncses").iterdir())


def test_readme_numbers(nld):
    """The numbers the README's knowledge section quotes."""
    t = nld.table
    overall = at(t, "NLD", "all fields", 2020)
    assert (overall["rank"], overall["countries_ranked"]) == (19, 183)
    assert round(overall["change_5y"], 2) == -0.28 and overall["verdict"] == "declining"
    mat = at(t, "NLD", "materials science", 2020)
    assert (mat["rank"], mat["countries_ranked"], mat["verdict"]) == (11, 80, "stable")
    semi = at(t, "NLD", "semiconductors", 2020)
    assert round(semi["world_share"] * 100, 2) == 0.21 and round(semi["index"], 2) == 0.63
    assert semi["position"] == "weak" and round(semi["change_5y"], 2) == -0.33
    ai = t[(t["field"] == "artificial intelligence") & (t["year"] == 2020)]
    assert at(t, "EU27", "artificial intelligence", 2020)["value"] == 17007 and len(ai) == 4


def test_rta_weighted_mean_is_one():
    """Property of the RTA formula: sum_f RTA_cf * p_wf / sum_g p_wg = 1 for every country with patents."""
    from hypothesis import given, settings, strategies as st

    from geomon.analyses.knowledge import position as pos

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.tuples(st.integers(1, 500), st.integers(0, 500)), min_size=2, max_size=6))
    def check(pairs):
        rows = []
        for i, (world, own) in enumerate(pairs):
            rows += [("WORLD", "aggregate", "patent_families", f"F{i}", 2020, float(world + own)),
                     ("X", "country", "patent_families", f"F{i}", 2020, float(own))]
        df = pd.DataFrame(rows, columns=["code", "geo_kind", "indicator", "field", "year", "value"])
        e = pos.enrich(df, 0.1, 1.0, 5)
        x = e[e["code"] == "X"]
        if x["value"].sum() == 0:
            assert x["index"].isna().all()
            return
        w = x["world_value"] / x["world_value"].sum()
        assert (x["index"] * w).sum() == pytest.approx(1.0)

    check()


def test_cli_ingest_then_knowledge_reads_it(tmp_path, cli):
    """'geomon ingest ncses' into the per-user store; 'geomon knowledge' then reads that release."""
    index = [(7001, "SINV-99", "International patent families granted in semiconductors, by region: 1998–2022", "Number", "NCSES")]
    rows = [(7001, "Netherlands", "", "", 2022, "61"), (7001, "World", "", "", 2022, "30000"), (7001, "China", "", "", 2022, "12000")]
    src = write_release(tmp_path / "src", rows, index)
    res = cli("ingest", "ncses", src, "--release", "SEI-test")
    assert res.exit_code == 0, res.output
    assert "NCSES release SEI-test: 3 rows written" in res.output
    res = cli("knowledge", "--country", "NLD", "--compare", "CHN", "-f", "json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["meta"]["knowledge_release"] == "SEI-test" and data["meta"]["knowledge_embedded"] is False
    nl = [r for r in data["rows"] if r["code"] == "NLD"][0]
    assert nl["value"] == 61 and nl["world_share"] == pytest.approx(61 / 30000) and nl["rank"] == 2
