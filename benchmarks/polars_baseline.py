"""The same screening as one Polars lazy query: what a Polars user would write (no loops).

scan_parquet over the store's flows (not geomon's statistics), join the BACI codes to
economies (ISO3), drop flows inside an economy, sum per pair, then group_by / join only:

- import HHI = sum_s v^2 / V^2, top supplier = largest v (ties: first ISO3), share = max / V;
- world HHI over exporters' totals x(e), top exporter likewise;
- ratio = imports / own exports (9999 when there are none);
- c1, c2, c3 against the thresholds; persistence: years of the window with all three met,
  dependent when >= k.

Countries and ALL, like the pandas baseline. Same column names as geomon.

    python benchmarks/polars_baseline.py STORE_DATASET_DIR REPORTER YEAR
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import polars as pl

from pandas_baseline import COLUMNS


def _top(who: str, value: str) -> pl.Expr:
    """The ``who`` with the largest ``value`` in the group; ties go to the smallest ``who``."""
    return pl.col(who).filter(pl.col(value) == pl.col(value).max()).min()


def _qsum(col: str) -> pl.Expr:
    """Sum of a quantity, null when every quantity of the group is unknown."""
    return pl.when(pl.col(col).count() > 0).then(pl.col(col).sum()).otherwise(None)


def screen(dataset_dir: str | Path, reporter: str, year: int, window: int = 3, min_years: int = 2,
           import_hhi: float = 0.4, world_hhi: float = 0.4, ratio: float = 1.0) -> pd.DataFrame:
    """Screen ``reporter`` (ISO3 or ALL) in ``year`` from the flows; geomon's column names."""
    dataset_dir = Path(dataset_dir)
    econ = pl.read_parquet(dataset_dir / "countries.parquet").select(pl.col("code").cast(pl.Int32), "iso3").lazy()
    years = list(range(year - window + 1, year + 1))
    f = (pl.scan_parquet(dataset_dir / "flows" / "**" / "*.parquet", hive_partitioning=True)
         .filter(pl.col("year").is_in(years))
         .with_columns(pl.col("exporter").cast(pl.Int32), pl.col("importer").cast(pl.Int32))
         .join(econ.rename({"code": "exporter", "iso3": "e"}), on="exporter")
         .join(econ.rename({"code": "importer", "iso3": "i"}), on="importer")
         .filter(pl.col("e") != pl.col("i")))
    ef = f.group_by("year", "product", "e", "i").agg(
        pl.col("value").sum(), _qsum("quantity").alias("quantity"), pl.col("quantity").null_count().alias("q_missing"))
    imp = ef.group_by("year", "i", "product").agg(
        pl.col("value").sum().alias("import_value_usd"), (pl.col("value") ** 2).sum().alias("import_sumsq"),
        pl.col("value").max().alias("import_max"), pl.len().alias("supplier_count"),
        _qsum("quantity").alias("import_quantity_t"), (pl.col("q_missing").sum() == 0).alias("quantity_complete"),
        _top("e", "value").alias("top_supplier"))
    exp = ef.group_by("year", "e", "product").agg(pl.col("value").sum().alias("x"))
    world = exp.group_by("year", "product").agg(
        pl.col("x").sum().alias("world_export_value_usd"), (pl.col("x") ** 2).sum().alias("world_sumsq"),
        pl.col("x").max().alias("world_max"), pl.len().alias("exporter_count"), _top("e", "x").alias("top_exporter"))
    if reporter.upper() != "ALL":
        imp = imp.filter(pl.col("i") == reporter.upper())
    own = exp.rename({"e": "i", "x": "reporter_export_value_usd"})
    y = (imp.join(world, on=["year", "product"], how="left")
         .join(own, on=["year", "i", "product"], how="left")
         .with_columns(pl.col("reporter_export_value_usd").fill_null(0.0)))
    v, w, x = pl.col("import_value_usd"), pl.col("world_export_value_usd"), pl.col("reporter_export_value_usd")
    y = y.with_columns(
        import_hhi=pl.when(v > 0).then(pl.col("import_sumsq") / (v * v)),
        top_supplier_share=pl.when(v > 0).then(pl.col("import_max") / v),
        world_export_hhi=pl.when(w > 0).then(pl.col("world_sumsq") / (w * w)),
        top_exporter_share=pl.when(w > 0).then(pl.col("world_max") / w),
        import_export_ratio=pl.when(x > 0).then(v / x).otherwise(9999.0))
    y = y.with_columns(
        c1_import_concentration=(pl.col("import_hhi") > import_hhi).fill_null(False),
        c2_world_concentration=(pl.col("world_export_hhi") > world_hhi).fill_null(False),
        c3_low_substitutability=pl.col("import_export_ratio") > ratio)
    y = y.with_columns(criteria_met=pl.col("c1_import_concentration") & pl.col("c2_world_concentration")
                       & pl.col("c3_low_substitutability"))
    met = y.group_by("i", "product").agg(pl.col("criteria_met").sum().cast(pl.Int64).alias("criteria_met_years"))
    out = (y.filter(pl.col("year") == year).join(met, on=["i", "product"], how="left")
           .with_columns(pl.col("criteria_met_years").fill_null(0), reporter=pl.col("i"),
                         year=pl.col("year").cast(pl.Int64), supplier_count=pl.col("supplier_count").cast(pl.Int64),
                         exporter_count=pl.col("exporter_count").cast(pl.Int64))
           .with_columns(dependent=pl.col("criteria_met_years") >= min_years))
    return out.select(COLUMNS).collect().to_pandas()


if __name__ == "__main__":
    res = screen(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    print(res.head(20).to_string())
    print(f"{len(res)} rows, {int(res['dependent'].sum())} dependent")
