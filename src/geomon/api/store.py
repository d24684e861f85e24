"""API of the store itself: what it holds (``geomon data``) and whether it is sound (``geomon data --check``)."""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Result
from geomon.api._context import StoreArg
from geomon.store import Store, open_store
from geomon.store.integrity import check_store as _check_store
from geomon.store.lock import folder_bytes, leftovers


def _store(store: StoreArg) -> Store:
    return store if isinstance(store, Store) else open_store(store)


def _meta(st: Store) -> dict:
    left = leftovers(st.root) if st.root.is_dir() else []
    return {"store": str(st.root), "origin": st.origin, "embedded_data": st.embedded,
            "leftovers": [{"folder": str(p), "bytes": folder_bytes(p)} for p in left]}


def datasets(store: StoreArg = None) -> Result:
    """One row per dataset of the store: dataset, years (first-last and count), flows (rows),
    ingested_at, note, licence, citation, and ``status`` ("ok" or the first problem the quick
    check finds: a missing year folder, a file missing or of another size, an unreadable
    provenance). ``meta["leftovers"]``: staging folders of interrupted ingests still there."""
    st = _store(store)
    rows = []
    for rec in _check_store(st.root, full=False):
        p = rec["provenance"] or {}
        years = sorted(int(f["year"]) for f in p.get("files", []))
        first = rec["problems"][0] if rec["problems"] else None
        rows.append({
            "dataset": rec["dataset"], "folder": str(rec["folder"]),
            "years": f"{years[0]}-{years[-1]}" if years else "", "year_count": len(years),
            "flows": sum(int(f.get("rows", 0)) for f in p.get("files", [])),
            "dropped_rows": sum(sum(f.get("dropped", {}).values()) for f in p.get("files", [])),
            "ingested_at": p.get("ingested_at", ""), "note": p.get("note", ""), "licence": p.get("licence", ""),
            "citation": p.get("citation", ""),
            "status": "ok" if first is None else f"damaged: {first[0]} {first[1]}"})
    return Result(pd.DataFrame(rows, columns=["dataset", "folder", "years", "year_count", "flows", "dropped_rows",
                                              "ingested_at", "note", "licence", "citation", "status"]), _meta(st))


def check_store(store: StoreArg = None) -> Result:
    """Every file of every dataset checked against its provenance (SHA-256, size, rows, schema;
    see :func:`geomon.store.integrity.check_dataset`): one row per problem (dataset, file,
    problem); an empty table when the store is sound. ``meta["datasets"]``: datasets checked."""
    st = _store(store)
    recs = _check_store(st.root, full=True)
    rows = [{"dataset": r["dataset"], "file": str(r["folder"] / f), "problem": what}
            for r in recs for f, what in r["problems"]]
    meta = _meta(st) | {"datasets": len(recs)}
    return Result(pd.DataFrame(rows, columns=["dataset", "file", "problem"]), meta)
