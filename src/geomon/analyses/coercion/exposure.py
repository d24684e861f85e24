"""Exposure: how much of a reporter's trade is with economies that have a coercion record.

Record economies R(y): every coercer of a case active since ``coercion.since`` that started by
year y (:func:`registry.active_since`), a bloc coercer standing for each of its members, minus
``coercion.ignore_coercers`` (and their members). Flows are the store's flows of year y between
economies (a bloc reporter's members merged, intra-bloc flows dropped, as in screening).

- import share  = sum_{s in R} v(s -> r) / sum_s v(s -> r), over all products, and over the
  reporter's dependencies (products with ``dependent`` true in the screening of year y);
- export share  = sum_{p in R} v(r -> p) / sum_p v(r -> p) (the Lithuania view: what a coercer
  could hit).

Per tiered product (tier other than none): its ``coercion.top_suppliers`` largest suppliers,
those with a record, the share of the product's imports from record economies, the number of
their cases, the latest (largest start date), and ``covering_cases``: their export-direction
cases whose codes match the product. ``ALL`` as reporter: the totals for every importer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomon.analyses.coercion.registry import active_since, registry, store_codes
from geomon.analyses.context import HELD_CODES, SIDES, Context, importer_codes, merge_needed
from geomon.analyses.results import TablesResult
from geomon.countries import ALIASES, all_blocs
from geomon.engine import indicators as ind

ALL = "ALL"
PRODUCT_COLUMNS = ["reporter", "year", "product", "description", "tier", "import_value_usd", "top_suppliers",
                   "record_suppliers", "record_share", "cases", "latest_case", "covering_cases"]
TOTAL_COLUMNS = ["reporter", "year", "since", "flow", "scope", "products", "total_usd", "with_record_usd", "share",
                 "largest_record_partners"]


def _members(ctx: Context, names: list[str]) -> set[str]:
    blocs = all_blocs(ctx.config.blocs)
    return {m for n in names for m in (blocs.get(n.strip().upper(), (n.strip().upper(),)))} | {
        n.strip().upper() for n in names}


def records(ctx: Context, year: int) -> pd.DataFrame:
    """One row per (economy, case) of the record economies R(year): economy, case_id, coercer,
    target, start, instrument, direction, set."""
    df = registry(ctx)
    df = df[active_since(df, int(ctx.config["coercion.since"]), until=year)]
    ignore = _members(ctx, [x for x in str(ctx.config["coercion.ignore_coercers"]).split(",") if x.strip()])
    blocs = all_blocs(ctx.config.blocs)
    rows = []
    for r in df.itertuples():
        if r.coercer in ignore:
            continue
        for econ in (ALIASES.get(e, e) for e in blocs.get(r.coercer, (r.coercer,))):
            if econ not in ignore:
                rows.append({"economy": econ, "case_id": r.case_id, "coercer": r.coercer, "target": r.target,
                             "start": r.start, "instrument": r.instrument, "direction": r.direction, "set": r.set})
    return pd.DataFrame(rows, columns=["economy", "case_id", "coercer", "target", "start", "instrument", "direction",
                                       "set"])


def _pair_flows(ctx: Context, reporter, year: int, products: list[str] | None = None) -> pd.DataFrame:
    """Flows of ``year`` between economies (reporter's bloc merged): year, product, exporter, importer, value.
    With a reporter only its own flows are read (its BACI codes on either side, filtered before the
    economies are joined): the flows the context holds for its codes (imports, and exports to
    others; :meth:`~geomon.analyses.context.Context.held_flows`) when they are few."""
    codes = importer_codes(ctx, [reporter]) if reporter is not None else []
    if reporter is not None and len(codes) <= HELD_CODES:
        imp, exp = (ctx.held_flows(side, codes, [year]) for side in SIDES)
        f = imp.union(exp.filter(~exp.importer.isin(codes)), distinct=False)
    else:
        f = ctx.flows.filter(ctx.flows.year == year)
        if reporter is not None:
            f = f.filter(f.importer.isin(codes) | f.exporter.isin(codes))
    if products is not None:
        f = f.filter(f["product"].isin(products))
    econ = ctx.econ_table(*([reporter] if reporter is not None else []))
    ef = ind.economy_flows(f, econ, merge=merge_needed(ctx, reporter))
    if reporter is not None:
        ef = ef.filter((ef.importer == reporter.name) | (ef.exporter == reporter.name))
    return ctx.engine.to_pandas(ef.select("product", "exporter", "importer", "value"))


def _largest(values: pd.Series, total: float, n: int = 3) -> str:
    top = values.sort_values(ascending=False).head(n)
    return ", ".join(f"{k} {v / total:.1%}" for k, v in top.items() if v > 0) if total > 0 else ""


def _total_row(reporter: str, year: int, since: int, flow: str, scope: str, by_partner: pd.Series, rec: set[str],
               products: int) -> dict:
    total = float(by_partner.sum())
    with_rec = by_partner[by_partner.index.isin(rec)]
    return {"reporter": reporter, "year": year, "since": since, "flow": flow, "scope": scope, "products": products,
            "total_usd": total, "with_record_usd": float(with_rec.sum()),
            "share": float(with_rec.sum()) / total if total > 0 else float("nan"),
            "largest_record_partners": _largest(with_rec, total)}


def totals(flows: pd.DataFrame, reporter: str, year: int, since: int, rec: set[str], dependent: set[str]) -> list[dict]:
    """The three total rows of one reporter from its flows (see the module docstring)."""
    imp = flows[flows["importer"] == reporter]
    exp = flows[flows["exporter"] == reporter]
    dep = imp[imp["product"].isin(dependent)]
    return [
        _total_row(reporter, year, since, "imports", "all products", imp.groupby("exporter")["value"].sum(), rec,
                   imp["product"].nunique()),
        _total_row(reporter, year, since, "imports", "dependencies", dep.groupby("exporter")["value"].sum(), rec,
                   dep["product"].nunique()),
        _total_row(reporter, year, since, "exports", "all products", exp.groupby("importer")["value"].sum(), rec,
                   exp["product"].nunique()),
    ]


def descending(values: np.ndarray) -> np.ndarray:
    """Positions of ``values`` (no NaN) from the largest down, ties placed as pandas'
    ``Series.sort_values(ascending=False)`` places them (its quicksort of the reversed values)."""
    return np.arange(len(values))[::-1][values[::-1].argsort(kind="quicksort")][::-1]


def _product_rows(ctx: Context, econ: str, year: int, tiered: pd.DataFrame, imp: pd.DataFrame,
                  recs: pd.DataFrame) -> pd.DataFrame:
    n = int(ctx.config["coercion.top_suppliers"])
    rec = set(recs["economy"])
    imp = imp[imp["product"].isin(set(tiered["product"]))]  # only the tiered products' rows are summed
    by = imp.groupby(["product", "exporter"])["value"].sum()  # per product, suppliers in ISO3 order
    exporters = by.index.get_level_values("exporter").to_numpy(dtype=object)
    values = by.to_numpy(dtype=float)
    keys, first, count = np.unique(by.index.get_level_values("product").to_numpy(dtype=object), return_index=True,
                                   return_counts=True)
    span = {k: (a, a + c) for k, a, c in zip(keys.tolist(), first.tolist(), count.tolist())}
    exporting = recs.loc[recs["direction"] == "exports", "case_id"].unique()
    reg = registry(ctx).set_index("case_id")
    codes = {c: set(store_codes(ctx, reg.loc[c].rename(c))) for c in exporting}
    found: dict[tuple[str, ...], tuple] = {}  # the record suppliers' cases and the latest of them
    rows = []
    for t in tiered.itertuples():
        a, b = span.get(t.product, (0, 0))
        order = descending(values[a:b])
        v, sup = values[a:b][order], exporters[a:b][order].tolist()
        total = float(v.sum())
        with_rec = tuple(s for s in sup[:n] if s in rec)
        if with_rec not in found:
            cases = recs[recs["economy"].isin(with_rec)].drop_duplicates("case_id")
            found[with_rec] = (cases, cases.sort_values(["start", "case_id"]).iloc[-1] if len(cases) else None,
                               cases.loc[cases["direction"] == "exports", "case_id"].tolist())
        cases, latest, export_cases = found[with_rec]
        covering = [c for c in export_cases if t.product in codes[c]]
        from_rec = float(v[[s in rec for s in sup]].sum()) if len(sup) else 0.0
        rows.append({"reporter": econ, "year": year, "product": t.product, "description": ctx.descriptions.get(t.product, ""),
                     "tier": t.tier, "import_value_usd": total,
                     "top_suppliers": ", ".join(f"{s} {x / total:.1%}" for s, x in zip(sup[:n], v[:n])) if total > 0 else "",
                     "record_suppliers": ", ".join(with_rec),
                     "record_share": from_rec / total if total > 0 else float("nan"),
                     "cases": len(cases), "latest_case": f"{latest['case_id']} ({latest['start']})" if latest is not None else "",
                     "covering_cases": ", ".join(sorted(covering))})
    return pd.DataFrame(rows, columns=PRODUCT_COLUMNS)


def exposure(ctx: Context, reporter: str = "NLD", year: int | None = None,
             tiered: pd.DataFrame | None = None) -> TablesResult:
    """Exposure of ``reporter`` (ISO3, bloc or ALL) in ``year``: per tiered product (main table; for
    ALL the totals are the main table), ``totals`` and ``records`` (see the module docstring).
    ``tiered``: the reporter's tiers table of the year when already computed (the report's)."""
    from geomon.analyses.trade.screening import screen_years
    from geomon.analyses.trade.tiers import tiers

    year = ctx.check_year(year if year is not None else ctx.default_year())
    since = int(ctx.config["coercion.since"])
    recs = records(ctx, year)
    rec = set(recs["economy"])
    if str(reporter).strip().upper() == ALL:
        screened = screen_years(ctx, ALL, year, year)
        flows = _pair_flows(ctx, None, year)
        dep = screened[screened["dependent"]].groupby("reporter")["product"].apply(set).to_dict()
        rows = [row for r in sorted(flows["importer"].unique())
                for row in totals(flows, r, year, since, rec - {r}, dep.get(r, set()))]
        tot = pd.DataFrame(rows, columns=TOTAL_COLUMNS)
        return TablesResult(tot, _meta(ctx, ALL, year, since, recs, tot), summaries={"records": recs}, main="totals")
    econ = ctx.economy(reporter)
    tiered = tiers(ctx, econ.name, year).table if tiered is None else tiered
    flows = _pair_flows(ctx, econ, year)
    dependent = set(tiered.loc[tiered["dependent"].astype(bool), "product"])
    own = _members(ctx, [econ.name])
    tot = pd.DataFrame(totals(flows, econ.name, year, since, rec - own, dependent), columns=TOTAL_COLUMNS)
    imp = flows[flows["importer"] == econ.name]
    products = _product_rows(ctx, econ.name, year, tiered[tiered["tier"] != "none"], imp,
                             recs[~recs["economy"].isin(own)])
    return TablesResult(products, _meta(ctx, econ.name, year, since, recs, tot),
                        summaries={"totals": tot, "records": recs}, main="products")


def _meta(ctx: Context, reporter: str, year: int, since: int, recs: pd.DataFrame, tot: pd.DataFrame) -> dict:
    first = tot.head(3)
    return ctx.meta(analysis="coercion_exposure", reporter=reporter, year=year, since=since,
                    record_economies=sorted(set(recs["economy"])), record_cases=int(recs["case_id"].nunique()),
                    ignored_coercers=str(ctx.config["coercion.ignore_coercers"]),
                    shares={f"{r.flow} {r.scope}": r.share for r in first.itertuples()} if reporter != ALL else {})
