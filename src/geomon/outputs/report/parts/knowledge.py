"""The report's knowledge section: small multiples of the position measure per field over time
(one panel per field, one line per compared geography), the table of positions, the plain-words
verdicts and the tiered products with a technology field. Data source name: ``knowledge``."""

from __future__ import annotations

import json
from typing import Any

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "knowledge_nav": "Knowledge", "knowledge_title": "Knowledge position in science and key technologies",
        "knowledge_intro": "{reporter} against {compare}: per field the share of articles among the world's top 1 % most cited "
                           "(index, world = 1), international patent families (world share; revealed technological advantage) "
                           "and AI articles (world share). Source: NCSES Science and Engineering Indicators ({years}).",
        "knowledge_chart": "Position per field over time (top-1% index; world share for patents and AI articles)",
        "knowledge_measure": "position", "knowledge_geo": "Geography", "knowledge_field": "Field", "knowledge_year": "Year",
        "knowledge_value": "Value", "knowledge_rank": "Rank", "knowledge_index": "Index", "knowledge_change": "Change {n} y",
        "knowledge_verdict": "Trend", "knowledge_position": "Position", "knowledge_world_share": "World share",
        "knowledge_verdicts": "Verdicts for {reporter}",
        "knowledge_sentence": "{field}: {verdict} ({change} in {n} years), {position} ({index_name} {index}).",
        "knowledge_v_improving": "improving", "knowledge_v_stable": "stable", "knowledge_v_declining": "declining",
        "knowledge_v_no data": "no trend (too few years)", "knowledge_p_strong": "strong", "knowledge_p_weak": "weak",
        "knowledge_p_": "no index", "knowledge_p_no data": "no patents listed",
        "knowledge_links": "Tiered imports and the knowledge position in their field ({year} patents)",
        "knowledge_links_none": "None of the tiered products is linked to a technology field.",
        "knowledge_supplier_stronger": "Top supplier stronger", "knowledge_rta": "RTA {reporter}", "knowledge_supplier_rta": "RTA top supplier",
        "knowledge_rules": "Rules", "knowledge_eu27": "EU27",
        "knowledge_rule_trend": "Trend: the change of the position measure (top-1% index; world share for patents and AI "
                                "articles) over {n} years: improving above +{tol}, declining below -{tol}, stable in between.",
        "knowledge_rule_position": "Position: strong when the field's relative index (revealed technological advantage for "
                                   "patents, top-1% index for articles) is at least {s}, else weak; the top supplier is "
                                   "stronger when its RTA in the product's field is larger than the reporter's.",
        "knowledge_rule_year": "Patents of {k} beside trade of {y}: the latest NCSES patent year up to the trade year.",
        "knowledge_rule_eu27": "EU27: NCSES's published EU-27 row, not a sum of the members (the patent tables list only "
                               "some members; AI articles are whole counts).",
    },
    "nl": {
        "knowledge_nav": "Kennis", "knowledge_title": "Kennispositie in wetenschap en sleuteltechnologieën",
        "knowledge_intro": "{reporter} tegenover {compare}: per vakgebied het aandeel artikelen bij de 1 % meest geciteerde ter "
                           "wereld (index, wereld = 1), internationale octrooifamilies (wereldaandeel; relatief technologisch "
                           "voordeel) en AI-artikelen (wereldaandeel). Bron: NCSES Science and Engineering Indicators ({years}).",
        "knowledge_chart": "Positie per vakgebied door de tijd (top-1%-index; wereldaandeel voor octrooien en AI-artikelen)",
        "knowledge_measure": "positie", "knowledge_geo": "Land of blok", "knowledge_field": "Vakgebied", "knowledge_year": "Jaar",
        "knowledge_value": "Waarde", "knowledge_rank": "Rang", "knowledge_index": "Index", "knowledge_change": "Verandering {n} j",
        "knowledge_verdict": "Trend", "knowledge_position": "Positie", "knowledge_world_share": "Wereldaandeel",
        "knowledge_verdicts": "Oordelen voor {reporter}",
        "knowledge_sentence": "{field}: {verdict} ({change} in {n} jaar), {position} ({index_name} {index}).",
        "knowledge_v_improving": "verbetert", "knowledge_v_stable": "stabiel", "knowledge_v_declining": "verslechtert",
        "knowledge_v_no data": "geen trend (te weinig jaren)", "knowledge_p_strong": "sterk", "knowledge_p_weak": "zwak",
        "knowledge_p_": "geen index", "knowledge_p_no data": "geen octrooien vermeld",
        "knowledge_links": "Getierde invoer en de kennispositie in hun vakgebied (octrooien {year})",
        "knowledge_links_none": "Geen van de getierde producten is aan een technologisch vakgebied gekoppeld.",
        "knowledge_supplier_stronger": "Grootste leverancier sterker", "knowledge_rta": "RTA {reporter}",
        "knowledge_supplier_rta": "RTA grootste leverancier", "knowledge_rules": "Regels", "knowledge_eu27": "EU27",
        "knowledge_rule_trend": "Trend: de verandering van de positiemaat (top-1%-index; wereldaandeel voor octrooien en "
                                "AI-artikelen) over {n} jaar: verbetert boven +{tol}, verslechtert onder -{tol}, anders stabiel.",
        "knowledge_rule_position": "Positie: sterk als de relatieve index van het vakgebied (relatief technologisch voordeel "
                                   "voor octrooien, top-1%-index voor artikelen) minstens {s} is, anders zwak; de grootste "
                                   "leverancier is sterker als zijn RTA in het vakgebied van het product groter is.",
        "knowledge_rule_year": "Octrooien van {k} naast handel van {y}: het laatste NCSES-octrooijaar tot en met het handelsjaar.",
        "knowledge_rule_eu27": "EU27: de gepubliceerde EU-27-rij van NCSES, geen som van de lidstaten (de octrooitabellen "
                               "noemen maar een deel van de lidstaten; AI-artikelen zijn hele tellingen).",
    },
}

#: Dutch names of the NCSES fields (English: the NCSES name itself); a field not listed keeps its NCSES name.
FIELDS_NL = {
    "all fields": "alle vakgebieden", "agricultural sciences": "landbouwwetenschappen",
    "astronomy and astrophysics": "sterrenkunde en astrofysica",
    "biological and biomedical sciences": "biologische en biomedische wetenschappen", "chemistry": "scheikunde",
    "computer and information sciences": "informatica", "engineering": "ingenieurswetenschappen",
    "geosciences, atmospheric sciences, and ocean sciences": "aard-, atmosfeer- en oceaanwetenschappen",
    "health sciences": "gezondheidswetenschappen", "materials science": "materiaalkunde",
    "mathematics and statistics": "wiskunde en statistiek",
    "natural resources and conservation": "natuurlijke hulpbronnen en natuurbehoud", "physics": "natuurkunde",
    "psychology": "psychologie", "social sciences": "sociale wetenschappen",
    "basic communication processes": "basiscommunicatieprocessen", "computer technology": "computertechnologie",
    "electrical machinery, apparatus, energy": "elektrische machines, apparaten, energie",
    "audio-visual technology": "audiovisuele technologie", "telecommunications": "telecommunicatie",
    "digital communication": "digitale communicatie", "medical technology": "medische technologie",
    "semiconductors": "halfgeleiders", "optics": "optica", "measurement": "meettechniek",
    "biotechnology": "biotechnologie", "pharmaceuticals": "farmaceutica",
    "microstructural technology and nanotechnology": "microstructuur- en nanotechnologie",
    "artificial intelligence": "kunstmatige intelligentie",
}
LABELS["en"].update({f"knowledge_f_{k}": k for k in FIELDS_NL})
LABELS["nl"].update({f"knowledge_f_{k}": v for k, v in FIELDS_NL.items()})


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
