"""The store: canonical data as Parquet with provenance (see :mod:`.layout` for the layout).

- :mod:`.layout`  where datasets live, :class:`Dataset`, :class:`Store`, :func:`open_store`;
(writing into it: :mod:`geomon.ingest`, above the engine, which computes the statistics);
- :mod:`.duck`    DuckDB's resource limits, shared by ingest and the engine.
"""

from geomon.store.duck import duckdb_connect, duckdb_settings, interruptible, refused
from geomon.store.layout import (BACI_CITATION, BACI_LICENCE, STATS_TABLES, STORE_ENV, Dataset, Store,
                                 default_store_dir, embedded_store_dir, open_store)

__all__ = ["duckdb_connect", "duckdb_settings", "interruptible", "refused", "BACI_CITATION", "BACI_LICENCE", "STATS_TABLES", "STORE_ENV", "Dataset", "Store",
           "default_store_dir", "embedded_store_dir", "open_store"]
