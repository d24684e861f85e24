"""Event: what happened to the trade a case affected.

For the case's store codes with data (:func:`registry.store_codes`), per year from
``coercion.pre_years`` years before the start year to the last data year:

- the affected flow: coercer -> target for export measures (coercer -> every other economy
  when the target is WORLD), target -> coercer for import measures (the coercer's purchases);
- with ``reporter``: coercer -> reporter (export measures); for import measures reporter -> coercer,
  or target -> reporter when the reporter is the coercer or one of its bloc's members (its own
  purchases from the target, e.g. NLD's coal from Russia under the EU ban).

Each series: value (USD), quantity (t, null when a flow lacks it) and the change against the
pre-case average: change = value(y) / mean(value over the pre-case years) - 1, the pre-case
years being the ``pre_years`` years before the start year that are in the data (a year without
flows counts as 0).

Replacement suppliers of the affected buyer (the target of an export measure, the coercer of an
import measure; the world's importers for WORLD): every other exporter of the codes to that buyer,
value in the pre-case average and in the last data year and the change between them, ordered by
that change; for WORLD, the other exporters' exports to all economies except the coercer.
With ``reporter`` the same for the reporter's other suppliers (export measures).
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.coercion.registry import case_codes, get_case, store_codes
from geomon.analyses.context import Context
from geomon.analyses.results import TablesResult
from geomon.engine import indicators as ind
from geomon.errors import DataError
from geomon.sources.cases import WORLD

SERIES_COLUMNS = ["series", "exporter", "importer", "year", "value_usd", "quantity_t", "pre_case_average_usd",
                  "change_vs_pre"]
REPLACEMENT_COLUMNS = ["buyer", "supplier", "supplier_name", "pre_case_average_usd", "last_year_usd", "change_usd",
                       "share_pre", "share_last"]


def _flows(ctx: Context, codes: list[str], years: list[int], economies: list) -> pd.DataFrame:
    f = ctx.flows
    f = f.filter(f.year.isin(years) & f["product"].isin(codes))
    ef = ind.economy_flows(f, ctx.econ_table(*[e for e in economies if e is not None and e.is_bloc]))
    g = ef.group_by(["year", "exporter", "importer"]).aggregate(
        value=ef.value.sum(), quantity=ef.quantity.sum(), quantity_known=ef.quantity_known.all())
    return ctx.engine.to_pandas(g)


def _series(flows: pd.DataFrame, exporter: str, importer: str, years: list[int], pre: list[int]) -> pd.DataFrame:
    sel = flows[flows["exporter"] == exporter]
    sel = sel[sel["importer"] != exporter] if importer == WORLD else sel[sel["importer"] == importer]
    g = sel.groupby("year").agg(value=("value", "sum"), quantity=("quantity", "sum"), known=("quantity_known", "all"))
    g = g.reindex(years)
    value = g["value"].fillna(0.0)
    avg = float(value.loc[pre].mean()) if pre else float("nan")
    known = g["known"].astype("boolean").fillna(True).astype(bool)
    qty = g["quantity"].where(known).where(g["value"].notna(), 0.0)  # no flows: 0 t; a missing quantity: null
    return pd.DataFrame({"series": f"{exporter} -> {importer}", "exporter": exporter, "importer": importer, "year": years,
                         "value_usd": value.to_numpy(), "quantity_t": qty.to_numpy(dtype=float),
                         "pre_case_average_usd": avg,
                         "change_vs_pre": (value / avg - 1).to_numpy() if avg > 0 else float("nan")})


def _replacements(ctx: Context, flows: pd.DataFrame, coercer: str, buyer: str, pre: list[int],
                  last: int) -> pd.DataFrame:
    sel = flows[flows["exporter"] != coercer]
    sel = sel[sel["importer"] != coercer] if buyer == WORLD else sel[sel["importer"] == buyer]
    by = sel.groupby(["exporter", "year"])["value"].sum().unstack(fill_value=0.0)
    pre_avg = by.reindex(columns=pre, fill_value=0.0).mean(axis=1) if pre else by.iloc[:, :0].sum(axis=1)
    last_v = by[last] if last in by.columns else pre_avg * 0
    out = pd.DataFrame({"buyer": buyer, "supplier": by.index, "supplier_name": [ctx.names.get(s, s) for s in by.index],
                        "pre_case_average_usd": pre_avg.to_numpy(), "last_year_usd": last_v.to_numpy()})
    out["change_usd"] = out["last_year_usd"] - out["pre_case_average_usd"]
    tot_pre = flows_total(flows, coercer, buyer, pre, include_coercer=True)
    tot_last = flows_total(flows, coercer, buyer, [last], include_coercer=True)
    out["share_pre"] = out["pre_case_average_usd"] / tot_pre if tot_pre > 0 else float("nan")
    out["share_last"] = out["last_year_usd"] / tot_last if tot_last > 0 else float("nan")
    out = out[(out["pre_case_average_usd"] > 0) | (out["last_year_usd"] > 0)]
    return out.sort_values(["change_usd", "supplier"], ascending=[False, True]).reset_index(drop=True)[REPLACEMENT_COLUMNS]


def flows_total(flows: pd.DataFrame, coercer: str, buyer: str, years: list[int], include_coercer: bool) -> float:
    """The buyer's purchases of the codes (average over ``years``), the coercer's included or not."""
    sel = flows[flows["year"].isin(years)]
    sel = sel[sel["importer"] != coercer] if buyer == WORLD else sel[sel["importer"] == buyer]
    if not include_coercer:
        sel = sel[sel["exporter"] != coercer]
    return float(sel["value"].sum()) / max(len(years), 1)


def event(ctx: Context, case_id: str, reporter: str | None = None) -> TablesResult:
    """The event of ``case_id`` (see the module docstring): main table ``series``, summaries
    ``replacements`` and ``codes`` (how each case code matched the store)."""
    case = get_case(ctx, case_id)
    codes_table = case_codes(ctx, case)
    codes = store_codes(ctx, case)
    if not codes:
        given = [f"{r.revision}:{r.code}" for r in codes_table.itertuples() if r.code]
        listed = (", ".join(given[:8]) + (f" ... ({len(given)} codes)" if len(given) > 8 else "")) or "none"
        raise DataError(f"case {case['case_id']} has no codes with data in the store {ctx.dataset.id} (case codes: "
                        f"{listed}); ingest a full BACI release with 'geomon ingest baci PATH'")
    rep = ctx.economy(reporter) if reporter else None
    coercer = ctx.economy(case["coercer"], role="coercer")
    target = None if case["target"] == WORLD else ctx.economy(case["target"], role="target")
    years_all = ctx.dataset.years
    start = int(case["start_year"])
    pre_n = int(ctx.config["coercion.pre_years"])
    years = [y for y in years_all if start - pre_n <= y]
    pre = [y for y in years if y < start]
    if not years:
        raise DataError(f"case {case['case_id']} starts in {start}, after the store's last year {years_all[-1]}")
    flows = _flows(ctx, codes, years, [coercer, target])
    exports = case["direction"] == "exports"
    tgt = WORLD if target is None else target.name
    parts = [_series(flows, *((coercer.name, tgt) if exports else (tgt, coercer.name)), years, pre)]
    if rep is not None:
        inside = set(rep.members) <= set(coercer.members)
        pair = (coercer.name, rep.name) if exports else (tgt, rep.name) if inside else (rep.name, coercer.name)
        rep_flows = _flows(ctx, codes, years, [rep, target] if inside else [coercer, rep])
        parts.append(_series(rep_flows, *pair, years, pre))
    series = pd.concat(parts, ignore_index=True)
    last = years[-1]
    buyer = tgt if exports else coercer.name
    repl = [_replacements(ctx, flows, coercer.name if exports else tgt, buyer, pre, last)]
    if rep is not None and exports:
        repl.append(_replacements(ctx, _flows(ctx, codes, years, [coercer, rep]), coercer.name, rep.name, pre, last))
    not_in = sorted({f"{r.revision}:{r.code}" for r in codes_table.itertuples() if r.code and not r.in_data})
    f = ctx.flows
    seen = set(ctx.engine.execute(f.filter(f.year.isin(years) & f["product"].isin(codes)).select("product").distinct())["product"])
    silent = [c for c in codes if c not in seen]
    meta = ctx.meta(analysis="coercion_event", case_id=case["case_id"], coercer=coercer.name, target=tgt,
                    reporter=rep.name if rep else None, direction=case["direction"], instrument=case["instrument"],
                    start=case["start"], end=case["end"], pre_case_years=pre, years=f"{years[0]}-{last}",
                    store_codes=codes, codes_not_in_data=not_in, codes_without_flows_in_years=silent, trigger=case["trigger"], sources=case["sources"],
                    uncertain=case["uncertain"], note=case["note"])
    codes_out = codes_table.assign(**{c: codes_table[c].map(" ".join) for c in ("store_codes", "in_data", "not_used_nn")})
    return TablesResult(series, meta, summaries={"replacements": pd.concat(repl, ignore_index=True), "codes": codes_out},
                        main="series")
