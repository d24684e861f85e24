"""The report's knowledge section: the reporter against the compared geographies
(setting ``knowledge.report_compare``) per field, and the tiered products with a technology field.

Tables: ``positions`` (per geography and field, its latest year: value, rank, index, changes,
verdict, position), ``series`` (every year's position measure, for the small-multiples chart:
the top-1% index for citations, the world share for counts) and ``links`` (tiered products with a
mapped field, from :func:`geomon.analyses.knowledge.link.annotate`).
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Context
from geomon.analyses.knowledge import link, position as pos
from geomon.analyses.knowledge.data import load
from geomon.analyses.knowledge.monitor import latest, resolve_geo, rules, table_for
from geomon.analyses.results import PartSection
from geomon.countries import Economy
from geomon.errors import InputError

LINK_COLUMNS = ["product", "description", "tier", "top_supplier", "top_supplier_name", "knowledge_field", "knowledge_link",
                "knowledge_link_certainty", "knowledge_year", "knowledge_rta", "knowledge_position",
                "supplier_knowledge_rta", "supplier_stronger"]


def build(ctx: Context, reporter: str | Economy, year: int, products: pd.DataFrame) -> PartSection | None:
    """The section for ``reporter`` (a BACI economy: ISO3 or EU27, or the report's resolved one) in trade ``year``."""
    kn = load(ctx)
    reporter = reporter.name if isinstance(reporter, Economy) else reporter
    code = link.BACI_TO_NCSES.get(reporter, reporter)
    if code not in kn.codes:
        raise InputError(f"the NCSES tables have no geography {reporter}; the knowledge section covers countries and the EU27")
    compare = [c.strip() for c in str(ctx.config["knowledge.report_compare"]).split(",") if c.strip()]
    codes = list(dict.fromkeys([code] + [resolve_geo(kn, c, "geography in knowledge.report_compare") for c in compare]))
    fields = kn.fields["field"].tolist()
    table = table_for(ctx, kn, codes, fields)
    shown = latest(table, None)
    series = table[table["value"].notna()].assign(measure=pos.measure(table[table["value"].notna()]))
    series = series[["code", "name", "field", "indicator", "year", "measure"]].dropna(subset=["measure"])
    # only the tiered rows are shown: annotate those (each row's columns depend on that row alone)
    annotated = link.annotate(ctx, reporter, year, products[products["tier"] != "none"])
    links = annotated[annotated["knowledge_field"] != ""]
    links = links[[c for c in LINK_COLUMNS if c in links]].reset_index(drop=True)
    own = shown[shown["code"] == code]
    meta = {"reporter": code, "reporter_name": kn.name(code), "compare": codes[1:], "trade_year": year,
            "verdict_years": int(ctx.config["knowledge.verdict_years"]),
            "trend_tolerance": float(ctx.config["knowledge.trend_tolerance"]),
            "strong_index": float(ctx.config["knowledge.strong_index"]),
            "verdicts": {v: int((own["verdict"] == v).sum()) for v in ("improving", "stable", "declining", "no data")},
            **rules(ctx), **link.link_meta(ctx, year)}
    return PartSection("knowledge", {"positions": shown.reset_index(drop=True), "series": series.reset_index(drop=True),
                                     "links": links}, meta)
