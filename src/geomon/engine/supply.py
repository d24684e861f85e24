"""Supply-side indicators as backend-neutral Ibis expressions: production
concentration, value-chain stages, GeoPolRisk, supply-stop scenarios.

Notation for one year y: P(c) production of country c (World Mining Data), q(s, r)
and v(s, r) the tonnes and USD value of r's imports from supplier s, g(s) the 0-1
instability of s, D(r) the reporter's own production in tonnes.

- production concentration  HHI_prod = sum_c P(c)^2 / (sum_c P(c))^2, in [1/n, 1]
- instability               g(s) = clip((2.5 - WGI_PV(s)) / 5, 0, 1); missing -> m (0.5)
                            and g(s) = 0 for s inside the reporter's own bloc
- weighted import risk      WTA = sum_s q(s, r) g(s) / (sum_s q(s, r) + D(r))
- GeoPolRisk score          Score = HHI_prod x WTA
- price                     Price = sum_s v(s, r) / (1000 sum_s q(s, r))   [USD/kg; v in USD, q in t]
- characterisation factor   CF = Score x Price / CF_Cu   (CF_Cu = 0.409412948, copper)
- at risk (scenario)        A(r) = sum_{s in S} v(s, r),  share A(r) / V(r)
- alternatives              X_rest(e) = sum_{r' != r} v(e, r') for e not in S, e != r
- covering share            min(1, sum_e X_rest(e) / A(r)); undefined when A(r) = 0
- world shortage            sigma = X_S / W (stopped suppliers' exports to everyone / world exports);
                            importer i keeps M_i (1 - sigma): expected shortfall sigma x M_i

Flow tables are economy flows (:func:`geomon.engine.indicators.economy_flows`):
year, product, exporter, importer, value, quantity, quantity_known. Nothing here
executes a query.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import ibis.expr.types as ir

from geomon.engine import indicators as ind

#: WGI estimates run from about -2.5 to 2.5; instability rescales them to 0..1.
WGI_LOW, WGI_HIGH = -2.5, 2.5


def relabel_products(eflows: ir.Table, groups: ir.Table) -> ir.Table:
    """Flows with ``product`` replaced by its group (a stage, a commodity), not summed.

    ``groups`` maps ``product`` -> ``group``; a product may belong to several
    groups (its flows then appear once per group); products in no group drop out."""
    gm = groups.select(g_product=groups["product"], g_group=groups.group)
    j = eflows.join(gm, eflows["product"] == gm.g_product)
    return j.select(year=j.year, product=j.g_group, exporter=j.exporter, importer=j.importer, value=j.value,
                    quantity=j.quantity, quantity_known=j.quantity_known)


def group_flows(eflows: ir.Table, groups: ir.Table) -> ir.Table:
    """Relabel products to groups (see :func:`relabel_products`) and sum the flows
    per (year, group, exporter, importer). The result has the economy-flow columns
    with ``product`` holding the group key, so every indicator of
    :mod:`geomon.engine.indicators` applies to it."""
    j = relabel_products(eflows, groups)
    return j.group_by(["year", "product", "exporter", "importer"]).aggregate(
        value=j.value.sum(), quantity=j.quantity.sum(), quantity_known=j.quantity_known.all())


def top_shares(table: ir.Table, by: Sequence[str], key: str, value: str, n: int) -> ir.Table:
    """The ``n`` largest rows by ``value`` within each ``by`` group, with
    ``share`` = value / group total and ``rank`` (1 = largest; ties by ``key``).
    Rows with a value <= 0 are left out."""
    t = table.filter(table[value] > 0)
    total = t[value].sum().over(ibis.window(group_by=list(by)))
    rank = ibis.row_number().over(ibis.window(group_by=list(by), order_by=[ibis.desc(t[value]), t[key]])) + 1
    r = t.mutate(share=t[value] / total, rank=rank.cast("int64"))
    return r.filter(r["rank"] <= n)


def production_concentration(prod: ir.Table) -> ir.Table:
    """Per (commodity, year): world production, producer count, production HHI
    (sum of squared production shares), top producer and its share.

    ``prod`` has commodity, year, iso3, production (one unit per commodity);
    countries with zero production do not count as producers."""
    p = prod.filter(prod.production > 0)
    agg = p.group_by(["commodity", "year"]).aggregate(
        world_production=p.production.sum(),
        producer_count=p.iso3.count(),
        _ss=(p.production * p.production).sum(),
        _max=p.production.max(),
        top_producer=ind.top_by_value(p.iso3, p.production),
    )
    total = agg.world_production
    return agg.mutate(production_hhi=ind.hhi_from_sums(agg._ss, total),
                      top_producer_share=ind.share_of(agg._max, total)).drop("_ss", "_max")


def domestic_production(prod: ir.Table, members: Sequence[str]) -> ir.Table:
    """Per (commodity, year): the summed production in tonnes (``production_t``) of
    ``members`` (one country, or a bloc's members)."""
    p = prod.filter(prod.iso3.isin(list(members)))
    return p.group_by(["commodity", "year"]).aggregate(domestic_production_tonnes=p.production_t.sum())


def instability(wgi: ir.Table) -> ir.Table:
    """iso3, year, instability = clip((2.5 - estimate) / 5, 0, 1): 0 = most stable,
    1 = least stable; null where the WGI estimate is null (missing)."""
    g = (WGI_HIGH - wgi.estimate) / (WGI_HIGH - WGI_LOW)
    # explicit: SQL's GREATEST/LEAST skip NULLs, which would turn a missing score into 1
    g = ibis.ifelse(wgi.estimate.isnull(), ibis.null("float64"),
                    ibis.ifelse(g > 1.0, 1.0, ibis.ifelse(g < 0.0, 0.0, g)))
    return wgi.select(iso3=wgi.iso3, year=wgi.year.cast("int32"), instability=g)


def weighted_imports(eflows: ir.Table, instab: ir.Table, inside: Sequence[str], missing: float) -> ir.Table:
    """Per (year, importer, product): the numerator and denominator parts of WTA.

    For every import flow from supplier s: g = 0 when s is in ``inside`` (the
    reporter's own bloc), else s's instability that year, else ``missing``.
    Flows with an unknown quantity are left out of the tonnes, the weighted
    tonnes and the priced value (they stay in ``import_value_usd``).

    Columns: import_value_usd, import_tonnes = sum q, priced_value_usd (value of
    the flows with a known quantity), weighted_tonnes = sum q x g,
    inside_bloc_tonnes, missing_instability_tonnes (tonnes from suppliers
    without a WGI score), supplier_count, quantity_complete.
    """
    g = instab.select(g_year=instab.year.cast("int32"), g_iso3=instab.iso3, g_value=instab.instability)
    j = eflows.left_join(g, [eflows.year == g.g_year, eflows.exporter == g.g_iso3])
    is_inside = j.exporter.isin(list(inside)) if inside else ibis.literal(False)
    weight = ibis.ifelse(is_inside, 0.0, j.g_value.fill_null(missing))
    known = j.quantity_known & j.quantity.notnull()
    q = ibis.ifelse(known, j.quantity, 0.0)
    agg = j.group_by(["year", "importer", "product"]).aggregate(
        import_value_usd=j.value.sum(),
        import_tonnes=q.sum(),
        priced_value_usd=ibis.ifelse(known, j.value, 0.0).sum(),
        weighted_tonnes=(q * weight).sum(),
        inside_bloc_tonnes=ibis.ifelse(is_inside, q, 0.0).sum(),
        missing_instability_tonnes=ibis.ifelse(~is_inside & j.g_value.isnull(), q, 0.0).sum(),
        supplier_count=j.exporter.nunique(),
        quantity_complete=known.all(),
    )
    return agg


def geopolrisk(keys: ir.Table, imports: ir.Table, domestic: ir.Table, cf_reference: float) -> ir.Table:
    """GeoPolRisk per row of ``keys`` (commodity, year, production_hhi).

    ``imports`` is :func:`weighted_imports` with ``product`` = commodity (one
    importer); ``domestic`` is :func:`domestic_production`. A commodity the
    reporter did not import has 0 import tonnes (and no price).

    WTA = weighted_tonnes / (import_tonnes + domestic_production_tonnes) (null when
    the denominator is 0); score = production_hhi x WTA;
    price_usd_per_kg = priced_value_usd / (import_tonnes x 1000) (null without
    tonnes); cf = score x price_usd_per_kg / cf_reference.
    """
    im = imports.select(i_year=imports.year.cast("int32"), i_commodity=imports["product"],
                        import_value_usd=imports.import_value_usd, import_tonnes=imports.import_tonnes,
                        priced_value_usd=imports.priced_value_usd, weighted_tonnes=imports.weighted_tonnes,
                        inside_bloc_tonnes=imports.inside_bloc_tonnes,
                        missing_instability_tonnes=imports.missing_instability_tonnes,
                        supplier_count=imports.supplier_count, quantity_complete=imports.quantity_complete)
    dm = domestic.select(d_year=domestic.year.cast("int32"), d_commodity=domestic.commodity,
                         domestic_production_tonnes=domestic.domestic_production_tonnes)
    k = keys.mutate(year=keys.year.cast("int32"))
    j = k.left_join(im, [k.year == im.i_year, k.commodity == im.i_commodity])
    j = j.left_join(dm, [j.year == dm.d_year, j.commodity == dm.d_commodity])
    j = j.drop("i_year", "i_commodity", "d_year", "d_commodity")
    zero = ibis.literal(0.0)
    j = j.mutate(
        import_value_usd=j.import_value_usd.fill_null(zero), import_tonnes=j.import_tonnes.fill_null(zero),
        priced_value_usd=j.priced_value_usd.fill_null(zero), weighted_tonnes=j.weighted_tonnes.fill_null(zero),
        inside_bloc_tonnes=j.inside_bloc_tonnes.fill_null(zero),
        missing_instability_tonnes=j.missing_instability_tonnes.fill_null(zero),
        supplier_count=j.supplier_count.fill_null(0),
        domestic_production_tonnes=j.domestic_production_tonnes.fill_null(zero),
    )
    denom = j.import_tonnes + j.domestic_production_tonnes
    j = j.mutate(
        wta=ibis.ifelse(denom > 0, j.weighted_tonnes / denom, ibis.null("float64")),
        price_usd_per_kg=ibis.ifelse(j.import_tonnes > 0, j.priced_value_usd / (j.import_tonnes * 1000.0),
                                     ibis.null("float64")),
    )
    j = j.mutate(score=j.production_hhi * j.wta)
    return j.mutate(cf=j.score * j.price_usd_per_kg / cf_reference)


def stop_exposure(reporter_flows: ir.Table, stopped: Sequence[str]) -> ir.Table:
    """Per (year, importer, product) of the reporter's import flows: what the
    stopping suppliers ``stopped`` deliver.

    Columns: import_value_usd, import_tonnes, at_risk_value_usd, at_risk_tonnes,
    at_risk_share = at_risk_value_usd / import_value_usd (in [0, 1]),
    at_risk_quantity_complete, stopped_supplier_count."""
    f = reporter_flows
    hit = f.exporter.isin(list(stopped))
    known = f.quantity_known & f.quantity.notnull()
    agg = f.group_by(["year", "importer", "product"]).aggregate(
        import_value_usd=f.value.sum(),
        import_tonnes=f.quantity.sum(),
        at_risk_value_usd=ibis.ifelse(hit, f.value, 0.0).sum(),
        at_risk_tonnes=ibis.ifelse(hit & known, f.quantity, 0.0).sum(),
        at_risk_quantity_complete=(~hit | known).all(),
        stopped_supplier_count=ibis.ifelse(hit, 1, 0).sum(),
    )
    return agg.mutate(at_risk_share=ibis.ifelse(agg.import_value_usd > 0, agg.at_risk_value_usd / agg.import_value_usd,
                                                ibis.null("float64")))


def alternative_exports(eflows: ir.Table, reporter: str, stopped: Sequence[str]) -> ir.Table:
    """Per (year, product, exporter) for every exporter that is neither stopping nor
    the reporter: exports to the rest of the world (every importer but the reporter),
    in value and tonnes, and what it already sends the reporter."""
    f = eflows.filter(~eflows.exporter.isin(list(stopped)), eflows.exporter != reporter)
    to_r = f.importer == reporter
    agg = f.group_by(["year", "product", "exporter"]).aggregate(
        rest_value_usd=ibis.ifelse(to_r, 0.0, f.value).sum(),
        rest_tonnes=ibis.ifelse(to_r, 0.0, f.quantity.fill_null(0.0)).sum(),
        to_reporter_value_usd=ibis.ifelse(to_r, f.value, 0.0).sum(),
    )
    return agg


def coverage(exposure: ir.Table, alternatives: ir.Table) -> ir.Table:
    """Join the alternatives' exports to the exposure, per (year, product).

    alternative_export_value_usd = sum_e X_rest(e); alternative_supplier_count =
    exporters with X_rest > 0; covering_share = min(1, alternatives / at risk)
    (value; null when nothing is at risk); covering_share_tonnes likewise in tonnes
    (null when the at-risk tonnes are 0 or incomplete)."""
    a = alternatives.group_by(["year", "product"]).aggregate(
        alternative_export_value_usd=alternatives.rest_value_usd.sum(),
        alternative_export_tonnes=alternatives.rest_tonnes.sum(),
        alternative_supplier_count=ibis.ifelse(alternatives.rest_value_usd > 0, 1, 0).sum(),
    ).rename(a_year="year", a_product="product")
    j = exposure.left_join(a, [exposure.year == a.a_year, exposure["product"] == a.a_product]).drop("a_year", "a_product")
    j = j.mutate(alternative_export_value_usd=j.alternative_export_value_usd.fill_null(0.0),
                 alternative_export_tonnes=j.alternative_export_tonnes.fill_null(0.0),
                 alternative_supplier_count=j.alternative_supplier_count.fill_null(0))
    return j.mutate(
        covering_share=ibis.ifelse(j.at_risk_value_usd > 0,
                                   ibis.least(j.alternative_export_value_usd / j.at_risk_value_usd, 1.0),
                                   ibis.null("float64")),
        covering_share_tonnes=ibis.ifelse((j.at_risk_tonnes > 0) & j.at_risk_quantity_complete,
                                          ibis.least(j.alternative_export_tonnes / j.at_risk_tonnes, 1.0),
                                          ibis.null("float64")),
    )


def world_shortage(eflows: ir.Table, stopped: Sequence[str]) -> ir.Table:
    """Per (year, product): what a stop of ``stopped`` to *every* importer takes off the world market.

    W = sum of all (economy) flows, X_S = the stopped suppliers' exports to everyone,
    world_shortfall_share sigma = X_S / W (null when W = 0). Rule: the remaining exports
    W - X_S are shared among all importers in proportion to their demand (their current
    imports M_i, which sum to W), so importer i keeps M_i (1 - sigma) and its expected
    shortfall is sigma x M_i, whichever suppliers it bought from."""
    hit = eflows.exporter.isin(list(stopped))
    agg = eflows.group_by(["year", "product"]).aggregate(
        world_export_value_usd=eflows.value.sum(),
        stopped_world_export_value_usd=ibis.ifelse(hit, eflows.value, 0.0).sum(),
    )
    return agg.mutate(world_shortfall_share=ibis.ifelse(
        agg.world_export_value_usd > 0, agg.stopped_world_export_value_usd / agg.world_export_value_usd,
        ibis.null("float64")))
