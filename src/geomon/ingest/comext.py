"""Ingest Eurostat Comext extracts (SDMX-CSV API extracts or bulk files) into the store."""

from __future__ import annotations

from pathlib import Path

from geomon.ingest.baci import IngestResult
from geomon.ingest.reported import files_of, ingest_reported
from geomon.sources import comext

SUFFIXES = (".csv", ".dat", ".txt", ".csv.gz", ".dat.gz", ".txt.gz", ".zip")


def ingest_comext(path: str | Path, store: str | Path | None = None, note: str | None = None,
                  mirror: bool = False) -> IngestResult:
    """Ingest a Comext file, or every Comext file of a folder, as one dataset
    ``comext/HSxx_Vyyyymmdd`` (values EUR, quantities t = kg / 1000; see :mod:`geomon.ingest.reported`)."""
    return ingest_reported(comext.read, files_of(path, SUFFIXES), store, note, mirror,
                           licence=comext.LICENCE, citation=comext.CITATION)
