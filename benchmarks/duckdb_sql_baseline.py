"""The same screening as one hand-written DuckDB SQL query over the raw flow Parquet files:
the best a data engineer would write in an afternoon (group-bys for imports, exports and
world sums, one join, a persistence count).

Economies are numbered in ISO3 order (integer keys group faster than text; the order
keeps the tie rule) and named at the end. Formulas as in the pandas baseline: import HHI = sum_s v^2 / V^2, top supplier = largest v
(ties: first ISO3), world HHI over x(e), ratio = V / own exports (9999 when none), c1-c3,
persistence = years of the window with all three met, dependent when >= k. Countries and ALL.

    python benchmarks/duckdb_sql_baseline.py STORE_DATASET_DIR REPORTER YEAR
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pandas as pd

from pandas_baseline import COLUMNS

QUERY = """
WITH econ AS (SELECT code::INTEGER AS code, iso3, dense_rank() OVER (ORDER BY iso3)::INTEGER AS r
              FROM read_parquet('{countries}')),
names AS (SELECT DISTINCT r, iso3 FROM econ),
ef AS (
    SELECT f.year, f.product, ex.r AS e, im.r AS i, sum(f.value) AS value, sum(f.quantity) AS quantity,
           count(*) - count(f.quantity) AS q_missing
    FROM read_parquet('{flows}', hive_partitioning = true, hive_types = {{'year': INTEGER}}) f
    JOIN econ ex ON f.exporter = ex.code JOIN econ im ON f.importer = im.code
    WHERE f.year BETWEEN {first} AND {year} AND ex.r <> im.r
    GROUP BY ALL),
imp AS (
    SELECT year, i, product, sum(value) AS v, sum(value * value) AS v2, max(value) AS vmax, count(*) AS n,
           sum(quantity) AS q, sum(q_missing) = 0 AS q_complete,
           arg_min(e, struct_pack(v := -value, e := e)) AS top_e
    FROM ef {reporter_filter} GROUP BY ALL),
exp AS (SELECT year, e, product, sum(value) AS x FROM ef GROUP BY ALL),
world AS (
    SELECT year, product, sum(x) AS w, sum(x * x) AS w2, max(x) AS wmax, count(*) AS n_e,
           arg_min(e, struct_pack(v := -x, e := e)) AS top_x
    FROM exp GROUP BY ALL),
y AS (
    SELECT imp.*, world.w, world.w2, world.wmax, world.n_e, world.top_x, coalesce(own.x, 0.0) AS own_x,
           CASE WHEN imp.v > 0 THEN imp.v2 / (imp.v * imp.v) END AS import_hhi,
           CASE WHEN world.w > 0 THEN world.w2 / (world.w * world.w) END AS world_hhi,
           CASE WHEN coalesce(own.x, 0.0) > 0 THEN imp.v / own.x ELSE 9999.0 END AS ratio
    FROM imp LEFT JOIN world USING (year, product)
    LEFT JOIN exp own ON own.year = imp.year AND own.e = imp.i AND own.product = imp.product),
c AS (
    SELECT *, coalesce(import_hhi > {t1}, false) AS c1, coalesce(world_hhi > {t2}, false) AS c2, ratio > {t3} AS c3
    FROM y),
met AS (SELECT i, product, count(*) FILTER (c1 AND c2 AND c3) AS met_years FROM c GROUP BY ALL)
SELECT ni.iso3 AS reporter, c.product, c.year::BIGINT AS year, c.v AS import_value_usd, ns.iso3 AS top_supplier,
       CASE WHEN c.v > 0 THEN c.vmax / c.v END AS top_supplier_share, c.import_hhi,
       c.world_hhi AS world_export_hhi, c.ratio AS import_export_ratio, c.c1 AS c1_import_concentration,
       c.c2 AS c2_world_concentration, c.c3 AS c3_low_substitutability, met.met_years AS criteria_met_years,
       met.met_years >= {k} AS dependent, c.q AS import_quantity_t, c.q_complete AS quantity_complete,
       c.n AS supplier_count, c.own_x AS reporter_export_value_usd, c.w AS world_export_value_usd,
       c.n_e AS exporter_count, nx.iso3 AS top_exporter, CASE WHEN c.w > 0 THEN c.wmax / c.w END AS top_exporter_share
FROM c JOIN met USING (i, product) JOIN names ni ON ni.r = c.i JOIN names ns ON ns.r = c.top_e
JOIN names nx ON nx.r = c.top_x
WHERE c.year = {year}
"""


def _lit(path: Path) -> str:
    return str(path).replace("'", "''")


def screen(dataset_dir: str | Path, reporter: str, year: int, window: int = 3, min_years: int = 2,
           import_hhi: float = 0.4, world_hhi: float = 0.4, ratio: float = 1.0) -> pd.DataFrame:
    """Screen ``reporter`` (ISO3 or ALL) in ``year`` from the flows, in one SQL query."""
    dataset_dir = Path(dataset_dir)
    rep = reporter.upper()
    if rep != "ALL" and not rep.isalnum():
        raise SystemExit(f"unknown reporter {reporter}")
    sql = QUERY.format(countries=_lit(dataset_dir / "countries.parquet"),
                       flows=_lit(dataset_dir / "flows" / "*" / "*.parquet"), first=year - window + 1, year=year,
                       reporter_filter="" if rep == "ALL" else f"WHERE i = (SELECT r FROM names WHERE iso3 = '{rep}')",
                       t1=import_hhi, t2=world_hhi, t3=ratio, k=min_years)
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    return con.execute(sql).df()[COLUMNS]


if __name__ == "__main__":
    res = screen(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    print(res.head(20).to_string())
    print(f"{len(res)} rows, {int(res['dependent'].sum())} dependent")
