"""Leverage, the reverse direction: where partners depend on the supplier.

For supplier S, partner r and product p in year y, S has leverage when S is r's
largest supplier and m(S, r) = v(S, r) / V(r) > ``leverage.min_share``
(default 0.5). Reported with r's import HHI and S's share of world exports
x(S) / sum_e x(e).
"""

from __future__ import annotations

from geomon.analyses.context import Context, Result
from geomon.engine import indicators as ind


def leverage(ctx: Context, supplier: str, year: int | None = None, min_share: float | None = None) -> Result:
    """Products and partners for which ``supplier`` is the largest source above ``min_share``."""
    year = ctx.check_year(year if year is not None else ctx.default_year())
    threshold = float(ctx.config["leverage.min_share"] if min_share is None else min_share)
    ctx.config.with_overrides(**{"leverage.min_share": threshold})  # validates the range
    econ = ctx.economy(supplier, role="supplier")
    f = ctx.flows.filter(ctx.flows.year == year)
    ef = ind.economy_flows(f, ctx.econ_table(econ))
    imports = ind.import_indicators(ef)
    exports = ind.export_totals(ef)
    world = ind.world_indicators(exports)
    own = exports.filter(exports.exporter == econ.name).select("product", s_exports=exports.export_value_usd)
    sv = ef.filter(ef.exporter == econ.name).select(importer="importer", product="product", supplier_value_usd="value")
    j = imports.filter(imports.top_supplier == econ.name, imports.top_supplier_share > threshold)
    j = j.join(sv, ["importer", "product"]).join(world, ["product"]).join(own, ["product"])
    j = j.select(
        partner=j.importer, product=j["product"], year=j.year,
        supplier_value_usd=j.supplier_value_usd, partner_import_value_usd=j.import_value_usd,
        supplier_share=j.top_supplier_share, partner_import_hhi=j.import_hhi,
        supplier_world_export_share=j.s_exports / j.world_export_value_usd,
        world_export_hhi=j.world_export_hhi, partner_supplier_count=j.supplier_count,
    )
    df = ctx.engine.execute(j)
    df.insert(0, "supplier", econ.name)
    df.insert(2, "partner_name", df["partner"].map(ctx.names).fillna(df["partner"]))
    df.insert(4, "description", df["product"].map(ctx.descriptions).fillna(""))
    df["year"] = df["year"].astype(int)
    df = df.sort_values(["supplier_value_usd", "partner", "product"], ascending=[False, True, True]).reset_index(drop=True)
    meta = ctx.meta(analysis="leverage", supplier=econ.name, year=year, min_share=threshold,
                    rows=len(df), partners=int(df["partner"].nunique()), products=int(df["product"].nunique()))
    return Result(df, meta)
