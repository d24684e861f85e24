"""Substitute groups in the engine: map product codes to group ids before economy flows.

With a mapping table M(product, group), a flow (y, e, r, p, v, q) becomes one flow
(y, e, r, g, v, q) for every group g that contains p; summing per (y, e, r, g) in
:func:`geomon.engine.indicators.economy_flows` then gives the group's flows
v(e, r, g) = sum_{p in g} v(e, r, p), and every indicator and criterion applies
unchanged. A product in several groups counts in each of them.
"""

from __future__ import annotations

import ibis.expr.types as ir


def map_products(flows: ir.Table, mapping: ir.Table) -> ir.Table:
    """Flows of member products, with ``product`` replaced by the group id.

    ``mapping`` has columns ``product`` (HS6 code) and ``group`` (group id).
    """
    m = mapping.select(m_product=mapping["product"], m_group=mapping["group"])
    j = flows.join(m, flows["product"] == m.m_product)
    out = j.select(year=j.year, exporter=j.exporter, importer=j.importer, product=j.m_group,
                   value=j.value, quantity=j.quantity)
    # a projection of a join stays part of Ibis's join chain; a view makes it a relation
    # of its own, so callers can join it again (economy_flows does)
    return out.view()


def member_presence(flows: ir.Table, mapping: ir.Table) -> ir.Table:
    """Per (year, group, product): the member's total traded value in the data, for
    members that appear at all (absent members have no row: absent, not zero)."""
    m = mapping.select(m_product=mapping["product"], m_group=mapping["group"])
    j = flows.join(m, flows["product"] == m.m_product)
    return j.group_by(year=j.year, group=j.m_group, product=j["product"]).aggregate(world_value_usd=j.value.sum())
