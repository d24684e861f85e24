"""Screening: every HS6 product a reporter imports, against c1, c2, c3 with persistence.

See :mod:`geomon.engine.indicators` for the formulas. Settings used:
``screening.import_hhi`` (t1), ``screening.world_hhi`` (t2), ``screening.ratio``
(t3), ``screening.window`` (n) and ``screening.min_years`` (k).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geomon.analyses.context import Context, Result, importer_codes, merge_needed, year_range
from geomon.countries import Economy, economy_map
from geomon.engine import indicators as ind

ALL = "ALL"

#: The columns every screening result starts with, named so results compare across tools.
SCREEN_COLUMNS = [
    "reporter", "product", "description", "year", "import_value_usd", "top_supplier", "top_supplier_share",
    "import_hhi", "world_export_hhi", "import_export_ratio", "c1_import_concentration",
    "c2_world_concentration", "c3_low_substitutability", "criteria_met_years", "dependent",
]
EXTRA_COLUMNS = [
    "import_quantity_t", "quantity_complete", "supplier_count", "reporter_export_value_usd",
    "world_export_value_usd", "exporter_count", "top_exporter", "top_exporter_share",
]


def yearly_expr(ctx: Context, reporter: Economy | None, years: Sequence[int],
                products: Sequence[str] | None = None) -> ir.Table:
    """Per (importer, product, year) indicators and criteria for ``years``
    (``reporter=None`` screens every economy as importer).

    Countries, ALL and the built-in blocs read the statistics stored at ingest (a few rows
    per reporter and product); other blocs, and stores without statistics, sum the flows.
    Both give the same numbers (:mod:`geomon.engine.indicators`).
    """
    if from_stats(ctx, reporter):
        if reporter is not None and reporter.is_bloc:
            return _bloc_from_stats(ctx, reporter, years, products)
        stored = [ctx.engine.stats(ctx.dataset, name) for name in ("imports", "world")]
        return _yearly_from_stats(ctx, reporter, years, products, *stored)
    flows = ctx.flows.filter(ctx.flows.year.isin(list(years)))
    if products:
        flows = ctx.engine.keep(flows, "product", products)
    return criteria_from_flows(ctx, reporter, flows, merge=merge_needed(ctx, reporter))


def from_stats(ctx: Context, reporter: Economy | None) -> bool:
    """True when :func:`yearly_expr` reads the stored statistics for ``reporter`` (else it sums the flows)."""
    if reporter is not None and reporter.is_bloc:
        return bloc_stored(ctx, reporter)
    return ctx.dataset.has_stats


def criteria_from_flows(ctx: Context, reporter: Economy | None, flows: ir.Table, merge: bool = True) -> ir.Table:
    """Per (importer, product, year) indicators and criteria summed from ``flows`` (already
    restricted to the years and products wanted; ``product`` may be any key, e.g. a
    substitute group). ``reporter=None`` keeps every economy as importer. ``merge=False``
    only when each flow is already one (exporter, importer, product) of economies
    (:func:`~geomon.engine.indicators.economy_flows`).

    The flows are turned into the very sums the ingest stores (:func:`~geomon.engine.indicators.import_sums`
    with the importer's own exports x(r), :func:`~geomon.engine.indicators.world_sums` over
    :func:`~geomon.engine.indicators.export_totals`) and then into indicators by the same
    projection as the statistics route (:func:`_joined`). Economies are numbered in name
    order while summing (integer keys group faster than text; the order keeps the tie rule,
    ties to the first name) and named when joined."""
    codes, names, key = _numbered_economies(ctx, reporter)
    # x(e) sums over importers: never needs the sum per economy pair
    ef = ind.economy_flows(flows, codes, merge=False)
    rank = None if reporter is None else names.index(reporter.name)
    if rank is None:
        imports = ind.import_sums(ind.economy_flows(flows, codes, merge=True) if merge else ef)
    else:  # only the flows into the reporter's codes are mapped (and summed per pair)
        into = ctx.engine.keep(flows, "importer", importer_codes(ctx, [reporter]))
        imports = ind.import_sums(ind.economy_flows(into, codes, merge=merge))
    exports = ind.export_totals(ef)
    own = exports if rank is None else exports.filter(exports.exporter == rank)
    own = own.select(o_year="year", o_economy="exporter", o_product="product",
                     own_export_value_usd="export_value_usd")
    imp = imports.left_join(own, [imports.year == own.o_year, imports.importer == own.o_economy,
                                  imports["product"] == own.o_product])
    named = ctx.engine.table(pa.table({"r": pa.array(range(len(names)), pa.int32()), "name": names}),
                             name=f"{key}_names")
    imp = _named(imp.select(*ind.IMPORT_SUMS, "own_export_value_usd"), named, "importer", "top_supplier")
    return _joined(ctx, imp, _named(ind.world_sums(exports), named, "top_exporter"))


def _numbered_economies(ctx: Context, reporter: Economy | None) -> tuple[ir.Table, list[str], str]:
    """code -> economy number (members of a bloc ``reporter`` merged into it), the economies'
    names, sorted (number i is ``names[i]``), and the key naming these tables in the engine."""
    econ = economy_map(ctx.countries, [reporter] if reporter is not None and reporter.is_bloc else [])
    economies = econ.column("economy").to_pylist()
    names = sorted(set(economies))
    rank = {n: i for i, n in enumerate(names)}
    codes = pa.table({"code": econ.column("code"), "economy": pa.array([rank[e] for e in economies], pa.int32())})
    key = "econ_numbered_" + (reporter.name if reporter is not None and reporter.is_bloc else "iso3")
    return ctx.engine.table(codes, name=key), names, key


def _named(t: ir.Table, names: ir.Table, *columns: str) -> ir.Table:
    """``t`` with the economy numbers in ``columns`` replaced by their names (``names``: r, name)."""
    for col in columns:
        n = names.select(**{f"_{col}_r": names.r, f"_{col}_name": names["name"]})
        j = t.left_join(n, t[col] == n[f"_{col}_r"])
        t = j.select(*[j[f"_{col}_name"].name(col) if c == col else j[c] for c in t.columns])
    return t


def _keep(ctx: Context, t: ir.Table, years: Sequence[int], products: Sequence[str] | None,
          column: str | None = None, value: str | None = None) -> ir.Table:
    """Rows of a statistics table in ``years`` (and ``products``; ``column == value``)."""
    t = t.filter(t.year.isin(list(years)))
    if column is not None and value is not None:
        t = t.filter(t[column] == value)
    if products:
        t = ctx.engine.keep(t, "product", products)
    return t


def bloc_stored(ctx: Context, bloc: Economy) -> bool:
    """True when the store holds statistics for exactly this bloc (same name, same members)."""
    stored = (ctx.dataset.provenance.get("stats") or {}).get("blocs") or {}
    return (ctx.dataset.has_stats and bloc.name in stored
            and sorted(stored[bloc.name]) == sorted(bloc.members))


def exporter_totals(ctx: Context, bloc: Economy | None, years: Sequence[int],
                    products: Sequence[str] | None) -> ir.Table | None:
    """x(e) per (year, exporter, product) from the stored statistics, with ``bloc`` as one
    exporter (:func:`geomon.engine.indicators.bloc_export_totals`); None when the store
    cannot give them (no statistics, or a bloc it did not store)."""
    exports = ctx.engine.stats(ctx.dataset, "exports")
    if exports is None or (bloc is not None and not bloc_stored(ctx, bloc)):
        return None
    exports = _keep(ctx, exports, years, products)
    if bloc is None:
        return exports.select("year", "exporter", "product", "export_value_usd")
    b = _keep(ctx, ctx.engine.stats(ctx.dataset, "bloc_exports"), years, products, "exporter", bloc.name)
    return ind.bloc_export_totals(exports, b, list(bloc.members))


def _bloc_from_stats(ctx: Context, bloc: Economy, years: Sequence[int], products: Sequence[str] | None) -> ir.Table:
    """:func:`yearly_expr` of a stored bloc: its import sums as one importer
    (``stats/bloc_imports``) and the world indicators over every exporter with the bloc's
    extra-bloc exports in place of its members' (:func:`exporter_totals`)."""
    imp = _keep(ctx, ctx.engine.stats(ctx.dataset, "bloc_imports"), years, products, "importer", bloc.name)
    return _joined(ctx, imp, ind.world_sums(exporter_totals(ctx, bloc, years, products)))


def _yearly_from_stats(ctx: Context, reporter: Economy | None, years: Sequence[int], products: Sequence[str] | None,
                       imports: ir.Table, world: ir.Table) -> ir.Table:
    """:func:`yearly_expr` from the stored statistics of a country (or every country): the
    import sums carry the importer's own exports, so only the small world table is joined."""
    imp = _keep(ctx, imports, years, products, "importer", reporter.name if reporter is not None else None)
    return _joined(ctx, imp, _keep(ctx, world, years, products))


def _joined(ctx: Context, imp: ir.Table, world: ir.Table) -> ir.Table:
    """Stored import sums (with the importer's own exports) joined to the world sums
    (:data:`~geomon.engine.indicators.WORLD_SUMS`), turned into indicators in one projection
    (fewer layers, less for Ibis to compile), with the criteria."""
    w = world.select(w_year=world.year, w_product=world["product"], **{c: world[c] for c in ind.WORLD_SUMS[2:]})
    j = imp.left_join(w, [imp.year == w.w_year, imp["product"] == w.w_product])
    sums = {c: j[c] for c in ind.IMPORT_SUMS if c not in ("import_sumsq", "import_max")}
    world_cols = {c: j[c] for c in ind.WORLD_SUMS[2:] if c not in ("world_sumsq", "world_max")}
    j = j.select(**sums, reporter_export_value_usd=j.own_export_value_usd, **ind.import_indicator_values(j),
                 **world_cols, **ind.world_indicator_values(j))
    cfg = ctx.config
    return ind.criteria(j, cfg["screening.import_hhi"], cfg["screening.world_hhi"], cfg["screening.ratio"])


def screen_years(ctx: Context, reporter: str, first: int, last: int, products: Sequence[str] | None = None,
                 progress: Progress | None = None, category: bool = False) -> pd.DataFrame:
    """Screening rows for every year in [first, last]: one row per (reporter, product, year).

    Persistence looks back n-1 years before ``first``, so each year's verdict
    equals screening that year alone. ``progress(done, total, what)`` hears of the two
    steps (the query, then naming the products; ``what`` None at the end). ``category``:
    ``description`` as a pandas Categorical (as :func:`screen` returns it) instead of strings.
    """
    progress = progress or silent
    progress(0, 2, f"screening {first}-{last}" if first != last else f"screening {first}")
    years = year_range(ctx, first, last)
    n, k = ctx.config["screening.window"], ctx.config["screening.min_years"]
    economy = None if reporter.upper() == ALL else ctx.economy(reporter)
    lookback = [y for y in range(first - n + 1, first) if y in ctx.dataset.years]
    yearly = yearly_expr(ctx, economy, lookback + years, products)
    if economy is not None:  # one reporter: a window over its rows
        expr = ind.persistence(yearly, n, k, years=years, plan="window")
    else:
        # the statistics are read again for the screened years only; flows are summed once
        # (DuckDB computes the shared expression once and the screened years are filtered from it)
        rows = yearly_expr(ctx, economy, years, products) if from_stats(ctx, economy) else \
            yearly.filter(yearly.year.isin(years))
        expr = ind.persistence(yearly, n, k, rows=rows, years=years)
    table = _ordered(ctx.engine.to_arrow(_final(ctx, expr)))
    progress(1, 2, "naming the products")
    df = _finish(ctx, _described(ctx, table, category), ordered=True)
    progress(2, 2, None)
    return df


#: ``progress(done, total, what)``: told before each step of a long computation (``what``
#: None when done, ``total`` None when unknown); see :mod:`geomon.cli.progress`.
Progress = Callable[[int, "int | None", "str | None"], None]


def silent(done: int, total: int | None, what: str | None) -> None:
    """The progress callback that tells no one."""


def _final(ctx: Context, expr: ir.Table) -> ir.Table:
    """The result in the engine: columns named, typed and in order; rows in any order
    (:func:`_ordered` orders them). The long ``description`` texts are added after."""
    cast = {"reporter": expr.importer, "year": expr.year.cast("int64"),
            "criteria_met_years": expr.criteria_met_years.cast("int64")}
    return expr.select(**{c: cast[c] if c in cast else expr[c] for c in SCREEN_COLUMNS + EXTRA_COLUMNS
                          if c != "description"})


#: Row order of every screening table: reporter, year, dependent first, then by import value.
ORDER = ["reporter", "year", "dependent", "import_value_usd", "product"]
ASCENDING = [True, True, False, False, True]


def _ordered(table: pa.Table) -> pa.Table:
    """``table`` with its rows in :data:`ORDER` (keys unique per row: reporter, year and
    product; texts in byte order, nulls last, as DuckDB's ORDER BY), each column in one
    chunk, texts as ``large_string`` (the type pandas' ``str`` columns hold).

    Arrow's sort of the five keys, then each column taken in that order, on a few threads
    (Arrow's take and cast let go of the GIL). The engine sorted all 22 columns (858,593 rows
    for ALL) for the same order, and its result came in several chunks that pandas had to
    copy; one chunk per column (and texts already in pandas' type) go to pandas without a
    copy (:func:`_described`)."""
    keys = [(c, "ascending" if up else "descending") for c, up in zip(ORDER, ASCENDING)]
    order = pc.sort_indices(table, sort_keys=keys)  # nulls at the end (Arrow's default)

    def take(column: pa.ChunkedArray) -> pa.ChunkedArray:
        out = column.take(order)
        if pa.types.is_string(out.type):
            out = out.cast(pa.large_string())
        # combine_chunks copies even a single chunk: only when the take gave several
        return out if out.num_chunks == 1 else pa.chunked_array([out.combine_chunks()], out.type)

    if table.num_rows < _THREADED_ROWS:
        return pa.table([take(c) for c in table.columns], names=table.column_names)
    with ThreadPoolExecutor(max_workers=min(4, pa.cpu_count())) as pool:  # Arrow's own thread count
        return pa.table(list(pool.map(take, table.columns)), names=table.column_names)


#: From this many rows :func:`_ordered` takes the columns on several threads.
_THREADED_ROWS = 100_000


def _finish(ctx: Context, df: pd.DataFrame, ordered: bool = False) -> pd.DataFrame:
    """Column types, row order (unless the engine ``ordered`` the rows), descriptions (unless
    :func:`_described` added them to ordered rows) and column order of a screening table."""
    for col in ("year", "criteria_met_years", "supplier_count", "exporter_count"):
        if df[col].dtype != "int64":
            df[col] = df[col].astype("int64")
    for col in ("c1_import_concentration", "c2_world_concentration", "c3_low_substitutability", "dependent",
                "quantity_complete"):
        if df[col].dtype != bool:
            df[col] = df[col].astype(bool)
    if not ordered or "description" not in df.columns:
        df = df.drop(columns=[c for c in ("description",) if c in df.columns])
        if not ordered:
            df = df.sort_values(ORDER, ascending=ASCENDING, kind="stable").reset_index(drop=True)
        df["description"] = _describe(ctx, df["product"])
    if list(df.columns) != SCREEN_COLUMNS + EXTRA_COLUMNS:
        df = df[SCREEN_COLUMNS + EXTRA_COLUMNS]
    return df


def _described(ctx: Context, table: pa.Table, category: bool = False) -> pd.DataFrame:
    """The engine's result as a frame with the ``description`` of each product after the
    ``product`` column (Arrow: the distinct codes looked up once, then one take).

    ``category``: the descriptions as a pandas Categorical (its categories the distinct texts,
    sorted; '' for an unknown code) instead of one string per row: the same values, without
    writing the text again for every row (858,593 rows of 5,021 texts, about 88 MB, for ALL)."""
    product = table.column("product")
    codes = pc.dictionary_encode(product.chunk(0) if product.num_chunks == 1 else product.combine_chunks())
    named = [ctx.descriptions.get(c) or "" for c in codes.dictionary.to_pylist()]
    if category:
        texts = sorted(set(named))
        at = {t: i for i, t in enumerate(texts)}
        index = pa.array(np.array([at[t] for t in named], np.int32)).take(codes.indices)
        described = pa.DictionaryArray.from_arrays(index, pa.array(texts, pa.large_string()))
    else:
        described = pa.array(named, pa.large_string()).take(codes.indices)
    df = table.add_column(table.column_names.index("product") + 1, "description", described).to_pandas(
        split_blocks=True)
    if not category:
        df["description"] = df["description"].astype("str")
    return df


def _describe(ctx: Context, products: pd.Series) -> pd.Series:
    """The description of each product ('' when unknown), built once per distinct code."""
    codes, uniques = pd.factorize(products)
    texts = pa.array([ctx.descriptions.get(u, "") for u in uniques] + [""], pa.large_string())
    taken = texts.take(pa.array(np.where(codes < 0, len(uniques), codes)))
    return pd.Series(taken, index=products.index, dtype="str")


def screen(ctx: Context, reporter: str, year: int | None = None, only_dependent: bool = False,
           products: Sequence[str] | None = None, progress: Progress | None = None) -> Result:
    """Screen every product ``reporter`` imports in ``year`` (default: the latest year).

    ``reporter`` is an ISO3 code, a BACI numeric code, a bloc, or ``ALL``.
    Rows come dependent first, then by import value. ``progress`` as in :func:`screen_years`.
    ``description`` is a pandas Categorical (:func:`_described`); files written from it hold
    plain text (:func:`geomon.outputs.plain.plain_text`).
    """
    year = ctx.check_year(year if year is not None else ctx.default_year())
    df = screen_years(ctx, reporter, year, year, products, progress=progress, category=True)
    if only_dependent:
        df = df[df["dependent"]].reset_index(drop=True)
    n, k = ctx.config["screening.window"], ctx.config["screening.min_years"]
    window = [y for y in range(year - n + 1, year + 1)]
    missing = [y for y in window if y not in ctx.dataset.years]
    label = reporter.upper() if reporter.upper() == ALL else ctx.economy(reporter).name
    return Result(df, ctx.meta(analysis="screen", reporter=label, year=year,
                               window_years=f"{window[0]}-{window[-1]}",
                               window_years_missing=missing, persistence=f"{k} of {n}",
                               rows=len(df), dependent=int(df["dependent"].sum())))
