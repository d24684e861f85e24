"""The report's knowledge section: small multiples of the position measure per field over time
(one panel per field, one line per compared geography), the table of positions, the plain-words
verdicts and the tiered products with a technology field. Data source name: ``knowledge``."""

from __future__ import annotations

import json
from typing import Any

from geomon.outputs.report.labels import part_file_labels

#: language -> key -> text (templates/parts/knowledge.labels.toml); ``knowledge_f_FIELD`` names
#: the NCSES fields (English: NCSES's own name).
LABELS = part_file_labels("knowledge")


def field_label(L: dict[str, str], field: str) -> str:
    """The field's name in the report's language (its NCSES name when not translated)."""
    return L.get(f"knowledge_f_{field}", field)


def fields_spec(rows: list[dict[str, Any]], L: dict[str, str]) -> dict[str, Any]:
    """Small multiples (Vega-Lite): one panel per field, x year, y the position measure (own scale
    per panel), one line per geography."""
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v6.json",
        "title": L["knowledge_chart"],
        "datasets": {"knowledge": rows},
        "data": {"name": "knowledge"},
        "facet": {"field": "field_label", "type": "nominal", "title": None, "header": {"labelFontSize": 10, "labelLimit": 170}},
        "columns": 5,
        "spec": {
            "width": 150, "height": 90,
            "mark": {"type": "line", "point": {"size": 12}, "strokeWidth": 1.5},
            "encoding": {
                "x": {"field": "year", "type": "quantitative", "title": None, "axis": {"format": "d", "tickCount": 4}},
                "y": {"field": "measure", "type": "quantitative", "title": L["knowledge_measure"], "axis": {"tickCount": 4}},
                "color": {"field": "code", "type": "nominal", "title": L["knowledge_geo"], "scale": {"scheme": "tableau10"}},
                "tooltip": [{"field": "name", "type": "nominal", "title": L["knowledge_geo"]},
                            {"field": "field_label", "type": "nominal", "title": L["knowledge_field"]},
                            {"field": "year", "type": "quantitative", "title": L["knowledge_year"]},
                            {"field": "measure", "type": "quantitative", "title": L["knowledge_measure"], "format": ".3~g"}],
            },
        },
        "resolve": {"scale": {"y": "independent"}},
        "config": {"view": {"stroke": None}, "legend": {"orient": "bottom"}, "font": "system-ui, Arial, sans-serif"},
    }


def charts(section, L: dict[str, str], validate: bool = False) -> dict[str, dict[str, Any]]:
    """element id -> spec: the small-multiples chart of the compared geographies per field."""
    series = section.tables["series"]
    series = series.assign(field_label=[field_label(L, f) for f in series["field"]])
    rows = json.loads(series.to_json(orient="records", double_precision=15))
    return {"chart-knowledge-fields": fields_spec(rows, L)}
