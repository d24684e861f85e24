"""Infrastructure nodes in the report (the map page of ``geomon infrastructure --format html`` is
:mod:`geomon.outputs.report.map_page`).

The map is a Vega-Lite layer chart, offline: the country outlines (Natural Earth 1:50m, shipped,
see :mod:`geomon.analyses.infrastructure.outline`) as a ``geoshape`` and the nodes as points at
their longitude/latitude (Mercator projection fitted to the outlines), coloured by the home
economy of their operator, sized by kind, with tooltips. Data source names: ``outline`` and
``nodes`` (the page's tests read them back through the Vega view).
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from geomon.outputs.report.labels import part_file_labels

#: language -> key -> text (templates/parts/infrastructure.labels.toml)
LABELS = part_file_labels("infrastructure")
#: Point size per kind (area in square pixels).
KIND_SIZE = {"container_terminal": 60, "port": 160, "lng_terminal": 120, "oil_terminal": 120, "interconnector": 90,
             "cable_landing": 90, "pipeline_landing": 90, "power_plant": 120, "other": 60}
WIDTH, HEIGHT = 560, 480


def map_nodes(nodes: pd.DataFrame, unmapped: str) -> list[dict[str, Any]]:
    """The node rows the map needs (JSON-safe; nodes without coordinates left out)."""
    d = nodes.dropna(subset=["lat", "lon"])
    cols = ["node_id", "name", "kind", "country", "lat", "lon", "operator", "parent", "home_economy", "stakes"]
    d = d[cols].assign(home=d["home_economy"].where(d["home_economy"] != "", unmapped),
                       point_size=d["kind"].map(KIND_SIZE).fillna(KIND_SIZE["other"]))
    return json.loads(d.to_json(orient="records", double_precision=15))


def map_spec(nodes: list[dict[str, Any]], outline: list[dict[str, Any]], L: dict[str, str], title: str) -> dict[str, Any]:
    """Vega-Lite spec of the map: outline geoshape + node points (area ``point_size``: :data:`KIND_SIZE` of the kind)."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": title, "width": WIDTH, "height": HEIGHT,
        "datasets": {"outline": outline, "nodes": nodes},
        "projection": {"type": "mercator", "fit": {"type": "FeatureCollection", "features": outline}} if outline else {"type": "mercator"},
        "layer": [
            {"data": {"name": "outline"}, "mark": {"type": "geoshape", "fill": "#eeeeee", "stroke": "#888888", "strokeWidth": 0.6}},
            {"data": {"name": "nodes"}, "mark": {"type": "circle", "opacity": 0.85, "stroke": "#333333", "strokeWidth": 0.4},
             "encoding": {
                 "longitude": {"field": "lon", "type": "quantitative"},
                 "latitude": {"field": "lat", "type": "quantitative"},
                 "color": {"field": "home", "type": "nominal", "title": L["infrastructure_home"], "scale": {"scheme": "tableau10"}},
                 "size": {"field": "point_size", "type": "quantitative", "scale": None, "legend": None},
                 "tooltip": [{"field": f, "type": "nominal"} for f in ("name", "operator", "parent", "home", "kind", "stakes", "node_id")]}},
        ],
        "config": {"view": {"stroke": None}, "legend": {"orient": "bottom"}},
    }


def charts(section, L: dict[str, str], validate: bool = False) -> dict[str, dict[str, Any]]:
    """The report's map: element id -> spec."""
    L = {**LABELS["en"], **L}  # callers that pass only the page's own labels get the English part labels
    m = section.meta
    nodes = map_nodes(section.tables["nodes"], L["infrastructure_unmapped"])
    spec = map_spec(nodes, m["outline"], L, L["infrastructure_map"])
    if validate:
        import altair as alt

        alt.LayerChart.from_dict(spec, validate=True)
    return {"chart-infrastructure-map": spec}
