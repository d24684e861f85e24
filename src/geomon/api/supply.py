"""API of the supply part: production, value chains, GeoPolRisk, supply-stop scenarios."""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.context import Result
from geomon.analyses.supply import chains as _chains
from geomon.analyses.supply import production as _production
from geomon.analyses.supply import risk as _risk
from geomon.analyses.supply import scenario as _scenario
from geomon.api._context import SUPPLY, ConfigArg, StoreArg, context, with_given


def production(commodity: str | list[str] | None = None, year: int | None = None, *, first: int | None = None,
               last: int | None = None, by_country: bool = False, config: ConfigArg = None, store: StoreArg = None,
               hs: str | None = None, version: str | None = None, **settings) -> Result:
    """Mine-production concentration (HHI, top producers; World Mining Data) per commodity and
    year, beside the world-export concentration of the commodity's HS codes. ``commodity``: map
    reference names (``"Lithium"``, ``"Rare earth"``) or WMD names; default all. ``by_country``:
    one row per producing country. ``settings`` e.g. ``top_n=5``."""
    ctx = context(config, store, hs, version, settings, SUPPLY)
    return _production.production(ctx, commodity, year, first, last, by_country=by_country)


def chain(name: str | None = None, reporter: str = "NLD", year: int | None = None, *,
          chains_dir: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
          hs: str | None = None, version: str | None = None, **settings) -> Result:
    """Value chain ``name`` (e.g. ``"lithium"``) for ``reporter`` in ``year``: one row per stage with
    production and world-export concentration, the reporter's imports, import HHI and top
    suppliers; ``meta["chokepoint"]`` is the most concentrated stage. ``name=None`` lists the
    chains (shipped plus ``chains_dir``)."""
    ctx = context(config, store, hs, version, with_given(settings, chains__dir=chains_dir), SUPPLY)
    if name is None:
        return _chains.chain_list(ctx)
    return _chains.chain(ctx, name, reporter, year)


def risk(reporter: str = "NLD", year: int | None = None, *, first: int | None = None, last: int | None = None,
         commodities: str | list[str] | None = None, intra_bloc: str | None = None, config: ConfigArg = None,
         store: StoreArg = None, hs: str | None = None, version: str | None = None, **settings) -> Result:
    """GeoPolRisk score and characterisation factor per commodity of the commodity map
    (Koyamparambath et al. 2024): Score = HHI_production x WTA, CF = Score x price / 0.409412948,
    with their components. ``first``/``last`` give a range of years; ``intra_bloc`` ('count' or
    'drop') how a bloc's internal imports count (risk.intra_bloc)."""
    ctx = context(config, store, hs, version, with_given(settings, risk__intra_bloc=intra_bloc), SUPPLY)
    names = [commodities] if isinstance(commodities, str) else commodities
    return _risk.risk(ctx, reporter, year, first, last, commodities=names)


def scenario(reporter: str, stop: str | list[str], year: int | None = None, *,
             products: str | list[str] | None = None, chain: str | None = None, alternatives: bool = False,
             chains_dir: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
             hs: str | None = None, version: str | None = None, **settings) -> Result:
    """Supply stop: ``stop`` (``"CHN"``, ``"CHN,RUS"`` or a list) stops delivering to ``reporter``.
    Per product (``products``, default all the reporter imports) or per stage of ``chain``: imports
    at risk (value, tonnes, share), the alternatives' exports to the rest of the world and the share
    of the lost imports they could cover (at most 1). ``alternatives=True``: the ranked alternative
    suppliers instead. ``meta["assumptions"]`` states the assumptions."""
    ctx = context(config, store, hs, version, with_given(settings, chains__dir=chains_dir), SUPPLY)
    fn = _scenario.scenario_alternatives if alternatives else _scenario.scenario
    return fn(ctx, reporter, stop, year, products=products, chain=chain)
