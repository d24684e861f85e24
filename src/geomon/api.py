"""The Python API. Every CLI command is a thin wrapper around one function here."""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.context import Context, Result, open_context
from geomon.analyses import screening as _screening
from geomon.config import Config, load_config
from geomon.errors import GeomonError
from geomon.store import Store, ingest_baci, open_store

__all__ = ["Config", "Context", "GeomonError", "Result", "Store", "ingest_baci", "load_config", "open_context",
           "open_store", "screen"]


def screen(reporter: str = "NLD", year: int | None = None, *, config: Config | str | Path | None = None,
           store: str | Path | Store | None = None, only_dependent: bool = False, hs: str | None = None,
           version: str | None = None, **overrides) -> Result:
    """Screen every product ``reporter`` imports in ``year`` for dependencies.

    ``overrides`` replace settings, e.g. ``import_hhi=0.5`` or ``screening__window=5``.
    """
    ctx = _context(config, store, hs, version, overrides, section="screening")
    return _screening.screen(ctx, reporter, year, only_dependent=only_dependent)


def _context(config, store, hs, version, overrides, section: str) -> Context:
    cfg = config if isinstance(config, Config) else load_config(config)
    if overrides:
        cfg = cfg.with_overrides(**{(k if "." in k or "__" in k else f"{section}.{k}"): v for k, v in overrides.items()})
    return open_context(store=store, config=cfg, hs=hs, version=version)
