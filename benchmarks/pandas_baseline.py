"""The same screening in plain, vectorised pandas: the strongest baseline an analyst would write.

It reads the store's flow Parquet files (not geomon's statistics), maps BACI codes to
economies (ISO3), drops flows inside an economy, sums flows per pair, then computes with
groupby / transform / merge only (no Python loop over products or reporters):

- import HHI = sum_s v^2 / V^2, top supplier = largest v (ties: first ISO3), share = max / V;
- world HHI over exporters' totals x(e), top exporter likewise;
- ratio = imports / own exports (9999 when there are none);
- c1, c2, c3 against the thresholds, and persistence: years of the window [y-n+1, y] with
  all three met, dependent when >= k.

Only countries and ALL (blocs need the member map; geomon's own tests cover them).

    python benchmarks/pandas_baseline.py STORE_DATASET_DIR REPORTER YEAR
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq

COLUMNS = [
    "reporter", "product", "year", "import_value_usd", "top_supplier", "top_supplier_share", "import_hhi",
    "world_export_hhi", "import_export_ratio", "c1_import_concentration", "c2_world_concentration",
    "c3_low_substitutability", "criteria_met_years", "dependent", "import_quantity_t", "quantity_complete",
    "supplier_count", "reporter_export_value_usd", "world_export_value_usd", "exporter_count", "top_exporter",
    "top_exporter_share",
]


def read_flows(dataset_dir: Path, years: list[int]) -> pd.DataFrame:
    """Flows of ``years`` from the store (product as a categorical, year as int)."""
    t = pq.read_table(dataset_dir / "flows", filters=[("year", "in", years)], read_dictionary=["product"],
                      columns=["year", "exporter", "importer", "product", "value", "quantity"],
                      partitioning=pads.partitioning(flavor="hive", schema=pa.schema([("year", pa.int32())])))
    return t.to_pandas()


def _top(df: pd.DataFrame, keys: list[str], who: str, value: str) -> pd.Series:
    """Per group of ``keys``: the ``who`` with the largest ``value``; ties go to the smallest
    ``who`` (economy ids are numbered in ISO3 order, so that is the first ISO3)."""
    is_max = df[value] == df.groupby(keys, observed=True, sort=False)[value].transform("max")
    return df[is_max].groupby(keys, observed=True, sort=False)[who].min()


def screen(dataset_dir: str | Path, reporter: str, year: int, window: int = 3, min_years: int = 2,
           import_hhi: float = 0.4, world_hhi: float = 0.4, ratio: float = 1.0) -> pd.DataFrame:
    """Screen ``reporter`` (ISO3 or ALL) in ``year`` from the flows; geomon's column names."""
    dataset_dir = Path(dataset_dir)
    countries = pq.read_table(dataset_dir / "countries.parquet").to_pandas()
    names = np.array(sorted(countries["iso3"].unique()), dtype=object)  # economy id -> ISO3, alphabetical
    econ_of_code = np.full(int(countries["code"].max()) + 1, -1, dtype=np.int32)
    econ_of_code[countries["code"].to_numpy()] = np.searchsorted(names, countries["iso3"].to_numpy())
    years = list(range(year - window + 1, year + 1))
    f = read_flows(dataset_dir, years)

    # economies: map codes, drop unknown codes and flows inside one economy, sum per pair
    codes_e, codes_i = f["exporter"].to_numpy(), f["importer"].to_numpy()
    known = (codes_e < len(econ_of_code)) & (codes_i < len(econ_of_code))
    f = f[known]
    f["e"] = econ_of_code[f["exporter"].to_numpy()]
    f["i"] = econ_of_code[f["importer"].to_numpy()]
    f = f[(f["e"] >= 0) & (f["i"] >= 0) & (f["e"] != f["i"])]
    f["q_missing"] = f["quantity"].isna().astype("int64")
    codes_used = np.union1d(f["exporter"].unique(), f["importer"].unique())
    if len(np.unique(econ_of_code[codes_used])) < len(codes_used):  # an economy with several codes
        ef = f.groupby(["year", "product", "e", "i"], observed=True, sort=False).agg(
            value=("value", "sum"), quantity=("quantity", "sum"),
            q_missing=("q_missing", "sum"), q_known=("quantity", "count")).reset_index()
        ef.loc[ef["q_known"] == 0, "quantity"] = np.nan  # a pair whose quantities are all unknown has none
    else:  # each pair of economies is one flow already
        ef = f[["year", "product", "e", "i", "value", "quantity", "q_missing"]].reset_index(drop=True)
        ef["q_known"] = 1 - ef["q_missing"]
    ef["v2"] = ef["value"] * ef["value"]

    # imports per (year, importer, product)
    ik = ["year", "i", "product"]
    imp = ef.groupby(ik, observed=True, sort=False).agg(
        import_value_usd=("value", "sum"), import_sumsq=("v2", "sum"), import_max=("value", "max"),
        supplier_count=("e", "size"), import_quantity_t=("quantity", "sum"), q_known=("q_known", "sum"),
        q_missing=("q_missing", "sum"))
    imp["top_e"] = _top(ef, ik, "e", "value")
    imp = imp.reset_index()
    imp.loc[imp["q_known"] == 0, "import_quantity_t"] = np.nan
    imp["quantity_complete"] = imp["q_missing"] == 0
    # exports per (year, exporter, product), world per (year, product)
    ek = ["year", "e", "product"]
    exp = ef.groupby(ek, observed=True, sort=False).agg(export_value_usd=("value", "sum")).reset_index()
    exp["x2"] = exp["export_value_usd"] ** 2
    wk = ["year", "product"]
    world = exp.groupby(wk, observed=True, sort=False).agg(
        world_export_value_usd=("export_value_usd", "sum"), world_sumsq=("x2", "sum"),
        world_max=("export_value_usd", "max"), exporter_count=("e", "size"))
    world["top_x"] = _top(exp, wk, "e", "export_value_usd")
    world = world.reset_index()

    if reporter.upper() != "ALL":
        rid = int(np.searchsorted(names, reporter.upper()))
        if rid >= len(names) or names[rid] != reporter.upper():
            raise SystemExit(f"unknown reporter {reporter}")
        imp = imp[imp["i"] == rid]
    own = exp.rename(columns={"e": "i", "export_value_usd": "reporter_export_value_usd"}).drop(columns="x2")
    y = imp.merge(world, on=wk, how="left").merge(own, on=ik, how="left")
    y["reporter_export_value_usd"] = y["reporter_export_value_usd"].fillna(0.0)
    total = y["import_value_usd"]
    y["import_hhi"] = (y["import_sumsq"] / (total * total)).where(total > 0)
    y["top_supplier_share"] = (y["import_max"] / total).where(total > 0)
    wt = y["world_export_value_usd"]
    y["world_export_hhi"] = (y["world_sumsq"] / (wt * wt)).where(wt > 0)
    y["top_exporter_share"] = (y["world_max"] / wt).where(wt > 0)
    own_x = y["reporter_export_value_usd"]
    y["import_export_ratio"] = np.where(own_x > 0, total / own_x.where(own_x > 0, 1.0), 9999.0)
    y["c1_import_concentration"] = (y["import_hhi"] > import_hhi).fillna(False).astype(bool)
    y["c2_world_concentration"] = (y["world_export_hhi"] > world_hhi).fillna(False).astype(bool)
    y["c3_low_substitutability"] = y["import_export_ratio"] > ratio
    y["criteria_met"] = y["c1_import_concentration"] & y["c2_world_concentration"] & y["c3_low_substitutability"]

    # persistence: met years of the window per (importer, product), on the screened year's rows
    met = y[y["criteria_met"]].groupby(["i", "product"], observed=True).size().rename("criteria_met_years")
    out = y[y["year"] == year].merge(met, left_on=["i", "product"], right_index=True, how="left")
    out["criteria_met_years"] = out["criteria_met_years"].fillna(0).astype("int64")
    out["dependent"] = out["criteria_met_years"] >= min_years
    out["reporter"] = names[out["i"].to_numpy()]
    out["top_supplier"] = names[out["top_e"].to_numpy()]
    out["top_exporter"] = names[out["top_x"].to_numpy()]
    out["product"] = out["product"].astype(str)
    out["year"] = out["year"].astype("int64")
    out["supplier_count"] = out["supplier_count"].astype("int64")
    out["exporter_count"] = out["exporter_count"].astype("int64")
    return out[COLUMNS].reset_index(drop=True)


if __name__ == "__main__":
    res = screen(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    print(res.head(20).to_string())
    print(f"{len(res)} rows, {int(res['dependent'].sum())} dependent")
