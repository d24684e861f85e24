"""Leverage, the reverse direction: where partners depend on the supplier.

For supplier S, partner r and product p in year y, S has leverage when S is r's
largest supplier and m(S, r) = v(S, r) / V(r) > ``leverage.min_share``
(default 0.5). Reported with r's import HHI and S's share of world exports
x(S) / sum_e x(e). A country's leverage reads the statistics stored at ingest (v(S, r) is
then r's largest import value, since S is r's top supplier); a bloc's sums the year's flows.
"""

from __future__ import annotations

import ibis.expr.types as ir

from geomon.analyses.context import Context, Result
from geomon.engine import indicators as ind


def leverage(ctx: Context, supplier: str, year: int | None = None, min_share: float | None = None) -> Result:
    """Products and partners for which ``supplier`` is the largest source above ``min_share``."""
    year = ctx.check_year(year if year is not None else ctx.default_year())
    threshold = float(ctx.config["leverage.min_share"] if min_share is None else min_share)
    ctx.config.with_overrides(**{"leverage.min_share": threshold})  # validates the range
    econ = ctx.economy(supplier, role="supplier")
    stored = [ctx.engine.stats(ctx.dataset, n) for n in ("imports", "world", "exports")]
    if econ.is_bloc or any(t is None for t in stored):
        j = _from_flows(ctx, econ.name, ctx.econ_table(econ), year, threshold)
    else:
        j = _from_stats(econ.name, year, threshold, *stored)
    df = ctx.engine.execute(j)
    df.insert(0, "supplier", econ.name)
    df.insert(2, "partner_name", df["partner"].map(ctx.names).fillna(df["partner"]))
    df.insert(4, "description", df["product"].map(ctx.descriptions).fillna(""))
    df["year"] = df["year"].astype(int)
    df = df.sort_values(["supplier_value_usd", "partner", "product"], ascending=[False, True, True]).reset_index(drop=True)
    meta = ctx.meta(analysis="leverage", supplier=econ.name, year=year, min_share=threshold,
                    rows=len(df), partners=int(df["partner"].nunique()), products=int(df["product"].nunique()))
    return Result(df, meta)


def _select(j: ir.Table) -> ir.Table:
    """The leverage columns from joined rows carrying the partner's import indicators, the
    supplier's value ``supplier_value_usd``, its exports ``s_exports`` and the world indicators."""
    return j.select(
        partner=j.importer, product=j["product"], year=j.year,
        supplier_value_usd=j.supplier_value_usd, partner_import_value_usd=j.import_value_usd,
        supplier_share=j.top_supplier_share, partner_import_hhi=j.import_hhi,
        supplier_world_export_share=j.s_exports / j.world_export_value_usd,
        world_export_hhi=j.world_export_hhi, partner_supplier_count=j.supplier_count,
    )


def _from_flows(ctx: Context, supplier: str, econ: ir.Table, year: int, threshold: float) -> ir.Table:
    """Leverage summed from the year's flows (a bloc as supplier, or a store without statistics)."""
    f = ctx.flows.filter(ctx.flows.year == year)
    ef = ind.economy_flows(f, econ)
    imports = ind.import_indicators(ef)
    exports = ind.export_totals(ef)
    world = ind.world_indicators(exports)
    own = exports.filter(exports.exporter == supplier).select("product", s_exports=exports.export_value_usd)
    sv = ef.filter(ef.exporter == supplier).select(importer="importer", product="product", supplier_value_usd="value")
    j = imports.filter(imports.top_supplier == supplier, imports.top_supplier_share > threshold)
    return _select(j.join(sv, ["importer", "product"]).join(world, ["product"]).join(own, ["product"]))


def _from_stats(supplier: str, year: int, threshold: float, imports: ir.Table, world: ir.Table,
                exports: ir.Table) -> ir.Table:
    """Leverage of a country from the statistics stored at ingest: where S is r's top supplier,
    v(S, r) is r's largest import value ``import_max``, so no flow is read."""
    imp = imports.filter(imports.year == year, imports.top_supplier == supplier)
    imp = ind.import_indicators_from_sums(imp.select(*ind.IMPORT_SUMS).mutate(supplier_value_usd=imp.import_max))
    imp = imp.filter(imp.top_supplier_share > threshold)
    w = ind.world_indicators_from_sums(world.filter(world.year == year).select(ind.WORLD_SUMS)).drop("year")
    own = exports.filter(exports.year == year, exports.exporter == supplier).select(
        "product", s_exports=exports.export_value_usd)
    return _select(imp.join(w, ["product"]).join(own, ["product"]))
