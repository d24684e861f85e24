"""Knowledge position per field and year: the relative indices, rank, shares and the trend verdict.

Pure functions on a long table with columns ``code``, ``geo_kind``, ``indicator``, ``field``,
``year``, ``value`` (one row per geography, field and year; the world is ``code == "WORLD"``).

- Top-1 % index (``top1_share``): ``index = s_c / s_world``, where ``s_c`` is the share of the
  country's articles among the world's top 1 % most cited (percent) and ``s_world`` the world's
  own (1.0 by construction); > 1 means more highly cited articles than its size predicts.
- Revealed technological advantage (``patent_families``), per country c, field f, year t:
  ``RTA = (p_cf / p_wf) / (sum_g p_cg / sum_g p_wg)``, the country's share of the world's
  patent families in f over its share in all fields g (the fields of the data where both the
  country and the world have a value that year). > 1: specialised in f.
- World share (counts: patent families, AI articles): ``value / world value``.
- Group share (counts): ``value / sum of the values of the group`` (the country and the
  compared geographies; a bloc and its own members both count when both are in the group).
- Rank: 1 + the number of countries (``geo_kind == "country"``) with a larger value in the
  same field and year; a bloc is ranked against the countries the same way.
- Trend: the position measure ``m`` (the index for top-1 % shares, the world share for counts)
  changes by ``m_t / m_(t-k) - 1`` over k = 5 and 10 years; the verdict over ``verdict_years``
  is *improving* when that change > +tolerance, *declining* when < -tolerance, else *stable*
  (*no data* when either year lacks a value or the old measure is 0).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WORLD = "WORLD"
HORIZONS = (5, 10)
INDEX_NAME = {"top1_share": "top-1% index", "patent_families": "RTA", "ai_articles": ""}


def world_values(df: pd.DataFrame) -> pd.Series:
    """World value per row (same indicator, field and year)."""
    w = df.loc[df["code"] == WORLD, ["indicator", "field", "year", "value"]].rename(columns={"value": "world_value"})
    return df[["indicator", "field", "year"]].merge(w, how="left", on=["indicator", "field", "year"])["world_value"].to_numpy()


def rta(df: pd.DataFrame) -> pd.Series:
    """Revealed technological advantage of every patent row (NaN for other indicators);
    ``df`` needs ``world_value`` (see :func:`world_values`)."""
    p = df[(df["indicator"] == "patent_families") & df["value"].notna() & df["world_value"].notna()]
    tot = p.groupby(["code", "year"]).agg(own=("value", "sum"), world=("world_value", "sum"))
    t = p[["code", "year"]].join(tot, on=["code", "year"])
    share_f = p["value"] / p["world_value"]
    share_all = t["own"] / t["world"]
    out = pd.Series(np.nan, index=df.index)
    out.loc[p.index] = (share_f / share_all).where(share_all > 0)
    return out


def rank(df: pd.DataFrame, pool: pd.DataFrame | None = None) -> tuple[pd.Series, pd.Series]:
    """(rank, countries ranked) per row of ``df``: 1 + the countries of ``pool`` (default ``df``)
    with a larger value in the same indicator, field and year."""
    pool = df if pool is None else pool
    ranked = pool[(pool["geo_kind"] == "country") & pool["value"].notna()]
    keys = ["indicator", "field", "year"]
    values = ranked["value"].to_numpy()
    sorted_vals = {k: np.sort(values[i]) for k, i in ranked.groupby(keys).indices.items()}  # positions, no sub-frames
    ranks, counts = [], []
    for k, v in zip(zip(*(df[c].tolist() for c in keys)), df["value"].tolist()):
        arr = sorted_vals.get(k, np.array([]))
        counts.append(len(arr))
        ranks.append(np.nan if pd.isna(v) or not len(arr) else 1 + len(arr) - np.searchsorted(arr, v, side="right"))
    return pd.Series(ranks, index=df.index, dtype="float64"), pd.Series(counts, index=df.index, dtype="int64")


def measure(df: pd.DataFrame) -> pd.Series:
    """The position measure a trend follows: the index for top-1 % shares, the world share for counts."""
    return df["index"].where(df["indicator"] == "top1_share", df["world_share"])


def changes(df: pd.DataFrame, horizons=HORIZONS) -> pd.DataFrame:
    """``change_Ky = m_t / m_(t-K) - 1`` per row for each horizon K (NaN when a year is missing or m_(t-K) = 0)."""
    m = df[["code", "indicator", "field", "year"]].assign(m=measure(df))
    out = pd.DataFrame(index=df.index)
    for k in horizons:
        old = m.assign(year=m["year"] + k).rename(columns={"m": "old"})
        joined = m.merge(old, how="left", on=["code", "indicator", "field", "year"])["old"].to_numpy()
        out[f"change_{k}y"] = np.where((joined > 0) & ~np.isnan(joined), m["m"].to_numpy() / np.where(joined > 0, joined, 1) - 1, np.nan)
    return out


def verdict(change: pd.Series, tolerance: float) -> pd.Series:
    """improving (> +tolerance), declining (< -tolerance), stable (in between), no data (NaN)."""
    c = change.to_numpy(dtype="float64")
    return pd.Series(np.select([np.isnan(c), c > tolerance, c < -tolerance], ["no data", "improving", "declining"], "stable"),
                     index=change.index)


def position(index: pd.Series, indicator: pd.Series, strong_index: float) -> pd.Series:
    """strong (index >= strong_index) or weak, for top-1 % and patent rows; '' for AI articles or no index."""
    lab = np.where(index.to_numpy(dtype="float64") >= strong_index, "strong", "weak")
    ok = index.notna() & indicator.isin(["top1_share", "patent_families"])
    return pd.Series(np.where(ok, lab, ""), index=index.index)


def enrich(df: pd.DataFrame, tolerance: float, strong_index: float, verdict_years: int,
           codes: list[str] | None = None) -> pd.DataFrame:
    """The rows of ``codes`` (default: all) and the world with world_value, world_share, index,
    index_name, rank, countries_ranked, change_5y, change_10y, verdict and position (see the
    module docstring); ``df`` holds every geography (the ranks are over all its countries)."""
    out = df if codes is None else df[df["code"].isin(list(codes) + [WORLD])]
    out = out.copy()
    out["world_value"] = world_values(out)
    counts = out["indicator"] != "top1_share"
    out["world_share"] = (out["value"] / out["world_value"]).where(counts)
    out["index"] = (out["value"] / out["world_value"]).where(out["indicator"] == "top1_share", rta(out))
    out["index_name"] = out["indicator"].map(INDEX_NAME)
    out["rank"], out["countries_ranked"] = rank(out, df)
    out = pd.concat([out, changes(out)], axis=1)
    out["verdict"] = verdict(out[f"change_{verdict_years}y"], tolerance)
    out["position"] = position(out["index"], out["indicator"], strong_index)
    return out


def group_share(df: pd.DataFrame, codes: list[str]) -> pd.Series:
    """value / sum over ``codes`` in the same field and year (counts only; NaN for top-1 % shares)."""
    g = df[df["code"].isin(codes)].groupby(["indicator", "field", "year"])["value"].sum(min_count=1).rename("group_total")
    tot = df[["indicator", "field", "year"]].join(g, on=["indicator", "field", "year"])["group_total"]
    return (df["value"] / tot).where((df["indicator"] != "top1_share") & (tot > 0))
