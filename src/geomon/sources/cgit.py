"""AEI China Global Investment Tracker (CGIT) reader.

The CGIT spreadsheet (American Enterprise Institute, https://www.aei.org/china-global-investment-tracker/)
exported as CSV (latin-1): ``Year, Month, Investor, Quantity in Millions, Share Size,
Transaction Party, Sector, Subsector, Country, Region, BRI, Greenfield``. Values are gross deal
values in millions of USD written like ``$1,240 ``; share sizes like ``35%`` (blank when unknown), or
several comma-separated shares when a deal has several investors or targets (``45%, 35%, 20%``,
``63, 22, 15%``: 18 of the 3,752 deals of the 2021 autumn release).

:func:`read_cgit` returns one row per deal with ``year`` (int), ``month``, ``investor``,
``value_musd`` (float), ``share`` (fraction 0-1; NaN when blank or when several shares are listed,
since a list has no single share), ``share_text`` (the share size as CGIT writes it),
``transaction_party``, ``sector``, ``subsector``, ``country_name`` (as CGIT writes it), ``region``,
``bri``, ``greenfield``.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from geomon.errors import DataError

FIELDS = {"Year": "year", "Month": "month", "Investor": "investor", "Quantity in Millions": "value_musd",
          "Share Size": "share", "Transaction Party": "transaction_party", "Sector": "sector",
          "Subsector": "subsector", "Country": "country_name", "Region": "region", "BRI": "bri",
          "Greenfield": "greenfield"}
REQUIRED = ("Year", "Investor", "Quantity in Millions", "Sector", "Country")


def read_cgit(path: str | Path, encoding: str = "latin-1") -> pd.DataFrame:
    """Deals of the CGIT CSV at ``path`` (see the module docstring); header names are matched
    after stripping spaces. Raises :class:`DataError` naming the line of a bad year, value or share."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"CGIT file {p} does not exist; give the China Global Investment Tracker CSV downloaded from aei.org")
    text = p.read_bytes().decode(encoding)
    reader = csv.reader(io.StringIO(text))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DataError(f"CGIT file {p} lacks the column(s) {', '.join(missing)}; is it the China Global Investment Tracker CSV?")
    idx = {FIELDS[h]: i for i, h in enumerate(header) if h in FIELDS}
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        get = {k: (cells[i].strip() if i < len(cells) else "") for k, i in idx.items()}
        rows.append({**get, "year": _year(get["year"], p, line), "value_musd": _musd(get["value_musd"], p, line),
                     "share": _share(get.get("share", ""), p, line), "share_text": get.get("share", "")})
    if not rows:
        raise DataError(f"CGIT file {p} has no deal rows")
    return pd.DataFrame(rows, columns=[*FIELDS.values(), "share_text"])


def _year(text: str, path: Path, line: int) -> int:
    if not text.isdigit() or not 1990 <= int(text) <= 2100:
        raise DataError(f"{path}, line {line}: Year '{text}' is not a year like 2016")
    return int(text)


def _musd(text: str, path: Path, line: int) -> float:
    """'$1,240 ' -> 1240.0 (millions of USD)."""
    clean = text.replace("$", "").replace(",", "").strip()
    try:
        return float(clean)
    except ValueError:
        raise DataError(f"{path}, line {line}: value '{text}' is not an amount like $1,240") from None


def _share(text: str, path: Path, line: int) -> float:
    """'35%' -> 0.35; blank -> NaN; a list of shares ('45%, 35%, 20%', '63, 22, 15%'), each checked,
    -> NaN (no single share; ``share_text`` keeps the list)."""
    parts = [x.strip() for x in text.split(",")] if text.strip() else []
    values = []
    for part in parts:
        try:
            values.append(float(part.rstrip("%").strip()) / 100)
        except ValueError:
            raise DataError(f"{path}, line {line}: Share Size '{text}' is not a percentage like 35% "
                            "(or a list like 45%, 35%)") from None
        if not 0 <= values[-1] <= 1:
            raise DataError(f"{path}, line {line}: Share Size '{text}' is outside 0-100%")
    return values[0] if len(values) == 1 else float("nan")
