"""API of the coercion part: the registry of cases, exposure to economies with a record, events."""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.coercion import event as _event
from geomon.analyses.coercion import exposure as _exposure
from geomon.analyses.coercion import registry as _registry
from geomon.analyses.context import Result
from geomon.analyses.results import TablesResult
from geomon.api._context import ConfigArg, StoreArg, context

#: Sections searched for an unqualified keyword (``since=2015`` -> coercion.since).
COERCION = ("coercion", "tiers", "groups", "screening")


def _files(cases_file: str | Path | None, gsdb_file: str | Path | None) -> dict:
    """The file keywords as settings; a keyword not given leaves ``coercion.*`` settings as they are."""
    given = {"coercion.cases_file": cases_file, "coercion.gsdb_file": gsdb_file}
    return {k: v for k, v in given.items() if v is not None}


def coercion_cases(coercer: str | None = None, target: str | None = None, product: str | None = None,
                   since: int | None = None, *, cases_file: str | Path | None = None,
                   gsdb_file: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
                   hs: str | None = None, version: str | None = None, **settings) -> Result:
    """The registry of coercion and export-control cases (shipped curated cases, the US Section 301
    lists, China's 2018 retaliation, plus ``cases_file`` and the GSDB ``gsdb_file``), filtered by
    coercer, target (ISO3, bloc or WORLD), HS ``product`` and ``since`` (active since that year)."""
    ctx = context(config, store, hs, version, {**settings, **_files(cases_file, gsdb_file)}, COERCION)
    return _registry.cases(ctx, coercer, target, product, since)


def coercion_exposure(reporter: str = "NLD", year: int | None = None, *, cases_file: str | Path | None = None,
                      gsdb_file: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
                      hs: str | None = None, version: str | None = None, **settings) -> TablesResult:
    """Share of ``reporter``'s imports (all, and of its dependencies) from economies with a coercion
    record since ``coercion.since``, and of its exports to them; per tiered product whether its top
    suppliers have a record. ``reporter`` may be a bloc or ALL. Tables: products, totals, records."""
    ctx = context(config, store, hs, version, {**settings, **_files(cases_file, gsdb_file)}, COERCION)
    return _exposure.exposure(ctx, reporter, year)


def coercion_event(case_id: str, reporter: str | None = None, *, cases_file: str | Path | None = None,
                   gsdb_file: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
                   hs: str | None = None, version: str | None = None, **settings) -> TablesResult:
    """What happened to the trade case ``case_id`` affected: yearly flows coercer -> target (or
    -> world, or target -> coercer for import measures) and coercer -> ``reporter``, their change
    against the pre-case average, and replacement suppliers. Tables: series, replacements, codes."""
    ctx = context(config, store, hs, version, {**settings, **_files(cases_file, gsdb_file)}, COERCION)
    return _event.event(ctx, case_id, reporter)
