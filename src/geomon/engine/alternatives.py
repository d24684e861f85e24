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

How it is counted (without pairing every key with every exporter of its product):
v(e, r) = 0 for an exporter that does not supply r, so X_rest(e, r) = x(e) there, and

    count(T) = A(T) - [x(r) >= T] - [x(s*) >= T]
               + sum_{e supplies r, e != r, e != s*} ([x(e) - v(e, r) >= T] - [x(e) >= T])

with T = share x V(r) and A(T) = #{e : x(e) >= T}. A(T) is a running count: the
exporters' totals x(e) and the keys' thresholds T of one (year, product) are sorted
together, largest first (an exporter before a threshold of equal value), and A(T) is the
number of exporters above each threshold. Every comparison is the one the definition
makes (x(e) - v(e, r) >= T on the same numbers), so the counts are exactly those of the
definition; the cost is a sort of (exporters + keys) rows and joins on the reporters'
own import flows. With x(e) read from the stored statistics (``totals``), those own
flows are the only flows read.

With one or a few importers per (year, product), a join is cheaper than the running count
(``running=False``, :func:`_counted_by_join`): each key meets only the exporters at or above
its threshold, and r's own flows give v(e, r); the counts are the same.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import ibis.expr.types as ir


def _ge(value: ir.Column, threshold: ir.Column) -> ir.Column:
    """1 when value >= threshold, 0 otherwise (also when either is null)."""
    return (value >= threshold).fill_null(False).cast("int64")


def alternative_suppliers(eflows: ir.Table, keys: ir.Table, share: float, margin: float = 0.0,
                          totals: ir.Table | None = None, running: bool = True) -> ir.Table:
    """Count alternative suppliers for every row of ``keys``.

    ``keys`` has columns year, importer, product, import_value_usd, top_supplier
    (one row per (year, importer, product)); the result has those columns plus
    ``alternative_suppliers`` and ``alternative_suppliers_strict`` (int64, 0 when none).

    ``totals`` (year, exporter, product, export_value_usd) gives x(e) directly, e.g. from
    the statistics stored at ingest, restricted to the keys' years and products; then
    ``eflows`` need only hold the keys' importers' own import flows (v(e, r)). Without it,
    x(e) is summed from ``eflows``, which must then hold every flow of those products.

    ``running=False`` counts by a join instead of the running count (:func:`_counted_by_join`):
    the same counts, cheaper when each (year, product) has few keys (one or a few importers).
    """
    k = keys.mutate(k_year=keys.year.cast("int32"), k_importer=keys.importer, k_product=keys["product"],
                    k_value=keys.import_value_usd.cast("float64"), k_top=keys.top_supplier)
    k = k.mutate(t=share * k.k_value, t_strict=share * (1.0 + margin) * k.k_value)
    # x(e) per (year, product, exporter), computed once
    if totals is None:
        x = eflows.group_by(["year", "exporter", "product"]).aggregate(x_total=eflows.value.sum())
    else:
        x = totals.select(year=totals.year.cast("int32"), exporter=totals.exporter, product=totals["product"],
                          x_total=totals.export_value_usd)
    if not running:
        return _counted_by_join(x, k, eflows, keys.columns)

    above = _above(x, k)

    # the reporter itself and its top supplier are never alternatives: take them out of A(T)
    xs = x.select(s_year=x.year, s_exporter=x.exporter, s_product=x["product"], s_x=x.x_total)
    xt = x.select(p_year=x.year, p_exporter=x.exporter, p_product=x["product"], p_x=x.x_total)
    c = k.left_join(xs, [k.k_year == xs.s_year, k.k_product == xs.s_product, k.k_importer == xs.s_exporter])
    c = c.left_join(xt, [c.k_year == xt.p_year, c.k_product == xt.p_product, c.k_top == xt.p_exporter])
    other_top = c.k_top.notnull() & (c.k_top != c.k_importer)
    c = c.select(*keys.columns, "k_year", "k_importer", "k_product",
                 d_self=_ge(c.s_x, c.t), d_self_strict=_ge(c.s_x, c.t_strict),
                 d_top=other_top.ifelse(_ge(c.p_x, c.t), 0), d_top_strict=other_top.ifelse(_ge(c.p_x, c.t_strict), 0))

    # r's other suppliers: X_rest(e, r) = x(e) - v(e, r) instead of x(e)
    to_r = eflows.select(r_year=eflows.year, r_exporter=eflows.exporter, r_importer=eflows.importer,
                         r_product=eflows["product"], r_value=eflows.value)
    sup = k.join(to_r, [k.k_year == to_r.r_year, k.k_importer == to_r.r_importer, k.k_product == to_r.r_product])
    sup = sup.filter(sup.r_exporter != sup.k_importer, sup.k_top.isnull() | (sup.r_exporter != sup.k_top))
    sup = sup.join(xt, [sup.k_year == xt.p_year, sup.k_product == xt.p_product, sup.r_exporter == xt.p_exporter])
    rest = sup.p_x - sup.r_value.fill_null(0.0)
    sup = sup.group_by(b_year="k_year", b_importer="k_importer", b_product="k_product").aggregate(
        d_sup=(_ge(rest, sup.t) - _ge(sup.p_x, sup.t)).sum(),
        d_sup_strict=(_ge(rest, sup.t_strict) - _ge(sup.p_x, sup.t_strict)).sum())

    c = c.left_join(above, [c.k_year == above.a_year, c.k_importer == above.a_importer,
                            c.k_product == above.a_product])
    c = c.left_join(sup, [c.k_year == sup.b_year, c.k_importer == sup.b_importer, c.k_product == sup.b_product])
    count = c.a.fill_null(0) - c.d_self - c.d_top + c.d_sup.fill_null(0)
    strict = c.a_strict.fill_null(0) - c.d_self_strict - c.d_top_strict + c.d_sup_strict.fill_null(0)
    return c.select(*keys.columns, alternative_suppliers=count.cast("int64"),
                    alternative_suppliers_strict=strict.cast("int64"))


def _above(x: ir.Table, k: ir.Table) -> ir.Table:
    """A(T) per key, at the threshold ``t`` and the strict one ``t_strict``: the number of
    exporters with x(e) >= T, by a running count over totals and thresholds sorted together
    (largest first, an exporter before a threshold of equal value)."""
    cols = dict(u_year="int32", u_product="string", u_importer="string", u_value="float64", u_kind="int8")
    ex_rows = x.filter(x.x_total.notnull()).select(
        u_year=x.year.cast("int32"), u_product=x["product"].cast("string"), u_importer=ibis.null().cast("string"),
        u_value=x.x_total.cast("float64"), u_kind=ibis.literal(0, "int8"))
    kt = k.filter(k.t.notnull())
    k_rows = kt.select(u_year=kt.k_year, u_product=kt.k_product.cast("string"),
                       u_importer=kt.k_importer.cast("string"), u_value=kt.t, u_kind=ibis.literal(1, "int8"))
    ks = k.filter(k.t_strict.notnull())
    s_rows = ks.select(u_year=ks.k_year, u_product=ks.k_product.cast("string"),
                       u_importer=ks.k_importer.cast("string"), u_value=ks.t_strict, u_kind=ibis.literal(2, "int8"))
    u = ex_rows.union(k_rows, s_rows).cast(cols)
    running = ibis.cumulative_window(group_by=[u.u_year, u.u_product], order_by=[u.u_value.desc(), u.u_kind])
    u = u.mutate(n_ge=(u.u_kind == 0).cast("int64").sum().over(running))
    u = u.filter(u.u_kind > 0)
    above = u.group_by(a_year="u_year", a_importer="u_importer", a_product="u_product").aggregate(
        a=u.n_ge.max(where=u.u_kind == 1), a_strict=u.n_ge.max(where=u.u_kind == 2))
    return above


def _counted_by_join(x: ir.Table, k: ir.Table, eflows: ir.Table, columns: Sequence[str]) -> ir.Table:
    """Both counts by joining each key with the exporters of its (year, product) at or above its
    threshold: count(T) = #{e != r, e != s*, x(e) >= T', x(e) - v(e, r) >= T} with
    T' = min(T, T_strict) and v(e, r) = 0 where e does not supply r. Values are non-negative
    (the BACI reader refuses negative ones), so x(e) - v(e, r) >= T implies x(e) >= T and the
    join condition drops no exporter the definition counts; each comparison is the
    definition's own (x(e) - v(e, r) >= T on the same numbers; x(e) - 0.0 = x(e) exactly).
    The join output is the exporters above each key's threshold: small for one importer per
    (year, product), large for every importer (then the running count is cheaper)."""
    xe = x.filter(x.x_total.notnull()).select(e_year=x.year, e_exporter=x.exporter, e_product=x["product"],
                                              e_x=x.x_total)
    low = ibis.least(k.t, k.t_strict)
    c = k.join(xe, [k.k_year == xe.e_year, k.k_product == xe.e_product, xe.e_x >= low])
    c = c.filter(c.e_exporter != c.k_importer, c.k_top.isnull() | (c.e_exporter != c.k_top))
    to_r = eflows.select(r_year=eflows.year.cast("int32"), r_exporter=eflows.exporter, r_importer=eflows.importer,
                         r_product=eflows["product"], r_value=eflows.value)
    c = c.left_join(to_r, [c.k_year == to_r.r_year, c.k_importer == to_r.r_importer,
                           c.k_product == to_r.r_product, c.e_exporter == to_r.r_exporter])
    rest = c.e_x - c.r_value.fill_null(0.0)
    n = c.group_by(n_year="k_year", n_importer="k_importer", n_product="k_product").aggregate(
        n=_ge(rest, c.t).sum(), n_strict=_ge(rest, c.t_strict).sum())
    j = k.left_join(n, [k.k_year == n.n_year, k.k_importer == n.n_importer, k.k_product == n.n_product])
    return j.select(*columns, alternative_suppliers=j.n.fill_null(0).cast("int64"),
                    alternative_suppliers_strict=j.n_strict.fill_null(0).cast("int64"))
