"""The coercion section of the report (registered in :data:`geomon.analyses.report_parts.BUILDERS`).

Tables (also workbook sheets ``coercion_<name>``):

- ``totals``: :func:`exposure.exposure` totals of the reporter and year (imports all / of
  dependencies, exports), computed on the report's own tier table;
- ``products``: the exposure rows of the tiered products;
- ``cases``: every case whose store codes (:func:`registry.store_codes`) include a tiered
  product, with the products it touches (all-goods cases such as CHN-LTU-2021 and cases
  without products are left out: they would touch everything);
- ``events``: the yearly series of :func:`event.event` for each of those cases (with the
  reporter), one chart per case, their flows read in one query (:func:`event.events`).
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.coercion.event import events, plan
from geomon.analyses.coercion.exposure import exposure
from geomon.analyses.coercion.flows import BY_PRODUCT
from geomon.analyses.coercion.registry import ALL_GOODS, registry, store_codes
from geomon.analyses.context import Context, importer_codes
from geomon.analyses.results import PartSection
from geomon.countries import Economy
from geomon.errors import GeomonError

#: case codes without data listed per event caption (the rest counted; the CLI's --table codes lists all)
SHOWN = 12
CASE_COLUMNS = ["case_id", "coercer", "target", "start", "end", "instrument", "direction", "tiered_products",
                "uncertain", "trigger", "sources"]


def touching(ctx: Context, codes: set[str]) -> pd.DataFrame:
    """Cases with product codes whose store codes include one of ``codes``, with the codes touched."""
    rows = []
    for _, r in registry(ctx).iterrows():
        if not r["hs_codes"] or r["hs_basis"] == ALL_GOODS:
            continue
        hit = sorted(set(store_codes(ctx, r)) & codes)
        if hit:
            rows.append({**{c: r[c] for c in CASE_COLUMNS if c != "tiered_products"}, "tiered_products": " ".join(hit)})
    return pd.DataFrame(rows, columns=CASE_COLUMNS)


def reads(ctx: Context, econ: Economy, year: int) -> list[tuple[str, list[int], list[int]]]:
    """The import flows this section's events may read by importer, asked before the report
    starts (:data:`geomon.analyses.report_parts.READS`) so that the context reads them in the
    same scan as the reporter's own flows: per buyer code of every case with more than
    :data:`~geomon.analyses.coercion.flows.BY_PRODUCT` store codes (e.g. the Section 301 lists: the
    USA's imports), ("importer", [code], the event's years). Which of those cases the section
    shows depends on the tiers, not known yet: a buyer read here and not used costs only its
    rows in memory, a buyer missed here one more scan (:func:`.flows.case_flows`)."""
    out = []
    for _, r in registry(ctx).iterrows():
        if not r["hs_codes"] or r["hs_basis"] == ALL_GOODS or len(store_codes(ctx, r)) <= BY_PRODUCT:
            continue
        try:
            p = plan(ctx, r["case_id"], econ)
        except GeomonError:
            continue
        if p.importers is not None:
            out += [("importer", [c], p.years) for c in importer_codes(ctx, p.importers)]
    return out


def build(ctx: Context, reporter: str | Economy, year: int, products: pd.DataFrame) -> PartSection | None:
    """Exposure, cases touching tiered products and their events for ``reporter`` (text, or the
    report's resolved :class:`Economy`) in ``year``; None for ALL (the report is per reporter)."""
    if isinstance(reporter, str) and reporter.strip().upper() == "ALL":
        return None
    econ = ctx.economy(reporter)
    tiered = products[products["year"] == year] if "year" in products else products
    exp = exposure(ctx, econ.name, year, tiered=tiered)
    codes = set(tiered.loc[tiered["tier"] != "none", "product"])
    cases = touching(ctx, codes)
    series, notes, plans = [], {}, {}
    for case_id in cases["case_id"]:
        try:
            plans[case_id] = plan(ctx, case_id, econ)
        except GeomonError as exc:  # e.g. a case that starts after the last data year
            notes[case_id] = str(exc)
    done = dict(zip(plans, events(ctx, list(plans.values()))))  # one query for all of them
    for case_id, ev in done.items():
        series.append(ev.table.assign(case_id=case_id))
        missing = ev.meta["codes_not_in_data"]
        notes[case_id] = {"start_year": int(str(ev.meta["start"])[:4]), "store_codes": ev.meta["store_codes"],
                          "codes_not_in_data": missing[:SHOWN] + ([f"... ({len(missing)} in all)"] if len(missing) > SHOWN else []),
                          "codes_without_flows": ev.meta["codes_without_flows_in_years"]}
    notes = {c: notes[c] for c in cases["case_id"] if c in notes}  # in the cases' order
    yearly = pd.concat(series, ignore_index=True) if series else pd.DataFrame(
        columns=["case_id", "series", "exporter", "importer", "year", "value_usd", "quantity_t", "pre_case_average_usd",
                 "change_vs_pre"])
    m = exp.meta
    return PartSection("coercion", {"totals": exp.pick("totals"), "products": exp.table, "cases": cases,
                                    "events": yearly},
                       {"reporter": econ.name, "year": year, "since": m["since"],
                        "record_economies": m["record_economies"], "record_cases": m["record_cases"],
                        "ignored_coercers": m["ignored_coercers"], "events": notes})
