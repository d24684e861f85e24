"""Alternative suppliers: how much room a reporter has to diversify, as an Ibis expression.

For reporter r, product p, year y, with import value V(r) and top supplier s*:
the exports of exporter e to the rest of the world are

    X_rest(e, r) = sum_{r' != r} v(e, r') = x(e) - v(e, r)

and e is an *alternative supplier* when e != r, e != s* and
X_rest(e, r) >= share x V(r). ``alternative_suppliers`` counts them;
``alternative_suppliers_strict`` counts them at share x (1 + margin), so the
analysis can tell a count that is only just large enough.

Flows are economy flows (:func:`geomon.engine.indicators.economy_flows`): for a
bloc reporter the members' flows are merged and intra-bloc flows dropped.
"""

from __future__ import annotations

import ibis.expr.types as ir


def alternative_suppliers(eflows: ir.Table, keys: ir.Table, share: float, margin: float = 0.0) -> ir.Table:
    """Count alternative suppliers for every row of ``keys``.

    ``keys`` has columns year, importer, product, import_value_usd, top_supplier
    (one row per (year, importer, product)); the result has those columns plus
    ``alternative_suppliers`` and ``alternative_suppliers_strict`` (int64, 0 when none).
    """
    k = keys.select(k_year=keys.year.cast("int32"), k_importer=keys.importer, k_product=keys["product"],
                    k_value=keys.import_value_usd.cast("float64"), k_top=keys.top_supplier)
    exports = eflows.group_by(["year", "exporter", "product"]).aggregate(x_total=eflows.value.sum())
    to_r = eflows.select(t_year=eflows.year, t_exporter=eflows.exporter, t_importer=eflows.importer,
                         t_product=eflows["product"], t_value=eflows.value)
    j = k.join(exports, [k.k_year == exports.year, k.k_product == exports["product"]])
    j = j.filter(j.exporter != j.k_importer, j.k_top.isnull() | (j.exporter != j.k_top))
    j = j.left_join(to_r, [j.year == to_r.t_year, j.exporter == to_r.t_exporter, j.k_importer == to_r.t_importer,
                           j["product"] == to_r.t_product])
    rest = j.x_total - j.t_value.fill_null(0.0)
    j = j.mutate(_ok=(rest >= share * j.k_value).cast("int64"),
                 _ok_strict=(rest >= share * (1.0 + margin) * j.k_value).cast("int64"))
    agg = j.group_by(["k_year", "k_importer", "k_product"]).aggregate(
        alternative_suppliers=j._ok.sum(), alternative_suppliers_strict=j._ok_strict.sum())
    agg = agg.rename(a_year="k_year", a_importer="k_importer", a_product="k_product")
    out = keys.mutate(_year=keys.year.cast("int32"))
    out = out.left_join(agg, [out._year == agg.a_year, out.importer == agg.a_importer,
                              out["product"] == agg.a_product])
    out = out.drop("_year", "a_year", "a_importer", "a_product")
    return out.mutate(alternative_suppliers=out.alternative_suppliers.fill_null(0).cast("int64"),
                      alternative_suppliers_strict=out.alternative_suppliers_strict.fill_null(0).cast("int64"))

