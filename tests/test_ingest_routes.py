"""Issue 15/9: the fast ingest route (parse and sort in one pass, repeated keys found as equal
neighbours in the sorted table) gives what the checked route gives (file order, count of distinct
keys, rowid as the line number), and both write the flows sorted by product, importer, exporter."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest

from geomon.errors import DataError
from geomon.ingest import ingest_baci
from geomon.sources import baci, baci_rules

from test_ingest import small_release
from test_ingest_safety import GOOD, one_file


def _table(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE TEMP TABLE y (t SMALLINT, exporter SMALLINT, importer SMALLINT, product INTEGER, "
                "value DOUBLE, quantity DOUBLE, q_bad BOOLEAN)")
    con.executemany("INSERT INTO y VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
    con.execute("CREATE OR REPLACE TEMP TABLE y AS SELECT * FROM y ORDER BY product, importer, exporter")
    return con


def _distinct_route(con) -> bool:
    """The checked route's test (baci_rules.apply_duplicates): count(*) = count of distinct keys."""
    total, keys = con.execute("SELECT count(*), count(DISTINCT (exporter, importer, product)) FROM y").fetchone()
    return total == keys


OK = (2022, 4, 156, 260800, 1.0, 2.0, False)


@pytest.mark.parametrize("rows,clean", [
    ([OK, (2022, 4, 156, 260801, 1.0, None, False), (2022, 156, 4, 260800, 1.0, 2.0, False)], True),
    # the same key with another product between them in the file: neighbours once sorted
    ([OK, (2022, 4, 156, 10110, 1.0, 2.0, False), (2022, 4, 156, 260800, 5.0, None, False)], False),
    # same exporter and product, another importer: not a repeat
    ([OK, (2022, 4, 157, 260800, 1.0, 2.0, False)], True),
    ([OK, (2022, None, 156, 260800, 1.0, 2.0, False)], False),  # a key column empty: checked route
    ([OK, (2021, 4, 157, 260800, 1.0, 2.0, False)], False),  # year differs from the file name
    ([OK, (2022, 4, 157, 260800, -1.0, 2.0, False)], False),  # value negative
    ([OK, (2022, 4, 157, 260800, 1.0, None, True)], False),  # quantity not a number
])
def test_is_clean_agrees_with_the_rules_and_the_distinct_count(rows, clean):
    con = _table(rows)
    assert baci_rules.is_clean(con, "y", 2022) is clean
    if None not in [r[1] for r in rows] and all(r[0] == 2022 and r[4] >= 0 and not r[6] for r in rows):
        assert _distinct_route(con) is clean


def test_repeated_key_far_apart_is_named_by_its_lines(tmp_path, baci_dir):
    body = GOOD + "2022,4,156,260800,1.0,NA\n2022,4,156,10110,1.0,NA\n2022,4,203,251200,2.0,NA\n"
    rel = one_file(tmp_path, baci_dir, body)
    with pytest.raises(DataError, match=r"line 5: duplicate flow exporter 4, importer 203, product 251200 "
                                        r"\(first on line 2\)"):
        ingest_baci(rel, store=tmp_path / "s")


def _is_sorted(path: Path) -> bool:
    t = pq.read_table(path).to_pandas()
    keys = list(zip(t["product"], t["importer"], t["exporter"]))
    return keys == sorted(keys) and len(set(keys)) == len(keys)


def test_flows_are_sorted_on_both_routes(tmp_path, baci_dir):
    # fast route: a real year (53,452 flows, no repeated key)
    rel = small_release(baci_dir, tmp_path / "rel", years=(2022,))
    (res,) = ingest_baci(rel, store=tmp_path / "s1")
    assert res.rows_written == 53452 and _is_sorted(res.dataset.root / "flows" / "year=2022")
    # checked route: the same year with one repeated key, summed
    lines = (rel / "BACI_HS92_Y2022_V202401b.csv").read_text().splitlines(keepends=True)
    (rel / "BACI_HS92_Y2022_V202401b.csv").write_text("".join(lines + [lines[1]]))
    (res2,) = ingest_baci(rel, store=tmp_path / "s2", duplicates="sum")
    assert res2.rows_written == 53452 and _is_sorted(res2.dataset.root / "flows" / "year=2022")
    a = pq.read_table(res.dataset.root / "flows" / "year=2022").to_pandas()
    b = pq.read_table(res2.dataset.root / "flows" / "year=2022").to_pandas()
    # the repeated line (line 2 of the file, t,i,j,k,v,q with v in thousands of USD) -> summed twice;
    # read from the file, as its first line differs between CEPII's CSV and the copy written from the store
    _, i, j, k, v, q = lines[1].strip().split(",")
    twice = (b.exporter == int(i)) & (b.importer == int(j)) & (b["product"] == k.zfill(6))
    assert b.loc[twice, "value"].item() == pytest.approx(2 * float(v) * 1000)
    if q.strip() not in ("NA", ""):
        assert b.loc[twice, "quantity"].item() == pytest.approx(2 * float(q))
    assert a[~twice].reset_index(drop=True).equals(b[~twice].reset_index(drop=True))
    shutil.rmtree(tmp_path / "s2")


def _checked(con, path: Path) -> None:
    baci._parse(con, path, path.name, lenient=False)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {baci.YEAR_TABLE} AS SELECT * FROM {baci.YEAR_TABLE} "
                f"ORDER BY product, importer, exporter")


@pytest.mark.parametrize("year", [1995, 2022])
def test_fast_parse_equals_the_checked_parse_on_real_years(baci_dir, year):
    path = baci_dir / f"BACI_HS92_Y{year}_V202401b.csv"
    con = duckdb.connect()
    assert baci.parse_fast(con, path)
    fast = con.execute(f"SELECT * FROM {baci.YEAR_TABLE}").fetchdf()
    _checked(con, path)
    checked = con.execute(f"SELECT * FROM {baci.YEAR_TABLE}").fetchdf()
    assert len(fast) > 1000
    pd.testing.assert_frame_equal(fast, checked, check_exact=True)  # same rows, same order, same doubles
    assert fast["quantity"].isna().any()  # 'NA' quantities are in the real files


@pytest.mark.parametrize("line", [
    "2022,4,156,260800,1.0,abc",  # not a number: the checked route names it
    "NA,4,156,260800,1.0,2.5",  # year not a number: a malformed line for the checked route
    "2022,4,156,260800,NA,2.5",  # value NA: a malformed line for the checked route
    "2022,4,156,260800,1.0,2.5,7",  # a column too many
])
def test_fields_the_fast_parse_does_not_take_as_is_go_the_checked_route(tmp_path, line):
    path = tmp_path / "BACI_HS92_Y2022_V202401b.csv"
    path.write_text("t,i,j,k,v,q\n2022,4,203,251200,13.017,NA\n" + line + "\n")
    con = duckdb.connect()
    assert not (baci.parse_fast(con, path) and baci_rules.is_clean(con, baci.YEAR_TABLE, 2022))


def test_empty_quantity_and_spaces_read_alike_on_both_routes(tmp_path):
    path = tmp_path / "BACI_HS92_Y2022_V202401b.csv"
    path.write_text("t,i,j,k,v,q\n2022,4,203,251200,13.017,\n2022,4,156,260800,1.0,NA\n2022,4,156,260801,1.0, 2.5\n")
    con = duckdb.connect()
    assert baci.parse_fast(con, path) and baci_rules.is_clean(con, baci.YEAR_TABLE, 2022)
    fast = con.execute(f"SELECT * FROM {baci.YEAR_TABLE}").fetchdf()
    _checked(con, path)
    pd.testing.assert_frame_equal(fast, con.execute(f"SELECT * FROM {baci.YEAR_TABLE}").fetchdf(), check_exact=True)
    assert fast["quantity"].tolist()[2] == 2.5 and fast["quantity"].iloc[:2].isna().all()  # sorted: 251200 (empty), 260800 (NA), 260801 ( 2.5)
