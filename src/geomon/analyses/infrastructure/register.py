"""The node register and the CGIT deals: shipped data, or what ``geomon ingest smdg|cgit`` put in the store.

Store layout (beside the BACI datasets, in the store folder)::

    STORE/infrastructure/smdg.parquet            node register rows of the SMDG list
    STORE/infrastructure/smdg.provenance.json    source, file, sha256, rows, ingested_at, licence, citation
    STORE/infrastructure/cgit.parquet            CGIT deals (see geomon.sources.cgit)
    STORE/infrastructure/cgit.provenance.json

Ingest writes both files of a source atomically (temporary files, then rename; the Parquet
file is renamed last so a reader never sees new provenance with old rows). Without an ingested
SMDG list the shipped copy (``geomon/data/infrastructure/smdg_terminal_code_list.csv``) is used;
the CGIT deals are not shipped (see the data README) and must be ingested.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from geomon.analyses.infrastructure.ownership import DATA
from geomon.errors import DataError, OutputError
from geomon.sources.cgit import read_cgit
from geomon.sources.smdg import read_smdg

SHIPPED_SMDG = DATA / "smdg_terminal_code_list.csv"
PROVENANCE = {
    "smdg": {"publisher": "SMDG e.V.", "source": "SMDG Terminal Code List",
             "licence": "published by SMDG for free download and use by all interested parties (smdg.org code lists)",
             "citation": "SMDG e.V., SMDG Terminal Code List (TCL), https://smdg.org/documents/smdg-code-lists/smdg-terminal-code-list/"},
    "cgit": {"publisher": "American Enterprise Institute", "source": "China Global Investment Tracker",
             "licence": "available for public use with proper citation (AEI); not redistributed with geomon",
             "citation": "American Enterprise Institute, China Global Investment Tracker, https://www.aei.org/china-global-investment-tracker/"},
}


def infra_dir(store_root: str | Path) -> Path:
    return Path(store_root) / "infrastructure"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ingest(kind: str, path: str | Path, store_root: str | Path, iso2_to_iso3: dict[str, str] | None = None) -> dict[str, Any]:
    """Read ``path`` (kind 'smdg' or 'cgit'), write it with its provenance into ``store_root``; the provenance."""
    src = Path(path)
    table = read_smdg(src, iso2_to_iso3 or {}) if kind == "smdg" else read_cgit(src)
    prov = {**PROVENANCE[kind], "file": src.name, "sha256": _sha256(src), "rows": len(table),
            "ingested_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds")}
    folder = infra_dir(store_root)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror}; give a writable --store") from None
    tmp_json, tmp_parquet = _temp(folder, f"{kind}.provenance.json"), _temp(folder, f"{kind}.parquet")
    try:
        tmp_json.write_text(json.dumps(prov, indent=2), encoding="utf-8")
        table.to_parquet(tmp_parquet, index=False)
        mask = os.umask(0)
        os.umask(mask)
        for tmp in (tmp_json, tmp_parquet):  # mkstemp makes 0600; give the files the usual permissions
            os.chmod(tmp, 0o666 & ~mask)
        os.replace(tmp_json, folder / f"{kind}.provenance.json")
        os.replace(tmp_parquet, folder / f"{kind}.parquet")
    except OSError as exc:
        raise OutputError(f"cannot write into {folder}: {exc.strerror}; give a writable --store") from None
    finally:
        tmp_json.unlink(missing_ok=True)
        tmp_parquet.unlink(missing_ok=True)
    return prov


def _temp(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


def load_smdg(store_root: str | Path | None, iso2_to_iso3: dict[str, str]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The SMDG register rows and their provenance: the ingested list if the store has one, else the shipped copy."""
    if store_root is not None and (infra_dir(store_root) / "smdg.parquet").is_file():
        folder = infra_dir(store_root)
        prov = json.loads((folder / "smdg.provenance.json").read_text(encoding="utf-8"))
        return pd.read_parquet(folder / "smdg.parquet"), {**prov, "embedded": False}
    prov = {**PROVENANCE["smdg"], "file": SHIPPED_SMDG.name, "sha256": _sha256(SHIPPED_SMDG), "embedded": True}
    return read_smdg(SHIPPED_SMDG, iso2_to_iso3), prov


def load_cgit(store_root: str | Path | None) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """The ingested CGIT deals and their provenance, or (None, note) when none were ingested."""
    if store_root is not None and (infra_dir(store_root) / "cgit.parquet").is_file():
        folder = infra_dir(store_root)
        prov = json.loads((folder / "cgit.provenance.json").read_text(encoding="utf-8"))
        return pd.read_parquet(folder / "cgit.parquet"), prov
    return None, {**PROVENANCE["cgit"], "note": "not ingested: download the CGIT spreadsheet from aei.org, save it "
                  "as CSV and run 'geomon ingest cgit PATH'"}


def check_store_file(store_root: str | Path) -> None:
    root = Path(store_root)
    if root.exists() and not root.is_dir():
        raise DataError(f"the store {root} is a file, not a folder; give a store folder with --store")
