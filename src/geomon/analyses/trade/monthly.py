"""Monthly data: the screening month by month, and origin shares over a range of months.

- :func:`monthly_trends`: for every month P in [first, last], the screening of the 12 months
  ending in P (rolling annual sums, :mod:`geomon.ingest.windows`); persistence counts the
  12-month windows ending in P, P-12, P-24, ... (k of n, the screening settings).
- :func:`period_suppliers`: every origin of one product to a reporter over the months
  [first, last]: value v(s) = sum of the monthly v(s, m), share(s) = v(s) / sum_s' v(s'),
  and the share in each calendar year's part of the range (``share_YYYY``).

Values stay in the dataset's currency (column ``currency``; Comext EUR), quantities in tonnes.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.trade.screening import screen_years
from geomon.engine import indicators as ind
from geomon.errors import InputError
from geomon.ingest.windows import parse_period, window_dataset


def _month_index(period: str) -> int:
    y, m = parse_period(period)
    return y * 12 + m - 1


def _label(i: int) -> str:
    return f"{i // 12}-{i % 12 + 1:02d}"


def _check_monthly(ctx: Context) -> None:
    if ctx.dataset.frequency != "M":
        raise InputError(f"{ctx.dataset.id} is annual; monthly analyses need monthly data (e.g. --source comext)")


def monthly_trends(ctx: Context, reporter: str, first: str | None = None, last: str | None = None,
                   products: Sequence[str] | None = None) -> Result:
    """One row per (reporter, product, period): the screening of the 12 months ending in ``period``,
    for every month in [first, last] (default: every month with 12 months of data up to it)."""
    _check_monthly(ctx)
    months = [_month_index(m) for m in ctx.dataset.months]
    if not months or len(months) < 12:
        raise InputError(f"{ctx.dataset.id} has {len(months)} months; a 12-month window needs 12")
    lo = _month_index(first) if first else months[0] + 11
    hi = _month_index(last) if last else months[-1]
    if lo > hi:
        raise InputError(f"month range {first}-{last} is empty; --from must not be after --to")
    if lo < months[0] + 11 or hi > months[-1]:
        raise InputError(f"months {_label(lo)} to {_label(hi)} are outside the 12-month windows of {ctx.dataset.id} "
                         f"({_label(months[0] + 11)} to {_label(months[-1])}); choose months in that range")
    codes = sorted({c for p in products for c in ctx.product_codes(p)}) if products else None
    parts = []
    for end_month in sorted({i % 12 + 1 for i in range(lo, hi + 1)}):
        wctx = Context(ctx.store, window_dataset(ctx.dataset, end_month), ctx.engine, ctx.config)
        years = [y for y in wctx.dataset.years if lo <= y * 12 + end_month - 1 <= hi]
        if not years:
            continue
        df = screen_years(wctx, reporter, years[0], years[-1], codes)
        df.insert(3, "period", [f"{y}-{end_month:02d}" for y in df["year"]])
        parts.append(df)
    table = pd.concat(parts, ignore_index=True).drop(columns="year")
    table = table.sort_values(["reporter", "product", "period"], kind="stable").reset_index(drop=True)
    n, k = ctx.config["screening.window"], ctx.config["screening.min_years"]
    label = reporter.upper() if reporter.upper() == "ALL" else ctx.economy(reporter).name
    meta = ctx.meta(analysis="trends_monthly", reporter=label, first_period=_label(lo), last_period=_label(hi),
                    products=codes or "all", rows=len(table), persistence=f"{k} of {n} twelve-month windows",
                    windows="each period P: the 12 months ending in P (rolling annual sum)")
    return Result(table, meta)


def period_suppliers(ctx: Context, reporter: str, product: str, first: str, last: str) -> Result:
    """Every origin of ``product`` (HS6, HS4 or HS2) to ``reporter`` over the months [first, last]."""
    _check_monthly(ctx)
    lo, hi = _month_index(first), _month_index(last)
    have = {_month_index(m) for m in ctx.dataset.months}
    if lo > hi:
        raise InputError(f"month range {first} to {last} is empty; --from must not be after --to")
    missing = [_label(i) for i in range(lo, hi + 1) if i not in have]
    if missing:
        raise InputError(f"months {missing[0]}{' ...' if len(missing) > 1 else ''} are not in {ctx.dataset.id} "
                         f"({ctx.dataset.months[0]} to {ctx.dataset.months[-1]}); choose a range inside it")
    codes = ctx.product_codes(product)
    econ = ctx.economy(reporter)
    t = ctx.engine.con.read_parquet(str(ctx.dataset.root / "monthly" / "*" / "*.parquet"), hive_partitioning=True)
    t = t.mutate(m_index=t.year.cast("int32") * 12 + t.month.cast("int32") - 1)
    t = t.filter(t.m_index.between(lo, hi), t["product"].isin(codes))
    flows = t.select(year=t.year.cast("int32"), exporter=t.exporter.cast("int32"), importer=t.importer.cast("int32"),
                     product=ibis.literal("all"), value=t.value, quantity=t.quantity)
    ef = ind.economy_flows(flows, ctx.econ_table(econ))
    ef = ef.filter(ef.importer == econ.name)
    df = ctx.engine.execute(ef.group_by(["year", "exporter"]).aggregate(value=ef.value.sum(), quantity_t=ef.quantity.sum()))
    if df.empty:
        raise InputError(f"{econ.name} imported no {product} from {first} to {last}; choose another product or range")
    total = df.groupby("exporter")[["value", "quantity_t"]].sum(min_count=1)
    out = total.assign(share=total["value"] / total["value"].sum())
    per_year = df.pivot_table(index="exporter", columns="year", values="value", aggfunc="sum")
    for y in per_year.columns:
        out[f"share_{int(y)}"] = per_year[y] / per_year[y].sum()
    out = out.reset_index().rename(columns={"exporter": "supplier"})
    out = out.sort_values(["value", "supplier"], ascending=[False, True]).reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    out.insert(2, "supplier_name", out["supplier"].map(ctx.names).fillna(out["supplier"]))
    out.insert(3, "currency", ctx.dataset.currency)
    desc = ctx.descriptions.get(codes[0], "") if len(codes) == 1 else f"{len(codes)} HS6 codes: {', '.join(codes)}"
    meta = ctx.meta(analysis="suppliers_period", reporter=econ.name, product=str(product).strip(), description=desc,
                    first_period=_label(lo), last_period=_label(hi), months=hi - lo + 1,
                    view=f"{econ.name}'s suppliers, {_label(lo)} to {_label(hi)}")
    return Result(out, meta)
