"""SMDG Terminal Code List (TCL) reader: container terminals with operator and coordinates.

The TCL is published by SMDG e.V. for free download (https://smdg.org/documents/smdg-code-lists/
smdg-terminal-code-list/); the CSV has the columns ``UNLOCODE, Alternative UNLOCODE, Terminal
Code, Terminal Facility Name, Terminal Company Name, Latitude (DMS), Longitude (DMS), Latitude,
Longitude, Last change, Valid from, Valid to, Terminal Website, Terminal Address, Remarks``.

:func:`read_smdg` returns the rows in the node register format (see :mod:`geomon.sources.nodes`):
``node_id`` = ``SMDG:<UNLOCODE>:<terminal code>``, ``kind`` = ``container_terminal``,
``country`` = ISO3 from the UN/LOCODE's ISO2 prefix (via ``iso2_to_iso3``), decimal
coordinates, operator = Terminal Company Name, valid dates as written (ISO 8601).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from geomon.errors import DataError
from geomon.sources.nodes import REGISTER_COLUMNS

COLUMNS = ("UNLOCODE", "Terminal Code", "Terminal Facility Name", "Terminal Company Name", "Latitude", "Longitude",
           "Valid from", "Valid to")
SOURCE = "SMDG Terminal Code List"


def read_smdg(path: str | Path, iso2_to_iso3: dict[str, str]) -> pd.DataFrame:
    """The TCL CSV at ``path`` as node register rows (UTF-8, with or without BOM).

    A terminal whose UN/LOCODE prefix has no ISO3 code in ``iso2_to_iso3`` keeps the ISO2
    code; missing coordinates stay missing (NaN). Raises :class:`DataError` when the file
    is missing, not UTF-8, lacks a column or has a coordinate that is not a number.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"SMDG file {p} does not exist; give the 'SMDG Terminal Code List.csv' downloaded from smdg.org")
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"SMDG file {p} is not UTF-8 text; give the CSV as published by SMDG") from None
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"SMDG file {p} lacks the column(s) {', '.join(missing)}; is it the SMDG Terminal Code List CSV?")
    rows = []
    for line, r in enumerate(reader, start=2):
        locode, code = r["UNLOCODE"].strip(), r["Terminal Code"].strip()
        if not locode or not code:
            continue
        rows.append({
            "node_id": f"SMDG:{locode}:{code}", "name": r["Terminal Facility Name"].strip(),
            "kind": "container_terminal", "country": iso2_to_iso3.get(locode[:2], locode[:2]),
            "lat": _coord(r["Latitude"], p, line, "Latitude"), "lon": _coord(r["Longitude"], p, line, "Longitude"),
            "operator": " ".join(r["Terminal Company Name"].split()),
            "valid_from": r["Valid from"].strip(), "valid_to": r["Valid to"].strip(),
            "source": f"{SOURCE} ({p.name})", "unlocode": locode, "terminal_code": code,
        })
    if not rows:
        raise DataError(f"SMDG file {p} has no terminal rows; give the SMDG Terminal Code List CSV")
    return pd.DataFrame(rows, columns=[*REGISTER_COLUMNS, "unlocode", "terminal_code"])


def _coord(text: str, path: Path, line: int, column: str) -> float:
    text = text.strip()
    if not text:
        return float("nan")
    try:
        return float(text)
    except ValueError:
        raise DataError(f"{path}, line {line}: {column} '{text}' is not a decimal number") from None
