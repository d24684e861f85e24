"""Backend connection: where the flows live and where expressions run."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from geomon.store import Dataset


class Engine:
    """Wraps an Ibis backend. ``Engine()`` is an in-process DuckDB.

    ``Engine(ibis.pyspark.connect(session))`` runs the same expressions on Spark.
    """

    def __init__(self, con: Any | None = None) -> None:
        self.con = con if con is not None else ibis.duckdb.connect()
        self._flows: dict[str, ir.Table] = {}

    @property
    def name(self) -> str:
        return self.con.name

    def flows(self, dataset: Dataset) -> ir.Table:
        """The dataset's flows: year, exporter, importer, product, value (USD), quantity (t)."""
        key = str(dataset.root)
        if key not in self._flows:
            if self.name == "duckdb":
                t = self.con.read_parquet(dataset.flows_glob, hive_partitioning=True)
            else:
                t = self.con.read_parquet(str(dataset.root / "flows"))
            self._flows[key] = t.select(
                year=t.year.cast("int32"), exporter=t.exporter.cast("int32"), importer=t.importer.cast("int32"),
                product=t.product, value=t.value, quantity=t.quantity)
        return self._flows[key]

    def table(self, data: pa.Table | pd.DataFrame, name: str | None = None) -> ir.Table:
        """A small in-memory table (economy maps, code lists) usable in expressions."""
        if self.name == "duckdb":
            return ibis.memtable(data)
        tname = name or f"geomon_tmp_{id(data)}"
        return self.con.create_table(tname, data if isinstance(data, pd.DataFrame) else data.to_pandas(), overwrite=True, temp=True)

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        return self.con.execute(expr)


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """One shared in-process DuckDB engine."""
    return Engine()
