"""What the store holds, how sound it is, and what an ingest did, as terminal lines."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from geomon.errors import DataError

WHERE = {"embedded": "the embedded data", "per-user": "the per-user store", "explicit": "the store",
         "GEOMON_STORE": "the store from $GEOMON_STORE", "": "the store"}


def store_label(meta: dict) -> str:
    """'the embedded data' / 'the per-user store /home/x/.local/share/geomon' / 'the store PATH'."""
    origin = meta.get("origin") or ("embedded" if meta.get("embedded_data") else "")
    return WHERE[origin] if origin == "embedded" else f"{WHERE.get(origin, 'the store')} {meta['store']}"


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


def ingest_summary(results) -> list[str]:
    """Lines about leftovers removed and rows dropped by --lenient (per rule)."""
    lines = []
    for r in results:
        if r.cleaned:
            lines.append(f"removed {len(r.cleaned)} leftover folder(s) of interrupted ingests: {', '.join(r.cleaned)}")
        if r.dropped:
            rules = ", ".join(f"{rule} {n:,}" for rule, n in sorted(r.dropped.items()))
            lines.append(f"{r.dataset.id}: --lenient dropped {sum(r.dropped.values()):,} rows ({rules}); "
                         f"counted per file in {r.dataset.root / 'provenance.json'}")
    return lines


def print_datasets(result, con: Console) -> None:
    """``geomon data``: one paragraph per dataset, its status, and leftover staging folders."""
    m = result.meta
    if result.table.empty:
        raise DataError(f"no data in the store {m['store']}; run 'geomon ingest baci PATH' first")
    con.print(f"Data in {escape(store_label(m))}:", highlight=False, soft_wrap=True)
    for r in result.table.itertuples(index=False):
        con.print(f"[bold]{escape(r.dataset)}[/]: {r.year_count} years {r.years}, {r.flows:,} flows, "
                  f"ingested {r.ingested_at}", highlight=False)
        if r.dropped_rows:
            con.print(f"  {r.dropped_rows:,} bad rows dropped at ingest (--lenient; see provenance.json)", highlight=False)
        if r.note:
            con.print(f"  note: {escape(r.note)}", highlight=False)
        if r.licence:
            con.print(f"  licence: {escape(r.licence)}; cite: {escape(r.citation)}", highlight=False)
        if r.status != "ok":
            con.print(f"  [bold red]{escape(r.status)}[/]; run 'geomon data --check'", highlight=False, soft_wrap=True)
    if m["leftovers"]:
        size = sum(x["bytes"] for x in m["leftovers"])
        con.print(f"{len(m['leftovers'])} leftover folder(s) of interrupted ingests ({_mb(size)}): "
                  f"{', '.join(x['folder'] for x in m['leftovers'])}; the next ingest into this store removes them",
                  highlight=False, soft_wrap=True)  # paths whole, never folded


def print_check(result, con: Console) -> None:
    """``geomon data --check``: every problem, or that all is sound; problems end in a DataError."""
    m, t = result.meta, result.table
    if t.empty:
        con.print(f"{m['datasets']} dataset(s) in {escape(store_label(m))}: every file matches its provenance",
                  highlight=False)
        return
    for r in t.itertuples(index=False):
        con.print(f"{escape(r.file)}: {escape(r.problem)}", highlight=False, soft_wrap=True)
    raise DataError(f"{len(t)} problem(s) in {store_label(m)}; ingest the source again to rebuild the damaged "
                    f"dataset(s)")


def notices(meta: dict) -> list[str]:
    """Lines for stderr about the data a result used: which dataset and store (always, so a
    per-user store chosen over the embedded data is never a surprise), and window years the
    data lacks (their criteria cannot be met, so fewer products can be dependencies)."""
    if "dataset" not in meta or "store" not in meta:
        return []
    origin = "embedded" if meta.get("embedded_data") else meta.get("origin", "")
    if not origin:
        from geomon.store import default_store_dir

        origin = "per-user" if str(default_store_dir()) == str(meta["store"]) else "explicit"
    where = store_label({**meta, "origin": origin})
    if origin == "per-user":
        where += " (chosen over the embedded data because it holds data; give --store to choose)"
    lines = [f"data: {meta['dataset']} {meta.get('data_years', '')} from {where}"]
    missing = meta.get("window_years_missing") or []
    if missing:
        lines.append(f"warning: window years {', '.join(str(y) for y in missing)} of {meta.get('window_years', '')} are "
                     f"not in the data ({meta.get('data_years', '')}); they count as not meeting the criteria, so "
                     f"persistence {meta.get('persistence', '')} is reached less often")
    return lines
