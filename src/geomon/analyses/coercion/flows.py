"""The flows coercion events read: only the importers they concern, all events in one query.

An event (:mod:`geomon.analyses.coercion.event`) needs, for its store codes P and years Y, the
flows into its buyers (the target of an export measure, the coercer of an import measure, and
the reporter where its series ends there; every importer for an export measure against WORLD).
:func:`case_flows` reads them for many events in one query of at most three reads of the flows,
each joined with one key table (event, product, importer), so no event lists thousands of
product codes as literals and an all-goods case is no special case: events with few codes
(up to :data:`BY_PRODUCT`, or every importer) read the flows of their products (sorted by
product, so DuckDB skips the other row groups; into their importers only, apart from the events
that read every importer); events with more codes read the flows into their importers (a short list of
BACI codes, filtered before the join). Per event and year it returns, per
pair of BACI codes (e, i):

    value(e, i) = sum_{p in P} v(e, i, p),  quantity(e, i) = the sum of the known quantities,
    unknown(e, i) = the number of flows without a quantity.

:func:`economy_sums` maps the codes to economies as :func:`geomon.engine.indicators.economy_flows`
does (an economy's several codes merged, the members of the blocs given merged into the bloc,
flows inside one economy dropped) and sums per (year, exporter, importer): value, quantity and
quantity_known (no flow without a quantity). The sums are those of summing the flows per product
first and the products next, up to the order of the additions.
"""

from __future__ import annotations

from functools import reduce
from typing import Iterable, Protocol

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from geomon.analyses.context import HELD_CODES, Context, importer_codes
from geomon.countries import Economy, economy_map
from geomon.engine.backend import SHORT_LIST


class Reads(Protocol):
    """What an event reads (:class:`geomon.analyses.coercion.event.Plan`): its store codes, its
    years and its importers (None: every importer)."""

    codes: list[str]
    years: list[int]
    importers: list[Economy] | None


CODE_COLUMNS = ["event", "year", "exporter", "importer", "value", "quantity", "unknown"]
#: Most store codes an event reads by product. At full scale (11 M flows a year, sorted by product)
#: the row groups of the 274 codes of four such cases cost about 0.26 CPU-s over five years, while
#: holding one more buyer's imports in the report's scan costs about 0.3 (and makes every later use
#: of the held flows filter more rows): longer lists (the Section 301 lists) read their buyers'.
BY_PRODUCT = 300
#: Longest product list read as an IN list of literals (DuckDB skips row groups by it; Ibis compiles
#: thousands slowly): a longer union of by-product codes is a semi-join (:meth:`~geomon.engine.Engine.keep`).
IN_LIST = 1000


def case_flows(ctx: Context, plans: list[Reads]) -> list[pd.DataFrame]:
    """Per plan, its flows per (year, exporter code, importer code) (see the module docstring).

    Three reads at most: plans that read every importer (export measures against WORLD) read the
    flows of their products; plans with up to :data:`BY_PRODUCT` codes the flows of their products
    into their importers (the flows are sorted by product, so DuckDB skips the other row groups);
    plans with more codes the flows into their importers."""
    if not plans:
        return []
    every = sorted({int(c) for c in ctx.countries.column("code").to_pylist()})
    found: dict[str, list[pd.DataFrame]] = {"every": [], "product": [], "importer": []}
    years: dict[str, set[int]] = {kind: set() for kind in found}
    kinds = _kinds(ctx, plans)
    for n, (p, kind) in enumerate(zip(plans, kinds)):
        codes = every if p.importers is None else importer_codes(ctx, p.importers)
        keys = pd.DataFrame({"k_event": n, "k_product": [c for c in p.codes for _ in codes],
                             "k_importer": codes * len(p.codes)})
        found[kind].append(keys)
        years[kind].update(p.years)
    parts = []
    for kind, frames in found.items():
        if frames:
            keys = pd.concat(frames, ignore_index=True).astype({"k_event": "int32", "k_importer": "int32"})
            k = ctx.engine.table(keys)
            column = "k_importer" if kind == "importer" else "k_product"
            into = sorted(set(keys["k_importer"].tolist())) if kind == "product" else None
            sel = _read(ctx, column[2:], sorted(set(keys[column].tolist())), sorted(years[kind]), into)
            parts.append(_sums(sel.join(k, [sel["product"] == k.k_product, sel.importer == k.k_importer])))
    expr = reduce(lambda a, b: a.union(b, distinct=False), parts)
    df = ctx.engine.to_pandas(expr)
    by = dict(iter(df.groupby("event", sort=False)))
    empty = pd.DataFrame({c: pd.Series(dtype=df[c].dtype) for c in CODE_COLUMNS})
    return [_in_years(by.get(n, empty), p.years) for n, p in enumerate(plans)]


def _kinds(ctx: Context, plans: list[Reads]) -> list[str]:
    """How each plan reads (see :func:`case_flows`): "every" (every importer, by product), "importer"
    (more than :data:`BY_PRODUCT` codes; or more than :data:`SHORT_LIST` codes when all its importers
    are read by importer anyway for a longer list: their rows are held, while scattered codes' row
    groups are not cheap: 263 codes across the HS cost about 1 CPU-s at full scale), else "product"."""
    held = {c for p in plans if p.importers is not None and len(p.codes) > BY_PRODUCT
            for c in importer_codes(ctx, p.importers)}
    out = []
    for p in plans:
        mine = set(importer_codes(ctx, p.importers)) if p.importers is not None else set()
        by_importer = len(p.codes) > BY_PRODUCT or (len(p.codes) > SHORT_LIST and bool(mine) and mine <= held)
        out.append("every" if p.importers is None else "importer" if by_importer else "product")
    return out


def _read(ctx: Context, column: str, values: list, years: list[int], importers: list[int] | None = None) -> ir.Table:
    """The flows of ``years`` whose ``column`` (product or importer) is one of ``values`` (and, given
    ``importers``, whose importer is one of those). A few importers: each one's import flows as the
    context holds them (:meth:`Context.held_flows`, read once, in one scan for all of them; the
    report asks for them with the reporter's own, see :func:`geomon.analyses.coercion.report.reads`).
    Products: an IN list up to :data:`IN_LIST` codes, so that DuckDB reads their row groups only."""
    if column == "importer" and len(values) <= HELD_CODES:
        ctx.hold_flows([("importer", [c], years) for c in values])
        held = [ctx.held_flows("importer", [c], years) for c in values]
        return reduce(lambda a, b: a.union(b, distinct=False), held)
    f = ctx.flows
    f = f.filter(f.year.isin(years))
    if importers is not None:
        f = ctx.engine.keep(f, "importer", importers)
    if column == "product" and len(values) <= IN_LIST:
        return f.filter(f["product"].isin(values))
    return ctx.engine.keep(f, column, values)


def _sums(j):
    g = j.group_by(event=j.k_event, year=j.year, exporter=j.exporter, importer=j.importer)
    return g.aggregate(value=j.value.sum(), quantity=j.quantity.sum(),
                       unknown=j.quantity.isnull().cast("int32").sum()).select(CODE_COLUMNS)


def _in_years(df: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    return df[df["year"].isin(years)].reset_index(drop=True)


def economy_sums(ctx: Context, code_flows: pd.DataFrame, economies: Iterable[Economy | None]) -> pd.DataFrame:
    """``code_flows`` (:func:`case_flows`) between economies, the blocs among ``economies`` merged:
    year, exporter, importer, value, quantity, quantity_known (see the module docstring).

    The codes are mapped to economy numbers in the order of the economies' names and summed per
    (year, exporter number, importer number): the same groups, in the same order, as grouping by
    the names (integer keys spare pandas the factorizing of three text keys)."""
    m = economy_map(ctx.countries, [e for e in economies if e is not None and e.is_bloc])
    codes = np.asarray(m.column("code").to_numpy(), dtype=np.int64)
    names, ids = np.unique(np.asarray(m.column("economy").to_pylist(), dtype=object), return_inverse=True)
    ex, im = (code_flows[c].to_numpy(dtype=np.int64) for c in ("exporter", "importer"))
    lut = np.full(int(max(codes.max(initial=0), ex.max(initial=0), im.max(initial=0))) + 1, -1, dtype=np.int64)
    lut[codes] = ids
    e, i = lut[ex], lut[im]  # -1: a code outside the country list (dropped, as a failed join drops it)
    keep = (e >= 0) & (i >= 0) & (e != i)
    d = pd.DataFrame({"year": code_flows["year"].to_numpy()[keep], "exporter": e[keep], "importer": i[keep],
                      "value": code_flows["value"].to_numpy()[keep], "quantity": code_flows["quantity"].to_numpy()[keep],
                      "unknown": code_flows["unknown"].to_numpy()[keep]})
    g = d.groupby(["year", "exporter", "importer"], as_index=False).sum()
    return pd.DataFrame({"year": g["year"], "exporter": pd.array(names[g["exporter"].to_numpy()], dtype="str"),
                         "importer": pd.array(names[g["importer"].to_numpy()], dtype="str"), "value": g["value"],
                         "quantity": g["quantity"], "quantity_known": g["unknown"].to_numpy() == 0})


_SEEN: dict[tuple, dict[int, frozenset[str]]] = {}


def without_flows(ctx: Context, codes: list[str], years: list[int]) -> list[str]:
    """The ``codes`` without any flow in ``years``. A product of ``stats/world`` in one of the
    years has flows; only the codes not there (usually none) are looked up in the flows."""
    seen = _stats_products(ctx)
    rest = [c for c in codes if not any(c in seen.get(y, ()) for y in years)]
    if rest:
        f = ctx.flows
        f = ctx.engine.keep(f.filter(f.year.isin(years)), "product", rest)
        found = set(ctx.engine.execute(f.select("product").distinct())["product"])
        rest = [c for c in rest if c not in found]
    return rest


def _stats_products(ctx: Context) -> dict[int, frozenset[str]]:
    """Per year, the products of ``stats/world`` (empty without statistics)."""
    key = (str(ctx.dataset.root), ctx.dataset.hs, ctx.dataset.version)
    if key not in _SEEN:
        w = ctx.engine.stats(ctx.dataset, "world") if ctx.dataset.has_stats else None
        df = ctx.engine.to_pandas(w.select("year", "product")) if w is not None else pd.DataFrame(columns=["year", "product"])
        _SEEN[key] = {int(y): frozenset(g) for y, g in df.groupby("year")["product"]}
    return _SEEN[key]
