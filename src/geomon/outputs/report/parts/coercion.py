"""The coercion section of the report: its labels (``templates/parts/coercion.labels.toml``) and one
event chart per case.

Each chart (element ``chart-coercion-<case id>``) draws the yearly value of the case's series
(``events`` table of :mod:`geomon.analyses.coercion.report`: coercer -> target or world, and
coercer -> reporter) as lines, with a dashed rule at the case's start year; data source name
``events``. Rendering only: the values are the analysis' numbers.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import altair as alt
import pandas as pd

from geomon.outputs.report.charts import PALETTE, WIDTH, _spec, attach
from geomon.outputs.report.labels import part_file_labels

#: language -> key -> text (templates/parts/coercion.labels.toml)
LABELS = part_file_labels("coercion")


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


def same_chart(spec: dict[str, Any], case_id: str, start_year: int, L: dict[str, str]) -> dict[str, Any]:
    """:func:`event_chart` of ``case_id`` from the ``spec`` Altair built for another case: a copy
    with the case's title and start-year rule. The rule's inline data gets a name of its own
    (``rule-`` + the SHA-256 of its rows; Vega-Lite only needs names to be unique within a spec).
    The same chart as Altair's own once the data names are resolved (tested); one Altair build
    costs ~50 ms, eleven cases half a second."""
    values = [{"year": str(start_year), "label": L["coercion_start"]}]
    name = "rule-" + hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]
    out = copy.deepcopy(spec)
    out["title"] = case_id
    out["layer"][1]["data"] = {"name": name}
    out["datasets"] = {name: values}
    return out


def charts(section, L: dict[str, str], validate: bool = False) -> dict[str, dict[str, Any]]:
    """element id -> spec: one event chart per case with a series (Altair builds the first; the
    others are :func:`same_chart` copies unless ``validate``)."""
    ev = section.tables["events"]
    out, first = {}, None
    for case_id, g in ev.groupby("case_id", sort=False):
        info = section.meta["events"].get(case_id)
        if not isinstance(info, dict):
            continue
        d = g[["series", "year", "value_usd"]].assign(year=g["year"].astype(str))
        if first is None or validate:
            spec = first = event_chart(case_id, info["start_year"], L, validate)
        else:
            spec = same_chart(first, case_id, info["start_year"], L)
        out[f"chart-coercion-{case_id}"] = attach(spec, events=d)
    return out
