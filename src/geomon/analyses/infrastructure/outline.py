"""Country outlines for the map, offline: Natural Earth 1:50m admin-0 countries as TopoJSON
(world-atlas 2.0.2, shipped in ``geomon/data/infrastructure``; see its README), decoded to GeoJSON.

TopoJSON decoding (the format's spec): arcs are delta-encoded integer positions; absolute
position = cumulative sum, then ``lon = x * scale_x + translate_x``, ``lat = y * scale_y +
translate_y``; an arc index ``i < 0`` means arc ``~i`` reversed; consecutive arcs of a ring share
their joining point (the first point of each following arc is dropped).
Country ids are ISO 3166-1 numeric codes, as BACI's country codes (528 = Netherlands).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from typing import Any

from geomon.analyses.infrastructure.ownership import DATA

ATLAS = DATA / "world_atlas_countries_50m.json"


@lru_cache(maxsize=1)
def _topology() -> dict[str, Any]:
    return json.loads(ATLAS.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def _arc(i: int) -> list[tuple[float, float]]:
    """Arc ``i`` decoded (cumulative sum, then scale and translate, see the module docstring), once
    per process: a map needs the arcs of a few countries, not the world's."""
    topo = _topology()
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    x = y = 0
    pts = []
    for dx, dy in topo["arcs"][i]:
        x, y = x + dx, y + dy
        pts.append((round(x * sx + tx, 4), round(y * sy + ty, 4)))
    return pts


def _ring(indexes: list[int]) -> list[list[float]]:
    ring: list[list[float]] = []
    for k, i in enumerate(indexes):
        pts = _arc(i) if i >= 0 else _arc(~i)[::-1]
        ring.extend([list(p) for p in (pts if k == 0 else pts[1:])])
    return ring


def _bbox(rings: list[list[list[float]]]) -> tuple[float, float, float, float]:
    xs = [p[0] for r in rings for p in r]
    ys = [p[1] for r in rings for p in r]
    return min(xs), min(ys), max(xs), max(ys)


def _near(poly: list[list[list[float]]], box: tuple[float, float, float, float] | None) -> bool:
    """Whether the polygon's bounding box meets ``box`` (lon_min, lat_min, lon_max, lat_max)."""
    if box is None:
        return True
    x1, y1, x2, y2 = _bbox(poly)
    return not (x2 < box[0] or x1 > box[2] or y2 < box[1] or y1 > box[3])


def outlines(codes: set[int], box: tuple[float, float, float, float] | None = None) -> list[dict[str, Any]]:
    """GeoJSON features (``properties``: ``id`` numeric code, ``name``) of the countries whose
    ISO numeric code is in ``codes``; with ``box``, only the polygons whose bounding box meets it
    (the Netherlands' Caribbean islands are left out of a map of its European terminals)."""
    feats = []
    for geom in _topology()["objects"]["countries"]["geometries"]:
        if not geom.get("id", "").isdigit() or int(geom["id"]) not in codes:
            continue
        if geom["type"] == "Polygon":
            polys = [[_ring(r) for r in geom["arcs"]]]
        elif geom["type"] == "MultiPolygon":
            polys = [[_ring(r) for r in poly] for poly in geom["arcs"]]
        else:
            continue
        polys = [p for p in polys if _near(p, box)]
        if not polys:
            continue
        coords: Any = polys
        feats.append({"type": "Feature", "properties": {"id": int(geom["id"]), "name": geom["properties"]["name"]},
                      "geometry": {"type": "MultiPolygon", "coordinates": coords}})
    return feats


def node_box(lat, lon, margin: float = 2.0) -> tuple[float, float, float, float] | None:
    """Bounding box (lon_min, lat_min, lon_max, lat_max) of the nodes' coordinates, widened by ``margin`` degrees."""
    pts = [(float(x), float(y)) for x, y in zip(lon, lat) if not (math.isnan(float(x)) or math.isnan(float(y)))]
    if not pts:
        return None
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin


def outline_for(countries, members: list[str], box: tuple[float, float, float, float] | None = None) -> list[dict[str, Any]]:
    """Outline features of the ISO3 ``members`` (polygons meeting ``box`` only, see :func:`outlines`);
    ``countries`` is the BACI country table (code, name, iso3). A country's ISO numeric code is its
    BACI code when the atlas has that id, else the atlas country of the same name (BACI files
    France under 251, ISO says 250)."""
    mine = countries[countries["iso3"].isin(members)]
    names = set(mine["name"])
    atlas = {int(g["id"]): g["properties"]["name"] for g in _topology()["objects"]["countries"]["geometries"]
             if g.get("id", "").isdigit()}
    codes = {int(c) for c in mine["code"] if int(c) in atlas} | {i for i, n in atlas.items() if n in names}
    return outlines(codes, box)
