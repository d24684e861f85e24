"""API of the trade-dependency part: screen, suppliers, leverage, tiers, groups, trends, editions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from geomon.analyses.context import Result
from geomon.analyses.trade import diversification as _diversification
from geomon.analyses.trade import edition_diff as _edition_diff
from geomon.analyses.trade import editions as _editions
from geomon.analyses.trade import groups as _groups
from geomon.analyses.trade import leverage as _leverage
from geomon.analyses.trade import screening as _screening
from geomon.analyses.trade import suppliers as _suppliers
from geomon.analyses.trade import tiers as _tiers
from geomon.analyses.trade import trends as _trends
from geomon.analyses.knowledge import link as _knowledge_link
from geomon.analyses.trade.screening import Progress
from geomon.analyses.trade.trends import TablesResult, TrendsResult
from geomon.api import _notices
from geomon.api import sources as _sources
from geomon.api._context import SCREENING, TIERS, ConfigArg, StoreArg, context, file_settings
from geomon.errors import InputError
from geomon.ingest.windows import year_or_month_range
from geomon.outputs.editions import write_edition
from geomon.store import Store, open_store


def screen(reporter: str = "NLD", year: int | None = None, *, config: ConfigArg = None, store: StoreArg = None,
           only_dependent: bool = False, hs: str | None = None, version: str | None = None,
           source: str | None = None, period: str | None = None, hs_target: str | None = None,
           hs_split: str = "trade", progress: Progress | None = None, **settings) -> Result:
    """Screen every product ``reporter`` imports in ``year`` for dependencies.

    ``settings`` replace configuration values, e.g. ``import_hhi=0.5`` or ``screening__window=5``.
    ``source``: baci (default), comext or comtrade. ``period`` (YYYY-MM, monthly data): screen the
    12 months ending there (rolling annual sum; persistence counts 12-month windows), instead of ``year``.
    Values are named by the data's currency (``import_value_eur`` on Comext). ``hs_target`` (e.g. 17)
    converts the data to one HS revision first (``hs_split``: trade or synthetic, see
    :mod:`geomon.sources.concordance`); column ``hs_conversion`` flags converted rows.
    The ``description`` column is a pandas Categorical (each product text once; files hold plain text).
    """
    ctx = context(config, store, hs, version, settings, SCREENING, source=source, period=period,
                  hs_target=hs_target, hs_split=hs_split)
    if period is not None:
        year = int(period[:4])
    res = _screening.screen(ctx, reporter, year, only_dependent=only_dependent, progress=progress)
    if period is not None:
        from geomon.ingest.windows import window_months

        n = ctx.config["screening.window"]
        ends = [f"{year - i}-{period[5:7]}" for i in reversed(range(n))]
        res.meta.update(period=period, period_months=f"{window_months(year, int(period[5:7]))[0]} to {period}",
                        window_periods=ends)
    return _sources.finish(res, ctx)


def suppliers(reporter: str = "NLD", product: str = "283691", year: int | None = None, *, first: int | str | None = None,
              last: int | str | None = None, world: bool = False, config: ConfigArg = None, store: StoreArg = None,
              hs: str | None = None, version: str | None = None, source: str | None = None,
              hs_target: str | None = None, hs_split: str = "trade", **settings) -> Result:
    """Every supplier of ``product`` (HS6, HS4 heading or HS2 chapter) to ``reporter`` in ``year``
    with value, quantity, share = v_s / sum_s' v_s', and its share in each year of [first, last];
    ``world=True``: the world's exporters of the product instead. ``first``/``last`` as months
    (YYYY-MM, monthly data): the origin shares over those months (:func:`geomon.api.sources.suppliers_period`)."""
    first, last = year_or_month_range(first, last)
    if isinstance(first, str) or isinstance(last, str):
        if not (first and last) or world or year is not None:
            raise InputError("a month range needs both --from and --to as YYYY-MM, without --year or --world")
        if hs_target is not None:  # the month route reads the source as declared; never drop the request silently
            raise InputError(f"--hs-target {hs_target} works on years; give --from/--to as years (YYYY) to convert")
        return _sources.suppliers_period(reporter, product, str(first), str(last), source=source, config=config,
                                         store=store, hs=hs, version=version)
    ctx = context(config, store, hs, version, settings, SCREENING, source=source, hs_target=hs_target, hs_split=hs_split)
    return _sources.finish(_suppliers.suppliers(ctx, reporter, product, year, first, last, world=world), ctx)


def leverage(supplier: str = "NLD", year: int | None = None, *, config: ConfigArg = None, store: StoreArg = None,
             hs: str | None = None, version: str | None = None, **settings) -> Result:
    """The reverse view: (partner, product) pairs where ``supplier`` is the partner's largest
    source with more than ``leverage.min_share`` of its imports."""
    ctx = context(config, store, hs, version, settings, ("leverage",))
    return _leverage.leverage(ctx, supplier, year)


def tiers(reporter: str = "NLD", year: int | None = None, *, config: ConfigArg = None, store: StoreArg = None,
          interest_map: str | Path | None = None, replace_interest_map: bool = False,
          overrides_file: str | Path | None = None, groups_file: str | Path | None = None, hs: str | None = None,
          version: str | None = None, **settings) -> Result:
    """Screen ``reporter`` in ``year`` and give every product a tier (strategic, possible,
    dependency, none) with its reasons; expert overrides from ``overrides_file`` replace the
    computed tier (both are shown). ``settings`` replace configuration values, e.g.
    ``strategic_world_hhi=0.6``, ``margin=0.2`` or ``import_hhi=0.5``."""
    files = file_settings(interest_map, replace_interest_map, overrides_file, groups_file)
    ctx = context(config, store, hs, version, {**settings, **files}, TIERS)
    res = _notices.unused_overrides(ctx, _tiers.tiers(ctx, reporter, year))  # warns: overrides that change nothing
    return _knowledge_link.annotated(ctx, res)  # + knowledge position per field


def alternatives(reporter: str = "NLD", product: str = "283691", year: int | None = None, *,
                 config: ConfigArg = None, store: StoreArg = None, hs: str | None = None, version: str | None = None,
                 **settings) -> Result:
    """Diversification options for ``reporter``'s imports of ``product`` (HS6) in ``year``: every other
    exporter ranked (qualifying alternatives first, then by exports to the rest of the world), with its
    world export share, share of world supply at the product's stage (EU CRM study 2023), WGI political
    stability and whether an EU trade agreement is in force with it (shipped table, a source per row)."""
    ctx = context(config, store, hs, version, settings, TIERS)
    return _diversification.alternatives(ctx, reporter, product, year)


def groups(reporter: str = "NLD", year: int | None = None, *, config: ConfigArg = None, store: StoreArg = None,
           groups_file: str | Path | None = None, replace_groups: bool = False, group: str | list[str] | None = None,
           members: bool = False, interest_map: str | Path | None = None, replace_interest_map: bool = False,
           overrides_file: str | Path | None = None, hs: str | None = None, version: str | None = None,
           **settings) -> Result:
    """Screen substitute groups (flows summed over their HS codes) beside their members'
    HS6 verdicts: one row per group with ``verdict_changed`` and which members had data,
    or with ``members=True`` one row per (group, member)."""
    files = file_settings(interest_map, replace_interest_map, overrides_file, groups_file, replace_groups)
    ctx = context(config, store, hs, version, {**settings, **files}, TIERS)
    ids = [group] if isinstance(group, str) else group
    return _notices.absent_group_members(ctx, _groups.groups(ctx, reporter, year, ids=ids, members=members))


def trends(reporter: str = "NLD", first: int | None = None, last: int | None = None, *,
           product: str | list[str] | None = None, config: ConfigArg = None, store: StoreArg = None,
           interest_map: str | Path | None = None, replace_interest_map: bool = False,
           overrides_file: str | Path | None = None, groups_file: str | Path | None = None, hs: str | None = None,
           version: str | None = None, source: str | None = None, hs_target: str | None = None,
           hs_split: str = "trade", progress: Progress | None = None, **settings) -> TrendsResult:
    """Screening and tiers for every year in [first, last] (default: the last 20 data years) of
    ``source`` (baci by default; month by month: :func:`geomon.api.sources.trends_monthly`), all years
    in one HS revision with ``hs_target`` (as in :func:`screen`).

    Returns a :class:`~geomon.analyses.trade.trends.TrendsResult`: ``table`` one row per
    (reporter, product, year) with the screen columns plus the tier columns;
    ``summaries`` by_tier, by_supplier, changes, durations. ``reporter`` may be ``ALL``.
    ``settings`` as in :func:`tiers`.
    """
    files = file_settings(interest_map, replace_interest_map, overrides_file, groups_file)
    ctx = context(config, store, hs, version, {**settings, **files}, TIERS, source=source, hs_target=hs_target,
                  hs_split=hs_split)
    products = [product] if isinstance(product, str) else product
    return _sources.finish(_trends.trends(ctx, reporter, first, last, products, progress=progress), ctx)


def save_edition(name: str, reporter: str = "NLD", year: int | None = None, *, note: str = "",
                 editions: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
                 interest_map: str | Path | None = None, replace_interest_map: bool = False,
                 overrides_file: str | Path | None = None, groups_file: str | Path | None = None,
                 hs: str | None = None, version: str | None = None, **settings) -> Result:
    """Screen, classify and save the run as edition ``name`` (an existing name is an error,
    nothing is overwritten). ``editions``: the editions directory (default $GEOMON_EDITIONS,
    else STORE/editions, else the per-user data directory). ``settings`` as in :func:`tiers`.
    Returns the stored rows and the edition's metadata (``meta["path"]`` is where it went).
    """
    files = file_settings(interest_map, replace_interest_map, overrides_file, groups_file)
    ctx = context(config, store, hs, version, {**settings, **files}, TIERS)
    res = _editions.build_edition(ctx, name, reporter, year, note, editions)
    path = res.meta["path"]
    stored = write_edition(Path(path), res.table, {k: v for k, v in res.meta.items() if k != "path"},
                           ctx.config.as_dict())
    return replace(res, meta={**stored, "path": path})


def _store(store: StoreArg) -> Store:
    return store if isinstance(store, Store) else open_store(store)


def list_editions(editions: str | Path | None = None, *, store: StoreArg = None) -> Result:
    """One row per saved edition (name, date, reporter, year, data version, config hash, counts by tier)."""
    return _editions.list_editions(editions, _store(store))


def show_edition(name: str, editions: str | Path | None = None, *, store: StoreArg = None) -> Result:
    """The stored rows and metadata of edition ``name``."""
    return _editions.load_edition(name, editions, _store(store))


def diff_editions(a: str, b: str, editions: str | Path | None = None, *, store: StoreArg = None) -> TablesResult:
    """Products that entered or left each tier from edition ``a`` to ``b``, with the indicator
    changes behind them; ``summaries`` tiers, config and provenance differences."""
    return _edition_diff.diff_editions(a, b, editions, _store(store))
