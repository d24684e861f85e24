"""Ingest an NCSES Science and Engineering Indicators release into the store, atomically.

Layout (apart from the trade datasets, which sit at ``STORE/SOURCE/NAME/provenance.json``)::

    STORE/ncses/RELEASE/
        release.json          source, publisher, licence, citation, files and checksums, time,
                              tables skipped, geographies not in the map
        indicators.parquet    the canonical table of :mod:`geomon.sources.ncses`
        tables.parquet        the recognised tables of the index (id, number, title, indicator, field)

The release folder is built beside the old one and swapped in by rename: a failed ingest
leaves the store as it was. Files with the same checksums as the stored release change nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from geomon.errors import DataError, InputError
from geomon.sources import ncses

SOURCE = "NCSES Science and Engineering Indicators"
PUBLISHER = "National Center for Science and Engineering Statistics (NCSES), U.S. National Science Foundation"
LICENCE = "Public domain (U.S. federal government work)"
CITATION = ("National Center for Science and Engineering Statistics (NCSES), Science and Engineering Indicators, "
            "National Science Board, U.S. National Science Foundation; https://ncses.nsf.gov/indicators")
FOLDER = "ncses"


@dataclass(frozen=True)
class NcsesIngest:
    root: Path
    release: str
    rows: int
    unchanged: bool
    skipped_tables: list[str]
    unmapped: list[str]


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def find_files(path: str | Path, index: str | Path | None = None) -> tuple[Path, Path]:
    """(long CSV, tables index) from a folder holding both, or the long CSV and ``index``
    (default: the ``*index*.csv`` beside it)."""
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{p} does not exist; give the NCSES folder (long CSV + tables index) or the long CSV")
    folder = p if p.is_dir() else p.parent
    longs = [p] if p.is_file() else sorted(f for f in folder.glob("*.csv") if "index" not in f.name.lower())
    if len(longs) != 1:
        raise InputError(f"{folder} holds {len(longs)} CSV files besides the index; give the long CSV itself")
    if index is None:
        found = sorted(folder.glob("*index*.csv"))
        if len(found) != 1:
            raise InputError(f"no single tables index (*index*.csv) beside {longs[0].name}; give it with --index FILE")
        index = found[0]
    return longs[0], Path(index).expanduser()


def ingest_ncses(path: str | Path, store: str | Path | None = None, release: str | None = None,
                 index: str | Path | None = None) -> NcsesIngest:
    """Read an NCSES release (see :mod:`geomon.sources.ncses`) into ``STORE/ncses/RELEASE``.

    ``release`` names it (default ``NCSES-`` + the first 8 hex digits of the long CSV's sha256);
    the store defaults to the per-user store. Returns where it went and what was left out.
    """
    from geomon.store import default_store_dir

    long_path, index_path = find_files(path, index)
    sha = {long_path.name: _sha(long_path), index_path.name: _sha(index_path)}
    name = release or f"NCSES-{sha[long_path.name][:8]}"
    if not name.replace("-", "").replace("_", "").isalnum():
        raise InputError(f"release name '{name}' may hold only letters, digits, '-' and '_'")
    root = Path(store).expanduser() if store is not None else default_store_dir()
    if root.exists() and not root.is_dir():
        raise InputError(f"the store {root} is a file, not a folder; give a store folder with --store")
    target = root / FOLDER / name
    old = target / "release.json"
    if old.is_file() and json.loads(old.read_text(encoding="utf-8")).get("files") == sha:
        prov = json.loads(old.read_text(encoding="utf-8"))
        return NcsesIngest(target, name, prov["rows"], True, prov["skipped_tables"], prov["unmapped_geographies"])
    rel = ncses.read_release(long_path, index_path)
    if rel.table.empty:
        raise DataError(f"{long_path.name}: no rows of a known NCSES table (top-1% shares, patent families, AI articles)")
    prov = {
        "source": SOURCE, "publisher": PUBLISHER, "release": name, "licence": LICENCE, "citation": CITATION,
        "files": sha, "rows": len(rel.table), "years": f"{rel.table['year'].min()}-{rel.table['year'].max()}",
        "tables": len(rel.index), "skipped_tables": rel.skipped_tables, "unmapped_geographies": rel.unmapped,
        "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    _write(target, rel, prov)
    return NcsesIngest(target, name, len(rel.table), False, rel.skipped_tables, rel.unmapped)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write(target: Path, rel: ncses.Release, prov: dict) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes 0700; give the folder the usual permissions
        rel.table.to_parquet(tmp / "indicators.parquet", index=False)
        rel.index.to_parquet(tmp / "tables.parquet", index=False)
        (tmp / "release.json").write_text(json.dumps(prov, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        aside = None
        if target.exists():
            aside = target.with_name(f".{target.name}.old")
            shutil.rmtree(aside, ignore_errors=True)
            target.rename(aside)
        tmp.rename(target)
        if aside is not None:
            shutil.rmtree(aside, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
