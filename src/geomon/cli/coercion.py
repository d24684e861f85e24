"""``geomon coercion cases|exposure|event``: coercion and export-control cases, exposure to
economies with a record, and what happened to the affected trade.

``exposure`` and ``event`` have several tables (``--table NAME`` picks one for csv, json,
parquet and the terminal; xlsx without it writes them all), as ``geomon trends --summary``.
"""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from geomon import api
from geomon.cli.app import app, command, emit, provenance_caption
from geomon.cli.options import ReporterOpt, YearOpt
from geomon.cli.settings_options import Run, with_options
from geomon.cli.trends import emit_tables

coercion_app = typer.Typer(help="Economic coercion and export controls: cases, exposure, events.", no_args_is_help=True)
app.add_typer(coercion_app, name="coercion")

TableOpt = Annotated[Optional[str], typer.Option("--table", help="One table only (terminal, csv, json, parquet, xlsx).",
                                                 show_default=False)]

CASES_SPEC = [("case_id", "case", "text"), ("coercer", "coercer", "text"), ("target", "target", "text"),
              ("start", "start", "text"), ("end", "end", "text"), ("instrument", "instrument", "text"),
              ("direction", "direction", "text"), ("n_codes", "codes", "int"), ("codes_in_data", "in data", "int"),
              ("uncertain", "uncertain", "text"), ("description", "trigger", "text")]
PRODUCT_SPEC = [("product", "product", "text"), ("tier", "tier", "text"), ("import_value_usd", "imports $", "usd"),
                ("top_suppliers", "top suppliers", "text"), ("record_suppliers", "with record", "text"),
                ("record_share", "from record", "share"), ("cases", "cases", "int"), ("latest_case", "latest", "text"),
                ("covering_cases", "covering this product", "text")]
TOTAL_SPEC = [("reporter", "reporter", "text"), ("flow", "flow", "text"), ("scope", "scope", "text"),
              ("share", "share", "share"), ("with_record_usd", "with record $", "usd"), ("total_usd", "total $", "usd"),
              ("products", "products", "int"), ("largest_record_partners", "largest record partners", "text")]
SERIES_SPEC = [("series", "flow", "text"), ("year", "year", "text"), ("value_usd", "value $", "usd"),
               ("quantity_t", "tonnes", "t"), ("change_vs_pre", "vs pre-case avg", "share")]
REPL_SPEC = [("buyer", "buyer", "text"), ("supplier", "supplier", "text"), ("supplier_name", "name", "text"),
             ("pre_case_average_usd", "pre-case avg $", "usd"), ("last_year_usd", "last year $", "usd"),
             ("change_usd", "change $", "usd"), ("share_pre", "share pre", "share"), ("share_last", "share last", "share")]


@command("cases", group=coercion_app)
@with_options("coercion")
def cases_cmd(
    coercer: Annotated[Optional[str], typer.Option("--coercer", help="Only cases of this coercer (ISO3 or bloc).", show_default=False)] = None,
    target: Annotated[Optional[str], typer.Option("--target", help="Only cases against this target (ISO3, bloc or WORLD).", show_default=False)] = None,
    product: Annotated[Optional[str], typer.Option("--product", "-p", help="Only cases whose HS codes cover this code (any revision), e.g. 250410.", show_default=False)] = None,
    since: Annotated[Optional[int], typer.Option("--since", help="Only cases active in or after this year.", show_default=False)] = None,
    run: Run = Run(),
) -> None:
    """The registry of coercion and export-control cases (curated, US Section 301 lists, China 2018, your --cases file, GSDB with --gsdb), filtered."""
    from geomon.outputs.terminal import render

    res = api.coercion_cases(coercer, target, product, since, **run.api)
    counts = res.meta["registry_counts"]["cases"]
    caption = ("Cases per set: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ". 'in data': store codes with flows "
               "that the case's codes match (all goods = every product). Sources: --format csv/json. "
               + provenance_caption(res.meta))
    shown = res.table.assign(description=res.table["trigger"])
    emit(res, run.fmt, run.output, lambda: render(shown, CASES_SPEC, f"Coercion and export-control cases ({len(shown)})", caption))


@command("exposure", group=coercion_app)
@with_options("coercion")
def exposure_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    table: TableOpt = None,
    run: Run = Run(),
) -> None:
    """Share of the reporter's imports (all, dependencies) from and exports to economies with a coercion record; per tiered product whether its top suppliers have one. Tables: products, totals, records (ALL: totals, records)."""
    from rich.console import Console

    from geomon.outputs.terminal import render

    res = api.coercion_exposure(reporter, year, **run.api)
    m = res.meta
    caption = (f"Record: a case as coercer active since {m['since']} and started by {m['year']} "
               f"({m['record_cases']} cases; economies: {', '.join(m['record_economies'])}; ignored coercers: "
               f"{m['ignored_coercers'] or 'none'}). Shares by value over the products in the store. "
               + provenance_caption(m))

    def show() -> None:
        totals = res.pick("totals")
        render(totals, TOTAL_SPEC, f"{m['reporter']} {m['year']}: trade with economies with a coercion record", caption)
        if res.main == "products":
            Console().print()
            render(res.table, PRODUCT_SPEC, f"{m['reporter']} {m['year']}: tiered products and their suppliers' records",
                   "Top suppliers: coercion.top_suppliers largest by value; covering: their export measures on this product.")

    emit_tables(res, run.fmt, run.output, show, table, f"{m['reporter']} {m['year']}", caption)


@command("event", group=coercion_app)
@with_options("coercion")
def event_cmd(
    case_id: Annotated[str, typer.Argument(help="Case id, e.g. CHN-WLD-2023-GAGE (see 'geomon coercion cases').")],
    reporter: Annotated[Optional[str], typer.Option("--reporter", "-r", help="Also the coercer's flows to this reporter (ISO3 or bloc), e.g. NLD.", show_default=False)] = None,
    table: TableOpt = None,
    run: Run = Run(),
) -> None:
    """What happened to the affected trade: yearly flows before and after the case, change against the pre-case average, replacement suppliers. Tables: series, replacements, codes."""
    from rich.console import Console

    from geomon.outputs.terminal import render

    res = api.coercion_event(case_id, reporter, **run.api)
    m = res.meta
    gone = m["codes_not_in_data"]
    missing = (f" Case codes without data in this store ({len(gone)}): {', '.join(gone[:20])}"
               + (" ... (--table codes lists all)" if len(gone) > 20 else "") + "." if gone else "")
    silent = (f" Store codes without flows in {m['years']}: {', '.join(m['codes_without_flows_in_years'])}."
              if m["codes_without_flows_in_years"] else "")
    caption = (f"{m['instrument']} ({m['direction']}) from {m['start']}; pre-case average over {m['pre_case_years']}. "
               f"Store codes: {', '.join(m['store_codes'])}.{missing}{silent} Sources: {m['sources']}. "
               + provenance_caption(m))

    def show() -> None:
        render(res.table, SERIES_SPEC, f"{m['case_id']}: measure by {m['coercer']} against {m['target']}", caption)
        Console().print()
        render(res.pick("replacements").head(10), REPL_SPEC, "Replacement suppliers (largest increase first, 10 shown)")

    emit_tables(res, run.fmt, run.output, show, table, m["case_id"], caption)
