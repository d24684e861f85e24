"""API of the infrastructure part: nodes (ports, terminals, energy assets), operators, owners, stakes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geomon.analyses.infrastructure import register as _register
from geomon.analyses.infrastructure import view as _view
from geomon.analyses.infrastructure.nodes import InfrastructureResult
from geomon.api._context import ConfigArg, StoreArg, context
from geomon.store import Store, default_store_dir

#: Sections searched for an unqualified keyword (``focus_owners=...``).
INFRASTRUCTURE = ("infrastructure", "tiers", "screening")


def _infra_root(store: StoreArg) -> Path:
    """Where ingested SMDG/CGIT tables live: the given store folder, else $GEOMON_STORE or the per-user store."""
    if store is None:
        return default_store_dir()
    return (store.root if isinstance(store, Store) else Path(store)).expanduser()


def infrastructure(country: str = "NLD", *, owners: str | list[str] | None = None, kinds: str | list[str] | None = None,
                   nodes_file: str | Path | None = None, year: int | None = None, trade: bool = True,
                   config: ConfigArg = None, store: StoreArg = None, hs: str | None = None,
                   version: str | None = None, **settings) -> InfrastructureResult:
    """The infrastructure nodes of ``country`` (ISO3, e.g. ``"NLD"``, or a bloc, ``"EU27"``): every
    node with operator, operator group, ultimate parent, home economy and known foreign stakes
    (``table``); ``summaries``: ``totals`` per home economy, ``members`` per member state (blocs),
    ``stakes`` with sources, CGIT ``deals`` and ``deals_by_year`` (after ``geomon ingest cgit``),
    ``trade_link`` (share of the reporter's tiered imports in ``year`` from the operators' home
    economies; BACI has no transport mode). ``owners`` (``"CHN,HKG"``) lists only nodes with
    those home economies; ``kinds`` (``"terminal"``) only those kinds; ``nodes_file`` adds a
    user node register. ``trade=False`` skips the trade link. A ``store`` that holds only
    ingested SMDG/CGIT tables (no BACI dataset) takes its trade data from the default store."""
    if nodes_file is not None:
        settings = {**settings, "infrastructure.nodes": nodes_file}
    root = _infra_root(store)
    ctx = context(config, _trade_store(store), hs, version, settings, INFRASTRUCTURE)
    join = lambda v: ",".join(v) if isinstance(v, (list, tuple)) else v
    return _view.infrastructure(ctx, country, join(owners), join(kinds), None, root, year, trade)


def _trade_store(store: StoreArg) -> StoreArg:
    """The store the trade data come from: ``store``, or the default one when ``store`` holds only
    ingested SMDG/CGIT tables (no BACI dataset)."""
    root = _infra_root(store)
    if store is not None and (root / "infrastructure").is_dir() and not Store(root).datasets():
        return None
    return store


def infrastructure_map(res: InfrastructureResult, output: str | Path, *, config: ConfigArg = None,
                       store: StoreArg = None, hs: str | None = None, version: str | None = None, **settings) -> None:
    """Write the map page of ``res`` (an :func:`infrastructure` result) to ``output``: one
    self-contained HTML file, outlines matched through the country table of the same data
    (``store``, ``hs``, ``version``: pass what ``res`` was computed with)."""
    from geomon.outputs.report.map_page import write_map_page

    ctx = context(config, _trade_store(store), hs, version, settings, INFRASTRUCTURE)
    write_map_page(res, output, ctx.countries.to_pandas())


def ingest_smdg(path: str | Path, store: StoreArg = None) -> dict[str, Any]:
    """Read the SMDG Terminal Code List CSV at ``path`` into the store (default: the per-user
    store); returns the provenance written beside it (source, file, sha256, rows, time)."""
    from geomon.analyses.context import open_context

    countries = open_context().countries.to_pandas()
    iso2 = dict(zip(countries["iso2"].dropna(), countries.loc[countries["iso2"].notna(), "iso3"]))
    root = _infra_root(store)
    _register.check_store_file(root)
    return _register.ingest("smdg", path, root, iso2)


def ingest_cgit(path: str | Path, store: StoreArg = None) -> dict[str, Any]:
    """Read the AEI China Global Investment Tracker CSV (latin-1) at ``path`` into the store;
    returns the provenance written beside it."""
    root = _infra_root(store)
    _register.check_store_file(root)
    return _register.ingest("cgit", path, root)
