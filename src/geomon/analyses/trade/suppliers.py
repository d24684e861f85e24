"""Supplier drill-down: who supplies a reporter (or the world) with one product.

share(s, y) = v(s, y) / sum_s' v(s', y), per year y of the chosen range
(:func:`geomon.engine.indicators.supplier_values`, as in the report); the
table has one row per supplier with its value, quantity and share in the
screened year and its share in every year of the range (``share_YYYY``).
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Context, Result, importer_codes, year_range
from geomon.analyses.trade.codes import check_code, codes_in_store, require_in_store
from geomon.engine import indicators as ind
from geomon.errors import InputError

DEFAULT_SPAN = 10


def suppliers(ctx: Context, reporter: str, product: str, year: int | None = None, first: int | None = None,
              last: int | None = None, world: bool = False) -> Result:
    """Every supplier of ``product`` to ``reporter`` (or every world exporter with ``world``).

    ``product`` is an HS6 code, or an HS4 heading / HS2 chapter whose HS6 flows are summed.
    """
    raw = str(product).strip()
    codes = [check_code(ctx, raw)] if raw.isdigit() and len(raw) in (5, 6) else ctx.product_codes(product)
    code = codes[0] if len(codes) == 1 else raw
    if not set(codes) & codes_in_store(ctx):
        require_in_store(ctx, codes[0])  # "not in the store", not "imported nothing"
    year = ctx.check_year(year if year is not None else ctx.default_year())
    last = last if last is not None else year
    first = first if first is not None else max(ctx.dataset.years[0], min(year, last) - DEFAULT_SPAN + 1)
    years = sorted(set(year_range(ctx, first, last)) | {year})
    econ = ctx.economy(reporter)
    f = ctx.flows
    f = f.filter(f.year.isin(years), f["product"].isin(codes))
    if not world:  # the reporter's own import flows only (its members' codes for a bloc)
        f = f.filter(f.importer.isin(importer_codes(ctx, [econ])))
    ef = ind.economy_flows(f, ctx.econ_table(econ))
    df = ctx.engine.execute(ind.supplier_values(ef, None if world else econ.name, keys=("year",)))
    who = "world exporters" if world else f"{econ.name}'s suppliers"
    if df.empty or year not in set(df["year"]):
        what = f"no exports of {code} in {year}" if world else f"{econ.name} imported no {code} in {year}"
        raise InputError(f"{what}; choose another product or year (see 'geomon screen --reporter {econ.name} --year {year}')")
    df["year"] = df["year"].astype(int)
    cur = df[df["year"] == year].set_index("exporter")
    wide = df.pivot_table(index="exporter", columns="year", values="share", aggfunc="sum").reindex(columns=years)
    wide.columns = [f"share_{y}" for y in wide.columns]
    out = pd.DataFrame(index=wide.index)
    out["value_usd"] = cur["value_usd"]
    out["quantity_t"] = cur["quantity_t"]
    out["share"] = cur["share"]
    out = out.join(wide).reset_index().rename(columns={"exporter": "supplier"})
    out.insert(1, "supplier_name", out["supplier"].map(ctx.names).fillna(out["supplier"]))
    out.insert(0, "reporter", "WORLD" if world else econ.name)
    out.insert(1, "product", code)
    out.insert(2, "year", year)
    out = out.sort_values(["value_usd", "supplier"], ascending=[False, True], na_position="last").reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    meta = ctx.meta(analysis="suppliers", reporter=econ.name, product=code, description=ctx.descriptions.get(code, f"HS {code} ({len(codes)} HS6 codes: {', '.join(codes)})"),
                    year=year, years=f"{years[0]}-{years[-1]}", view=who)
    return Result(out, meta)
