"""``geomon production``, ``geomon chain``, ``geomon risk`` and ``geomon scenario``:
the supply side (mine production, value chains, GeoPolRisk, supply stops)."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from geomon import api
from geomon.cli.app import command, emit, provenance_caption
from geomon.cli.options import ReporterOpt
from geomon.cli.settings_options import Run, with_options

YearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="Year (default: the latest year with production and trade data).", show_default=False)]
FromOpt = Annotated[Optional[int], typer.Option("--from", help="First year of a range.", show_default=False)]
ToOpt = Annotated[Optional[int], typer.Option("--to", help="Last year of a range.", show_default=False)]
CommodityOpt = Annotated[Optional[list[str]], typer.Option("--commodity", "-c", help="Commodity of the map, e.g. Lithium or 'Rare earth' (repeatable or comma-separated; default: all).", show_default=False)]


def _show(df, spec, title: str, caption: str, drop_order=(), highlight: str | None = None) -> None:
    """Render with the columns in ``drop_order`` left out, one by one, until the table
    fits the terminal (the dropped columns are named in the caption; csv/json keep all)."""
    from rich.console import Console
    from rich.text import Text

    from geomon.outputs.terminal import WIDE_TEXT, fmt_value, render

    width = Console().width
    def natural(col: str, header: str, kind: str) -> int:
        if col in WIDE_TEXT:
            return 17  # shrinks to fit in render()
        return max([len(header)] + [Text.from_markup(fmt_value(v, kind)).cell_len for v in df[col].tolist()])
    keep, dropped = list(spec), []
    for col in drop_order:
        if sum(natural(*c) + 3 for c in keep) + 2 <= width:
            break
        dropped += [h for c, h, _ in keep if c == col]
        keep = [c for c in keep if c[0] != col]
    if dropped:
        caption += f" Left out for width: {', '.join(dropped)}; widen the terminal or use --format csv."
    render(df, keep, title, caption, highlight=highlight)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


PRODUCTION_SPEC = [  # the WMD name: two WMD commodities can share a reference name (gem and industrial diamonds)
    ("wmd_commodity", "commodity (WMD)", "text"), ("year", "year", "text"), ("production_hhi", "prod. HHI", "hhi"),
    ("top_producers", "top producers", "text"), ("world_export_hhi", "export HHI", "hhi"),
    ("top_exporters", "top exporters", "text"), ("crm_extraction_top", "extraction (CRM 2023)", "text"),
    ("crm_processing_top", "processing (CRM 2023)", "text"), ("trade_note", "note", "text"),
]
COUNTRY_SPEC = [
    ("commodity", "commodity", "text"), ("year", "year", "text"), ("rank", "#", "int"), ("iso3", "iso3", "text"),
    ("country", "name", "text"), ("production", "production", "t"), ("unit", "unit", "text"),
    ("share", "share", "share"),
]


@command("production")
@with_options("supply")
def production_cmd(
    commodity: CommodityOpt = None,
    year: YearOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    by_country: Annotated[bool, typer.Option("--by-country", help="One row per producing country instead of per commodity.")] = False,
    run: Run = Run(),
) -> None:
    """Mine production concentration (World Mining Data) beside world-export concentration of the commodity's HS codes."""
    res = api.production(_split(commodity), year, first=first, last=last, by_country=by_country, **run.api)
    m = res.meta
    title = f"Mine production by country, {m['years']}" if by_country else f"Production and export concentration, {m['years']}"
    caption = ("Production HHI = sum of squared production shares (World Mining Data); export HHI over the commodity's "
               "HS codes (main + complementary) by exporter value. " + provenance_caption(m))
    spec = COUNTRY_SPEC if by_country else PRODUCTION_SPEC
    emit(res, run.fmt, run.output, lambda: _show(res.table, spec, title, caption,
                                          drop_order=["trade_note", "top_exporters", "top_producers"]))


CHAIN_SPEC = [  # 'step' is the stage id (the column 'stage' would be treated as a long name)
    ("stage_order", "#", "int"), ("step", "stage", "text"), ("hs_codes", "HS", "text"),
    ("production_hhi", "prod. HHI", "hhi"), ("top_producers", "top producers", "text"),
    ("crm_hhi", "stage HHI (CRM)", "hhi"), ("crm_top", "stage shares (CRM 2023)", "text"),
    ("world_export_hhi", "export HHI", "hhi"), ("top_exporters", "top exporters", "text"),
    ("import_value_usd", "imports USD", "usd"), ("import_hhi", "import HHI", "hhi"),
    ("top_suppliers", "top suppliers", "text"), ("chokepoint", "chokepoint", "flag"),
]


@command("chain")
@with_options("supply", "chains")
def chain_cmd(
    name: Annotated[Optional[str], typer.Argument(help="Chain name, e.g. lithium (leave out to list the chains).", show_default=False)] = None,
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    run: Run = Run(),
) -> None:
    """Per stage of a value chain: world supply concentration (production and exports), the reporter's suppliers, the chokepoint."""
    res = api.chain(name, reporter, year, **run.api)
    if name is None:
        spec = [("chain", "chain", "text"), ("stages", "stages", "int"), ("title", "title", "text")]
        emit(res, run.fmt, run.output, lambda: _show(res.table, spec, "Value chains (geomon chain NAME)", provenance_caption(res.meta)))
        return
    m = res.meta
    choke = (f"Chokepoint: {m['chokepoint']} ({m['chokepoint_name']}), HHI {m['chokepoint_concentration']:.3f} "
             f"by {m['chokepoint_basis']}. " if m["chokepoint"] else "No stage has data for a chokepoint. ")
    notes = " ".join(f"[{r.stage}] {r.note.rstrip('.')}." for r in res.table.itertuples() if r.note)
    caption = (choke + "Concentration = max(production HHI, CRM 2023 stage HHI, world-export HHI). " + notes + " " + provenance_caption(m))
    shown = res.table.assign(step=res.table["stage"])
    emit(res, run.fmt, run.output, lambda: _show(shown, CHAIN_SPEC, f"{m['title']} — {m['reporter']} {m['year']}", caption,
                                          highlight="chokepoint",
                                          drop_order=["hs_codes", "top_producers", "top_exporters", "top_suppliers"]))


RISK_SPEC = [
    ("commodity", "commodity", "text"), ("year", "year", "text"), ("production_hhi", "prod. HHI", "hhi"),
    ("wta", "WTA", "hhi"), ("score", "score", "hhi"), ("cf", "CF kg-Cu/kg", "num"),
    ("price_usd_per_kg", "USD/kg", "num"), ("import_tonnes", "imports t", "t"),
    ("domestic_production_tonnes", "own prod. t", "t"), ("note", "note", "text"),
]


@command("risk")
@with_options("supply", "risk")
def risk_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    first: FromOpt = None,
    last: ToOpt = None,
    commodity: CommodityOpt = None,
    run: Run = Run(),
) -> None:
    """GeoPolRisk supply-risk score and characterisation factor per commodity (Koyamparambath et al. 2024)."""
    res = api.risk(reporter, year, first=first, last=last, commodities=_split(commodity), **run.api)
    m = res.meta
    caption = ("Score = production HHI x WTA; WTA = sum(imported t x instability) / (imported t + own production t); "
               f"instability = normalised WGI political stability (missing = {m['missing_instability']}); "
               f"CF = score x price / {m['cf_reference']}. Empty = no data (see note). " + provenance_caption(m))
    emit(res, run.fmt, run.output, lambda: _show(res.table, RISK_SPEC, f"GeoPolRisk for {m['reporter']}, {m['years']}", caption,
                                          drop_order=["note", "domestic_production_tonnes", "price_usd_per_kg"]))


SCENARIO_SPEC = [
    ("product", "product", "text"), ("description", "description", "text"),
    ("import_value_usd", "imports USD", "usd"), ("at_risk_value_usd", "at risk USD", "usd"),
    ("at_risk_tonnes", "at risk t", "t"), ("at_risk_share", "at risk", "share"),
    ("alternative_export_value_usd", "alternatives USD", "usd"), ("covering_share", "coverable", "share"),
    ("world_shortfall_share", "world short", "share"), ("expected_shortfall_usd", "expected short USD", "usd"),
    ("shortage_covering_share", "back if shared", "share"),
    ("top_alternatives", "top alternatives", "text"), ("note", "note", "text"),
]
ALT_SPEC = [
    ("product", "product", "text"), ("rank", "#", "int"), ("supplier", "supplier", "text"),
    ("supplier_name", "name", "text"), ("rest_of_world_export_value_usd", "exports to others USD", "usd"),
    ("multiple_of_at_risk", "x at risk", "num"), ("cumulative_covering_share", "cum. coverable", "share"),
]


@command("scenario")
@with_options("supply", "chains")
def scenario_cmd(
    stop: Annotated[str, typer.Option("--stop", "-s", help="Supplier(s) that stop delivering, e.g. CHN or CHN,RUS.")],
    reporter: ReporterOpt = "NLD",
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="Year of the trade pattern (default: the latest in the data).", show_default=False)] = None,
    products: Annotated[Optional[str], typer.Option("--products", "-p", help="HS6 codes, comma-separated (default: every product the reporter imports).", show_default=False)] = None,
    chain: Annotated[Optional[str], typer.Option("--chain", help="A value chain: the effect per stage.", show_default=False)] = None,
    alternatives: Annotated[bool, typer.Option("--alternatives", help="List the alternative suppliers per product, ranked.")] = False,
    run: Run = Run(),
) -> None:
    """Imports at risk if suppliers stop delivering, and how much the other exporters could cover."""
    res = api.scenario(reporter, stop, year, products=products, chain=chain, alternatives=alternatives, **run.api)
    m = res.meta
    assumptions = "Assumptions: " + "; ".join(m["assumptions"]) + ". "
    stopped = ",".join(m["stopped"])
    if alternatives:
        title = f"Alternatives if {stopped} stop(s) supplying {m['reporter']}, {m['year']}"
        emit(res, run.fmt, run.output, lambda: _show(res.table, ALT_SPEC, title, assumptions + provenance_caption(m)))
        return
    title = (f"{m['reporter']} {m['year']}: {stopped} stop(s) supplying — {m['products_at_risk']} "
             f"{'stages' if m['chain'] else 'products'} at risk, {m['at_risk_value_usd'] / 1e6:,.1f} M USD")
    spec = SCENARIO_SPEC if not m["chain"] else [("stage_order", "#", "int")] + SCENARIO_SPEC
    emit(res, run.fmt, run.output, lambda: _show(res.table, spec, title, assumptions + provenance_caption(m),
                                          drop_order=["note", "top_alternatives", "at_risk_tonnes", "alternative_export_value_usd"]))
