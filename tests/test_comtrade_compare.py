"""compare-sources on two ingested sources: Comext (the shipped extract) and a Comtrade dataset.

The shipped Comext and Comtrade samples share no year, so the second source is derived from real
rows: the Comext extract's *export* declarations of the other EU members to the Netherlands in 2024
(flow 2, partner NL; CN8 48114900), summed over the months and written in Comtrade's API CSV layout
(reporterISO, partnerISO, flowCode X, cmdCode 481149, refYear, primaryValue, netWgt). Ingested with
--mirror, they become the Netherlands' imports as its partners declared them: the classic mirror
comparison (origin vs consignment, CIF vs FOB, who reports). The numbers stay the Comext euro
figures: the Comtrade layout calls them USD, so the test compares only unit-free indicators
(shares, HHI, supplier counts) and checks that values are never converted or mixed.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import pytest

from geomon import api
from geomon.errors import InputError
from geomon.sources.reported import geonom_map

SAMPLE = Path(__file__).resolve().parents[1] / "src/geomon/data/sources/DS-045409_monthly_CN48114900_EU27_bilateral_2023-2025.csv.gz"


@pytest.fixture(scope="module")
def raw():
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def store(tmp_path_factory, raw):
    root = tmp_path_factory.mktemp("two-sources")
    api.ingest_comext(SAMPLE, store=root)
    geo = geonom_map().set_index("geonom")["iso3"]
    value, kg = defaultdict(float), defaultdict(float)
    for r in raw:
        if r["partner"] == "NL" and r["flow"] == "2" and r["TIME_PERIOD"].startswith("2024"):
            if r["indicators"] == "VALUE_IN_EUROS":
                value[r["reporter"]] += float(r["OBS_VALUE"])
            else:
                kg[r["reporter"]] += float(r["OBS_VALUE"]) * 100
    path = root.parent / "comtrade_mirror_NL_481149_2024.csv"
    with open(path, "w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["typeCode", "freqCode", "refYear", "period", "reporterISO", "flowCode", "partnerISO", "classificationCode",
                    "cmdCode", "primaryValue", "netWgt"])
        for rep, v in sorted(value.items()):
            w.writerow(["C", "A", 2024, 2024, geo[rep], "X", "NLD", "H6", "481149", v, kg.get(rep, "")])
    api.ingest_comtrade(path, store=root, mirror=True)
    return root, value


def shares(values):
    total = sum(values.values())
    top = max(values, key=values.get)
    return total, top, values[top] / total, sum((v / total) ** 2 for v in values.values())


def test_compare_two_sources(raw, store):
    root, exports_to_nl = store
    res = api.compare_sources("NLD", "481149", 2024, store=root)
    t = res.table.set_index("source")
    assert list(t.index) == ["comext", "comtrade"]
    assert t.loc["comext", "currency"] == "EUR" and t.loc["comtrade", "currency"] == "USD"
    assert res.meta["currencies"] == ["EUR", "USD"] and "not converted" in res.meta["note"]
    # Comext: the Netherlands' own import declarations (hand computation from the raw rows)
    imports = defaultdict(float)
    for r in raw:
        if (r["reporter"], r["flow"], r["indicators"]) == ("NL", "1", "VALUE_IN_EUROS") and r["partner"] != "WORLD" \
                and r["TIME_PERIOD"].startswith("2024"):
            imports[r["partner"]] += float(r["OBS_VALUE"])
    total, top, share, hhi = shares(imports)
    assert t.loc["comext", "import_value"] == pytest.approx(total, rel=1e-12)
    assert t.loc["comext", "top_supplier_share"] == pytest.approx(share, rel=1e-12)
    assert t.loc["comext", "import_hhi"] == pytest.approx(hhi, rel=1e-12)
    assert t.loc["comext", "supplier_count"] == len(imports)
    # Comtrade (derived): what the partners declared exporting to the Netherlands
    total, top, share, hhi = shares(exports_to_nl)
    assert t.loc["comtrade", "top_supplier_share"] == pytest.approx(share, rel=1e-12)
    assert t.loc["comtrade", "import_hhi"] == pytest.approx(hhi, rel=1e-12)
    assert t.loc["comtrade", "supplier_count"] == len(exports_to_nl)
    # the reasons they differ travel with the rows
    assert "origin" in t.loc["comext", "partner"] and "CIF" in t.loc["comext", "valuation"]
    assert "declared by the reporter" in t.loc["comtrade", "reporting"]


def test_compare_needs_two_different_sources(store):
    root, _ = store
    with pytest.raises(InputError, match="two different sources"):
        api.compare_sources("NLD", "481149", 2024, sources=["comext", "comext"], store=root)
    with pytest.raises(InputError, match="unknown source"):
        api.compare_sources("NLD", "481149", 2024, sources=["comext", "eurostat"], store=root)


def test_cli_compare_sources(cli, store):
    root, _ = store
    r = cli("compare-sources", "--product", "481149", "--year", "2024", "--store", str(root), "--format", "csv")
    assert r.exit_code == 0, r.output
    assert "comext" in r.stdout and "comtrade" in r.stdout and "EUR" in r.stdout
