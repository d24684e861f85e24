"""Column-wise helpers of the tier rules: typed arrays from optional columns, and texts
assembled row by row only where a condition holds (object arrays, '' elsewhere)."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from geomon.engine import indicators as ind


def fmt(v: float | None, kind: str = "hhi") -> str:
    if v is None:
        return "n/a"
    if kind == "ratio":
        return "no exports" if v >= ind.ZERO_EXPORT_RATIO else f"{v:.2f}"
    return f"{v:.3f}"


def col(df: pd.DataFrame, name: str) -> pd.Series | None:
    return df[name] if name in df.columns else None


def flags(s: pd.Series | None, n: int, missing_as: bool | None = None) -> np.ndarray:
    """``bool(value)`` per row (False for an absent column); with ``missing_as`` a missing
    value (None, NaN) or an absent column gives that instead."""
    if s is None:
        return np.full(n, bool(missing_as), dtype=bool)
    if s.dtype == bool:
        return s.to_numpy()
    values = s.to_numpy(dtype=object)
    if missing_as is None:
        return values.astype(bool)
    flags = np.full(n, missing_as, dtype=bool)
    present = ~s.isna().to_numpy()
    flags[present] = values[present].astype(bool)
    return flags


def numbers(s: pd.Series | None, n: int) -> np.ndarray:
    """float per row, NaN where the value is missing or not a number (float() of the value)."""
    if s is None:
        return np.full(n, np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(s.astype(object), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def counts(s: pd.Series | None, n: int) -> np.ndarray:
    """``int(value or 0)`` per row (0 for an absent column or a missing value)."""
    if s is None:
        return np.zeros(n, dtype="int64")
    return np.trunc(np.nan_to_num(numbers(s, n), nan=0.0)).astype("int64")


def texts(s: pd.Series | None, n: int) -> np.ndarray:
    """str(value) per row, '' for a missing (None, NaN) or empty value (object array)."""
    out = np.full(n, "", dtype=object)
    if s is None:
        return out
    values = s.to_numpy(dtype=object)
    keep = ~s.isna().to_numpy()
    keep[keep] = values[keep].astype(bool)
    kept = values[keep]
    out[keep] = kept if pd.api.types.infer_dtype(kept) in ("string", "empty") else [str(v) for v in kept]
    return out


def pick(cond: np.ndarray, *pieces: str | np.ndarray) -> np.ndarray:
    """The concatenated ``pieces`` (texts, or object arrays taken row by row) where
    ``cond`` holds, '' elsewhere (object array); only those rows are assembled."""
    out = np.full(len(cond), "", dtype=object)
    idx = np.flatnonzero(cond)
    if len(idx):
        text: Any = ""
        for piece in pieces:
            text = text + (piece if isinstance(piece, str) else piece[idx])
        out[idx] = text
    return out


def join(parts: Sequence[np.ndarray], sep: str) -> np.ndarray:
    """Row-wise ``sep.join`` of the non-empty parts, in order."""
    out = parts[0].copy()
    for p in parts[1:]:
        idx = np.flatnonzero(p != "")
        if len(idx):
            head = out[idx]
            out[idx] = head + pick(head != "", sep) + p[idx]
    return out


def shown(values: np.ndarray, cond: np.ndarray, kind: str = "hhi") -> np.ndarray:
    """:func:`fmt` of ``values`` on the rows where ``cond`` holds ('' elsewhere)."""
    out = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(cond)
    out[idx] = [fmt(None if v != v else float(v), kind) for v in values[idx]]
    return out


def ints_shown(values: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """str(int) of ``values`` where ``cond`` holds, 'None' for a missing value there."""
    out = np.full(len(values), "", dtype=object)
    ok = cond & ~np.isnan(values)
    out[cond & np.isnan(values)] = "None"
    out[ok] = values[ok].astype("int64").astype(str).astype(object)
    return out


def near_col(values: np.ndarray, threshold: float, margin: float) -> np.ndarray:
    """Not above the threshold but within the relative margin below it, per row (False where missing)."""
    with np.errstate(invalid="ignore"):
        return (values <= threshold) & (values > threshold * (1.0 - margin))


def only_uncertain(areas: np.ndarray, unsure: np.ndarray) -> np.ndarray:
    """Rows whose uncertain areas leave no certain one (an area is certain when some map row says so), decided
    once per distinct (areas, uncertain areas) pair."""
    a_codes, a_values = pd.factorize(areas)
    u_codes, u_values = pd.factorize(unsure)
    width = max(len(u_values), 1)
    codes, pairs = pd.factorize(a_codes.astype("int64") * width + u_codes)

    def only(pair: int) -> bool:
        a, u = a_values[pair // width], u_values[pair % width]
        certain = {x.strip() for x in a.split(";")} - {x.strip() for x in u.split(";")}
        return bool(u) and not certain

    return np.array([only(p) for p in pairs], dtype=bool)[codes]


def lookup(values: np.ndarray, text) -> np.ndarray:
    """``text(v)`` per row, computed once per distinct value (object array)."""
    codes, uniques = pd.factorize(values)
    return np.array([text(v) for v in uniques] + [""], dtype=object)[codes]
