"""Backend connection: where the flows live and where expressions run.

DuckDB (embedded, the default) gets its resources from the environment, so the same
store and configuration give the same results on any machine:

- ``GEOMON_THREADS``      worker threads (default: all cores);
- ``GEOMON_MEMORY_LIMIT`` DuckDB's buffer limit, e.g. ``4GB`` or ``50%`` (default ``2GB``, so
  that a run and its results stay under 4 GiB); above it, sorts, joins and aggregations
  spill to disk instead of failing;
- ``GEOMON_TEMP_DIR``     where they spill (default: ``geomon-duckdb`` in the system temp dir).

These are machine resources, not analysis settings: they never change a result and are
not part of the configuration (or its hash). The same limits apply to ingest
(:func:`duckdb_connect`). Arrow's memory pool, which holds every result on its way to pandas,
is jemalloc where pyarrow has it (:func:`use_arrow_pool`), unless ``ARROW_DEFAULT_MEMORY_POOL``
names one.

Any other Ibis backend can be passed in instead: ``Engine(ibis.pyspark.connect(session))``
runs the same expressions on Spark (see docs/scale-out.md).
"""

from __future__ import annotations

import itertools
import os
import threading
from functools import lru_cache
from typing import Any, Sequence

import duckdb
import ibis
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa

from geomon.store import STATS_TABLES, Dataset, duckdb_settings, interruptible
from geomon.store import refused as _refused


_TMP_IDS = itertools.count()

#: Longest value list :meth:`Engine.keep` writes as an IN list.
SHORT_LIST = 64


class Engine:
    """Wraps an Ibis backend. ``Engine()`` is an in-process DuckDB with the limits above.

    ``Engine(ibis.pyspark.connect(session))`` runs the same expressions on Spark.
    """

    def __init__(self, con: Any | None = None) -> None:
        own_database = con is None
        if con is None:
            try:
                con = ibis.duckdb.connect(**duckdb_settings())
            except duckdb.Error as exc:
                raise _refused(exc) from None
            con.raw_sql("SET enable_progress_bar = false")
            use_arrow_pool()
        self.con = con
        self._tables: dict[tuple[str, str], ir.Table] = {}
        #: the engine's own in-memory database: dataset views go into it (not the connection's temp
        #: schema), so :meth:`worker` connections see them; a database the caller passed in is left as is
        self._own_database = own_database
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self.con.name

    def _read(self, dataset: Dataset, folder: str) -> ir.Table:
        """A year-partitioned Parquet folder of the dataset (``flows`` or ``stats/<name>``)."""
        key = (str(dataset.root), folder)
        with self._lock:  # shared with the worker engines (:meth:`worker`)
            if key not in self._tables:
                name = f"geomon_{folder.replace('/', '_')}_{len(self._tables)}"
                self._tables[key] = self._view(dataset.root / folder, name)
            return self._tables[key]

    def _view(self, path, name: str) -> ir.Table:
        if self.name != "duckdb":
            t = self.con.read_parquet(str(path))
            return t.mutate(year=t.year.cast("int32"))
        # year typed as INTEGER by the reader itself: a cast would hide the year
        # filter from DuckDB, which then reads every year instead of pruning folders
        glob = str(path / "*" / "*.parquet").replace("'", "''")
        kind = "VIEW" if self._own_database else "TEMP VIEW"
        self.con.raw_sql(f"CREATE OR REPLACE {kind} {name} AS SELECT * FROM read_parquet('{glob}', "
                         "hive_partitioning = true, hive_types = {'year': INTEGER})")
        return self.con.table(name)

    def worker(self) -> "Engine | None":
        """An engine for a second thread over the same database, or None when there is none.

        A DuckDB connection runs one statement at a time, so a thread of its own gets a new
        connection to the engine's in-memory database (a DuckDB cursor: same settings, same data,
        its own statements), sharing the dataset views; expressions built on either engine run on
        both. None for an engine over a database the caller passed in, or another backend: the
        caller then runs everything on this engine. Close it with :meth:`close`."""
        if not (self._own_database and self.name == "duckdb"):
            return None
        twin = Engine(ibis.duckdb.from_connection(self.con.con.cursor()))
        twin.con.raw_sql("SET enable_progress_bar = false")
        twin._own_database, twin._tables, twin._lock = True, self._tables, self._lock
        return twin

    def interrupt(self) -> None:
        """Stop the statement running on this engine's connection (DuckDB; others: nothing)."""
        if self.name == "duckdb":
            self.con.con.interrupt()

    def close(self) -> None:
        """Close the engine's connection (a worker's; the shared default engine stays open)."""
        self.con.disconnect()

    def flows(self, dataset: Dataset) -> ir.Table:
        """The dataset's flows: year, exporter, importer, product, value (USD), quantity (t)."""
        t = self._read(dataset, "flows")
        return t.select(year=t.year, exporter=t.exporter.cast("int32"), importer=t.importer.cast("int32"),
                        product=t["product"], value=t.value, quantity=t.quantity)

    def stats(self, dataset: Dataset, name: str) -> ir.Table | None:
        """Sufficient statistics written at ingest (``imports``, ``exports`` or ``world``, see
        :mod:`geomon.ingest.stats`), or None when the dataset has none (a store from an older geomon)."""
        if name not in STATS_TABLES:
            raise ValueError(f"unknown statistics table {name!r}; one of {', '.join(STATS_TABLES)}")
        if not dataset.has_stats:
            return None
        return self._read(dataset, f"stats/{name}")

    def table(self, data: pa.Table | pd.DataFrame, name: str | None = None) -> ir.Table:
        """A small in-memory table (economy maps, code lists) usable in expressions.

        An Ibis memtable: each backend registers it when a query uses it (DuckDB as an
        Arrow view, Spark as a temporary view), so nothing is left behind."""
        if self.name in ("duckdb", "pyspark"):
            return ibis.memtable(data)
        tname = name or f"geomon_tmp_{next(_TMP_IDS)}"  # not id(data): a freed frame's id comes back
        return self.con.create_table(tname, data if isinstance(data, pd.DataFrame) else data.to_pandas(), overwrite=True)

    def keep(self, t: ir.Table, column: str, values: Sequence[Any]) -> ir.Table:
        """Rows of ``t`` whose ``column`` is one of ``values``: an IN list for up to
        :data:`SHORT_LIST` values (DuckDB skips row groups by it), else a semi-join with a
        one-column table (Ibis takes seconds to compile a list of thousands of literals)."""
        values = list(values)
        if len(values) <= SHORT_LIST:
            return t.filter(t[column].isin(values))
        m = self.table(pd.DataFrame({"_keep_value": values}))
        # a view makes the semi-join a relation of its own, which callers can join again
        return t.semi_join(m, t[column] == m._keep_value).view()

    def execute(self, expr: ir.Table) -> pd.DataFrame:
        with interruptible():
            return self.con.execute(expr)

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        """The result of ``expr`` as an Arrow table (no pandas conversion)."""
        with interruptible():
            return self.con.to_pyarrow(expr)

    def to_pandas(self, expr: ir.Table) -> pd.DataFrame:
        """Like :meth:`execute`, through Arrow without Ibis' per-column conversion (faster for
        large results; the caller sets the column types it needs)."""
        with interruptible():
            return self.con.to_pyarrow(expr).to_pandas()


#: The environment variable by which pyarrow lets the user choose its memory pool.
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"


def use_arrow_pool() -> None:
    """Make jemalloc Arrow's memory pool (where pyarrow is built with it: Linux and macOS wheels),
    unless the user chose a pool with ``ARROW_DEFAULT_MEMORY_POOL``.

    Why: screening ALL turns an 858,593-row result into pandas through about 113 MB of new Arrow
    buffers (the ordered columns). With pyarrow's default pool there (mimalloc) that took
    0.95-1.14 s wall and 1.39-1.68 CPU-s at full scale, with jemalloc 0.77-1.04 s and 1.09-1.44
    (fresh processes, 4 each, side by side, 2026-12-01); one reporter, trends and the report did
    not change. The pool only decides where buffers live: no result changes."""
    if os.environ.get(ARROW_POOL_ENV):
        return
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc (Windows wheels): keep its default
        pass


@lru_cache(maxsize=1)
def default_engine() -> Engine:
    """One shared in-process DuckDB engine."""
    return Engine()
