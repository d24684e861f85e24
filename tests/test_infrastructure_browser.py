"""The infrastructure map page in a real browser (headless Chromium, network off): it renders
offline, without console errors, and the Euromax terminal sits where SMDG puts it.

SMDG Terminal Code List: NLRTM EMX (ECT Euromax, Maasvlakte) at 51.974167 N, 4.038056 E;
NLAMS CTVA (CTVrede Amsterdam) at 4.818056 E; NLVLI KBV (Vlissingen) at 51.475 N. Rotterdam's
Maasvlakte lies west of Amsterdam and north of Vlissingen, inside the Netherlands' outline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("nld_report")]  # one worker: one Chromium and one NLD 2022 report (conftest)

SCENE = """
const out = {points: {}, shapes: []};
function walk(node) {
  if (!node) return;
  if (node.marktype === 'symbol') node.items.forEach(i => { if (i.datum && i.datum.node_id) out.points[i.datum.node_id] = {x: i.x, y: i.y, lat: i.datum.lat, lon: i.datum.lon, home: i.datum.home}; });
  if (node.marktype === 'shape') node.items.forEach(i => out.shapes.push([i.bounds.x1, i.bounds.y1, i.bounds.x2, i.bounds.y2]));
  (node.items || []).forEach(walk);
}
walk(window.geomonViews.map.scenegraph().root);
out.nodes = window.geomonViews.map.data('nodes').length;
return out;
"""


@pytest.fixture(scope="module")
def map_page(tmp_path_factory, open_page):
    from geomon import api

    path = Path(tmp_path_factory.mktemp("infra")) / "map.html"
    api.infrastructure_map(api.infrastructure("NLD", trade=False), path)
    return open_page(path, ready="data-rendered")


def test_map_renders_offline_without_errors(map_page):
    logs = map_page.get_log("browser")
    bad = [e for e in logs if e["level"] == "SEVERE" or (e["level"] == "WARNING" and e.get("source") == "console-api")]
    assert not bad, bad
    assert map_page.execute_script("return document.querySelectorAll('#map svg').length") == 1


def test_euromax_is_in_the_right_place(map_page):
    scene = map_page.execute_script(SCENE)
    assert scene["nodes"] == 28
    emx = scene["points"]["SMDG:NLRTM:EMX"]
    assert (emx["lat"], emx["lon"]) == (51.974167, 4.038056)
    assert emx["home"] == "HKG"
    x1, y1, x2, y2 = scene["shapes"][0]  # the Netherlands' outline (European part: the nodes' box)
    assert x1 < emx["x"] < x2 and y1 < emx["y"] < y2
    assert x2 - x1 > 200  # the map is fitted to the Netherlands, not to the Caribbean islands as well
    # west of Amsterdam (larger longitude -> larger x), north of Vlissingen (larger latitude -> smaller y)
    assert emx["x"] < scene["points"]["SMDG:NLAMS:CTVA"]["x"]
    assert emx["y"] < scene["points"]["SMDG:NLVLI:KBV"]["y"]
