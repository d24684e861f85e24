"""Everything the monitor's report shows, as named tables built by the analyses.

:func:`build_report_data` runs the analyses once and returns a :class:`ReportData`:
named DataFrames plus one ``meta`` dict. The HTML and Excel renderers in
:mod:`geomon.outputs.report` only format and chart these tables; nothing there
computes an indicator.

Tables (columns keep the names of the analysis that made them):

- ``products``        every screened product in the year: :func:`screening.screen` rows
                      (plus ``top_supplier_name``) and the tier columns of :func:`tiers.classify`
                      (``tier``, ``computed_tier``, ``tier_reasons``, ``interest_areas``,
                      ``override_reason`` ...).
- ``tier_counts``     per tier: products and their import value (year of the report).
- ``largest``         the products with a tier other than ``none``, by import value.
- ``supplier_countries``  per main (top) supplier of those products: dependencies, per
                      tier, their import value (``trends`` summary ``by_supplier``).
- ``changes``         products whose verdict changed since the previous year (``trends``
                      summary ``changes``) with the indicators before and after.
- ``since``           with ``since=EDITION``: products whose final tier differs from that
                      saved edition, with indicators before (edition) and after (now).
- ``detail``          the products that get a section of their own (see below), in order.
- ``suppliers``       every supplier of each detail product in the year, ranked:
                      share(s) = v(s) / sum_s' v(s') as in :func:`suppliers.suppliers`.
- ``world_exporters`` the same for world exports of each detail product
                      (as :func:`suppliers.suppliers` with ``world=True``).
- ``history``         the trend rows of the detail products (one per product and year):
                      import HHI, world-export HHI, imports/exports ratio, criteria, tier.
- ``trend_by_tier``   per year: products screened, dependent, per tier, entered, left
                      (``trends`` summary ``by_tier``).
- ``trend_suppliers`` per year and main supplier with dependencies (``by_supplier``).
- ``durations``       how long each current dependency has lasted (``durations``).
- ``leverage``        :func:`leverage.leverage` with the reporter as supplier.
- ``diversification`` ranked alternative suppliers of each dependency with a section.
- ``chains``          every value chain (:func:`chains.chain`), one row per stage, with
                      the chokepoint stage marked.
- ``risk``            GeoPolRisk scores per commodity (:func:`risk.risk`).
- ``scenario``        imports at risk if ``report.scenario_stop`` (default CHN) stops
                      delivering (:func:`scenario.scenario`, every imported product).
  These three need World Mining Data and WGI for the year; when an analysis refuses the
  year or the reporter (a :class:`GeomonError`), the table is left out and
  ``meta["supply_notes"]`` says why.

Which products get a section: every product whose tier is not ``none`` (strategic,
possible, dependency) plus the ``report.top_products`` largest imports by value, so the
file stays light on a full 5,000-product dataset while every verdict is explained.

The reporter is resolved once (an :class:`~geomon.countries.Economy`) and passed to every
section. What only the page and the workbook need (language, caveats, the suppliers a chart
names or sums as 'other') is the report's view model, :mod:`geomon.outputs.report.view`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable

import ibis.expr.types as ir
import pandas as pd

from geomon.analyses.supply.report import supply_sections
from geomon.analyses.trade import trends as _trends
from geomon.analyses.context import Context, beside, importer_codes
from geomon.countries import Economy
from geomon.analyses.report_parts import PartSection, part_reads, parts_built, submit_parts
from geomon.analyses.trade.diversification import dependency_options
from geomon.analyses.trade.leverage import leverage
from geomon.analyses.trade.edition_diff import diff_rows
from geomon.analyses.trade.screening import ALL, ASCENDING, ORDER
from geomon.analyses.trade.tiers.evidence import raw_flows
from geomon.engine import indicators as ind
from geomon.errors import InputError

#: Tier names, most to least severe.
TIERS = _trends.TIERS

#: Columns of the trend rows kept for the per-product charts.
HISTORY_COLUMNS = ["product", "year", "import_value_usd", "top_supplier", "top_supplier_share", "import_hhi",
                   "world_export_hhi", "import_export_ratio", "c1_import_concentration", "c2_world_concentration",
                   "c3_low_substitutability", "criteria_met_years", "dependent", "tier"]
#: Indicators shown before and after in the change tables.
CHANGE_INDICATORS = ["import_value_usd", "import_hhi", "world_export_hhi", "import_export_ratio",
                     "criteria_met_years", "top_supplier"]


@dataclass
class ReportData:
    """Named tables plus the metadata (provenance, settings, what the report covers)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    #: sections of the monitor's other parts (see :mod:`geomon.analyses.report_parts`)
    parts: dict[str, PartSection] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    def __contains__(self, name: str) -> bool:
        return name in self.tables

    def get(self, name: str) -> pd.DataFrame | None:
        return self.tables.get(name)


def build_report_data(ctx: Context, reporter: str, year: int | None = None, since: str | None = None,
                      editions: str | None = None, progress: Progress | None = None) -> ReportData:
    """Run screening, tiers, trends, suppliers and leverage for one reporter and year.

    Each table is computed once: the trend over the history years screens and classifies
    every year (the report year's rows are ``products``), suppliers and world exporters of
    all detail products come from one query each. ``since`` names a saved edition (see
    ``geomon edition save``) to compare with; ``editions`` is where editions live (default as
    in :mod:`geomon.analyses.trade.editions`). ``progress(done, total, what)`` is called before each
    step (``what`` None at the end). The reporter's own flows and those the parts ask for are read
    in one scan, held by ``ctx`` (Context.hold_flows). A second thread (:func:`~geomon.analyses.context.beside`)
    builds the supply sections, which need no trade table, while this one screens and classifies,
    then the other parts (costliest first) while this one makes the trade tables; a part it has not
    started by then is built here (at full scale about 0.9 s less of 6.0 in a fresh process,
    2026-12-01). InputError: unknown reporter, year, edition."""
    if str(reporter).strip().upper() == ALL:
        raise InputError("a report covers one reporter; give an ISO3 code (e.g. NLD) or a bloc (e.g. EU27), not ALL")
    econ = ctx.economy(reporter)
    year = ctx.check_year(year if year is not None else ctx.default_year())
    cfg = ctx.config
    edition = _load_edition(ctx, econ.name, since, editions) if since else None  # fail fast on a bad name
    for code in filter(None, (c.strip() for c in str(cfg["report.scenario_stop"]).split(","))):
        ctx.economy(code, role="stopping supplier (report.scenario_stop)")

    step = _steps(progress)
    first = max(ctx.dataset.years[0], year - int(cfg["report.history_years"]) + 1)
    if year - 1 in ctx.dataset.years:
        first = min(first, year - 1)
    own = importer_codes(ctx, [econ])  # imports (every part), exports (coercion), what parts read: one scan
    ctx.hold_flows([("importer", own, range(first, year + 1)), ("exporter", own, [year]), *part_reads(ctx, econ, year)])
    step("screening and tiers")
    with beside(ctx) as worker:
        supply = worker.submit(supply_sections, econ, year)  # needs no trade table: a second thread runs it meanwhile
        rows, summ = _trend(ctx, econ.name, first, year)  # every year screened and classified once
        products = _named_products(ctx, econ, _year_rows(rows, year), year)
        scr_meta = _window_meta(ctx, year)
        parts = submit_parts(worker, econ, year, products)  # the worker takes them when it is free
        step("suppliers, world exporters and leverage")
        tables = _trade_tables(ctx, econ, year, products, rows, summ)
        codes = tables["detail"]["product"].tolist()
        step("value chains, risk and scenario")
        supply_tables, supply_notes, scenario_meta = supply.result()
        tables.update(supply_tables)
        step("diversification options")
        tables["diversification"] = dependency_options(ctx, econ, year, tables["detail"])
        step("the monitor's other parts")
        parts, part_notes = parts_built(parts)  # those the worker has not started are built here
    step(None)
    since_meta: dict[str, Any] = {}
    if edition is not None:
        tables["since"], since_meta = _since(edition, products)

    meta = _report_meta(ctx, econ, year, products, history_years=f"{first}-{year}", **scr_meta,
                        detail_products=codes, top_suppliers=int(cfg["report.top_suppliers"]), since=since_meta or None,
                        supply_notes=supply_notes, scenario=scenario_meta, part_notes=part_notes)
    return ReportData(tables, meta, parts)


def _trade_tables(ctx: Context, econ: Economy, year: int, products: pd.DataFrame, rows: pd.DataFrame,
                  summ: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The trade tables of the report (see the module docstring) from the year's tiered
    ``products`` and the trend ``rows`` and summaries ``summ``, each computed once."""
    detail = _detail(products, int(ctx.config["report.top_products"]))
    codes = detail["product"].tolist()
    return {
        "products": products,
        "tier_counts": _tier_counts(products),
        "largest": _largest(products),
        "supplier_countries": _at_year(summ["by_supplier"], year),
        "changes": _changes(summ["changes"], rows, year),
        "detail": detail,
        "suppliers": _shares(ctx, econ, codes, year, world=False),
        "world_exporters": _shares(ctx, econ, codes, year, world=True),
        "history": rows.loc[rows["product"].isin(codes), [c for c in HISTORY_COLUMNS if c in rows]].reset_index(drop=True),
        "trend_by_tier": summ["by_tier"].drop(columns=["reporter"], errors="ignore").reset_index(drop=True),
        "trend_suppliers": _dependency_suppliers(summ["by_supplier"]),
        "durations": _current_durations(summ["durations"]),
        "leverage": leverage(ctx, econ, year).table,
    }


def _report_meta(ctx: Context, econ: Economy, year: int, products: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    """The report's metadata: provenance and settings (``ctx.meta``), who and when, the
    thresholds, tier totals of ``products``, plus ``extra``."""
    cfg = ctx.config
    return ctx.meta(
        analysis="report", reporter=econ.name, reporter_name=ctx.names.get(econ.name, econ.name),
        reporter_is_bloc=econ.is_bloc, reporter_members=list(econ.members) if econ.is_bloc else [],
        year=year, previous_year=year - 1 if year - 1 in ctx.dataset.years else None,
        generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        thresholds={"import_hhi": cfg["screening.import_hhi"], "world_hhi": cfg["screening.world_hhi"],
                    "ratio": cfg["screening.ratio"], "window": cfg["screening.window"],
                    "min_years": cfg["screening.min_years"], "leverage_min_share": cfg["leverage.min_share"]},
        tiers=list(TIERS), rows=len(products), dependent=int(products["dependent"].sum()),
        tier_totals={t: int((products["tier"] == t).sum()) for t in TIERS},
        top_products=int(cfg["report.top_products"]), **extra,
    )


#: ``progress(done, total, what)``: called before each step of a long computation.
Progress = Callable[[int, int, "str | None"], None]
#: Steps of :func:`build_report_data` reported to ``progress``.
REPORT_STEPS = 5


def _steps(progress: Progress | None) -> Callable[[str | None], None]:
    """A step counter calling ``progress(done, REPORT_STEPS, what)``; ``what=None`` ends it."""
    done = [0]

    def step(what: str | None) -> None:
        if progress is not None:
            progress(REPORT_STEPS if what is None else done[0], REPORT_STEPS, what)
        done[0] += 1

    return step


# --- tiers -------------------------------------------------------------------------------------

def _year_rows(rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """The trend rows of ``year``, in the screening's row order: exactly ``classify(screen(year))``
    (each trend year equals screening that year alone, see :mod:`geomon.analyses.trade.trends`)."""
    df = rows[rows["year"] == year]
    return df.sort_values(ORDER, ascending=ASCENDING, kind="stable").reset_index(drop=True)


def _named_products(ctx: Context, econ: Economy, products: pd.DataFrame, year: int) -> pd.DataFrame:
    """``products`` with ``top_supplier_name`` after ``top_supplier``; InputError when it is empty."""
    if products.empty:
        raise InputError(f"{econ.name} imported none of the products in the data in {year}; "
                         "choose another reporter or year")
    products.insert(products.columns.get_loc("top_supplier") + 1, "top_supplier_name",
                    products["top_supplier"].map(ctx.names).fillna(products["top_supplier"]))
    return products


def _window_meta(ctx: Context, year: int) -> dict[str, Any]:
    """The persistence window of ``year`` as :func:`screening.screen` describes it."""
    n, k = ctx.config["screening.window"], ctx.config["screening.min_years"]
    window = list(range(year - n + 1, year + 1))
    return {"window_years": f"{window[0]}-{window[-1]}",
            "window_years_missing": [y for y in window if y not in ctx.dataset.years], "persistence": f"{k} of {n}"}


def _trend(ctx: Context, reporter: str, first: int, last: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    tr = _trends.trends(ctx, reporter, first, last)
    return tr.table, tr.summaries


def _tier_rank(tiers: pd.Series) -> pd.Series:
    order = {t: i for i, t in enumerate(TIERS)}
    return tiers.map(order).fillna(len(order)).astype(int)


def _tier_counts(products: pd.DataFrame) -> pd.DataFrame:
    g = products.groupby("tier")
    out = pd.DataFrame({"tier": list(TIERS)})
    out["products"] = out["tier"].map(g.size()).fillna(0).astype("int64")
    out["import_value_usd"] = out["tier"].map(g["import_value_usd"].sum()).fillna(0.0)
    out["dependent"] = out["tier"].map(g["dependent"].sum()).fillna(0).astype("int64")
    return out


def _largest(products: pd.DataFrame) -> pd.DataFrame:
    df = products[products["tier"] != "none"]
    return df.sort_values(["import_value_usd", "product"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _detail(products: pd.DataFrame, top_n: int) -> pd.DataFrame:
    """Products with a section: tier other than none, plus the top_n largest imports."""
    by_value = products.sort_values(["import_value_usd", "product"], ascending=[False, True], kind="stable")
    top = set(by_value["product"].head(top_n))
    df = products[(products["tier"] != "none") | products["product"].isin(top)].copy()
    df["why_detailed"] = df["tier"].where(df["tier"] != "none", "top_import")
    df["_r"] = _tier_rank(df["tier"])
    df = df.sort_values(["_r", "import_value_usd", "product"], ascending=[True, False, True], kind="stable")
    return df.drop(columns="_r").reset_index(drop=True)


# --- suppliers ---------------------------------------------------------------------------------

def _shares(ctx: Context, econ: Economy, codes: list[str], year: int, world: bool) -> pd.DataFrame:
    """All suppliers (or world exporters) of ``codes`` in ``year`` in one query.

    share(s) = v(s) / sum_s' v(s') per product, as :func:`geomon.analyses.trade.suppliers.suppliers`.
    """
    cols = ["product", "rank", "supplier", "supplier_name", "value_usd", "quantity_t", "share"]
    if not codes:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    df = ctx.engine.execute(_share_expr(ctx, econ, codes, year, world)).rename(columns={"exporter": "supplier"})
    df = df.sort_values(["product", "value_usd", "supplier"], ascending=[True, False, True], kind="stable")
    df["rank"] = df.groupby("product").cumcount() + 1
    df["supplier_name"] = df["supplier"].map(ctx.names).fillna(df["supplier"])
    order = {c: i for i, c in enumerate(codes)}
    df["_o"] = df["product"].map(order)
    df = df.sort_values(["_o", "rank"], kind="stable")
    return df[cols].reset_index(drop=True)


def _share_expr(ctx: Context, econ: Economy, codes: list[str], year: int, world: bool) -> ir.Table:
    """The query behind :func:`_shares`. Suppliers: only the reporter's own import flows are read.
    World exporters of a country's products: x(e) and its quantity from ``stats/exports`` (the
    same sums over the economy flows, stored at ingest); of a bloc's (whose stored exports carry
    no quantity) or without statistics: every flow of the products."""
    exports = ctx.engine.stats(ctx.dataset, "exports") if world and not econ.is_bloc else None
    if exports is not None:
        x = ctx.engine.keep(exports.filter(exports.year == year), "product", codes)
        x = x.select(product=x["product"], exporter=x.exporter, value_usd=x.export_value_usd,
                     quantity_t=x.export_quantity_t)
        return x.mutate(share=x.value_usd / x.value_usd.sum().over(group_by=["product"]))
    f = raw_flows(ctx, [year], codes, None, importers=None if world else [econ.name])
    return ind.supplier_values(ind.economy_flows(f, ctx.econ_table(econ)), None if world else econ.name,
                               keys=("product",))


# --- changes -----------------------------------------------------------------------------------

def _at_year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return df[df["year"] == year].drop(columns=["reporter"], errors="ignore").reset_index(drop=True)


def _changes(changes: pd.DataFrame, rows: pd.DataFrame, year: int) -> pd.DataFrame:
    """Products whose verdict changed between year-1 and year, with indicators then and now."""
    ch = _at_year(changes, year)
    if ch.empty:
        return ch
    keep = ["product"] + [c for c in CHANGE_INDICATORS if c in rows]
    before = rows.loc[rows["year"] == year - 1, keep].set_index("product").add_suffix("_before")
    after = rows.loc[rows["year"] == year, keep].set_index("product").add_suffix("_after")
    ch = ch.drop(columns=["top_supplier", "import_value_usd"], errors="ignore")
    out = ch.join(before, on="product").join(after, on="product")
    return out.reset_index(drop=True)


def _load_edition(ctx: Context, reporter: str, name: str, editions: str | None):
    from geomon.analyses.trade.editions import load_edition

    ed = load_edition(name, editions, ctx.store)
    if str(ed.meta.get("reporter", "")) != reporter:
        raise InputError(f"edition '{name}' is for reporter {ed.meta.get('reporter')}, not {reporter}; "
                         f"give an edition of {reporter} (see 'geomon edition list')")
    return ed


def _since(ed, products: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Products whose final tier differs from the saved edition ``ed`` (missing on one side =
    none): the edition diff (:func:`geomon.analyses.trade.edition_diff.diff_rows`) from the
    edition to the report's products, with the columns the report shows."""
    em = ed.meta
    name = em.get("edition")
    changed, _, _ = diff_rows(ed.table, products, str(name), "now")
    front = ["product", "description", "tier_before", "tier_after", "computed_tier_before", "computed_tier_after"]
    pairs = [f"{c}_{s}" for c in CHANGE_INDICATORS for s in ("before", "after")]
    table = changed.reindex(columns=front + pairs).reset_index(drop=True)
    info = {"edition": name, "created_at": em.get("created_at"), "year": em.get("year"),
            "data_version": em.get("data_version"), "config_hash": em.get("config_hash"),
            "tiers": em.get("tiers"), "changed_products": len(table)}
    return table, info


# --- trends ------------------------------------------------------------------------------------

def _dependency_suppliers(by_supplier: pd.DataFrame) -> pd.DataFrame:
    """Per year, the main suppliers of at least one dependency (``dependencies`` > 0)."""
    df = by_supplier[by_supplier["dependencies"] > 0].drop(columns=["reporter"], errors="ignore")
    return df.reset_index(drop=True)


def _current_durations(durations: pd.DataFrame) -> pd.DataFrame:
    return durations[durations["current_run_years"] > 0].drop(columns=["reporter"], errors="ignore").reset_index(drop=True)


__all__ = ["ReportData", "TIERS", "build_report_data"]
