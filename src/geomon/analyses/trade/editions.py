"""Editions: saved runs (data provenance + configuration + tiered results).

:func:`build_edition` screens and classifies a run and returns the rows and metadata to
store; the API writes them with :func:`geomon.outputs.editions.write_edition`. Reading the
repository is :mod:`geomon.sources.editions`; what changed between two editions is
:mod:`geomon.analyses.trade.edition_diff`.

Where editions live: ``--editions DIR`` / ``editions=``, else ``$GEOMON_EDITIONS``,
else ``STORE/editions`` for an explicit store, else ``<per-user data dir>/editions``
(the embedded store inside the package is never written to).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from pathlib import Path

import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.trade.screening import screen
from geomon.analyses.trade.tiers import TIERS, classify
from geomon.analyses.trade.trends import tier_order
from geomon.config import SETTINGS
from geomon.errors import InputError
from geomon.sources.editions import (EDITIONS_ENV, FORMAT_VERSION, check_name, edition_names, read_edition,
                                     read_meta)
from geomon.sources.groups import shipped_groups_path
from geomon.sources.interests import load_map, shipped_map_path
from geomon.store import Store, default_store_dir

__all__ = ["EDITIONS_ENV", "build_edition", "check_name", "data_fingerprint", "editions_dir", "input_files",
           "list_editions", "load_edition", "tier_counts"]


def editions_dir(editions: str | Path | None = None, store: Store | None = None) -> Path:
    """Where editions live: ``editions``, else $GEOMON_EDITIONS, else STORE/editions for a
    non-embedded store, else the per-user data directory's ``editions``."""
    if editions is not None:
        return Path(editions).expanduser()
    if os.environ.get(EDITIONS_ENV):
        return Path(os.environ[EDITIONS_ENV]).expanduser()
    if store is not None and not store.embedded:
        return store.root / "editions"
    return default_store_dir() / "editions"


def data_fingerprint(ctx: Context) -> str:
    """sha256 (12 hex digits) over the dataset's file names and checksums: changes with any data file."""
    prov = ctx.dataset.provenance
    parts = sorted(f"{f['name']}:{f.get('sha256', '')}" for f in prov.get("files", []))
    parts += sorted(f"{k}:{v}" for k, v in (prov.get("code_files") or {}).items())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def input_files(ctx: Context) -> dict[str, dict[str, str]]:
    """The files the tiers rest on, with the sha256 of their content: the shipped
    public-interest map and substitute groups, and every setting that names a file
    (user interest map, overrides, groups)."""
    paths = {"shipped interest map": shipped_map_path(), "shipped substitute groups": shipped_groups_path()}
    for name in SETTINGS:
        value = ctx.config[name]
        if isinstance(value, str) and value:
            paths[name] = Path(value).expanduser()
    out = {}
    for key, path in paths.items():
        if path.is_file():
            out[key] = {"path": str(path.resolve()), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return out


def tier_counts(rows: pd.DataFrame) -> dict[str, int]:
    counts = rows["tier"].value_counts()
    return {t: int(counts.get(t, 0)) for t in tier_order(rows)}


def build_edition(ctx: Context, name: str, reporter: str, year: int | None = None, note: str = "",
                  editions: str | Path | None = None) -> Result:
    """Screen and classify ``reporter`` in ``year`` as edition ``name``: the rows to store and
    the edition's metadata (``meta["path"]`` is where it goes). Raises :class:`InputError`
    when ``name`` is not allowed or exists (before any screening)."""
    name = check_name(name)
    target = editions_dir(editions, ctx.store) / name
    if target.exists():
        raise InputError(f"edition '{name}' already exists in {target.parent}; choose another name "
                         "(nothing was overwritten)")
    scr = screen(ctx, reporter, year)
    rows = classify(ctx, scr.table).reset_index(drop=True)
    meta = {
        **scr.meta, "analysis": "edition", "edition": name,
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds"),
        "note": note or "", "edition_format": FORMAT_VERSION, "data_fingerprint": data_fingerprint(ctx),
        "input_files": input_files(ctx), "interest_map": load_map(ctx.config).describe(),
        "rows": len(rows), "dependent": int(rows["dependent"].sum()), "tiers": tier_counts(rows),
        "path": str(target),
    }
    return Result(rows, meta)


def load_edition(name: str, editions: str | Path | None = None, store: Store | None = None) -> Result:
    """The stored rows and metadata of edition ``name``."""
    rows, meta = read_edition(editions_dir(editions, store), name)
    return Result(rows, meta)


def list_editions(editions: str | Path | None = None, store: Store | None = None) -> Result:
    """One row per saved edition: name, created_at, reporter, year, data version,
    fingerprint, config hash, rows, dependent, products per tier, note (oldest first)."""
    root = editions_dir(editions, store)
    base = ["edition", "created_at", "reporter", "year", "dataset", "data_version", "data_fingerprint",
            "config_hash", "rows", "dependent"]
    records = []
    for name in edition_names(root):
        m = read_meta(root / name)
        rec = {k: m.get(k, "") for k in base}
        rec.update({t: n for t, n in (m.get("tiers") or {}).items()})
        rec["note"] = m.get("note", "")
        records.append(rec)
    df = pd.DataFrame.from_records(records, columns=None if records else base)
    extra = [c for c in df.columns if c not in base + ["note"]]
    tiers = [t for t in TIERS if t in extra] + sorted(set(extra) - set(TIERS))
    df = df.reindex(columns=base + tiers + ["note"])
    for c in tiers:
        df[c] = df[c].fillna(0).astype("int64")
    df = df.sort_values(["created_at", "edition"], kind="stable").reset_index(drop=True)
    return Result(df, {"analysis": "editions", "editions_dir": str(root), "editions": len(df)})
