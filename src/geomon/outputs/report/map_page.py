"""The map page of ``geomon infrastructure --format html``: one self-contained HTML file with the
map of :mod:`geomon.outputs.report.parts.infrastructure` (vendored Vega scripts inlined, no network).
The page keeps the Vega view in ``window.geomonViews.map`` (the browser test reads the scene from it)."""

from __future__ import annotations

import json
from pathlib import Path

from geomon.outputs.report.parts.infrastructure import LABELS, map_nodes, map_spec

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>{title}</title>
<style>body{{font-family:system-ui,Arial,sans-serif;margin:1.5rem;color:#222}} .note{{color:#555;max-width:60rem}}</style></head>
<body><h1>{title}</h1><div id="map" class="vega"></div>
<p class="note">{caveat}</p><p class="note">{source}</p>
<script type="application/json" id="spec">{spec}</script>
{scripts}
<script>
window.geomonViews = {{}};
vegaEmbed("#map", JSON.parse(document.getElementById("spec").textContent), {{actions: false, renderer: "svg"}})
  .then(function (r) {{ window.geomonViews.map = r.view; document.body.setAttribute("data-rendered", "true"); }})
  .catch(function (e) {{ console.error("geomon map failed: " + e); }});
</script></body></html>
"""


def write_map_page(res, path: str | Path, countries) -> None:
    """One self-contained HTML page with the map of ``res`` (an infrastructure result); atomic write.
    ``countries`` is the BACI country table (code, name, iso3) of the data ``res`` was computed on
    (``Context.countries``): it links the members to the atlas' outlines. The page opens no context."""
    from geomon.outputs.files import write_text
    from geomon.outputs.report.html import VENDORED, _script_safe, _static

    L = LABELS["en"]
    m = res.meta
    nodes = map_nodes(res.table, L["infrastructure_unmapped"])
    title = f"{m['country_name']}: {L['infrastructure_map'].lower()} ({len(nodes)} {L['infrastructure_nodes']})"
    from geomon.analyses.infrastructure.outline import node_box, outline_for

    box = node_box(res.table["lat"], res.table["lon"])
    spec = map_spec(nodes, outline_for(countries, m["members_list"], box), L, title)
    text = json.dumps(spec, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c").replace("&", "\\u0026")
    scripts = "\n".join(f"<script>{_script_safe(_static(VENDORED[k][0]))}</script>" for k in ("vega", "vegalite", "embed"))
    caveat = m.get("trade_link", {}).get("caveat", "")
    write_text(PAGE.format(title=_esc(title), spec=text, scripts=scripts, caveat=_esc(caveat), source=_esc(L["infrastructure_source"])), path)


def _esc(text: str) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
