"""Statistics stored at ingest (geomon.ingest.stats) give exactly what summing the flows gives."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomon.analyses.context import open_context
from geomon.analyses.trade.screening import screen_years
from geomon.engine import indicators as ind
from geomon.ingest import ingest_baci
from geomon.store import Dataset


def without_stats(ctx):
    """The same context, as if the store had no statistics (the flows route)."""
    prov = {k: v for k, v in ctx.dataset.provenance.items() if k != "stats"}
    return replace(ctx, dataset=Dataset(ctx.dataset.root, prov))


def test_embedded_store_has_statistics(ctx):
    assert ctx.dataset.has_stats
    assert ctx.engine.stats(ctx.dataset, "imports") is not None


@pytest.mark.parametrize("reporter,first,last", [("ALL", 2020, 2022), ("NLD", 1995, 2024), ("CHN", 2010, 2012),
                                                 ("BEL", 1995, 1999), ("S19", 2022, 2022)])
def test_statistics_route_equals_flows_route_on_real_data(ctx, reporter, first, last):
    a = screen_years(ctx, reporter, first, last)
    b = screen_years(without_stats(ctx), reporter, first, last)
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


COUNTRIES = """country_code,country_name,country_iso2,country_iso3
1,Aland,AA,AAA
2,Bland,BB,BBB
3,Bland (old code),BB,BBB
4,Rland,RR,RRR
"""
PRODUCTS = """code,description
111111,first product
222222,second product
"""
# v in thousands of USD. BBB has two codes (2 and 3) in the same year; code 999 is not in
# the country list; 2 -> 3 is a flow inside BBB.
FLOWS = """t,i,j,k,v,q
{y},1,4,111111,1.0,1
{y},2,4,111111,0.6,NA
{y},3,4,111111,0.4,2
{y},2,3,111111,5.0,1
{y},999,4,111111,9.0,1
{y},4,1,111111,0.5,1
{y},1,2,222222,2.0,1
"""


@pytest.fixture(scope="module")
def hand_store(tmp_path_factory) -> Path:
    rel = tmp_path_factory.mktemp("rel")
    for y in (2020, 2021, 2022):
        (rel / f"BACI_HS92_Y{y}_V1.csv").write_text(FLOWS.format(y=y))
    (rel / "country_codes_V1.csv").write_text(COUNTRIES)
    (rel / "product_codes_HS92_V1.csv").write_text(PRODUCTS)
    store = tmp_path_factory.mktemp("store")
    ingest_baci(rel, store=store)
    return store


def test_hand_computed_statistics(hand_store):
    """RRR's imports of 111111: AAA 1000, BBB 600 + 400 = 1000 (two codes, one economy);
    the BBB -> BBB flow and the unknown code 999 are left out. V = 2000, HHI = 0.5^2 + 0.5^2
    = 0.5, AAA and BBB tie and the first code alphabetically (AAA) is the top supplier.
    World exports of 111111: AAA 1000, BBB 1000, RRR 500 (to AAA): 2500,
    HHI = (1000^2 + 1000^2 + 500^2) / 2500^2 = 0.36, top exporter AAA with 0.4.
    RRR exports 500 of it, so imports / exports = 4. Quantities: 1 + NA + 2 = 3, incomplete."""
    ctx = open_context(store=hand_store)
    assert ctx.dataset.has_stats
    row = screen_years(ctx, "RRR", 2022, 2022).set_index("product").loc["111111"]
    assert row.import_value_usd == pytest.approx(2000.0)
    assert row.import_hhi == pytest.approx(0.5)
    assert row.top_supplier == "AAA" and row.top_supplier_share == pytest.approx(0.5)
    assert row.supplier_count == 2
    assert row.import_quantity_t == pytest.approx(3.0) and not row.quantity_complete
    assert row.world_export_value_usd == pytest.approx(2500.0)
    assert row.world_export_hhi == pytest.approx(0.36)
    assert row.top_exporter == "AAA" and row.top_exporter_share == pytest.approx(0.4)
    assert row.exporter_count == 3
    assert row.reporter_export_value_usd == pytest.approx(500.0)
    assert row.import_export_ratio == pytest.approx(4.0)
    bbb = screen_years(ctx, "BBB", 2022, 2022).set_index("product").loc["222222"]
    assert bbb.import_hhi == pytest.approx(1.0) and bbb.import_export_ratio == 9999.0


@pytest.mark.parametrize("reporter", ["ALL", "RRR", "BBB", "AAA"])
def test_hand_statistics_equal_the_flows_route(hand_store, reporter):
    ctx = open_context(store=hand_store)
    pd.testing.assert_frame_equal(screen_years(ctx, reporter, 2021, 2022),
                                  screen_years(without_stats(ctx), reporter, 2021, 2022), rtol=1e-12)


def test_store_without_statistics_is_read_from_flows_and_rebuilt_on_ingest(tmp_path):
    """A store written by an older geomon (no stats/) still screens; ingesting the same
    files again adds the statistics without rewriting the flows."""
    rel = tmp_path / "rel"
    rel.mkdir()
    for y in (2021, 2022):
        (rel / f"BACI_HS92_Y{y}_V1.csv").write_text(FLOWS.format(y=y))
    (rel / "country_codes_V1.csv").write_text(COUNTRIES)
    (rel / "product_codes_HS92_V1.csv").write_text(PRODUCTS)
    store = tmp_path / "s"
    (res,) = ingest_baci(rel, store=store)
    before = screen_years(open_context(store=store), "ALL", 2022, 2022)
    root = res.dataset.root
    shutil.rmtree(root / "stats")
    prov = json.loads((root / "provenance.json").read_text())
    del prov["stats"]
    (root / "provenance.json").write_text(json.dumps(prov))
    old = open_context(store=store)
    assert not old.dataset.has_stats
    pd.testing.assert_frame_equal(screen_years(old, "ALL", 2022, 2022), before)
    flows_before = (root / "flows" / "year=2022" / "part-0.parquet").read_bytes()
    (again,) = ingest_baci(rel, store=store)
    assert not again.unchanged and again.years_written == []
    assert again.dataset.has_stats
    assert (again.dataset.root / "flows" / "year=2022" / "part-0.parquet").read_bytes() == flows_before
    pd.testing.assert_frame_equal(screen_years(open_context(store=store), "ALL", 2022, 2022), before)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(st.sampled_from(["A", "B"]), st.sampled_from(["p", "q"]),
                               st.integers(2000, 2007), st.booleans()),
                     min_size=1, max_size=30, unique_by=lambda r: r[:3]),
       window=st.integers(1, 4))
def test_persistence_counts_met_years_in_the_window(rows, window):
    """criteria_met_years(y) = number of years y' in [y - n + 1, y] with all criteria met,
    counted by brute force in plain Python."""
    df = pd.DataFrame(rows, columns=["importer", "product", "year", "criteria_met"]).astype({"year": "int32"})
    out = ibis.duckdb.connect().execute(ind.persistence(ibis.memtable(df), window, 2))
    met = {(i, p, y) for i, p, y, m in rows if m}
    for r in out.itertuples():
        expect = sum((r.importer, r.product, y) in met for y in range(r.year - window + 1, r.year + 1))
        assert r.criteria_met_years == expect
        assert r.dependent == (expect >= 2)
    assert len(out) == len(df)


# --- engine resources --------------------------------------------------------------------------

@pytest.mark.parametrize("var,value,message", [
    ("GEOMON_MEMORY_LIMIT", "lots", "GEOMON_MEMORY_LIMIT"),
    ("GEOMON_THREADS", "0", "GEOMON_THREADS = '0' must be a whole number >= 1"),
])
def test_bad_resource_settings_are_one_line_errors(monkeypatch, var, value, message):
    from geomon.engine import Engine
    from geomon.errors import ConfigError

    monkeypatch.setenv(var, value)
    with pytest.raises(ConfigError, match=message):
        Engine()


def test_resource_limits_do_not_change_results(ctx, monkeypatch, tmp_path):
    """One thread and a small memory limit (DuckDB spills to GEOMON_TEMP_DIR): same table."""
    from geomon.engine import Engine

    monkeypatch.setenv("GEOMON_THREADS", "1")
    monkeypatch.setenv("GEOMON_MEMORY_LIMIT", "64MB")
    monkeypatch.setenv("GEOMON_TEMP_DIR", str(tmp_path / "spill"))
    small = replace(ctx, engine=Engine())
    assert small.engine.con.raw_sql("SELECT current_setting('threads')").fetchone()[0] == 1
    for reporter in ("EU27", "ALL"):
        pd.testing.assert_frame_equal(screen_years(small, reporter, 2022, 2022), screen_years(ctx, reporter, 2022, 2022),
                                      rtol=1e-12)


def test_stored_statistics_are_sorted_by_iso3_and_product_text(tmp_path):
    """The statistics are sorted on integer keys (economy rank, product code k) at ingest; the
    stored order must be that of (ISO3, 6-character product text). Here BACI code order (ZZZ = 1,
    AAA = 2, MMM = 3) differs from ISO3 order, and k = 10110 is stored as '010110'."""
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "country_codes_V1.csv").write_text("country_code,country_name,country_iso2,country_iso3\n"
                                              "1,Zland,ZZ,ZZZ\n2,Aland,AA,AAA\n3,Mland,MM,MMM\n")
    (rel / "product_codes_HS92_V1.csv").write_text("code,description\n010110,a\n020000,b\n100000,c\n")
    rows = [f"2022,{e},{i},{k},{e + i + k / 1e6},1" for e in (1, 2, 3) for i in (1, 2, 3) if e != i
            for k in (100000, 10110, 20000)]
    (rel / "BACI_HS92_Y2022_V1.csv").write_text("t,i,j,k,v,q\n" + "\n".join(rows) + "\n")
    (res,) = ingest_baci(rel, store=tmp_path / "s")
    for table, key in (("imports", "importer"), ("exports", "exporter")):
        got = pd.read_parquet(res.dataset.root / "stats" / table / "year=2022" / "part-0.parquet")
        keys = list(zip(got[key], got["product"]))
        assert len(keys) == 9 and keys == sorted(keys), table
        assert keys[0] == ("AAA", "010110") and keys[-1] == ("ZZZ", "100000")
