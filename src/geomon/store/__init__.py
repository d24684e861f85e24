"""The store: canonical data as Parquet with provenance (see :mod:`.layout` for the layout).

- :mod:`.layout`  where datasets live, :class:`Dataset`, :class:`Store`, :func:`open_store`;
- :mod:`.ingest`  a source release into the store, atomically;
- :mod:`.stats`   the sufficient statistics computed at ingest;
- :mod:`.duck`    DuckDB's resource limits, shared by ingest and the engine.
"""

from geomon.store.layout import (BACI_CITATION, BACI_LICENCE, STATS_TABLES, STORE_ENV, Dataset, Store,
                                 default_store_dir, embedded_store_dir, open_store)
from geomon.store.ingest import IngestResult, ingest_baci

__all__ = ["BACI_CITATION", "BACI_LICENCE", "STATS_TABLES", "STORE_ENV", "Dataset", "IngestResult", "Store",
           "default_store_dir", "embedded_store_dir", "ingest_baci", "open_store"]
