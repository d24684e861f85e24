"""UN Comtrade layouts beyond the shipped samples: the bulk file (tab-separated) and monthly results.

No real Comtrade bulk file or monthly result is shipped, so both are built from real rows, in
the field names of the real API response shipped in src/geomon/data/sources
(comtradr_test_v1_get_C_A_HS-60a6ad.json: typeCode, freqCode, refPeriodId, refYear, refMonth,
period, reporterISO, flowCode, partnerISO, partner2Code, classificationCode, cmdCode, customsCode,
motCode, netWgt, primaryValue, ...):

- Bulk: Comtrade's bulk files are gzipped tab-separated text with these field names (comtradr's
  recorded bulk download answers ``Content-Type: application/TSV``, file ``C_A_32_196201_S1_O.txt.gz``;
  ropensci/comtradr tests/testthat/goods_bulk). The rows: the real Thailand HS2007 sample, its
  snake_case column names turned back into the API's names.
- Monthly: the real monthly Comext declarations of the Netherlands' imports (flow 1) of CN8 48114900
  from each partner country 2024-01 to 2025-06 (Eurostat DS-045409 sample), written as a Comtrade
  monthly result (freqCode M, period YYYYMM, refPeriodId YYYYMM01, refMonth m, cmdCode 481149,
  classificationCode H6). The numbers are Comext's euros under Comtrade's "USD" label: the test
  checks the monthly mechanics (months, 12-month windows, rolling sums) against the raw rows.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import pytest

from geomon import api
from geomon.sources import comtrade
from geomon.sources.reported import geonom_map

DATA = Path(__file__).resolve().parents[1] / "src/geomon/data/sources"
THA = DATA / "comtradr_vignette3_THA_shrimp_HS6_by_partner_2007-2011.csv.gz"
COMEXT = DATA / "DS-045409_monthly_CN48114900_EU27_bilateral_2023-2025.csv.gz"
#: the API's field names, as in the shipped real response (JSON keys), by their snake_case dump names
API_NAMES = ["typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterCode", "reporterISO",
             "reporterDesc", "flowCode", "flowDesc", "partnerCode", "partnerISO", "partnerDesc", "partner2Code",
             "partner2ISO", "partner2Desc", "classificationCode", "classificationSearchCode", "isOriginalClassification",
             "cmdCode", "cmdDesc", "aggrLevel", "isLeaf", "customsCode", "customsDesc", "mosCode", "motCode", "motDesc",
             "qtyUnitCode", "qtyUnitAbbr", "qty", "isQtyEstimated", "altQtyUnitCode", "altQtyUnitAbbr", "altQty",
             "isAltQtyEstimated", "netWgt", "isNetWgtEstimated", "grossWgt", "isGrossWgtEstimated", "cifvalue",
             "fobvalue", "primaryValue", "legacyEstimationFlag", "isReported", "isAggregate"]
MONTHS = [f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)][:18]     # 2024-01 .. 2025-06


def _flat(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch.isalnum())


def test_bulk_tsv_reads_like_the_csv(tmp_path):
    with gzip.open(THA, "rt", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    by_flat = {_flat(n): n for n in API_NAMES}
    assert set(by_flat) == {_flat(k) for k in rows[0]}          # the dump holds exactly the API's 47 fields
    path = tmp_path / "C_A_764_2011_H3.txt.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow([by_flat[_flat(k)] for k in rows[0]])
        for r in rows:
            w.writerow([v.replace("\t", " ") for v in r.values()])
    bulk, sample = comtrade.read(path), comtrade.read(THA)
    assert (bulk.frequency, bulk.classification, bulk.currency) == ("A", "HS07", "USD")
    assert len(bulk.rows) == len(sample.rows) == 1586 - 15 and len(bulk.aggregates) == 15   # RM/RX kept apart
    keys = ["reporter", "partner", "flow", "year", "product"]
    a, b = bulk.rows.sort_values(keys).reset_index(drop=True), sample.rows.sort_values(keys).reset_index(drop=True)
    assert a[keys + ["value"]].equals(b[keys + ["value"]])
    # one value by hand: Thailand's 2011 imports of 030613 from Argentina, primary_value 9,680,167 USD
    raw = next(r for r in rows if (r["flow_code"], r["partner_iso"], r["ref_year"], r["cmd_code"]) == ("M", "ARG", "2011", "030613"))
    got = a.query("flow == 'M' and partner == 'ARG' and year == 2011 and product == '030613'")["value"].item()
    assert got == float(raw["primary_value"]) == 9680167.0


@pytest.fixture(scope="module")
def monthly(tmp_path_factory):
    """NL's monthly declared imports per partner country (raw Comext rows) and a store holding them
    ingested from the Comtrade monthly layout."""
    geo = geonom_map().set_index("geonom")
    countries = set(geo.index[geo["kind"] == "country"])
    value: dict[tuple[str, str], float] = defaultdict(float)
    kg: dict[tuple[str, str], float] = defaultdict(float)
    with gzip.open(COMEXT, "rt", encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["reporter"] == "NL" and r["flow"] == "1" and r["TIME_PERIOD"] in MONTHS and r["partner"] in countries:
                k = (r["partner"], r["TIME_PERIOD"])
                if r["indicators"] == "VALUE_IN_EUROS":
                    value[k] += float(r["OBS_VALUE"])
                else:
                    kg[k] += float(r["OBS_VALUE"]) * 100
    root = tmp_path_factory.mktemp("comtrade-monthly")
    path = root / "comtrade_M_NLD_481149_202401-202506.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["typeCode", "freqCode", "refPeriodId", "refYear", "refMonth", "period", "reporterISO", "flowCode",
                    "partnerISO", "partner2Code", "classificationCode", "cmdCode", "customsCode", "motCode", "netWgt",
                    "primaryValue"])
        for (partner, month), v in sorted(value.items()):
            y, m = month.split("-")
            w.writerow(["C", "M", f"{y}{m}01", y, int(m), f"{y}{m}", "NLD", "M", geo.loc[partner, "iso3"], 0, "H6",
                        "481149", "C00", 0, kg.get((partner, month), ""), v])
    store = root / "store"
    api.ingest_comtrade(path, store=store)
    by_iso: dict[tuple[str, str], float] = defaultdict(float)
    for (partner, month), v in value.items():
        by_iso[(geo.loc[partner, "iso3"], month)] += v
    return store, by_iso


def _window(end: str) -> set[str]:
    y, m = map(int, end.split("-"))
    last = y * 12 + m - 1
    return {f"{i // 12}-{i % 12 + 1:02d}" for i in range(last - 11, last + 1)}


def test_monthly_result_ingests_as_months(monthly):
    store, by_iso = monthly
    ds = api.open_store(store).dataset(source="comtrade")
    assert (ds.frequency, ds.hs, ds.currency) == ("M", "HS22", "USD")
    assert ds.months[0] == "2024-01" and ds.months[-1] == "2025-06" and len(ds.months) == 18


def test_monthly_period_screen_and_trends_equal_the_raw_rows(monthly):
    store, by_iso = monthly
    # --period 2025-06: the 12 months 2024-07 .. 2025-06 summed per origin, by hand from the raw rows
    v: dict[str, float] = defaultdict(float)
    for (iso, month), x in by_iso.items():
        if month in _window("2025-06"):
            v[iso] += x
    total = sum(v.values())
    res = api.screen("NLD", store=store, source="comtrade", period="2025-06")
    row = res.table.query("product == '481149'").iloc[0]
    assert res.meta["period_months"] == "2024-07 to 2025-06"
    assert row["import_value_usd"] == pytest.approx(total, rel=1e-12)
    assert row["top_supplier_share"] == pytest.approx(max(v.values()) / total, rel=1e-12)
    # trends --monthly: each month the rolling 12-month sum ending there
    t = api.trends_monthly("NLD", "2024-12", "2025-06", product="481149", store=store, source="comtrade").table
    assert list(t["period"]) == ["2024-12", "2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"]
    for period, got in zip(t["period"], t["import_value_usd"]):
        want = sum(x for (iso, month), x in by_iso.items() if month in _window(period))
        assert got == pytest.approx(want, rel=1e-12), period
