"""A 20-year NLD trend on a store ingested from two BACI releases in two HS revisions gives one series.

The two releases, both ingested with ``geomon ingest baci`` into one store:

- HS1992 release, 2005-2016: the real CEPII BACI HS92 rows of the embedded extract (fixture
  ``baci_dir``: the CSV files as CEPII lays them out), unchanged.
- HS2017 release, 2017-2024: derived from the same real rows of 2017-2024 by UNSD's HS2017-HS1992
  correlation table (src/geomon/data/sources/unsd_hs_correlations.csv.gz): every HS1992 code
  linked to exactly ONE HS2017 code (1:1 and n:1) is recoded to it and the rows of one
  (t, i, j, HS2017 code) are summed (v and q; q is NA when any part is NA); rows of HS1992 codes
  linked to several HS2017 codes are dropped (no honest way to split them without HS2017 world
  trade). Country codes as in the HS92 release; the product list holds the derived HS2017 codes,
  each described by the HS1992 codes it comes from. Version label V202401b like its source.

``trends --hs-target 17`` then reads 2005-2016 from the HS92 dataset converted to HS2017 and
2017-2024 from the HS17 dataset: one series per product. Hand computation: for a 1:1 code
(283691, lithium carbonates, HS1992 283691 -> HS2017 283691) and an n:1 code (HS2017 250300,
sulphur other than sublimed, precipitated or colloidal = HS1992 250310 + 250390) the series equals
NLD's imports of those HS1992 codes in the raw rows, every one of the 20 years.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from geomon import api
from geomon.sources import concordance

HS92_YEARS = range(2005, 2017)
HS17_YEARS = range(2017, 2025)
NLD = 528          # BACI country code of the Netherlands (country_codes_V202401b.csv)


def _one_target() -> pd.Series:
    """HS1992 code -> its one HS2017 code, for codes the UNSD table links to a single HS2017 code."""
    links = concordance.links("92", "17")
    fan = links.groupby("src")["dst"].nunique()
    return links[links["src"].isin(fan[fan == 1].index)].drop_duplicates("src").set_index("src")["dst"]


def _derive_hs17(raw: pd.DataFrame, one: pd.Series) -> pd.DataFrame:
    f = raw[raw["k"].isin(one.index)].assign(k=lambda d: d["k"].map(one))
    g = f.assign(qnull=f["q"].isna()).groupby(["t", "i", "j", "k"], as_index=False)
    out = g.agg(v=("v", "sum"), q=("q", "sum"), qnull=("qnull", "any"))
    out["q"] = out["q"].astype(object).where(~out["qnull"], "NA")
    return out.drop(columns="qnull")


@pytest.fixture(scope="module")
def two_releases(baci_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("two_revisions")
    d92, d17, store = root / "hs92", root / "hs17", root / "store"
    d92.mkdir(), d17.mkdir()
    for name in ("country_codes_V202401b.csv", "product_codes_HS92_V202401b.csv"):
        shutil.copy(baci_dir / name, d92 / name)
    shutil.copy(baci_dir / "country_codes_V202401b.csv", d17 / "country_codes_V202401b.csv")
    for y in HS92_YEARS:
        shutil.copy(baci_dir / f"BACI_HS92_Y{y}_V202401b.csv", d92 / f"BACI_HS92_Y{y}_V202401b.csv")
    one = _one_target()
    raw = {}
    sources: dict[str, set[str]] = {}
    for y in HS17_YEARS:
        r = pd.read_csv(baci_dir / f"BACI_HS92_Y{y}_V202401b.csv", dtype={"k": str}, na_values=["NA"])
        raw[y] = r
        out = _derive_hs17(r, one)
        out.to_csv(d17 / f"BACI_HS17_Y{y}_V202401b.csv", index=False)
        for k in r["k"].unique():
            if k in one.index:
                sources.setdefault(one[k], set()).add(k)
    pd.DataFrame({"code": sorted(sources), "description": [
        f"HS2017 {c} (test release: from HS1992 {', '.join(sorted(sources[c]))} by the UNSD table)" for c in sorted(sources)]
    }).to_csv(d17 / "product_codes_HS17_V202401b.csv", index=False)
    return d92, d17, store, raw, one


def test_ingest_two_revisions_and_one_series(cli, two_releases, baci_dir):
    d92, d17, store, raw, one = two_releases
    for d in (d92, d17):
        res = cli("ingest", "baci", d, "--store", store, "--quiet")
        assert res.exit_code == 0, res.output
    ids = sorted(ds.id for ds in api.open_context(store).store.datasets())
    assert ids == ["BACI HS17 V202401b", "BACI HS92 V202401b"]
    # the derivation by hand: 250310 and 250390 both go to 250300 alone; 283691 to itself;
    # 252400 (asbestos) links to 252410 and 252490, so its rows are left out of the HS17 release
    assert one["250310"] == one["250390"] == "250300" and one["283691"] == "283691" and "252400" not in one.index

    res = api.trends("NLD", 2005, 2024, product=["283691", "250300"], store=store, hs_target="17")
    t = res.table
    assert res.meta["hs_revision"] == "HS17" and res.meta["converted_from"] == ["HS92"]
    assert sorted(t["year"].unique()) == list(range(2005, 2025))       # one series, 20 years
    got = t.pivot_table(index="year", columns="product", values="import_value_usd", aggfunc="sum")
    for y in range(2005, 2025):
        r = raw[y] if y in raw else pd.read_csv(baci_dir / f"BACI_HS92_Y{y}_V202401b.csv", dtype={"k": str}, na_values=["NA"])
        nld = r[r["j"] == NLD]
        want_li = nld.loc[nld["k"] == "283691", "v"].sum() * 1000            # BACI v is in thousand USD
        want_s = nld.loc[nld["k"].isin(["250310", "250390"]), "v"].sum() * 1000
        assert got.loc[y, "283691"] == pytest.approx(want_li, rel=1e-9), y
        assert got.loc[y, "250300"] == pytest.approx(want_s, rel=1e-9), y
    # each year read from its own release: HS17 years from the HS17 dataset, HS92 years converted
    series = api.open_context(store, hs_target="17").dataset
    assert series.provenance["hs_by_year"]["2016"] == "HS92" and series.provenance["hs_by_year"]["2017"] == "HS17"


def test_trends_cli_hs_target_one_series(cli, two_releases):
    d92, d17, store, raw, one = two_releases
    if not (store / "baci").exists():
        for d in (d92, d17):
            assert cli("ingest", "baci", d, "--store", store, "--quiet").exit_code == 0
    res = cli("trends", "--reporter", "NLD", "--from", "2005", "--to", "2024", "-p", "250300",
              "--hs-target", "17", "--store", store, "--format", "csv")
    assert res.exit_code == 0, res.output
    import io

    t = pd.read_csv(io.StringIO(res.stdout), dtype={"product": str})
    assert sorted(t["year"].unique()) == list(range(2005, 2025))
    assert set(t["product"]) == {"250300"}
