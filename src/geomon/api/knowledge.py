"""API of the knowledge part: a country's position in science and key technologies (NCSES)."""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.context import Result
from geomon.analyses.knowledge import monitor as _monitor
from geomon.api._context import ConfigArg, StoreArg, context
from geomon.ingest.ncses import NcsesIngest
from geomon.ingest.ncses import ingest_ncses as _ingest

KNOWLEDGE = ("knowledge",)


def knowledge(country: str = "NLD", field: str | list[str] | None = None, compare: str | list[str] | None = None,
              year: int | None = None, *, config: ConfigArg = None, store: StoreArg = None, hs: str | None = None,
              version: str | None = None, **settings) -> Result:
    """The knowledge position of ``country`` (NCSES code: ISO3 such as NLD or CHN, or an aggregate
    such as EU27) and of the ``compare`` geographies (comma-separated or a list), per field
    (``field``: names or slugs, default all) and year: value, rank among countries, world and group
    shares, the relative index (top-1% index, RTA), changes over 5 and 10 years and the verdict.
    ``year`` is the year the terminal view shows (the table holds every year). ``settings`` e.g.
    ``trend_tolerance=0.05`` (see :mod:`geomon.analyses.knowledge.position` for the formulas)."""
    ctx = context(config, store, hs, version, settings, KNOWLEDGE)
    return _monitor.knowledge(ctx, country, field, compare, year)


def ingest_ncses(path: str | Path, *, store: StoreArg = None, release: str | None = None,
                 index: str | Path | None = None) -> NcsesIngest:
    """Read an NCSES release (folder with the long CSV and the tables index, or the long CSV and
    ``index``) into ``STORE/ncses/RELEASE`` (see :mod:`geomon.ingest.ncses`)."""
    root = getattr(store, "root", store)
    return _ingest(path, store=root, release=release, index=index)
