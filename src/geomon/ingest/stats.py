"""Sufficient statistics of a year's flows, computed once at ingest and stored beside them.

Screening needs, per year and product, only a few sums over the flows between economies
(ISO3 codes; flows inside one economy dropped, several BACI codes of one ISO3 merged, as
:func:`geomon.engine.indicators.economy_flows` does). With v(s, r) the value of r's imports
from supplier s and x(e) = sum_r v(e, r):

``stats/imports/year=Y``  per (importer r, product): V(r) = sum_s v(s, r) (``import_value_usd``),
    sum_s v(s, r)^2 (``import_sumsq``), max_s v(s, r) (``import_max``) and its supplier
    (``top_supplier``; ties go to the first ISO3 code), the supplier count, the quantity sum,
    whether every quantity is known (``quantity_complete``), and the importer's own exports
    x(r) of the product (``own_export_value_usd``, null when none). Sorted by importer, product.
``stats/exports/year=Y``  per (exporter e, product): x(e) and its quantity. Sorted by exporter.
``stats/world/year=Y``    per product: sum_e x(e), sum_e x(e)^2, max_e x(e), the top exporter
    and the exporter count.

HHIs and shares follow exactly (HHI = sum of squares / sum^2, top share = max / sum), so
screening one reporter reads a few thousand rows instead of tens of millions of flows
(:mod:`geomon.analyses.trade.screening`). Blocs still screen from the flows, because dropping
intra-bloc flows changes these sums.

Only the store calls this module; the SQL runs in DuckDB on a relation with the canonical
flow columns ``exporter, importer, product, value, quantity``.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow as pa

from geomon.store.layout import STATS_TABLES as TABLES, STATS_VERSION as VERSION  # noqa: F401  (one definition)


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def write_year(con: duckdb.DuckDBPyConnection, source: str, countries: pa.Table, out_root: Path, year: int,
               product_out: str = "s.product") -> None:
    """Write the three statistics tables of one year under ``out_root/<table>/year=<year>/``.

    ``source`` names a relation in ``con`` with columns exporter, importer (BACI codes),
    product, value (USD), quantity (t, NULL when unknown); ``product_out`` is the SQL
    expression giving the 6-character product code from ``product``.
    """
    econ = pa.table({"code": countries.column("code").cast(pa.int32()), "economy": countries.column("iso3")})
    con.register("geomon_econ_codes", econ)
    con.execute("""CREATE OR REPLACE TEMP TABLE geomon_econ AS
                   SELECT code, economy, dense_rank() OVER (ORDER BY economy)::INTEGER AS r FROM geomon_econ_codes""")
    con.unregister("geomon_econ_codes")
    con.execute("CREATE OR REPLACE TEMP TABLE geomon_econ_names AS SELECT DISTINCT r, economy FROM geomon_econ")
    # Economies with several BACI codes in this year's flows (e.g. 58 and 56 for BEL) need
    # their flows summed per pair first; in every other year each pair is one flow.
    merged = con.execute(f"""
        SELECT count(*) FROM (
            SELECT e.r FROM (SELECT DISTINCT exporter AS code FROM {source}
                             UNION SELECT DISTINCT importer FROM {source}) c
            JOIN geomon_econ e ON c.code = e.code GROUP BY e.r HAVING count(*) > 1)""").fetchone()[0]
    pairs = f"""
        SELECT f.product, ex.r AS e, im.r AS i, f.value, f.quantity, (f.quantity IS NULL)::INTEGER AS q_missing
        FROM {source} f JOIN geomon_econ ex ON f.exporter = ex.code JOIN geomon_econ im ON f.importer = im.code
        WHERE ex.r <> im.r"""
    if merged:
        pairs = f"""SELECT product, e, i, sum(value) AS value, sum(quantity) AS quantity, sum(q_missing) AS q_missing
                    FROM ({pairs}) GROUP BY ALL"""
    con.execute(f"""CREATE OR REPLACE TEMP TABLE geomon_imports AS
        SELECT product, i, sum(value) AS import_value_usd, sum(quantity) AS import_quantity_t,
               sum(q_missing) = 0 AS quantity_complete, count(*) AS supplier_count,
               sum(value * value) AS import_sumsq, max(value) AS import_max,
               arg_min(e, struct_pack(v := -value, e := e)) AS top
        FROM ({pairs}) GROUP BY ALL""")
    con.execute(f"""CREATE OR REPLACE TEMP TABLE geomon_exports AS
        SELECT product, e, sum(value) AS export_value_usd, sum(quantity) AS export_quantity_t
        FROM ({pairs}) GROUP BY ALL""")
    out = {name: out_root / name / f"year={year}" for name in TABLES}
    for d in out.values():
        d.mkdir(parents=True, exist_ok=True)
    opts = "(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)"
    con.execute(f"""COPY (
        SELECT {product_out} AS product, im.economy AS importer, s.import_value_usd, s.import_quantity_t,
               s.quantity_complete, s.supplier_count, s.import_sumsq, s.import_max, top.economy AS top_supplier,
               own.export_value_usd AS own_export_value_usd
        FROM geomon_imports s JOIN geomon_econ_names im ON s.i = im.r JOIN geomon_econ_names top ON s.top = top.r
        LEFT JOIN geomon_exports own ON own.product = s.product AND own.e = s.i
        ORDER BY importer, product) TO '{_sql_path(out['imports'] / 'part-0.parquet')}' {opts}""")
    con.execute(f"""COPY (
        SELECT {product_out} AS product, ex.economy AS exporter, s.export_value_usd, s.export_quantity_t
        FROM geomon_exports s JOIN geomon_econ_names ex ON s.e = ex.r
        ORDER BY exporter, product) TO '{_sql_path(out['exports'] / 'part-0.parquet')}' {opts}""")
    con.execute(f"""COPY (
        SELECT {product_out} AS product, sum(s.export_value_usd) AS world_export_value_usd, count(*) AS exporter_count,
               sum(s.export_value_usd * s.export_value_usd) AS world_sumsq, max(s.export_value_usd) AS world_max,
               arg_min(ex.economy, struct_pack(v := -s.export_value_usd, e := s.e)) AS top_exporter
        FROM geomon_exports s JOIN geomon_econ_names ex ON s.e = ex.r
        GROUP BY s.product ORDER BY 1) TO '{_sql_path(out['world'] / 'part-0.parquet')}' {opts}""")
    con.execute("DROP TABLE IF EXISTS geomon_imports; DROP TABLE IF EXISTS geomon_exports")


def write_from_flows(con: duckdb.DuckDBPyConnection, flows_dir: Path, countries: pa.Table, out_root: Path,
                     year: int) -> None:
    """Rebuild one year's statistics from its stored flows (stores written before the statistics existed)."""
    con.execute(f"""CREATE OR REPLACE TEMP VIEW geomon_stored AS
                    SELECT exporter, importer, product, value, quantity
                    FROM read_parquet('{_sql_path(flows_dir)}/*.parquet')""")
    write_year(con, "geomon_stored", countries, out_root, year)
    con.execute("DROP VIEW geomon_stored")
