"""The coercion section of the report: labels (en, nl) and one event chart per case.

Each chart (element ``chart-coercion-<case id>``) draws the yearly value of the case's series
(``events`` table of :mod:`geomon.analyses.coercion.report`: coercer -> target or world, and
coercer -> reporter) as lines, with a dashed rule at the case's start year; data source name
``events``. Rendering only: the values are the analysis' numbers.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

from geomon.outputs.report.charts import PALETTE, WIDTH, _spec, attach

LABELS: dict[str, dict[str, str]] = {
    "en": {"coercion_nav": "Coercion", "coercion_title": "Economic coercion and export controls",
           "coercion_intro": ("Economies with a coercion or export-control record (a case as coercer active since {since} "
                              "and started by {year}): {economies}. Cases of {ignored} are not counted."),
           "coercion_totals": "Trade with economies that have a record", "coercion_flow": "Flow",
           "coercion_scope": "Products", "coercion_total": "Total", "coercion_with_record": "With record",
           "coercion_share": "Share", "coercion_partners": "Largest record partners",
           "coercion_products": "Tiered products: do their top suppliers have a record?",
           "coercion_top": "Top suppliers", "coercion_record_suppliers": "With record",
           "coercion_record_share": "Imports from record economies", "coercion_cases_n": "Cases",
           "coercion_latest": "Latest case", "coercion_covering": "Export measures on this product",
           "coercion_cases": "Cases touching tiered products", "coercion_case": "Case",
           "coercion_measure": "Measure", "coercion_touched": "Tiered products", "coercion_source": "Source",
           "coercion_events": "What happened to the affected trade", "coercion_value": "Value (USD)",
           "coercion_year": "Year", "coercion_series": "Flow", "coercion_start": "start of the case",
           "coercion_codes": "Codes in the store: {codes}.", "coercion_missing": "Case codes without data here: {codes}.",
           "coercion_silent": "No flows in these years for: {codes}.", "coercion_none": "none",
           "coercion_imports_all": "imports, all products", "coercion_imports_dep": "imports, dependencies",
           "coercion_exports_all": "exports, all products",
           "coercion_note": ("Shares by value over the products in the store. Sources of every case: "
                             "'geomon coercion cases --format csv' and the workbook.")},
    "nl": {"coercion_nav": "Dwang", "coercion_title": "Economische dwang en exportbeperkingen",
           "coercion_intro": ("Economieën met een dwang- of exportbeperkingsgeschiedenis (een zaak als dwingende partij, "
                              "actief sinds {since} en begonnen uiterlijk in {year}): {economies}. Zaken van {ignored} "
                              "tellen niet mee."),
           "coercion_totals": "Handel met economieën met een geschiedenis", "coercion_flow": "Stroom",
           "coercion_scope": "Producten", "coercion_total": "Totaal", "coercion_with_record": "Met geschiedenis",
           "coercion_share": "Aandeel", "coercion_partners": "Grootste partners met geschiedenis",
           "coercion_products": "Getierde producten: hebben hun grootste leveranciers een geschiedenis?",
           "coercion_top": "Grootste leveranciers", "coercion_record_suppliers": "Met geschiedenis",
           "coercion_record_share": "Invoer uit economieën met geschiedenis", "coercion_cases_n": "Zaken",
           "coercion_latest": "Laatste zaak", "coercion_covering": "Exportmaatregelen op dit product",
           "coercion_cases": "Zaken die getierde producten raken", "coercion_case": "Zaak",
           "coercion_measure": "Maatregel", "coercion_touched": "Getierde producten", "coercion_source": "Bron",
           "coercion_events": "Wat er met de geraakte handel gebeurde", "coercion_value": "Waarde (USD)",
           "coercion_year": "Jaar", "coercion_series": "Stroom", "coercion_start": "begin van de zaak",
           "coercion_codes": "Codes in de opslag: {codes}.", "coercion_missing": "Codes van de zaak zonder gegevens hier: {codes}.",
           "coercion_silent": "Geen stromen in deze jaren voor: {codes}.", "coercion_none": "geen",
           "coercion_imports_all": "invoer, alle producten", "coercion_imports_dep": "invoer, afhankelijkheden",
           "coercion_exports_all": "uitvoer, alle producten",
           "coercion_note": ("Aandelen naar waarde over de producten in de opslag. Bronnen van elke zaak: "
                             "'geomon coercion cases --format csv' en de werkmap.")},
}


def event_chart(case_id: str, start_year: int, L: dict[str, str], validate: bool = False) -> dict[str, Any]:
    """Lines of ``value_usd`` per year and series (data ``events``) with a dashed rule at the start year."""
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    lines = alt.Chart(alt.NamedData("events")).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=x, y=alt.Y("value_usd:Q", title=L["coercion_value"], axis=alt.Axis(format="~s")),
        color=alt.Color("series:N", title=None, scale=alt.Scale(range=PALETTE)),
        tooltip=[alt.Tooltip("series:N", title=L["coercion_series"]), alt.Tooltip("year:O", title=L["coercion_year"]),
                 alt.Tooltip("value_usd:Q", title=L["coercion_value"], format=",.0f")])
    rule = alt.Chart(pd.DataFrame({"year": [str(start_year)], "label": [L["coercion_start"]]})).mark_rule(
        strokeDash=[5, 4], color="#555").encode(x="year:O", tooltip=[alt.Tooltip("label:N", title=" ")])
    return _spec((lines + rule).properties(width=WIDTH, height=170, title=case_id), validate)


def charts(section, L: dict[str, str], validate: bool = False) -> dict[str, dict[str, Any]]:
    """element id -> spec: one event chart per case with a series."""
    ev = section.tables["events"]
    out = {}
    for case_id, g in ev.groupby("case_id", sort=False):
        info = section.meta["events"].get(case_id)
        if not isinstance(info, dict):
            continue
        d = g[["series", "year", "value_usd"]].assign(year=g["year"].astype(str))
        out[f"chart-coercion-{case_id}"] = attach(event_chart(case_id, info["start_year"], L, validate), events=d)
    return out
