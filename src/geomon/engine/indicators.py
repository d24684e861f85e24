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

The HHIs and top shares follow from a few sums (sufficient statistics): sum v, sum v^2,
max v and its supplier. :func:`import_sums` and :func:`world_sums` compute them from
flows; the store keeps the same sums per year (:mod:`geomon.ingest.stats`), and
:func:`import_indicators_from_sums` / :func:`world_indicators_from_sums` turn either into
the indicators, so both routes give the same numbers. The largest supplier or exporter
is the one with the largest value; ties go to the first code in alphabetical order.

All functions take and return Ibis tables; nothing here executes a query.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import ibis.expr.types as ir

ZERO_EXPORT_RATIO = 9999.0


def economy_flows(flows: ir.Table, econ: ir.Table, merge: bool = True) -> ir.Table:
    """Flows between economies: codes mapped by ``econ`` (code -> economy), flows
    inside one economy (intra-bloc) dropped, and rows summed per
    (year, product, exporter, importer). ``quantity_known`` is False when any
    underlying quantity is missing.

    ``merge=False`` skips the sum: right (and cheaper) only when no economy has two codes
    among the flows, so each (exporter, importer) pair is already one row."""
    ex = econ.select(ex_code=econ.code, exporter_e=econ.economy)
    im = econ.select(im_code=econ.code, importer_e=econ.economy)
    j = flows.join(ex, flows.exporter == ex.ex_code).join(im, flows.importer == im.im_code)
    j = j.filter(j.exporter_e != j.importer_e)
    if not merge:
        return j.select(year=j.year, product=j["product"], exporter=j.exporter_e, importer=j.importer_e,
                        value=j.value, quantity=j.quantity, quantity_known=j.quantity.notnull())
    return j.group_by(year=j.year, product=j["product"], exporter=j.exporter_e, importer=j.importer_e).aggregate(
        value=j.value.sum(),
        quantity=j.quantity.sum(),
        quantity_known=(j.quantity.isnull().cast("int32").sum() == 0),
    )


def top_by_value(key: ir.Column, value: ir.Column) -> ir.Scalar:
    """The ``key`` with the largest ``value``; ties go to the smallest key (same on every backend)."""
    return key.argmin(ibis.struct({"v": -value, "k": key}))


#: Columns of :func:`import_sums` (and of the stored ``stats/imports`` table, plus year).
IMPORT_SUMS = ["year", "importer", "product", "import_value_usd", "import_quantity_t", "quantity_complete",
               "supplier_count", "import_sumsq", "import_max", "top_supplier"]
#: Columns of :func:`world_sums` (and of the stored ``stats/world`` table, plus year).
WORLD_SUMS = ["year", "product", "world_export_value_usd", "exporter_count", "world_sumsq", "world_max", "top_exporter"]
#: Columns of :func:`export_totals` (and of the stored ``stats/exports`` table, plus year).
EXPORT_TOTALS = ["year", "exporter", "product", "export_value_usd", "export_quantity_t"]


def import_sums(eflows: ir.Table) -> ir.Table:
    """Per (year, importer, product): V = sum_s v, sum_s v^2, max_s v and its supplier,
    supplier count, quantity sum and whether every quantity is known."""
    g = eflows.group_by(["year", "importer", "product"])
    return g.aggregate(
        import_value_usd=eflows.value.sum(),
        import_quantity_t=eflows.quantity.sum(),
        quantity_complete=eflows.quantity_known.all(),
        supplier_count=eflows.exporter.count(),
        import_sumsq=(eflows.value * eflows.value).sum(),
        import_max=eflows.value.max(),
        top_supplier=top_by_value(eflows.exporter, eflows.value),
    )


def hhi_from_sums(sumsq: ir.Value, total: ir.Value) -> ir.Value:
    """HHI = sum v^2 / (sum v)^2 from sufficient statistics; null when the total is 0."""
    return ibis.ifelse(total > 0, sumsq / (total * total), ibis.null("float64"))


def share_of(part: ir.Value, total: ir.Value) -> ir.Value:
    """part / total; null when the total is 0."""
    return ibis.ifelse(total > 0, part / total, ibis.null("float64"))


def import_indicators_from_sums(sums: ir.Table) -> ir.Table:
    """Add import HHI = sum v^2 / V^2 and top supplier share = max v / V (null when V = 0)."""
    # one projection (not mutate + drop): every layer costs Ibis compile time
    keep = [c for c in sums.columns if c not in ("import_sumsq", "import_max")]
    return sums.select(*keep, **import_indicator_values(sums))


def import_indicator_values(t: ir.Table) -> dict[str, ir.Value]:
    """import_hhi = sum v^2 / V^2 and top_supplier_share = max v / V from the columns
    ``import_sumsq``, ``import_max`` and ``import_value_usd`` (V) of ``t``."""
    total = t.import_value_usd
    return {"import_hhi": hhi_from_sums(t.import_sumsq, total), "top_supplier_share": share_of(t.import_max, total)}


def world_indicator_values(t: ir.Table) -> dict[str, ir.Value]:
    """world_export_hhi = sum x^2 / (sum x)^2 and top_exporter_share = max x / sum x from the
    columns ``world_sumsq``, ``world_max`` and ``world_export_value_usd`` of ``t``."""
    total = t.world_export_value_usd
    return {"world_export_hhi": hhi_from_sums(t.world_sumsq, total),
            "top_exporter_share": share_of(t.world_max, total)}


def import_indicators(eflows: ir.Table) -> ir.Table:
    """Per (year, importer, product): import value and quantity, supplier count,
    import HHI, top supplier and its share."""
    return import_indicators_from_sums(import_sums(eflows))


def export_totals(eflows: ir.Table) -> ir.Table:
    """Per (year, exporter, product): total exports to all other economies."""
    return eflows.group_by(["year", "exporter", "product"]).aggregate(
        export_value_usd=eflows.value.sum(), export_quantity_t=eflows.quantity.sum())


def world_sums(exports: ir.Table) -> ir.Table:
    """Per (year, product): sum_e x, exporter count, sum_e x^2, max_e x and its exporter."""
    g = exports.group_by(["year", "product"])
    return g.aggregate(
        world_export_value_usd=exports.export_value_usd.sum(),
        exporter_count=exports.exporter.count(),
        world_sumsq=(exports.export_value_usd * exports.export_value_usd).sum(),
        world_max=exports.export_value_usd.max(),
        top_exporter=top_by_value(exports.exporter, exports.export_value_usd),
    )


def bloc_intra_sums(eflows: ir.Table, members: ir.Column | list) -> ir.Table:
    """Per (year, product): intra(B) = sum of v(m, m') over flows between two different
    members of bloc B (``members``: their economy keys in ``eflows``), and the number of
    such flows. The bloc's extra-bloc exports are x(B) = sum_{m in B} x(m) - intra(B)."""
    f = eflows.filter(eflows.exporter.isin(members), eflows.importer.isin(members))
    return f.group_by(["year", "product"]).aggregate(intra_value_usd=f.value.sum(), intra_flows=f.count())


def bloc_export_totals(exports: ir.Table, bloc_exports: ir.Table, members: list[str]) -> ir.Table:
    """Exporter totals x(e) per (year, exporter, product) with bloc B as one exporter: every
    non-member's x(e) as it is (merging the members as importers does not change it), and
    x(B), the members' extra-bloc exports (rows of ``bloc_exports`` with a null
    ``export_value_usd`` are products B exports only inside the bloc: no row, as in the flows)."""
    cols = ["year", "exporter", "product", "export_value_usd"]
    out = exports.filter(~exports.exporter.isin(members)).select(cols)
    b = bloc_exports.filter(bloc_exports.export_value_usd.notnull()).select(cols)
    return out.union(b)


def supplier_values(eflows: ir.Table, importer: str | None, keys: tuple[str, ...] = ("year",)) -> ir.Table:
    """Per (``keys``, exporter s): v(s) = sum of the flows to ``importer`` (every importer when
    None: world exports), their quantity, and share(s) = v(s) / sum_s' v(s') within ``keys``."""
    f = eflows if importer is None else eflows.filter(eflows.importer == importer)
    g = f.group_by([*keys, "exporter"]).aggregate(value_usd=f.value.sum(), quantity_t=f.quantity.sum())
    return g.mutate(share=g.value_usd / g.value_usd.sum().over(group_by=list(keys)))


def world_indicators_from_sums(sums: ir.Table) -> ir.Table:
    """Add world-export HHI = sum x^2 / (sum x)^2 and top exporter share = max x / sum x."""
    keep = [c for c in sums.columns if c not in ("world_sumsq", "world_max")]
    return sums.select(*keep, **world_indicator_values(sums))


def world_indicators(exports: ir.Table) -> ir.Table:
    """Per (year, product): world exports, exporter count, world-export HHI, top exporter."""
    return world_indicators_from_sums(world_sums(exports))


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
    return criteria(j, import_hhi, world_hhi, ratio)


def criteria(joined: ir.Table, import_hhi: float, world_hhi: float, ratio: float) -> ir.Table:
    """Add the ratio and c1, c2, c3 to rows that carry the import and world indicators and
    the importer's own exports ``reporter_export_value_usd`` (null when it exports nothing)."""
    j = joined
    exp = j.reporter_export_value_usd.fill_null(0.0)
    r = ibis.ifelse(exp > 0, j.import_value_usd / exp, ZERO_EXPORT_RATIO)
    c1 = (j.import_hhi > import_hhi).fill_null(False)
    c2 = (j.world_export_hhi > world_hhi).fill_null(False)
    c3 = (r > ratio).fill_null(False)
    # one projection: each further layer costs Ibis compile time (DuckDB shares the repeated terms)
    return j.mutate(reporter_export_value_usd=exp, import_export_ratio=r, c1_import_concentration=c1,
                    c2_world_concentration=c2, c3_low_substitutability=c3, criteria_met=c1 & c2 & c3)


def persistence(yearly: ir.Table, window: int, min_years: int, rows: ir.Table | None = None,
                years: Sequence[int] | None = None, plan: str = "join") -> ir.Table:
    """Add ``criteria_met_years`` (years in [y-n+1, y] with all criteria met, per
    importer and product) and ``dependent`` (criteria_met_years >= k).

    Two plans give the same rows (tested); which is cheaper depends on the importers:

    ``plan="join"`` (every importer at once): no window function; each year where the
    criteria are met counts for itself and the n-1 following years, and the counts are joined
    back (a small join instead of sorting every row; 2.5x faster than the window for ALL at full
    scale). ``rows`` (default: ``yearly``) are the rows to return, e.g. the same expression for
    the screened years only, so that the look-back years are only evaluated as far as the
    criteria need. ``years`` (optional) are the years of ``rows``: counts for other years are not
    made (a shifted year outside them would find no row). One year y (``years`` = [y]): the met
    years of [y-n+1, y-1] are counted from ``yearly`` and the row's own ``criteria_met`` of y
    added, so year y is not read and evaluated a second time (for ALL at full scale 858,593
    rows of ``stats/imports``).

    ``plan="window"`` (one reporter): the rows of ``years`` (required; ``rows`` is not used)
    counted by a RANGE window over the year on the ``yearly`` rows. One chain (the screened
    years are not read a second time, nothing joined back): cheaper to build, compile and run
    while each importer has a few thousand rows (one reporter: 0.02 s less of 0.11, warm)."""
    if plan == "window":
        return _persistence_window(yearly, window, min_years, years)
    if plan != "join":
        raise ValueError(f"plan={plan!r}: choose 'join' or 'window'")
    rows = yearly if rows is None else rows
    met = yearly.filter(yearly.criteria_met)
    own = None
    if years is not None and len(years) == 1:  # one year y: the met years in [y-n+1, y-1], then y itself
        (y,) = years
        met = met.filter(met.year.between(y - window + 1, y - 1))
        counts = met.group_by(_m_importer=met.importer, _m_product=met["product"]).aggregate(
            _m_year=ibis.literal(y, met.year.type()), _met_years=met.count())
        own = rows.criteria_met
    else:
        met = met.select("importer", "product", "year")
        ytype = met.year.type()
        shifted = ibis.union(*[met.mutate(year=(met.year + d).cast(ytype)) for d in range(window)], distinct=False)
        if years is not None:
            shifted = shifted.filter(shifted.year.isin(list(years)))
        counts = shifted.group_by(_m_importer=shifted.importer, _m_product=shifted["product"],
                                  _m_year=shifted.year).aggregate(_met_years=shifted.count())
    j = rows.left_join(counts, [rows.importer == counts._m_importer, rows["product"] == counts._m_product,
                                rows.year == counts._m_year])
    met_years = j._met_years.fill_null(0)
    if own is not None:
        met_years = met_years + j.criteria_met.cast("int64")
    met_years = met_years.cast("int32")
    return j.select(*rows.columns, criteria_met_years=met_years, dependent=met_years >= min_years)


def _persistence_window(yearly: ir.Table, window: int, min_years: int, years: Sequence[int] | None) -> ir.Table:
    """:func:`persistence`'s window plan: criteria_met_years of (importer, product, y) = number of
    its ``yearly`` rows with year in [y-n+1, y] and all criteria met (a RANGE frame)."""
    if not years:
        raise ValueError("plan='window' needs the years of the rows to return")
    rows = yearly.filter(yearly.year.between(min(years) - window + 1, max(years)))
    frame = ibis.range_window(group_by=[rows.importer, rows["product"]], order_by=rows.year,
                              preceding=window - 1, following=0)
    met_years = rows.criteria_met.cast("int32").sum().over(frame).fill_null(0).cast("int32")
    counted = rows.mutate(criteria_met_years=met_years, dependent=met_years >= min_years)
    return counted.filter(counted.year.isin(list(years)))
