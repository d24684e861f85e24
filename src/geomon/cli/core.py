"""Commands of the foundation: ingest, data, settings, screen, suppliers, leverage."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from geomon import api
from geomon.cli.app import app, command, currency_spec, emit, err, provenance_caption
from geomon.cli.options import PeriodOpt, ReporterOpt, StoreOpt, YearOpt
from geomon.cli.progress import QuietOpt, progress_bar
from geomon.cli.settings_options import Run, with_options, with_settings
from geomon.errors import InputError

ingest_app = typer.Typer(help="Read source data into the store.", no_args_is_help=True)
app.add_typer(ingest_app, name="ingest")





@command("baci", group=ingest_app)
@with_settings("ingest")
def ingest_baci_cmd(
    path: Annotated[Path, typer.Argument(help="BACI folder or .zip as downloaded from CEPII.")],
    store: Annotated[Optional[Path], typer.Option("--store", envvar="GEOMON_STORE", help="Store directory (default: the per-user store).", show_default=False)] = None,
    lenient: Annotated[bool, typer.Option("--lenient", help="Drop rows that break a rule (non-finite or negative values, wrong year, ...) instead of stopping; they are counted in the provenance.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="Fail at once when another ingest is writing to the store, instead of waiting for it.")] = False,
    quiet: QuietOpt = False,
    settings: dict | None = None,
) -> None:
    """Ingest a BACI release (any HS revision and version) into the store."""
    from geomon.api import default_store_dir, ingest_baci
    from geomon.outputs.store_view import ingest_summary

    with progress_bar("ingest", err, quiet) as bar:
        done: list[str] = []

        def progress(year: int, name: str) -> None:
            done.append(name)
            if bar:
                bar(len(done), None, f"{name} done")

        results = ingest_baci(path, store=store, progress=progress, lenient=lenient, duplicates=(settings or {}).get("ingest.duplicates"),
                              wait=not no_wait,
                              on_wait=lambda m: err.print(m, highlight=False, soft_wrap=True))  # shown without a terminal too
    root = store or default_store_dir()
    for line in ingest_summary(results):
        err.print(line, highlight=False, soft_wrap=True)
    for r in results:
        ds = r.dataset
        if r.unchanged:
            err.print(f"{ds.id}: unchanged (same files already in {root})")
        else:
            err.print(f"{ds.id}: {len(r.years_written)} year files written ({r.rows_written:,} flows), "
                      f"{len(ds.years)} years {ds.years[0]}-{ds.years[-1]} in {ds.root}")


@command("data")
def data_cmd(
    store: StoreOpt = None,
    check: Annotated[bool, typer.Option("--check", help="Verify every stored file (checksum, size, rows, schema) against the provenance.")] = False,
) -> None:
    """List the datasets in the store and their provenance; --check verifies every file."""
    from geomon import api
    from geomon.outputs.store_view import print_check, print_datasets

    if check:
        print_check(api.check_store(store), Console())
    else:
        print_datasets(api.datasets(store), Console())


@command("settings")
def settings_cmd(
    markdown: Annotated[bool, typer.Option("--markdown", help="Print the Markdown reference (docs/settings.md).")] = False,
) -> None:
    """Document every configuration setting (name, default, meaning)."""
    from rich.table import Table

    from geomon.config import settings_markdown, SETTINGS

    if markdown:
        typer.echo(settings_markdown(), nl=False)
        return
    t = Table(title="geomon settings (TOML: [section] key = value)")
    for col in ("setting", "default", "meaning"):
        t.add_column(col)
    for s in SETTINGS.values():
        t.add_row(s.name, repr(s.default) if isinstance(s.default, str) else str(s.default), s.help)
    t.add_row("blocs.NAME", "EU27 built in", BLOCS_HELP)
    Console().print(t)


BLOCS_HELP = ("A bloc: NAME = [\"ISO3\", ...]; intra-bloc flows are dropped and the members' extra-bloc "
              "exports count as one exporter.")


SCREEN_SPEC = [
    ("product", "product", "text"), ("description", "description", "text"), ("import_value_usd", "imports $", "usd"),
    ("top_supplier", "top", "text"), ("top_supplier_share", "share", "share"), ("import_hhi", "imp HHI", "hhi"),
    ("world_export_hhi", "wld HHI", "hhi"), ("import_export_ratio", "imp/exp", "ratio"),
    ("c1_import_concentration", "c1", "flag"), ("c2_world_concentration", "c2", "flag"),
    ("c3_low_substitutability", "c3", "flag"), ("criteria_met_years", "met", "int"), ("dependent", "dep", "flag"),
]


@command("screen")
@with_options("screening", source=True, convert=True)
def screen_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    period: PeriodOpt = None,
    only_dependent: Annotated[bool, typer.Option("--only-dependent", help="Only products that are dependencies.")] = False,
    quiet: QuietOpt = False,
    run: Run = Run(),
) -> None:
    """Screen every product the reporter imports for dependencies (c1, c2, c3 with persistence)."""
    from geomon.outputs.terminal import render

    if period is not None and year is not None:
        raise InputError(f"--year {year} and --period {period} both name the time; give one of them")
    with progress_bar("screening ALL", err, quiet or reporter.strip().upper() != "ALL") as progress:
        res = api.screen(reporter, year, only_dependent=only_dependent, period=period, progress=progress, **run.api)
    m = res.meta
    s = m["settings"]

    def show() -> None:
        when, windows = (f"12 months {m['period_months']}", f"12-month windows ending {', '.join(m['window_periods'])}") \
            if m.get("period_months") else (m["year"], f"years ({m['window_years']})")
        title = f"{m['reporter']} {when}: {m['dependent']} dependencies among {m['rows']} imported products"
        caption = (f"c1 import HHI > {s['screening.import_hhi']}, c2 world-export HHI > {s['screening.world_hhi']}, "
                   f"c3 imports/exports > {s['screening.ratio']}; dependent when all hold in {m['persistence']} "
                   f"{windows}. " + provenance_caption(m))
        render(res.table, currency_spec(SCREEN_SPEC, m["currency"]), title, caption, highlight="dependent",
               drop_order=["c1_import_concentration", "c2_world_concentration", "c3_low_substitutability", "top_supplier_share"])

    emit(res, run.fmt, run.output, show)


@command("suppliers")
@with_options(source=True, convert=True)
def suppliers_cmd(
    product: Annotated[str, typer.Option("--product", "-p", help="HS6 product code, e.g. 283691.")],
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    first: Annotated[Optional[str], typer.Option("--from", help="First year of the share history [default: 9 years before --year]; or a month YYYY-MM (monthly data, with --to): the origin shares over the months.", show_default=False)] = None,
    last: Annotated[Optional[str], typer.Option("--to", help="Last year of the share history [default: --year]; or a month YYYY-MM (with --from).", show_default=False)] = None,
    world: Annotated[bool, typer.Option("--world", help="World exporters of the product instead of the reporter's suppliers.")] = False,
    run: Run = Run(),
) -> None:
    """Every supplier of one product with value, quantity, share, and its share in each year."""
    from geomon.outputs.terminal import render

    res = api.suppliers(reporter, product, year, first=first, last=last, world=world, **run.api)
    m = res.meta
    cur = m.get("currency", "USD")
    share_cols = [c for c in res.table.columns if c.startswith("share_")]
    if m["analysis"] == "suppliers_period":
        spec = [("rank", "#", "int"), ("supplier", "supplier", "text"), ("supplier_name", "name", "text"),
                ("value", f"value {cur}", "usd"), ("quantity_t", "tonnes", "t"), ("share", "share", "share")]
        title, asked = f"{m['product']} {m['description']}: {m['view']} ({m['months']} months)", "share"
    else:
        asked = f"share_{m['year']}"
        spec = currency_spec([("rank", "#", "int"), ("supplier", "supplier", "text"), ("supplier_name", "name", "text"),
                              ("value_usd", f"value {m['year']} USD", "usd"), ("quantity_t", "tonnes", "t"),
                              ("share", "share", "share")], cur)
        title = f"{m['product']} {m['description']}: {m['view']}, {m['year']}"
    spec += [(c, c.removeprefix("share_"), "share") for c in share_cols]
    years = f"years {m['years']}" if "years" in m else f"months {m['first_period']} to {m['last_period']}"
    # too narrow: the oldest history years leave first (named in the caption); the period asked for stays
    emit(res, run.fmt, run.output, lambda: render(
        res.table, spec, title, f"Shares by value; {years}. " + provenance_caption(m),
        drop_order=[c for c in share_cols if c != asked] + ["quantity_t"], keep=[asked, "share", spec[3][0]]))


@command("leverage")
@with_options("leverage")
def leverage_cmd(
    supplier: Annotated[str, typer.Option("--supplier", "-s", help="ISO3 code, BACI code or bloc whose leverage to show.")] = "NLD",
    year: YearOpt = None,
    run: Run = Run(),
) -> None:
    """Where partners depend on the supplier: it is their largest source above a share."""
    from geomon.outputs.terminal import render

    res = api.leverage(supplier, year, **run.api)
    m = res.meta
    spec = [("partner", "partner", "text"), ("partner_name", "name", "text"), ("product", "product", "text"),
            ("description", "description", "text"), ("supplier_value_usd", "value USD", "usd"),
            ("supplier_share", "share", "share"), ("partner_import_hhi", "partner HHI", "hhi"),
            ("supplier_world_export_share", "world share", "share")]
    emit(res, run.fmt, run.output, lambda: render(
        res.table, spec, f"{m['supplier']} {m['year']}: largest supplier with > {m['min_share']:.0%} of imports "
        f"({m['rows']} product-partner pairs, {m['partners']} partners)", provenance_caption(m)))
