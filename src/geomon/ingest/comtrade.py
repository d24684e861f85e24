"""Ingest UN Comtrade results (API v1/v2 JSON or CSV, bulk CSV) into the store."""

from __future__ import annotations

from pathlib import Path

from geomon.ingest.baci import IngestResult
from geomon.ingest.reported import files_of, ingest_reported
from geomon.sources import comtrade

SUFFIXES = (".json", ".csv", ".txt", ".tsv", ".json.gz", ".csv.gz", ".txt.gz", ".tsv.gz", ".zip")


def ingest_comtrade(path: str | Path, store: str | Path | None = None, note: str | None = None,
                    mirror: bool = False, hs: str | None = None) -> IngestResult:
    """Ingest a Comtrade result, or every result file of a folder, as one dataset
    ``comtrade/HSxx_V<last period>`` (values USD, quantities t = net weight kg / 1000).

    Flows are the reporters' import declarations; ``mirror`` adds their partners' export
    declarations where no import was declared. ``hs`` (e.g. ``17``) names the HS revision when
    the files have no classification column."""
    return ingest_reported(comtrade.read, files_of(path, SUFFIXES), store, note, mirror, hs=hs,
                           licence=comtrade.LICENCE, citation=comtrade.CITATION)
