"""Coercion exposure recomputed from CEPII's own BACI CSV and the shipped case file (review of
2026-11-30). test_coercion.py checks the same shares against the store's Parquet; this starts from
``BACI_HS92_Y2022_V202401b.csv`` (v in thousands of USD) and ``curated_cases.csv`` + the Section 301
and China-2018 lists with plain pandas. Skipped when ../shared is absent.

Record economies in 2022 (defaults: cases active since 2010 that started by 2022, EU27 ignored):
the coercers of curated cases (CHN, IDN, JPN, RUS; EU27 ignored) plus the USA (Section 301 tariffs
on Chinese goods, 2018) and China again (its 2018 retaliation list).
share = imports from record economies / all imports (and the same for exports).
"""

from __future__ import annotations

from importlib import resources

import pandas as pd
import pytest

from geomon import api
from geomon.countries import EU27

def record_economies() -> set[str]:
    cases = pd.read_csv(resources.files("geomon") / "data" / "coercion" / "curated_cases.csv", dtype=str,
                        keep_default_na=False)
    end_year = cases["end"].str[:4].replace("", "9999").astype(int)
    active = (end_year >= 2010) & (cases["start"].str[:4].astype(int) <= 2022)
    return (set(cases.loc[active, "coercer"]) - {"EU27"}) | {"USA"}  # + Section 301 (2018) and CHN's 2018 list


def test_record_economies_from_the_case_files():
    assert record_economies() == {"CHN", "IDN", "JPN", "RUS", "USA"}
    assert api.coercion_exposure("NLD", 2022).meta["record_economies"] == sorted(record_economies())


@pytest.mark.parametrize("reporter", ["NLD", "EU27"])
def test_exposure_shares_equal_the_raw_csv(flows_2022, reporter):
    f = flows_2022
    if reporter == "EU27":
        f = f[~(f["ex"].isin(EU27) & f["im"].isin(EU27))]
    members = EU27 if reporter == "EU27" else [reporter]
    rec = record_economies()
    res = api.coercion_exposure(reporter, 2022)
    tot = res.pick("totals").set_index(["flow", "scope"])
    imp, exp = f[f["im"].isin(members)], f[f["ex"].isin(members)]
    dependent = set(api.tiers(reporter, 2022).table.query("dependent")["product"])
    dep = imp[imp["product"].isin(dependent)]
    for key, part, side in ((("imports", "all products"), imp, "ex"), (("imports", "dependencies"), dep, "ex"),
                            (("exports", "all products"), exp, "im")):
        assert tot.loc[key, "total_usd"] == pytest.approx(part["usd"].sum(), rel=1e-9), key
        assert tot.loc[key, "share"] == pytest.approx(part.loc[part[side].isin(rec), "usd"].sum() / part["usd"].sum(),
                                                      rel=1e-9), key
    if reporter == "NLD":  # the README's numbers: 33.0 % of imports (USA 19.0 %, RUS 13.7 %), 0.9 % of exports
        assert round(tot.loc[("imports", "all products"), "share"] * 100, 1) == 33.0
        assert round(tot.loc[("exports", "all products"), "share"] * 100, 1) == 0.9
        by = imp.groupby("ex")["usd"].sum() / imp["usd"].sum()
        assert (round(by["USA"] * 100, 1), round(by["RUS"] * 100, 1)) == (19.0, 13.7)
        # lignite (270210): IDN 94.9 % + USA 0.5 % of NLD's imports come from record economies
        lig = imp[imp["product"] == "270210"]
        want = lig.loc[lig["ex"].isin(rec), "usd"].sum() / lig["usd"].sum()
        assert res.table.set_index("product").at["270210", "record_share"] == pytest.approx(want, rel=1e-9)
