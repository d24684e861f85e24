"""Eurostat Comext: the reader, the ingest, and screening / suppliers / monthly windows on it.

Real data: the shipped DS-045409 SDMX-CSV extract (CN8 48114900, EU27 reporters x EU27 + CN + WORLD,
monthly 2023-01 to 2025-12; see src/geomon/data/sources/README.md). Every expected number below is
computed by hand from the raw rows of that file with the csv module, independently of geomon.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections import defaultdict
from pathlib import Path

import pytest

from geomon import api
from geomon.errors import DataError, InputError
from geomon.sources import comext
from geomon.sources.reported import geonom_map

SAMPLE = Path(__file__).resolve().parents[1] / "src/geomon/data/sources/DS-045409_monthly_CN48114900_EU27_bilateral_2023-2025.csv.gz"


@pytest.fixture(scope="module")
def raw():
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("comext-store")
    api.ingest_comext(SAMPLE, store=root)
    return root


def nl_imports(raw, months):
    """Hand computation: NL's declared imports (flow 1, VALUE_IN_EUROS) per partner country over ``months``."""
    v = defaultdict(float)
    for r in raw:
        if (r["reporter"] == "NL" and r["flow"] == "1" and r["indicators"] == "VALUE_IN_EUROS"
                and r["partner"] != "WORLD" and r["TIME_PERIOD"] in months):
            v[r["partner"]] += float(r["OBS_VALUE"])
    return v


def months_of(*years):
    return {f"{y}-{m:02d}" for y in years for m in range(1, 13)}


def test_reader_counts_and_values(raw):
    # README of the sample: 40,012 data rows, NL 3,618; one value and one quantity row per key
    assert len(raw) == 40012
    assert sum(r["reporter"] == "NL" for r in raw) == 3618
    rep = comext.read(SAMPLE)
    assert (rep.source, rep.currency, rep.frequency, rep.version) == ("Comext", "EUR", "M", "V20260213")
    world = sum(r["partner"] == "WORLD" and r["indicators"] == "VALUE_IN_EUROS" for r in raw)
    values = sum(r["indicators"] == "VALUE_IN_EUROS" for r in raw)
    assert len(rep.aggregates) == world == 1822          # partner WORLD kept apart
    assert len(rep.rows) == values - world == 18184
    assert set(rep.aggregates["reason"]) == {"partner aggregate WORLD"}
    # first data row of the file: AT imports from BE, 2023-01, QUANTITY_IN_100KG 6.39 -> 639 kg
    row = rep.rows.query("reporter == 'AUT' and partner == 'BEL' and flow == 'M' and year == 2023 and month == 1").iloc[0]
    assert row["quantity_kg"] == pytest.approx(639.0)
    value = next(float(r["OBS_VALUE"]) for r in raw if (r["reporter"], r["partner"], r["flow"], r["indicators"],
                 r["TIME_PERIOD"]) == ("AT", "BE", "1", "VALUE_IN_EUROS", "2023-01"))
    assert row["value"] == value


def test_every_country_code_of_the_sample_maps_to_iso3(raw):
    geo = geonom_map().set_index("geonom")
    codes = {r["reporter"] for r in raw} | {r["partner"] for r in raw}
    countries = codes - {"WORLD"}
    assert len(countries) == 28                           # EU27 + CN
    for c in countries:
        assert geo.loc[c, "kind"] == "country" and len(geo.loc[c, "iso3"]) == 3, c
    assert geo.loc["GR", "iso3"] == geo.loc["EL", "iso3"] == "GRC"   # Eurostat writes EL in its API
    assert geo.loc["NL", "iso3"] == "NLD" and geo.loc["CN", "iso3"] == "CHN"


def test_ingest_provenance(store):
    ds = api.open_store(store).dataset(source="comext")
    p = ds.provenance
    assert (ds.currency, ds.frequency, ds.hs, ds.years) == ("EUR", "M", "HS22", [2023, 2024, 2025])
    assert ds.months[0] == "2023-01" and ds.months[-1] == "2025-12" and len(ds.months) == 36
    assert "declared" in p["reporting"] and "origin" in p["reporting"]
    assert p["units"]["quantity"].startswith("metric tons")
    assert p["inputs"][0]["rows"] == 18184 and p["inputs"][0]["aggregate_rows"] == 1822


def test_screen_nl_shares_equal_hand_computation(raw, store):
    v = nl_imports(raw, months_of(2025))
    total = sum(v.values())
    top = max(v, key=v.get)
    hhi = sum((x / total) ** 2 for x in v.values())
    res = api.screen("NLD", 2025, store=store, source="comext")
    row = res.table.query("product == '481149'").iloc[0]
    assert res.meta["currency"] == "EUR" and "import_value_usd" not in res.table.columns
    assert row["import_value_eur"] == pytest.approx(total, rel=1e-12)
    assert row["supplier_count"] == len(v)
    assert row["top_supplier"] == {"DE": "DEU"}[top]
    assert row["top_supplier_share"] == pytest.approx(v[top] / total, rel=1e-12)
    assert row["import_hhi"] == pytest.approx(hhi, rel=1e-12)


def test_period_screens_the_12_months_ending_there(raw, store):
    window = {f"2024-{m:02d}" for m in range(7, 13)} | {f"2025-{m:02d}" for m in range(1, 7)}
    v = nl_imports(raw, window)
    total = sum(v.values())
    res = api.screen("NLD", store=store, source="comext", period="2025-06")
    row = res.table.query("product == '481149'").iloc[0]
    assert row["import_value_eur"] == pytest.approx(total, rel=1e-12)
    assert row["top_supplier_share"] == pytest.approx(max(v.values()) / total, rel=1e-12)
    assert res.meta["period_months"] == "2024-07 to 2025-06"
    assert res.meta["window_periods"] == ["2023-06", "2024-06", "2025-06"]
    with pytest.raises(InputError, match="needs the 12 months 2022-07 to 2023-06"):
        api.screen("NLD", store=store, source="comext", period="2023-06")
    with pytest.raises(InputError, match="not YYYY-MM"):
        api.screen("NLD", store=store, source="comext", period="2024-13")


def test_trends_monthly_rolling_sums(raw, store):
    res = api.trends_monthly("NLD", "2025-04", "2025-06", product="481149", store=store)
    assert list(res.table["period"]) == ["2025-04", "2025-05", "2025-06"]
    for period, got in zip(res.table["period"], res.table["import_value_eur"]):
        y, m = map(int, period.split("-"))
        end = y * 12 + m - 1
        months = {f"{i // 12}-{i % 12 + 1:02d}" for i in range(end - 11, end + 1)}
        assert got == pytest.approx(sum(nl_imports(raw, months).values()), rel=1e-12), period
    # persistence counts the 12-month windows ending in 2025-06, 2024-06 and 2023-06; the window
    # ending 2023-06 lacks months (data start 2023-01), so at most 2 windows can meet the criteria
    assert (res.table["criteria_met_years"] <= 2).all()
    assert res.meta["persistence"] == "2 of 3 twelve-month windows"


def test_suppliers_over_a_month_range(raw, store):
    v = nl_imports(raw, months_of(2023, 2024))
    total = sum(v.values())
    res = api.suppliers("NLD", "481149", first="2023-01", last="2024-12", store=store, source="comext")
    t = res.table.set_index("supplier")
    assert set(t["currency"]) == {"EUR"}
    geo = geonom_map().set_index("geonom")["iso3"]
    for partner, value in v.items():
        assert t.loc[geo[partner], "share"] == pytest.approx(value / total, rel=1e-12)
    y23 = nl_imports(raw, months_of(2023))
    assert t.loc["CHN", "share_2023"] == pytest.approx(y23["CN"] / sum(y23.values()), rel=1e-12)
    assert res.table["share"].sum() == pytest.approx(1.0)


def test_bulk_layout_gives_the_same_flows(raw, tmp_path):
    """A fixture in the *documented* bulk layout (Comext "full" files: REPORTER, PARTNER, PRODUCT_NC,
    FLOW, STAT_PROCEDURE, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG), written from the real NL rows of
    2024-01 of the SDMX sample (no real bulk excerpt is public); each value is split over two
    statistical procedures, which the reader must sum back."""
    keys = defaultdict(dict)
    for r in raw:
        if r["reporter"] == "NL" and r["TIME_PERIOD"] == "2024-01" and r["partner"] != "WORLD":
            keys[(r["partner"], r["flow"])][r["indicators"]] = float(r["OBS_VALUE"])
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["REPORTER", "PARTNER", "TRADE_TYPE", "PRODUCT_NC", "FLOW", "STAT_PROCEDURE", "PERIOD",
                "VALUE_IN_EUROS", "QUANTITY_IN_KG"])
    for (partner, flow), ind in sorted(keys.items()):
        value, kg = ind["VALUE_IN_EUROS"], ind.get("QUANTITY_IN_100KG", 0.0) * 100
        w.writerow(["NL", partner, "I", "48114900", flow, "1", "202401", value - 1.0, kg])
        w.writerow(["NL", partner, "I", "48114900", flow, "2", "202401", 1.0, 0])
    path = tmp_path / "full_v2_202401.dat"
    path.write_text(out.getvalue())
    bulk = comext.read(path)
    sdmx = comext.read(SAMPLE).rows.query("reporter == 'NLD' and year == 2024 and month == 1")
    got = bulk.rows.set_index(["partner", "flow"])["value"].sort_index()
    want = sdmx.set_index(["partner", "flow"])["value"].sort_index()
    assert bulk.version == "V202401" and bulk.frequency == "M"
    assert got.to_dict() == pytest.approx(want.to_dict())


def test_bad_inputs_are_one_line_and_leave_no_trace(tmp_path, baci_dir):
    root = tmp_path / "store"
    other = next(Path(baci_dir).glob("BACI_*.csv"))
    with pytest.raises(DataError, match="is not a Comext extract"):
        api.ingest_comext(other, store=root)
    wrong = tmp_path / "ext.csv"
    wrong.write_text("DATAFLOW,LAST UPDATE,freq,reporter,partner,product,flow,indicators,TIME_PERIOD,OBS_VALUE\n"
                     "ESTAT:DS-059341(1.0),13/02/26 11:00:00,M,NL,CN,48114900,1,VALUE_IN_EUROS,2024-01,5\n")
    with pytest.raises(DataError, match="dataflow ESTAT:DS-059341"):
        api.ingest_comext(wrong, store=root)
    mixed = tmp_path / "mixed.csv"
    mixed.write_text("DATAFLOW,LAST UPDATE,freq,reporter,partner,product,flow,indicators,TIME_PERIOD,OBS_VALUE\n"
                     "ESTAT:DS-045409(1.0),13/02/26 11:00:00,M,NL,CN,48114900,1,VALUE_IN_EUROS,2024-01,5\n"
                     "ESTAT:DS-045409(1.0),13/02/26 11:00:00,M,NL,CN,48114900,1,VALUE_IN_USD,2024-01,6\n")
    with pytest.raises(DataError, match="mixes currencies"):
        api.ingest_comext(mixed, store=root)
    world_only = tmp_path / "world.csv"
    world_only.write_text("DATAFLOW,LAST UPDATE,freq,reporter,partner,product,flow,indicators,TIME_PERIOD,OBS_VALUE\n"
                          "ESTAT:DS-045409(1.0),13/02/26 11:00:00,M,NL,WORLD,48114900,1,VALUE_IN_EUROS,2024-01,5\n")
    with pytest.raises(DataError, match="only aggregates"):
        api.ingest_comext(world_only, store=root)
    assert not (root / "comext").exists()
    assert not list(root.glob(".staging-*"))


def test_cli_ingest_and_source_selection(cli, tmp_path, store):
    r = cli("ingest", "comext", str(SAMPLE), "--store", str(tmp_path))
    assert r.exit_code == 0, r.output
    r = cli("sources", "--store", str(store), "--format", "json")
    assert r.exit_code == 0
    rows = json.loads(r.stdout)["rows"] if "rows" in json.loads(r.stdout) else json.loads(r.stdout)
    assert any(x["source"] == "comext" and x["currency"] == "EUR" for x in (rows if isinstance(rows, list) else []))
    r = cli("ingest", "comext", str(tmp_path / "missing.csv"), "--store", str(tmp_path))
    assert r.exit_code == 2 and "does not exist" in r.output and "Traceback" not in r.output
    with pytest.raises(InputError, match="source baci is not in the store"):
        api.screen("NLD", store=store, source="baci")


def test_cli_trends_monthly_and_year_check(cli, store):
    r = cli("trends", "--monthly", "--store", str(store), "--from", "2025-05", "--to", "2025-06", "-p", "481149", "--format", "csv")
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert "import_value_eur" in lines[0] and len(lines) == 3
    assert lines[1].split(",")[3] == "2025-05" and lines[2].split(",")[3] == "2025-06"
    r = cli("trends", "--from", "2020-01", "--store", str(store))
    assert r.exit_code == 2 and "add --monthly" in r.output and "Traceback" not in r.output


def test_persistence_counts_12_month_windows(raw, store):
    """With thresholds every window meets (HHI > 0.05, ratio > 0.1), the screening of 2025-06 counts the
    windows ending 2025-06 and 2024-06; the one ending 2023-06 is not in the data (it starts 2023-01)."""
    for end in ("2025-06", "2024-06"):
        y, m = map(int, end.split("-"))
        months = {f"{i // 12}-{i % 12 + 1:02d}" for i in range(y * 12 + m - 12, y * 12 + m)}
        v = nl_imports(raw, months)
        total = sum(v.values())
        assert sum((x / total) ** 2 for x in v.values()) > 0.05, end      # c1 holds by hand in both windows
    res = api.screen("NLD", store=store, source="comext", period="2025-06", import_hhi=0.05, world_hhi=0.05, ratio=0.1)
    row = res.table.query("product == '481149'").iloc[0]
    assert row["criteria_met_years"] == 2 and bool(row["dependent"])     # k = 2 of n = 3 windows
    res = api.screen("NLD", store=store, source="comext", period="2025-06", import_hhi=0.05, world_hhi=0.05, ratio=0.1,
                     min_years=3)
    assert not bool(res.table.query("product == '481149'").iloc[0]["dependent"])
