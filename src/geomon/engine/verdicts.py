"""Evidence for the tier verdicts as Ibis expressions: third-country imports and the value
of import flows without a quantity.

For reporter r, product p, year y, with v_s the value of r's imports from economy s,
V = sum_s v_s and T(r) the suppliers r trusts (``tiers.trusted_suppliers``):

- third-country imports   V_3 = sum_{s not in T(r)} v_s
- third-country sums      SS_3 = sum_{s not in T(r)} v_s^2, max and top supplier (ties: smallest code)
  so that HHI_3 = SS_3 / V^2 (shares of all imports: the part of the import HHI that
  third countries contribute; 0 when every supplier is trusted) and the top share max / V.
- quantity gap            G = sum of the values of r's import *flows* (exporter code ->
                          importer code, before merging into economies) whose quantity is
                          missing; the gap share is G / V.

Nothing here executes a query.
"""

from __future__ import annotations

import ibis.expr.types as ir

from geomon.engine import indicators as ind


def third_country_sums(eflows: ir.Table, keys: ir.Table, trusted: ir.Table) -> ir.Table:
    """Per row of ``keys`` (year, importer, product): ``third_value`` = V_3, ``third_sumsq`` =
    SS_3, ``third_max`` and ``third_top`` over the suppliers not trusted by the importer.

    ``eflows`` are economy flows; ``trusted`` has columns importer, exporter (the pairs to
    leave out). Keys without third-country imports get V_3 = SS_3 = 0 and no top supplier."""
    k = keys.select(k_year=keys.year.cast("int32"), k_importer=keys.importer, k_product=keys["product"])
    f = eflows.join(k, [eflows.year.cast("int32") == k.k_year, eflows.importer == k.k_importer,
                        eflows["product"] == k.k_product])
    t = trusted.select(t_importer=trusted.importer, t_exporter=trusted.exporter)
    f = f.anti_join(t, [f.importer == t.t_importer, f.exporter == t.t_exporter])
    agg = f.group_by(a_year=f.year.cast("int32"), a_importer=f.importer, a_product=f["product"]).aggregate(
        third_value=f.value.sum(), third_sumsq=(f.value * f.value).sum(), third_max=f.value.max(),
        third_top=ind.top_by_value(f.exporter, f.value))
    j = k.left_join(agg, [k.k_year == agg.a_year, k.k_importer == agg.a_importer, k.k_product == agg.a_product])
    return j.select(year=j.k_year, importer=j.k_importer, product=j.k_product,
                    third_value=j.third_value.fill_null(0.0), third_sumsq=j.third_sumsq.fill_null(0.0),
                    third_max=j.third_max.fill_null(0.0), third_top=j.third_top)


def quantity_gap(flows: ir.Table, econ: ir.Table, keys: ir.Table) -> ir.Table:
    """Per row of ``keys`` (year, importer, product) found in the flows: ``no_quantity_value``
    = G, the summed value of the importer's flows (codes mapped to economies by ``econ``,
    flows inside one economy left out) whose quantity is null."""
    ex = econ.select(ex_code=econ.code, exporter_e=econ.economy)
    im = econ.select(im_code=econ.code, importer_e=econ.economy)
    j = flows.join(ex, flows.exporter == ex.ex_code).join(im, flows.importer == im.im_code)
    j = j.filter(j.exporter_e != j.importer_e, j.quantity.isnull())
    k = keys.select(k_year=keys.year.cast("int32"), k_importer=keys.importer, k_product=keys["product"])
    j = j.join(k, [j.year.cast("int32") == k.k_year, j.importer_e == k.k_importer, j["product"] == k.k_product])
    return j.group_by(year=j.k_year, importer=j.k_importer, product=j.k_product).aggregate(
        no_quantity_value=j.value.sum())


__all__ = ["third_country_sums", "quantity_gap"]
