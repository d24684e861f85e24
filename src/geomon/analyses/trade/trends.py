"""Trends: screening and tiers for every year of a range, with summaries.

Rows: one per (reporter, product, year) with the columns of ``geomon screen``
(:data:`geomon.analyses.trade.screening.SCREEN_COLUMNS` + ``EXTRA_COLUMNS``) plus the tier
columns of :func:`geomon.analyses.trade.tiers.classify`. Each year's row equals screening
that year alone: :func:`~geomon.analyses.trade.screening.screen_years` looks back n-1
years before the first year for persistence.

Summaries (pure functions of the rows, see :func:`summarise`):

- ``by_tier``      per (reporter, year): products screened, dependent (all criteria with
                   persistence), products per tier, entered, left, and ``top_suppliers``:
                   the main suppliers of that year's dependencies with their counts
                   (e.g. "CHN 3, BRA 1", at most three).
- ``by_supplier``  per (reporter, year, top_supplier): dependencies whose main supplier it
                   is, products per tier (other than none), their import value.
- ``changes``      per (reporter, product, year): ``entered`` when dependent in y and not in
                   y-1, ``left`` when dependent in y-1 and not in y, ``tier changed`` when
                   only the tier moved. Counted from the second year of the range on; a
                   product not imported in a year counts as not dependent, tier none.
- ``durations``    per (reporter, product) dependent in at least one year: total years
                   dependent, the current run (consecutive dependent years ending in the
                   last year), the longest run, first/last dependent year. Runs are counted
                   inside the range; ``current_run_censored`` marks a current run that
                   started in the first year of the range (it may be longer).
                   ``latest_tier`` and ``latest_top_supplier`` are those of the last year
                   of the range in which the product was imported.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from geomon.analyses.results import TablesResult, TrendsResult  # noqa: F401  (re-exported)
from geomon.analyses.context import Context
from geomon.analyses.trade.screening import ALL, Progress, silent, screen_years
from geomon.analyses.trade.tiers import TIERS, classify
from geomon.errors import InputError, choices

#: Default span of a trend when --from is not given (inclusive years).
DEFAULT_SPAN = 20
SUMMARIES = ("by_tier", "by_supplier", "changes", "durations")
#: Main suppliers named per year in ``by_tier.top_suppliers``.
TOP_SUPPLIERS = 3


def trends(ctx: Context, reporter: str, first: int | None = None, last: int | None = None,
           products: Sequence[str] | None = None, progress: Progress | None = None) -> TrendsResult:
    """Screen ``reporter`` (ISO3, BACI code, bloc or ``ALL``) in every year of [first, last],
    classify every row into a tier and summarise.

    Defaults: ``last`` = the latest data year, ``first`` = ``last`` - 19 (not before the
    first data year). ``products`` restricts to those HS6 codes (a product's full series);
    an HS4 heading or HS2 chapter stands for its HS6 codes, each screened on its own.
    ``progress(done, total, what)`` hears of the three steps (screening every year, tiers,
    summaries; ``what`` None at the end).
    """
    progress = progress or silent
    last_y = int(last) if last is not None else ctx.default_year()
    first_y = int(first) if first is not None else max(last_y - DEFAULT_SPAN + 1, ctx.dataset.years[0])
    if first_y > last_y:
        raise InputError(f"year range {first_y}-{last_y} is empty; --from must not be after --to")
    codes = sorted({c for p in products for c in ctx.product_codes(p)}) if products else None
    label = ALL if reporter.strip().upper() == ALL else ctx.economy(reporter).name
    progress(0, 3, f"screening {first_y}-{last_y}")
    screened = screen_years(ctx, reporter, first_y, last_y, codes)
    if codes and screened.empty:
        raise InputError(f"{label} imported none of {choices(codes, limit=6)} in {first_y}-{last_y}; "
                         f"choose another product or range (see 'geomon screen --reporter {label}')")
    progress(1, 3, f"tiers of {len(screened):,} rows")
    rows = classify(ctx, screened)
    rows = rows.sort_values(["reporter", "product", "year"], kind="stable").reset_index(drop=True)
    progress(2, 3, "summaries")
    summaries = summarise(rows, first_y, last_y, ctx.names)
    progress(3, 3, None)
    n, k = ctx.config["screening.window"], ctx.config["screening.min_years"]
    latest = summaries["by_tier"]
    latest = latest[latest["year"] == last_y]
    meta = ctx.meta(analysis="trends", reporter=label, first_year=first_y, last_year=last_y,
                    years=f"{first_y}-{last_y}", products=codes or "all", persistence=f"{k} of {n}",
                    rows=len(rows), summaries=list(summaries),
                    tiers_last_year={t: int(latest[t].sum()) for t in tier_order(rows)})
    return TrendsResult(rows, meta, summaries)


def tier_order(rows: pd.DataFrame) -> list[str]:
    """:data:`TIERS` first, then any other tier value found in ``rows`` (sorted)."""
    extra = sorted({str(t) for t in rows["tier"].dropna().unique()} - set(TIERS)) if "tier" in rows else []
    return list(TIERS) + extra


def summarise(rows: pd.DataFrame, first: int, last: int, names: Mapping[str, str] | None = None) -> dict[str, pd.DataFrame]:
    """The four summary tables of a trend (see the module docstring).

    ``rows`` needs reporter, product, year, dependent, tier, top_supplier,
    import_value_usd (and description, optional). ``names`` maps ISO3 to a
    readable supplier name.
    """
    years = list(range(int(first), int(last) + 1))
    tiers = tier_order(rows)
    dep, tier = _matrices(rows, years)
    changes = _changes(rows, dep, tier, years)
    return {
        "by_tier": _by_tier(rows, changes, years, tiers),
        "by_supplier": _by_supplier(rows, tiers, names or {}),
        "changes": changes,
        "durations": _durations(rows, dep, years),
    }


def by_tier_totals(by_tier: pd.DataFrame) -> pd.DataFrame:
    """``by_tier`` summed over reporters: per year, products screened, dependent, the
    count per tier, entered and left (for ALL or several reporters at once)."""
    counts = [c for c in by_tier.columns if c not in ("reporter", "year", "top_suppliers")]
    out = by_tier.groupby("year", as_index=False)[counts].sum()
    out["top_suppliers"] = ""
    return out


def _matrices(rows: pd.DataFrame, years: list[int]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(reporter, product) x year: dependent (False when not imported) and tier ('none' when not imported)."""
    keys = ["reporter", "product"]
    dep = (rows.pivot_table(index=keys, columns="year", values="dependent", aggfunc="max", fill_value=False)
           .reindex(columns=years, fill_value=False).astype(bool))
    tier = (rows.pivot_table(index=keys, columns="year", values="tier", aggfunc="first")
            .reindex(index=dep.index, columns=years))
    tier = tier.astype(object).where(tier.notna(), "none")
    return dep, tier


def _fill(values: pd.Series, other) -> pd.Series:
    """``values`` with missing entries replaced by ``other`` (a scalar or an aligned Series)."""
    return values.astype(object).where(values.notna(), other)


def _descriptions(rows: pd.DataFrame) -> pd.Series:
    if "description" not in rows:
        return pd.Series(dtype=object)
    return rows.drop_duplicates("product").set_index("product")["description"]


def _changes(rows: pd.DataFrame, dep: pd.DataFrame, tier: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    cols = ["reporter", "year", "product", "description", "event", "dependent_before", "dependent_after",
            "tier_before", "tier_after", "top_supplier", "import_value_usd"]
    if len(years) < 2 or dep.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    d, t = dep.to_numpy(bool), tier.to_numpy(object)
    before, after = d[:, :-1], d[:, 1:]
    tb, ta = t[:, :-1], t[:, 1:]
    i, j = np.nonzero((before != after) | (tb != ta))
    idx = dep.index[i]
    out = pd.DataFrame({
        "reporter": idx.get_level_values("reporter"),
        "year": np.asarray(years[1:], dtype="int64")[j],
        "product": idx.get_level_values("product"),
        "dependent_before": before[i, j],
        "dependent_after": after[i, j],
        "tier_before": tb[i, j],
        "tier_after": ta[i, j],
    })
    out["event"] = np.select([~out["dependent_before"] & out["dependent_after"],
                              out["dependent_before"] & ~out["dependent_after"]],
                             ["entered", "left"], "tier changed")
    out["description"] = _fill(out["product"].map(_descriptions(rows)), "")
    now = rows[["reporter", "product", "year", "top_supplier", "import_value_usd"]]
    out = out.merge(now, on=["reporter", "product", "year"], how="left")
    out = out[cols].sort_values(["reporter", "year", "event", "import_value_usd", "product"],
                                ascending=[True, True, True, False, True], na_position="last", kind="stable")
    return out.reset_index(drop=True)


def _by_tier(rows: pd.DataFrame, changes: pd.DataFrame, years: list[int], tiers: list[str]) -> pd.DataFrame:
    reporters = sorted(rows["reporter"].unique())
    grid = pd.MultiIndex.from_product([reporters, years], names=["reporter", "year"])
    g = rows.groupby(["reporter", "year"])
    out = pd.DataFrame(index=grid)
    out["products"] = g.size().reindex(grid, fill_value=0)
    out["dependent"] = g["dependent"].sum().reindex(grid, fill_value=0)
    counts = rows.groupby(["reporter", "year", "tier"]).size().unstack("tier", fill_value=0)
    for t in tiers:
        out[t] = counts[t].reindex(grid, fill_value=0) if t in counts else 0
    ev = changes.groupby(["reporter", "year", "event"]).size().unstack("event", fill_value=0) if len(changes) else pd.DataFrame()
    for e in ("entered", "left"):
        out[e] = ev[e].reindex(grid, fill_value=0) if e in ev else 0
    out = out.astype("int64")
    sup = rows[rows["dependent"]].groupby(["reporter", "year", "top_supplier"]).size().rename("n").reset_index()
    sup = sup.sort_values(["reporter", "year", "n", "top_supplier"], ascending=[True, True, False, True], kind="stable")
    sup = sup.groupby(["reporter", "year"]).head(TOP_SUPPLIERS)
    sup["label"] = sup["top_supplier"].astype(str) + " " + sup["n"].astype(str)
    out["top_suppliers"] = sup.groupby(["reporter", "year"])["label"].agg(", ".join).reindex(grid).fillna("")
    return out.reset_index()


def _by_supplier(rows: pd.DataFrame, tiers: list[str], names: Mapping[str, str]) -> pd.DataFrame:
    keys = ["reporter", "year", "top_supplier"]
    df = rows[rows["dependent"] | (rows["tier"] != "none")]
    out = pd.DataFrame({
        "dependencies": df.groupby(keys, dropna=False)["dependent"].sum(),
        "dependent_import_value_usd": df["import_value_usd"].where(df["dependent"], 0.0).groupby(
            [df[k] for k in keys], dropna=False).sum(),
    })
    counts = df.groupby(keys + ["tier"], dropna=False).size().unstack("tier", fill_value=0)
    for t in tiers:
        if t != "none":
            out[t] = counts[t].reindex(out.index, fill_value=0) if t in counts else 0
    out = out.reset_index()
    out.insert(3, "supplier_name", _fill(out["top_supplier"].map(dict(names)), out["top_supplier"]))
    for c in ["dependencies"] + [t for t in tiers if t != "none"]:
        out[c] = out[c].astype("int64")
    out = out.sort_values(["reporter", "year", "dependencies", "dependent_import_value_usd", "top_supplier"],
                          ascending=[True, True, False, False, True], kind="stable")
    return out.reset_index(drop=True)


def _durations(rows: pd.DataFrame, dep: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Run lengths on the dependent matrix D (products x years), all vectorised:
    current run = trailing Trues = sum of cumprod over the reversed row; run length at
    column j = cumsum(D)_j - cumsum(D) at the last False before j."""
    d = dep.to_numpy(bool)
    cols = ["reporter", "product", "description", "dependent_years", "current_run_years", "dependent_since",
            "current_run_censored", "longest_run_years", "first_dependent_year", "last_dependent_year",
            "latest_tier", "latest_top_supplier"]
    if d.size == 0 or not d.any():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    yrs = np.asarray(years, dtype="int64")
    c = np.cumsum(d, axis=1)
    runs = c - np.maximum.accumulate(np.where(~d, c, 0), axis=1)
    current = np.cumprod(d[:, ::-1], axis=1).sum(axis=1)
    total = d.sum(axis=1)
    first_i = d.argmax(axis=1)
    last_i = d.shape[1] - 1 - d[:, ::-1].argmax(axis=1)
    out = pd.DataFrame({
        "reporter": dep.index.get_level_values("reporter"),
        "product": dep.index.get_level_values("product"),
        "dependent_years": total.astype("int64"),
        "current_run_years": current.astype("int64"),
        "dependent_since": pd.array(np.where(current > 0, yrs[-1] - current + 1, 0), dtype="Int64"),
        "current_run_censored": current == len(years),
        "longest_run_years": runs.max(axis=1).astype("int64"),
        "first_dependent_year": yrs[first_i],
        "last_dependent_year": yrs[last_i],
    })
    out.loc[out["current_run_years"] == 0, "dependent_since"] = pd.NA
    out = out[total > 0]
    out["description"] = _fill(out["product"].map(_descriptions(rows)), "")
    latest = rows.sort_values("year").drop_duplicates(["reporter", "product"], keep="last")
    latest = latest.rename(columns={"tier": "latest_tier", "top_supplier": "latest_top_supplier"})
    out = out.merge(latest[["reporter", "product", "latest_tier", "latest_top_supplier"]], on=["reporter", "product"], how="left")
    out = out[cols].sort_values(["reporter", "current_run_years", "dependent_years", "longest_run_years", "product"],
                                ascending=[True, False, False, False, True], kind="stable")
    return out.reset_index(drop=True)
