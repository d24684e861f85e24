"""The three inputs of a supply-stop scenario, from the flows or from the stored statistics.

For reporter r, stopped suppliers S, year y and product (or chain stage) p:

- exposure        r's import flows: V(r), A(r) = sum_{s in S} v(s, r), tonnes
                  (:func:`geomon.engine.supply.stop_exposure`), always from r's own flows;
- alternatives    per exporter e not in S, e != r: X_rest(e) = sum_{r' != r} v(e, r'), its
                  tonnes, and v(e, r) (:func:`geomon.engine.supply.alternative_exports`);
- world shortage  W = sum_e x(e) and X_S = sum_{s in S} x(s)
                  (:func:`geomon.engine.supply.world_shortage`).

Route of the statistics (a country reporter, country stops, a store with ``stats/``): with
x(e) and its tonnes from ``stats/exports`` and W from ``stats/world`` (sums over the economy
flows written at ingest, :mod:`geomon.ingest.stats`), only r's own import flows are read:

    X_rest(e) = x(e) - v(e, r)          tonnes: q(e) - q(e, r)   (unknown quantities as 0)

Summed over a stage's codes for a chain. Both routes give the same numbers
(tests/test_scenario_routes.py): to the last bits of a float sum, and for X_rest(e) to a few
units in the last place of x(e) (1e-4 USD on 1e12), where e sells almost everything to r. A bloc reporter or a bloc among the
stops merges its members and drops their flows with each other, which changes x(e) and W:
those sum the flows.
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pandas as pd

from geomon.analyses.context import Context, importer_codes, merge_needed
from geomon.countries import Economy
from geomon.engine import indicators as ind
from geomon.engine import supply


@dataclass
class Setup:
    """A scenario's question: who reports, who stops, when, and which products (chain stages)."""
    econ: Economy
    stops: list[Economy]
    year: int
    groups: pd.DataFrame | None  # product -> group (chain stages), or None
    codes: list[str] | None       # products asked for (None: all the reporter imports)
    chain: object | None

    @property
    def stopped(self) -> str:
        return ",".join(s.name for s in self.stops)

    def hs_codes(self) -> list[str] | None:
        """The HS codes in question (None: every product)."""
        return sorted(set(self.groups["product"])) if self.groups is not None else self.codes


def inputs(ctx: Context, s: Setup) -> tuple[ir.Table, ir.Table, ir.Table]:
    """(exposure, alternatives, world shortage) as Ibis expressions, per (year, product)
    with ``product`` the stage id for a chain; the statistics route where it applies."""
    stopped = [x.name for x in s.stops]
    exports, world = _stats(ctx, s)
    if exports is None:
        ef = _flows(ctx, s)
        exposure = supply.stop_exposure(ef.filter(ef.importer == s.econ.name), stopped)
        return exposure, supply.alternative_exports(ef, s.econ.name, stopped), supply.world_shortage(ef, stopped)
    # the reporter's flows are read once (as Arrow: no pandas round trip) and used by every query
    own = ctx.engine.table(ctx.engine.to_arrow(_reporter_flows(ctx, s)))
    return (supply.stop_exposure(own, stopped), _alternatives(own, _relabel(ctx, s, exports), s.econ.name, stopped),
            _world(_relabel(ctx, s, exports), _relabel(ctx, s, world), stopped))


def _stats(ctx: Context, s: Setup) -> tuple[ir.Table | None, ir.Table | None]:
    """stats/exports and stats/world of the year (and products asked for), or (None, None)
    when the flows must be summed (a bloc involved, or a store without statistics)."""
    if s.econ.is_bloc or any(x.is_bloc for x in s.stops):
        return None, None
    exports, world = (ctx.engine.stats(ctx.dataset, n) for n in ("exports", "world"))
    if exports is None or world is None:
        return None, None
    exports, world = (t.filter(t.year == s.year) for t in (exports, world))
    if s.hs_codes() is not None:
        exports, world = (ctx.engine.keep(t, "product", s.hs_codes()) for t in (exports, world))
    return exports, world


def _flows(ctx: Context, s: Setup) -> ir.Table:
    """Economy flows of the year for the products (or chain stages) in question."""
    f = ctx.flows.filter(ctx.flows.year == s.year)
    if s.hs_codes() is not None:
        f = f.filter(f["product"].isin(s.hs_codes()))
    ef = ind.economy_flows(f, ctx.econ_table(s.econ, *[x for x in s.stops if x.is_bloc]))
    if s.groups is not None:
        ef = supply.group_flows(ef, ctx.engine.table(s.groups, name="geomon_scenario_groups"))
    return ef


def _reporter_flows(ctx: Context, s: Setup) -> ir.Table:
    """The reporter's economy import flows of the year (a country: its BACI codes as importer;
    the flows the context holds for them, :meth:`~geomon.analyses.context.Context.held_flows`)."""
    f = ctx.held_flows("importer", importer_codes(ctx, [s.econ]), [s.year])
    if s.hs_codes() is not None:
        f = ctx.engine.keep(f, "product", s.hs_codes())
    ef = ind.economy_flows(f, ctx.econ_table(), merge=merge_needed(ctx))  # no bloc merged here
    if s.groups is not None:
        ef = supply.group_flows(ef, ctx.engine.table(s.groups, name="geomon_scenario_groups"))
    return ef


def _relabel(ctx: Context, s: Setup, t: ir.Table) -> ir.Table:
    """A statistics table with ``product`` replaced by its chain stage (summed over the stage's
    codes, per year and exporter where there is one); unchanged without a chain."""
    if s.groups is None:
        return t
    g = ctx.engine.table(s.groups, name="geomon_scenario_groups")
    g = g.select(g_product=g["product"], g_group=g.group)
    j = t.join(g, t["product"] == g.g_product)
    if "exporter" in t.columns:
        return j.group_by(year=j.year, product=j.g_group, exporter=j.exporter).aggregate(
            export_value_usd=j.export_value_usd.sum(), export_quantity_t=j.export_quantity_t.sum())
    return j.group_by(year=j.year, product=j.g_group).aggregate(world_export_value_usd=j.world_export_value_usd.sum())


def _alternatives(own: ir.Table, exports: ir.Table, reporter: str, stopped: list[str]) -> ir.Table:
    """:func:`geomon.engine.supply.alternative_exports` from x(e): X_rest(e) = x(e) - v(e, r),
    tonnes q(e) - q(e, r) with unknown quantities counted as 0."""
    x = exports.filter(~exports.exporter.isin(stopped), exports.exporter != reporter)
    to_r = own.group_by(r_product=own["product"], r_exporter=own.exporter).aggregate(
        r_value=own.value.sum(), r_tonnes=own.quantity.fill_null(0.0).sum())
    j = x.left_join(to_r, [x["product"] == to_r.r_product, x.exporter == to_r.r_exporter])
    v, q = j.r_value.fill_null(0.0), j.r_tonnes.fill_null(0.0)
    return j.select(year=j.year, product=j["product"], exporter=j.exporter, rest_value_usd=j.export_value_usd - v,
                    rest_tonnes=j.export_quantity_t.fill_null(0.0) - q, to_reporter_value_usd=v)


def _world(exports: ir.Table, world: ir.Table, stopped: list[str]) -> ir.Table:
    """:func:`geomon.engine.supply.world_shortage` from W (stats/world) and the stopped
    suppliers' x(s) (stats/exports)."""
    xs = exports.filter(exports.exporter.isin(stopped))
    xs = xs.group_by(s_year=xs.year, s_product=xs["product"]).aggregate(stopped_value=xs.export_value_usd.sum())
    j = world.left_join(xs, [world.year == xs.s_year, world["product"] == xs.s_product])
    w, stop = j.world_export_value_usd, j.stopped_value.fill_null(0.0)
    return j.select(year=j.year, product=j["product"], world_export_value_usd=w, stopped_world_export_value_usd=stop,
                    world_shortfall_share=ibis.ifelse(w > 0, stop / w, ibis.null("float64")))

