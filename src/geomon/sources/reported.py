"""Reported trade data (Eurostat Comext, UN Comtrade): the table every reader returns.

A reader turns a source file into :class:`Reported`: ``rows`` at the most detailed product
level (CN8 for Comext, HS6 for Comtrade) between a reporter and a partner country, and
``aggregates`` (partner WORLD or EU, product TOTAL, 2- or 4-digit chapters, confidential
codes) kept apart so they are never summed with the detailed rows. Columns of both::

    reporter      ISO3 of the declaring economy
    partner       ISO3 (or the source's own code for "not specified" partners)
    flow          M (reporter's import declaration) or X (reporter's export declaration)
    product       product code as declared (text, leading zeros kept)
    year, month   month 0 for annual data
    value         in ``currency`` (EUR for Comext, USD for Comtrade)
    quantity_kg   net mass in kg, NaN when not reported

``aggregates`` has the same columns plus ``reason``.
"""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geomon.errors import DataError, InputError

COLUMNS = ["reporter", "partner", "flow", "product", "year", "month", "value", "quantity_kg"]
DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "sources"


@dataclass
class Reported:
    """One source file read into the canonical reported-rows table (see the module docstring)."""

    source: str                 # "Comext" or "Comtrade"
    publisher: str
    name: str                   # file name
    currency: str               # ISO 4217: EUR, USD
    frequency: str              # "M" monthly or "A" annual
    version: str                # release label, e.g. V20260213
    rows: pd.DataFrame
    aggregates: pd.DataFrame
    names: dict[str, str] = field(default_factory=dict)         # economy code -> name
    descriptions: dict[str, str] = field(default_factory=dict)  # product -> description
    numeric: dict[str, int] = field(default_factory=dict)       # economy code -> the source's numeric code
    classification: str = ""    # e.g. H5 (Comtrade) or CN (Comext)


def read_text(path: Path) -> str:
    """The text of a .csv/.dat/.txt/.json file, also inside .gz or a one-file .zip (UTF-8, BOM removed)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read {path} ({exc.strerror}); give an existing file") from None
    if path.suffix.lower() == ".gz":
        raw = gzip.decompress(raw)
    elif path.suffix.lower() == ".zip":
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = [n for n in zf.namelist() if not n.endswith("/")]
            if len(members) != 1:
                raise InputError(f"{path.name} holds {len(members)} files; give a zip with one data file, or unpack it")
            raw = zf.read(members[0])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def header_of(text: str) -> list[str]:
    first = text.split("\n", 1)[0]
    return next(csv.reader([first]))


def key(name: str) -> str:
    """A column name reduced to lower-case letters and digits: 'Reporter Code', 'reporter_code'
    and 'reporterCode' are all 'reportercode'."""
    return "".join(ch for ch in name.lower() if ch.isalnum())


@lru_cache(maxsize=1)
def geonom_map() -> pd.DataFrame:
    """Eurostat geonomenclature (and ISO 3166 alpha-2) -> ISO3, shipped in data/sources/geonom_iso3.csv."""
    return pd.read_csv(DATA_DIR / "geonom_iso3.csv", dtype=str, keep_default_na=False)


@lru_cache(maxsize=1)
def known_numeric() -> dict[str, int]:
    """ISO3 -> numeric country code of the embedded BACI country list (UN M49 based), the current
    code where BACI keeps a historical one too (e.g. BEL 56, not 58)."""
    import pyarrow.parquet as pq

    path = next((DATA_DIR.parent / "store").glob("baci/*/countries.parquet"))
    t = pq.read_table(path).to_pandas()
    t = t[~t["name"].str.contains(r"\(\.\.\.", regex=True)]
    return {iso3: int(code) for code, iso3 in zip(t["code"], t["iso3"])}


def finish(rows: pd.DataFrame, name: str, detail: str) -> pd.DataFrame:
    """Check a reader's detailed rows: at least one, no key twice (a file repeating rows would
    be summed twice)."""
    if rows.empty:
        raise DataError(f"{name} has no {detail} rows between countries (only aggregates or empty); "
                        f"extract {detail} codes by partner country")
    dup = rows.duplicated(["reporter", "partner", "flow", "product", "year", "month"], keep=False)
    if dup.any():
        r = rows[dup].iloc[0]
        raise DataError(f"{name} repeats the row {r['reporter']} {r['flow']} {r['partner']} {r['product']} "
                        f"{int(r['year'])}-{int(r['month']):02d}; give each row once (one file per extract)")
    return rows[COLUMNS].reset_index(drop=True)
