"""Alternative-supplier counts for screened rows (:func:`geomon.engine.alternatives.alternative_suppliers`).

An alternative supplier of reporter r is an exporter other than r and r's top supplier
whose exports to the rest of the world are >= ``tiers.alternative_min_share`` x r's
import value; ``alternative_suppliers_strict`` counts at (1 + ``tiers.margin``) x that share.
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Context
from geomon.analyses.trade.screening import exporter_totals
from geomon.analyses.trade.tiers.evidence import OwnImports, batches, few, raw_flows
from geomon.engine import indicators as ind
from geomon.engine.alternatives import alternative_suppliers

COLUMNS = ["reporter", "product", "year", "alternative_suppliers", "alternative_suppliers_strict"]


def alternatives_frame(ctx: Context, screened: pd.DataFrame, share: float, margin: float,
                       group_map: pd.DataFrame | None = None, own: OwnImports | None = None) -> pd.DataFrame:
    """Alternative-supplier counts for the (reporter, product, year) rows of ``screened``.

    Countries share one query; each bloc runs with its own economy map. With
    ``group_map`` (product -> group), ``product`` holds group ids and the counts are
    computed on the groups' summed flows. ``own`` shares the reporters' import flows with
    the other evidence (:class:`~geomon.analyses.trade.tiers.evidence.OwnImports`); a batch of
    few importers is counted by a join, every reporter by the running count (same counts).
    """
    if screened.empty:
        return pd.DataFrame(columns=COLUMNS)
    years = sorted({int(y) for y in screened["year"]})
    parts = []
    for blocs, names in batches(ctx, sorted(set(screened["reporter"]))):
        rows = screened[screened["reporter"].isin(names)]
        keys = pd.DataFrame({"year": rows["year"].astype("int32"), "importer": rows["reporter"].astype(str),
                             "product": rows["product"].astype(str),
                             "import_value_usd": rows["import_value_usd"].astype("float64"),
                             "top_supplier": rows["top_supplier"].astype(object).where(rows["top_supplier"].notna(),
                                                                                       None)})
        keys = keys.drop_duplicates(["year", "importer", "product"])  # one count per key, whatever the input
        # x(e) from the statistics when the store has them: then only the reporters' own flows are read
        totals = None if group_map is not None else exporter_totals(ctx, blocs[0] if blocs else None, years,
                                                                    sorted(set(keys["product"])))
        if totals is None:  # x(e) summed from every flow of the products
            ef = ind.economy_flows(raw_flows(ctx, years, sorted(set(keys["product"])), group_map),
                                   ctx.econ_table(*blocs))
        else:
            # every screened product, not this batch's: a later batch (a bloc) reuses the same object
            own = own or OwnImports(ctx, years, sorted(set(screened["product"].astype(str))), group_map)
            ef = own.economy(names, blocs)
        expr = alternative_suppliers(ef, ctx.engine.table(keys, name="geomon_alt_keys"), share, margin,
                                     totals=totals, running=not few(names))
        res = ctx.engine.execute(expr).rename(columns={"importer": "reporter"})
        parts.append(res[COLUMNS])
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    return out
