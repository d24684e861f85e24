"""The node register format: infrastructure nodes (ports, terminals, LNG terminals,
interconnectors, data-cable landings, ...) of the SMDG list, the shipped data or a user file.

A user node file is UTF-8 CSV with the header
``node_id,name,kind,country,lat,lon,operator,valid_from,valid_to,source`` (comment lines start
with ``#``; see :mod:`geomon.sources.userfiles`):

- ``node_id``: unique text, e.g. ``GATE:NLRTM``;
- ``kind``: one of :data:`KINDS`;
- ``country``: ISO3 code (``NLD``);
- ``lat`` / ``lon``: decimal degrees (WGS84), -90..90 and -180..180;
- ``operator``: the operating company as written (matched to the ownership map like SMDG names);
- ``valid_from`` / ``valid_to``: ``YYYY-MM-DD`` or blank (still valid);
- ``source``: where the row comes from (title, publisher, date or URL), never blank.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from geomon.sources.userfiles import read_csv

REGISTER_COLUMNS = ("node_id", "name", "kind", "country", "lat", "lon", "operator", "valid_from", "valid_to", "source")
KINDS = ("container_terminal", "port", "lng_terminal", "oil_terminal", "interconnector", "cable_landing",
         "pipeline_landing", "power_plant", "other")
_ISO3 = re.compile(r"^[A-Z][A-Z0-9]{2}$")


def read_nodes(path: str | Path) -> pd.DataFrame:
    """A user node file (see the module docstring) as register rows; every problem is a
    :class:`~geomon.errors.DataError` naming the file, the line, the value and the fix."""
    f = read_csv(path, "node", REGISTER_COLUMNS)
    rows, seen = [], {}
    for row in f.rows:
        node_id = row["node_id"].strip()
        if not node_id:
            raise f.error(row, "node_id is blank; give every node a unique id")
        if node_id in seen:
            raise f.error(row, f"node_id '{node_id}' repeats line {seen[node_id]}; node ids must be unique")
        seen[node_id] = row.line
        kind = row["kind"].strip()
        if kind not in KINDS:
            raise f.error(row, f"kind '{kind}' is not allowed; choose one of {', '.join(KINDS)}")
        country = row["country"].strip().upper()
        if not _ISO3.match(country):
            raise f.error(row, f"country '{row['country']}' is not an ISO3 code; write e.g. NLD")
        lat = _number(f, row, "lat", -90, 90)
        lon = _number(f, row, "lon", -180, 180)
        start, end = _date(f, row, "valid_from"), _date(f, row, "valid_to")
        if start and end and end < start:
            raise f.error(row, f"valid_to {end} is before valid_from {start}; swap them or leave valid_to blank")
        if not row["source"].strip():
            raise f.error(row, "source is blank; name where the node comes from (title, publisher, date, URL)")
        rows.append({"node_id": node_id, "name": row["name"].strip() or node_id, "kind": kind, "country": country,
                     "lat": lat, "lon": lon, "operator": " ".join(row["operator"].split()),
                     "valid_from": start, "valid_to": end, "source": row["source"].strip()})
    if not rows:
        raise f.error(1, "the node file has no rows; add at least one node below the header")
    return pd.DataFrame(rows, columns=list(REGISTER_COLUMNS))


def _number(f, row, column: str, low: float, high: float) -> float:
    text = row[column].strip()
    try:
        value = float(text)
    except ValueError:
        raise f.error(row, f"{column} '{text}' is not a decimal number; write degrees like 51.95") from None
    if not low <= value <= high:
        raise f.error(row, f"{column} {text} is outside {low}..{high} degrees")
    return value


def _date(f, row, column: str) -> str:
    text = row[column].strip()
    if not text:
        return ""
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise f.error(row, f"{column} '{text}' is not a date; write YYYY-MM-DD or leave it blank") from None
