"""The Python API. Every CLI command is a thin wrapper around one function here."""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.context import Context, Result, open_context
from geomon.analyses.trade import screening as _screening
from geomon.analyses.trade.trends import TablesResult, TrendsResult
from geomon.config import Config, load_config
from geomon.errors import GeomonError
from geomon.store import Store, ingest_baci, open_store

__all__ = ["Config", "Context", "GeomonError", "Result", "Store", "ingest_baci", "load_config", "open_context",
           "open_store", "screen"]
__all__ += ["TablesResult", "TrendsResult", "trends", "save_edition", "list_editions", "show_edition", "diff_editions"]
__all__ += ["tiers", "groups", "suppliers", "leverage"]
__all__ += ["production", "chain", "risk", "scenario"]
__all__ += ["report_data", "report"]


def screen(reporter: str = "NLD", year: int | None = None, *, config: Config | str | Path | None = None,
           store: str | Path | Store | None = None, only_dependent: bool = False, hs: str | None = None,
           version: str | None = None, **overrides) -> Result:
    """Screen every product ``reporter`` imports in ``year`` for dependencies.

    ``overrides`` replace settings, e.g. ``import_hhi=0.5`` or ``screening__window=5``.
    """
    ctx = _context(config, store, hs, version, overrides, section="screening")
    return _screening.screen(ctx, reporter, year, only_dependent=only_dependent)


def suppliers(reporter: str = "NLD", product: str = "283691", year: int | None = None, *, first: int | None = None,
              last: int | None = None, world: bool = False, config: Config | str | Path | None = None,
              store: str | Path | Store | None = None, hs: str | None = None, version: str | None = None,
              **overrides) -> Result:
    """Every supplier of ``product`` (HS6, HS4 heading or HS2 chapter) to ``reporter`` in ``year``
    with value, quantity, share = v_s / sum_s' v_s', and its share in each year of [first, last];
    ``world=True``: the world's exporters of the product instead."""
    from geomon.analyses.trade import suppliers as _suppliers

    ctx = _context(config, store, hs, version, overrides, section="screening")
    return _suppliers.suppliers(ctx, reporter, product, year, first, last, world=world)


def leverage(supplier: str = "NLD", year: int | None = None, *, config: Config | str | Path | None = None,
             store: str | Path | Store | None = None, hs: str | None = None, version: str | None = None,
             **overrides) -> Result:
    """The reverse view: (partner, product) pairs where ``supplier`` is the partner's largest
    source with more than ``leverage.min_share`` of its imports."""
    from geomon.analyses.trade import leverage as _leverage

    ctx = _context(config, store, hs, version, overrides, section="leverage")
    return _leverage.leverage(ctx, supplier, year)


def _context(config, store, hs, version, overrides, section: str) -> Context:
    cfg = config if isinstance(config, Config) else load_config(config)
    if overrides:
        cfg = cfg.with_overrides(**{(k if "." in k or "__" in k else f"{section}.{k}"): v for k, v in overrides.items()})
    return open_context(store=store, config=cfg, hs=hs, version=version)


# --- trends and editions -------------------------------------------------------------------------

def _tiered_context(config, store, hs, version, interest_map, replace_interest_map, overrides_file, groups_file,
                    settings) -> Context:
    cfg = config if isinstance(config, Config) else load_config(config)
    cfg = cfg.with_overrides(**_tier_settings(interest_map, replace_interest_map, overrides_file, groups_file, False,
                                              settings))
    return open_context(store=store, config=cfg, hs=hs, version=version)


def trends(reporter: str = "NLD", first: int | None = None, last: int | None = None, *,
           product: str | list[str] | None = None, config: Config | str | Path | None = None,
           store: str | Path | Store | None = None, interest_map: str | Path | None = None,
           replace_interest_map: bool = False, overrides_file: str | Path | None = None,
           groups_file: str | Path | None = None, hs: str | None = None, version: str | None = None,
           **settings) -> TrendsResult:
    """Screening and tiers for every year in [first, last] (default: the last 20 data years).

    Returns a :class:`~geomon.analyses.trade.trends.TrendsResult`: ``table`` one row per
    (reporter, product, year) with the screen columns plus the tier columns;
    ``summaries`` by_tier, by_supplier, changes, durations. ``reporter`` may be ``ALL``.
    ``settings`` as in :func:`tiers` (``import_hhi=0.5``, ``margin=0.2``, ...).
    """
    from geomon.analyses.trade import trends as _trends

    ctx = _tiered_context(config, store, hs, version, interest_map, replace_interest_map, overrides_file, groups_file,
                          settings)
    products = [product] if isinstance(product, str) else product
    return _trends.trends(ctx, reporter, first, last, products)


def save_edition(name: str, reporter: str = "NLD", year: int | None = None, *, note: str = "",
                 editions: str | Path | None = None, config: Config | str | Path | None = None,
                 store: str | Path | Store | None = None, interest_map: str | Path | None = None,
                 replace_interest_map: bool = False, overrides_file: str | Path | None = None,
                 groups_file: str | Path | None = None, hs: str | None = None, version: str | None = None,
                 **settings) -> Result:
    """Screen, classify and save the run as edition ``name`` (an existing name is an error,
    nothing is overwritten). ``editions``: the editions directory (default $GEOMON_EDITIONS,
    else STORE/editions, else the per-user data directory). ``settings`` as in :func:`tiers`.
    Returns the stored rows and the edition's metadata (``meta["path"]`` is where it went).
    """
    from geomon.analyses.trade import editions as _editions

    ctx = _tiered_context(config, store, hs, version, interest_map, replace_interest_map, overrides_file, groups_file,
                          settings)
    return _editions.save_edition(ctx, name, reporter, year, note, editions)


def list_editions(editions: str | Path | None = None, *, store: str | Path | Store | None = None) -> Result:
    """One row per saved edition (name, date, reporter, year, data version, config hash, counts by tier)."""
    from geomon.analyses.trade import editions as _editions

    return _editions.list_editions(editions, store if isinstance(store, Store) else open_store(store))


def show_edition(name: str, editions: str | Path | None = None, *, store: str | Path | Store | None = None) -> Result:
    """The stored rows and metadata of edition ``name``."""
    from geomon.analyses.trade import editions as _editions

    return _editions.load_edition(name, editions, store if isinstance(store, Store) else open_store(store))


def diff_editions(a: str, b: str, editions: str | Path | None = None, *,
                  store: str | Path | Store | None = None) -> TablesResult:
    """Products that entered or left each tier from edition ``a`` to ``b``, with the indicator
    changes behind them; ``summaries`` tiers, config and provenance differences."""
    from geomon.analyses.trade import editions as _editions

    return _editions.diff_editions(a, b, editions, store if isinstance(store, Store) else open_store(store))


# --- tiers and substitute groups -----------------------------------------------------------------

def _tier_settings(interest_map, replace_interest_map, overrides_file, groups_file, replace_groups, settings) -> dict:
    """Keyword settings -> ``section.key``: an unqualified name is looked up in tiers, groups,
    then screening (``margin=0.2`` -> tiers.margin, ``import_hhi=0.5`` -> screening.import_hhi)."""
    from geomon.config import SETTINGS

    out = {}
    for key, value in settings.items():
        name = key.replace("__", ".")
        if "." not in name:
            name = next((f"{s}.{name}" for s in ("tiers", "groups", "screening") if f"{s}.{name}" in SETTINGS), name)
        out[name] = value
    out.update({"tiers.interest_map": str(interest_map) if interest_map is not None else None,
                "tiers.interest_map_mode": "replace" if replace_interest_map else None,
                "tiers.overrides": str(overrides_file) if overrides_file is not None else None,
                "groups.file": str(groups_file) if groups_file is not None else None,
                "groups.mode": "replace" if replace_groups else None})
    return {k: v for k, v in out.items() if v is not None}


def tiers(reporter: str = "NLD", year: int | None = None, *, config: Config | str | Path | None = None,
          store: str | Path | Store | None = None, interest_map: str | Path | None = None,
          replace_interest_map: bool = False, overrides_file: str | Path | None = None,
          groups_file: str | Path | None = None, hs: str | None = None, version: str | None = None,
          **settings) -> Result:
    """Screen ``reporter`` in ``year`` and give every product a tier (strategic, possible,
    dependency, none) with its reasons; expert overrides from ``overrides_file`` replace the
    computed tier (both are shown). ``settings`` replace configuration values, e.g.
    ``strategic_world_hhi=0.6``, ``margin=0.2`` or ``import_hhi=0.5``."""
    from geomon.analyses.trade import tiers as _tiers

    cfg = config if isinstance(config, Config) else load_config(config)
    cfg = cfg.with_overrides(**_tier_settings(interest_map, replace_interest_map, overrides_file, groups_file, False,
                                              settings))
    ctx = open_context(store=store, config=cfg, hs=hs, version=version)
    return _tiers.tiers(ctx, reporter, year)


def groups(reporter: str = "NLD", year: int | None = None, *, config: Config | str | Path | None = None,
           store: str | Path | Store | None = None, groups_file: str | Path | None = None,
           replace_groups: bool = False, group: str | list[str] | None = None, members: bool = False,
           interest_map: str | Path | None = None, replace_interest_map: bool = False,
           overrides_file: str | Path | None = None, hs: str | None = None, version: str | None = None,
           **settings) -> Result:
    """Screen substitute groups (flows summed over their HS codes) beside their members'
    HS6 verdicts: one row per group with ``verdict_changed`` and which members had data,
    or with ``members=True`` one row per (group, member)."""
    from geomon.analyses.trade import groups as _groups

    cfg = config if isinstance(config, Config) else load_config(config)
    cfg = cfg.with_overrides(**_tier_settings(interest_map, replace_interest_map, overrides_file, groups_file,
                                              replace_groups, settings))
    ctx = open_context(store=store, config=cfg, hs=hs, version=version)
    ids = [group] if isinstance(group, str) else group
    return _groups.groups(ctx, reporter, year, ids=ids, members=members)


# --- supply side: production, value chains, GeoPolRisk, supply stops ------------------------------

def _supply_context(config, store, hs, version, settings: dict) -> Context:
    """Keyword settings -> ``section.key``: an unqualified name is looked up in supply, chains,
    risk, then screening (``top_n=5`` -> supply.top_n, ``intra_bloc='drop'`` -> risk.intra_bloc)."""
    from geomon.config import SETTINGS

    out = {}
    for key, value in settings.items():
        name = key.replace("__", ".")
        if "." not in name:
            name = next((f"{s}.{name}" for s in ("supply", "chains", "risk", "screening") if f"{s}.{name}" in SETTINGS), name)
        if value is not None:
            out[name] = str(value) if isinstance(value, Path) else value
    cfg = config if isinstance(config, Config) else load_config(config)
    if out:
        cfg = cfg.with_overrides(**out)
    return open_context(store=store, config=cfg, hs=hs, version=version)


def production(commodity: str | list[str] | None = None, year: int | None = None, *, first: int | None = None,
               last: int | None = None, by_country: bool = False, config: Config | str | Path | None = None,
               store: str | Path | Store | None = None, hs: str | None = None, version: str | None = None,
               **settings) -> Result:
    """Mine-production concentration (HHI, top producers; World Mining Data) per commodity and
    year, beside the world-export concentration of the commodity's HS codes. ``commodity``: map
    reference names (``"Lithium"``, ``"Rare earth"``) or WMD names; default all. ``by_country``:
    one row per producing country. ``settings`` e.g. ``top_n=5``."""
    from geomon.analyses.supply import production as _production

    ctx = _supply_context(config, store, hs, version, settings)
    return _production.production(ctx, commodity, year, first, last, by_country=by_country)


def chain(name: str | None = None, reporter: str = "NLD", year: int | None = None, *,
          chains_dir: str | Path | None = None, config: Config | str | Path | None = None,
          store: str | Path | Store | None = None, hs: str | None = None, version: str | None = None,
          **settings) -> Result:
    """Value chain ``name`` (e.g. ``"lithium"``) for ``reporter`` in ``year``: one row per stage with
    production and world-export concentration, the reporter's imports, import HHI and top
    suppliers; ``meta["chokepoint"]`` is the most concentrated stage. ``name=None`` lists the
    chains (shipped plus ``chains_dir``)."""
    from geomon.analyses.supply import chains as _chains

    ctx = _supply_context(config, store, hs, version, dict(settings, **{"chains.dir": chains_dir}))
    if name is None:
        return _chains.chain_list(ctx)
    return _chains.chain(ctx, name, reporter, year)


def risk(reporter: str = "NLD", year: int | None = None, *, first: int | None = None, last: int | None = None,
         commodities: str | list[str] | None = None, intra_bloc: str | None = None,
         config: Config | str | Path | None = None, store: str | Path | Store | None = None, hs: str | None = None,
         version: str | None = None, **settings) -> Result:
    """GeoPolRisk score and characterisation factor per commodity of the commodity map
    (Koyamparambath et al. 2024): Score = HHI_production x WTA, CF = Score x price / 0.409412948,
    with their components. ``first``/``last`` give a range of years; ``intra_bloc`` ('count' or
    'drop') how a bloc's internal imports count (risk.intra_bloc)."""
    from geomon.analyses.supply import risk as _risk

    ctx = _supply_context(config, store, hs, version, dict(settings, **{"risk.intra_bloc": intra_bloc}))
    names = [commodities] if isinstance(commodities, str) else commodities
    return _risk.risk(ctx, reporter, year, first, last, commodities=names)


def scenario(reporter: str, stop: str | list[str], year: int | None = None, *,
             products: str | list[str] | None = None, chain: str | None = None, alternatives: bool = False,
             chains_dir: str | Path | None = None, config: Config | str | Path | None = None,
             store: str | Path | Store | None = None, hs: str | None = None, version: str | None = None,
             **settings) -> Result:
    """Supply stop: ``stop`` (``"CHN"``, ``"CHN,RUS"`` or a list) stops delivering to ``reporter``.
    Per product (``products``, default all the reporter imports) or per stage of ``chain``: imports
    at risk (value, tonnes, share), the alternatives' exports to the rest of the world and the share
    of the lost imports they could cover (at most 1). ``alternatives=True``: the ranked alternative
    suppliers instead. ``meta["assumptions"]`` states the assumptions."""
    from geomon.analyses.supply import scenario as _scenario

    ctx = _supply_context(config, store, hs, version, dict(settings, **{"chains.dir": chains_dir}))
    fn = _scenario.scenario_alternatives if alternatives else _scenario.scenario
    return fn(ctx, reporter, stop, year, products=products, chain=chain)


# --- report ----------------------------------------------------------------------------------------

def report_data(reporter: str = "NLD", year: int | None = None, *, since: str | None = None, lang: str = "en",
                editions: str | Path | None = None, config: Config | str | Path | None = None,
                store: str | Path | Store | None = None, hs: str | None = None, version: str | None = None,
                **settings):
    """Everything the report shows, as named tables plus metadata
    (:class:`~geomon.analyses.report_data.ReportData`). ``settings`` as in :func:`tiers`, plus
    ``report__top_products``, ``report__scenario_stop`` ..."""
    from geomon.analyses.report_data import build_report_data

    cfg = config if isinstance(config, Config) else load_config(config)
    if settings:
        cfg = cfg.with_overrides(**_tier_settings(None, False, None, None, False, settings))
    ctx = open_context(store=store, config=cfg, hs=hs, version=version)
    return build_report_data(ctx, reporter, year, since=since, lang=lang,
                             editions=str(editions) if editions is not None else None)


def report(output: str | Path, reporter: str = "NLD", year: int | None = None, *, fmt: str | None = None,
           since: str | None = None, lang: str = "en", editions: str | Path | None = None,
           config: Config | str | Path | None = None, store: str | Path | Store | None = None, hs: str | None = None,
           version: str | None = None, **settings):
    """Write the report to ``output``: one self-contained HTML page, or an Excel workbook when
    ``fmt="xlsx"`` or ``output`` ends in .xlsx. Atomic: on error no file is left. Returns the
    :class:`~geomon.analyses.report_data.ReportData` it rendered."""
    from geomon.outputs.report import write_report

    kind = fmt or ("xlsx" if str(output).lower().endswith(".xlsx") else "html")
    data = report_data(reporter, year, since=since, lang=lang, editions=editions, config=config, store=store, hs=hs,
                       version=version, **settings)
    write_report(data, output, kind)
    return data
