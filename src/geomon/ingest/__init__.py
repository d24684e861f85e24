"""Ingest: source releases into the store, atomically, with the sufficient statistics.

Above the engine in the layer order (sources -> store -> engine -> ingest -> analyses), so
the statistics stored at ingest can be built by the engine's own functions.
"""

from geomon.ingest.baci import IngestResult, ingest_baci

__all__ = ["IngestResult", "ingest_baci"]
