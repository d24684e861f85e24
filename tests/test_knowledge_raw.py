"""Knowledge numbers recomputed straight from NCSES's own long CSV (review of 2026-11-30).

The other knowledge tests check geomon's formulas on small hand-made tables and a few published
values; this one recomputes every number ``geomon knowledge`` prints for NLD, CHN, USA and the EU-27
from the raw rows (``ncses_sei_tech_tables_long.csv`` + ``ncses_sei_tables_index.csv``, NCSES Science
and Engineering Indicators, public domain) with plain pandas, without geomon's reader or store.
Skipped when ../shared is absent (the shipped release is geomon's own ingest of the same CSV).

Formulas, as geomon's README states them:
- patent families, RTA(c, f, y) = (p_cf / p_wf) / (sum_g p_cg / sum_g p_wg) over the 13 fields where
  the country and the world both have a value; world share = p_cf / p_wf;
- top-1 % index = the country's top-1 % share / the world's (1.0);
- trend = measure(y) / measure(y - 5) - 1 (and y - 10), measure = top-1 % index, or the world share
  for counts; verdict improving above +10 %, declining below -10 %, else stable (defaults).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from conftest import SHARED
from geomon import api

RAW = SHARED / "staging" / "ncses_sei"
NAMES = {"NLD": "Netherlands", "CHN": "China", "USA": "United States", "EU27": "EU-27b"}
#: NCSES patent-table geographies that are not countries (regions, blocs, unassigned records).
AGGREGATES = {"World", "North America", "Central America and Caribbean", "South America", "Europe", "EU-27 + UKa",
              "EU-27b", "Other Europe", "Other Europe-2020b", "Asia", "Middle East", "Africa",
              "Australia and Oceania", "Unclassified"}


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    if not (RAW / "ncses_sei_tech_tables_long.csv").exists():
        pytest.skip("shared NCSES tables not present")
    long = pd.read_csv(RAW / "ncses_sei_tech_tables_long.csv", dtype={"value": str})
    index = pd.read_csv(RAW / "ncses_sei_tables_index.csv")
    df = long.merge(index[["table_id", "table_number", "title"]], on="table_id")
    df["v"] = pd.to_numeric(df["value"], errors="coerce")  # 'na' / 'ne' -> missing
    df["field"] = np.where(df["table_number"].str.startswith("SINV"),
                           df["title"].str.extract(r"granted in (.*), by region", expand=False), None)
    return df


@pytest.fixture(scope="module")
def geomon_table() -> pd.DataFrame:
    return api.knowledge("NLD", compare="CHN,USA,EU27").table


def _patents(raw: pd.DataFrame) -> pd.DataFrame:
    """(geo, field, year) -> count, from the 13 SINV tables."""
    p = raw[raw["table_number"].str.startswith("SINV")]
    return p.pivot_table(index=["geo", "year"], columns="field", values="v", aggfunc="first")


def test_patent_rta_and_world_share_equal_the_raw_rows(raw, geomon_table):
    p = _patents(raw)
    got = geomon_table[geomon_table["indicator"] == "patent_families"].set_index(["code", "field", "year"])
    checked = 0
    for code, geo in NAMES.items():
        for year in range(1998, 2021):
            c, w = p.loc[(geo, year)], p.loc[("World", year)]
            both = c.notna() & w.notna()
            overall = c[both].sum() / w[both].sum()
            for field in c.index[both]:
                row = got.loc[(code, field, year)]
                assert row["value"] == c[field], (code, field, year)
                assert row["world_share"] == pytest.approx(c[field] / w[field], rel=1e-12), (code, field, year)
                if overall > 0:
                    assert row["index"] == pytest.approx(c[field] / w[field] / overall, rel=1e-12), (code, field, year)
                checked += 1
    assert checked > 4 * 13 * 20
    # the figures quoted in the README and the issue: NL semiconductors 2020, 59 families, RTA 0.63
    nl = got.loc[("NLD", "semiconductors", 2020)]
    assert nl["value"] == 59 and round(nl["index"], 2) == 0.63


def test_trends_verdicts_and_rank_from_the_raw_rows(raw, geomon_table):
    p = _patents(raw)
    t = geomon_table.set_index(["code", "field", "year"])
    # patents: the trend measure is the world share; NL basic communication processes 2020 vs 2015 / 2010
    share = p.loc["Netherlands", "basic communication processes"] / p.loc["World", "basic communication processes"]
    row = t.loc[("NLD", "basic communication processes", 2020)]
    assert row["change_5y"] == pytest.approx(share[2020] / share[2015] - 1, rel=1e-12)
    assert row["change_10y"] == pytest.approx(share[2020] / share[2010] - 1, rel=1e-12)
    # top-1 %: the measure is the index itself; NL all fields 1.34 (2020), 1.86 (2015), 1.76 (2010)
    top = raw[(raw["table_number"] == "SPBS-54") & (raw["geo"] == "Netherlands")].set_index("year")["v"]
    row = t.loc[("NLD", "all fields", 2020)]
    assert (top[2020], top[2015], top[2010]) == (1.34, 1.86, 1.76)
    assert row["change_5y"] == pytest.approx(1.34 / 1.86 - 1, rel=1e-12) and row["verdict"] == "declining"
    assert row["change_10y"] == pytest.approx(1.34 / 1.76 - 1, rel=1e-12) and row["position"] == "strong"
    # AI articles (whole counts): world share 1,195 / 123,402 in 2022 against 639 / 57,823 in 2017
    ai = raw[raw["table_number"] == "APBS-1"].pivot_table(index="year", columns="geo", values="v", aggfunc="first")
    row = t.loc[("NLD", "artificial intelligence", 2022)]
    assert (ai.at[2022, "Netherlands"], ai.at[2022, "World"]) == (1195, 123402)
    assert row["change_5y"] == pytest.approx((1195 / 123402) / (ai.at[2017, "Netherlands"] / ai.at[2017, "World"]) - 1)
    # every verdict follows the stated rule from its own 5-year change (tolerance 10 %)
    v = geomon_table.dropna(subset=["change_5y"])
    want = np.where(v["change_5y"] > 0.1, "improving", np.where(v["change_5y"] < -0.1, "declining", "stable"))
    assert (v["verdict"].to_numpy() == want).all()
    # rank among the countries of the table (aggregates left out): NL 13th of 36 in semiconductors 2020
    semi = p.xs(2020, level="year")["semiconductors"]
    countries = semi[~semi.index.isin(AGGREGATES)].dropna().sort_values(ascending=False)
    assert len(countries) == 36 and list(countries.index).index("Netherlands") + 1 == 13
    row = t.loc[("NLD", "semiconductors", 2020)]
    assert (row["rank"], row["countries_ranked"]) == (13, 36)
