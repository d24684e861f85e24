"""Indicators and criteria, written once as backend-neutral Ibis expressions.

Notation for one year y and product p: v(s, r) is the value of r's imports from
supplier s, V(r) = sum_s v(s, r) the total, x(e) = sum_r v(e, r) the world
exports of exporter e.

- import share          m(s, r) = v(s, r) / V(r)
- import concentration  HHI_imp(r) = sum_s m(s, r)^2 = sum_s v(s, r)^2 / V(r)^2, in [1/n, 1]
- world concentration   HHI_world = sum_e x(e)^2 / (sum_e x(e))^2
- substitutability      ratio(r) = V(r) / x(r); 9999 when x(r) = 0 (CEPII GeoDep)
- criteria              c1: HHI_imp > t1, c2: HHI_world > t2, c3: ratio > t3
- persistence           dependent when c1, c2 and c3 all hold in >= k of the n
                        years ending in the screened year (years with no imports
                        count as not met)

All functions take and return Ibis tables; nothing here executes a query.
"""

from __future__ import annotations

import ibis
import ibis.expr.types as ir

ZERO_EXPORT_RATIO = 9999.0


def economy_flows(flows: ir.Table, econ: ir.Table) -> ir.Table:
    """Flows between economies: codes mapped by ``econ`` (code -> economy), flows
    inside one economy (intra-bloc) dropped, and rows summed per
    (year, product, exporter, importer). ``quantity_known`` is False when any
    underlying quantity is missing."""
    ex = econ.select(ex_code=econ.code, exporter_e=econ.economy)
    im = econ.select(im_code=econ.code, importer_e=econ.economy)
    j = flows.join(ex, flows.exporter == ex.ex_code).join(im, flows.importer == im.im_code)
    j = j.filter(j.exporter_e != j.importer_e)
    return j.group_by(year=j.year, product=j["product"], exporter=j.exporter_e, importer=j.importer_e).aggregate(
        value=j.value.sum(),
        quantity=j.quantity.sum(),
        quantity_known=(j.quantity.isnull().cast("int32").sum() == 0),
    )


def import_indicators(eflows: ir.Table) -> ir.Table:
    """Per (year, importer, product): import value and quantity, supplier count,
    import HHI, top supplier and its share."""
    g = eflows.group_by(["year", "importer", "product"])
    agg = g.aggregate(
        import_value_usd=eflows.value.sum(),
        import_quantity_t=eflows.quantity.sum(),
        quantity_complete=eflows.quantity_known.all(),
        supplier_count=eflows.exporter.count(),
        _sum_sq=(eflows.value * eflows.value).sum(),
        _max=eflows.value.max(),
        top_supplier=eflows.exporter.argmax(eflows.value),
    )
    total = agg.import_value_usd
    return agg.mutate(
        import_hhi=ibis.ifelse(total > 0, agg._sum_sq / (total * total), ibis.null("float64")),
        top_supplier_share=ibis.ifelse(total > 0, agg._max / total, ibis.null("float64")),
    ).drop("_sum_sq", "_max")


def export_totals(eflows: ir.Table) -> ir.Table:
    """Per (year, exporter, product): total exports to all other economies."""
    return eflows.group_by(["year", "exporter", "product"]).aggregate(
        export_value_usd=eflows.value.sum(), export_quantity_t=eflows.quantity.sum())


def world_indicators(exports: ir.Table) -> ir.Table:
    """Per (year, product): world exports, exporter count, world-export HHI, top exporter."""
    g = exports.group_by(["year", "product"])
    agg = g.aggregate(
        world_export_value_usd=exports.export_value_usd.sum(),
        exporter_count=exports.exporter.count(),
        _sum_sq=(exports.export_value_usd * exports.export_value_usd).sum(),
        _max=exports.export_value_usd.max(),
        top_exporter=exports.exporter.argmax(exports.export_value_usd),
    )
    total = agg.world_export_value_usd
    return agg.mutate(
        world_export_hhi=ibis.ifelse(total > 0, agg._sum_sq / (total * total), ibis.null("float64")),
        top_exporter_share=ibis.ifelse(total > 0, agg._max / total, ibis.null("float64")),
    ).drop("_sum_sq", "_max")


def yearly_criteria(imports: ir.Table, world: ir.Table, exports: ir.Table,
                    import_hhi: float, world_hhi: float, ratio: float) -> ir.Table:
    """Join import, world and own-export indicators; add the ratio and c1, c2, c3.

    ``imports`` has one row per (year, importer, product); the result has the same rows.
    """
    own = exports.select(o_year=exports.year, o_importer=exports.exporter, o_product=exports["product"],
                         reporter_export_value_usd=exports.export_value_usd)
    w = world.rename(w_year="year", w_product="product")
    j = imports.left_join(w, [imports.year == w.w_year, imports["product"] == w.w_product])
    j = j.left_join(own, [j.year == own.o_year, j.importer == own.o_importer, j["product"] == own.o_product])
    j = j.drop("w_year", "w_product", "o_year", "o_importer", "o_product")
    exp = j.reporter_export_value_usd.fill_null(0.0)
    j = j.mutate(
        reporter_export_value_usd=exp,
        import_export_ratio=ibis.ifelse(exp > 0, j.import_value_usd / exp, ZERO_EXPORT_RATIO),
    )
    j = j.mutate(
        c1_import_concentration=(j.import_hhi > import_hhi).fill_null(False),
        c2_world_concentration=(j.world_export_hhi > world_hhi).fill_null(False),
        c3_low_substitutability=(j.import_export_ratio > ratio).fill_null(False),
    )
    return j.mutate(criteria_met=j.c1_import_concentration & j.c2_world_concentration & j.c3_low_substitutability)


def persistence(yearly: ir.Table, window: int, min_years: int) -> ir.Table:
    """Add ``criteria_met_years`` (years in [y-n+1, y] with all criteria met, per
    importer and product) and ``dependent`` (criteria_met_years >= k)."""
    w = ibis.window(group_by=["importer", "product"], order_by="year", range=(-(window - 1), 0))
    met = yearly.criteria_met.cast("int32").sum().over(w)
    out = yearly.mutate(criteria_met_years=met.cast("int32"))
    return out.mutate(dependent=out.criteria_met_years >= min_years)
