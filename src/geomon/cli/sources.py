"""Commands of the trade sources: ingest comext / comtrade, download baci / comext, sources, compare-sources,
trends-monthly."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Optional

import typer

from geomon import api
from geomon.cli.app import app, command, emit, err, provenance_caption
from geomon.cli.core import ingest_app
from geomon.cli.options import ReporterOpt, StoreOpt, YearOpt
from geomon.cli.progress import QuietOpt, wants_bar
from geomon.cli.settings_options import Run, with_options

NoteOpt = Annotated[Optional[str], typer.Option("--note", help="A note kept in the dataset's provenance.", show_default=False)]
MirrorOpt = Annotated[bool, typer.Option(
    "--mirror", help="Also use export declarations as mirror flows where the importer declared nothing.")]


def _ingest_reported(fn, path: Path, quiet: bool, **kwargs) -> None:
    """Ingest ``path`` with ``fn`` (Comext or Comtrade) under a spinner (on a terminal, without --quiet) and say
    what was written."""
    with err.status("ingesting...") if wants_bar(err, quiet) else nullcontext():
        res = fn(path, **kwargs)
    _report_ingest(res)


def _report_ingest(res) -> None:
    ds = res.dataset
    if res.unchanged:
        err.print(f"{ds.id}: unchanged (same files already in {ds.root})")
        return
    p = ds.provenance
    span = f"months {p['months'][0]} to {p['months'][-1]}, " if p.get("months") else ""
    years = f"years {ds.years[0]}-{ds.years[-1]}" if ds.years else "no complete year"
    aggregates = sum(i["aggregate_rows"] for i in p["inputs"])
    err.print(f"{ds.id}: {res.rows_written:,} flows ({p['currency']}, quantities in tonnes), {span}{years}; "
              f"{aggregates:,} aggregate rows kept apart; in {ds.root}")


@command("comext", group=ingest_app)
def ingest_comext_cmd(
    path: Annotated[Path, typer.Argument(help="Comext file (SDMX-CSV API extract or bulk file; .csv/.dat, .gz/.zip) or a folder of them.")],
    store: StoreOpt = None,
    note: NoteOpt = None,
    mirror: MirrorOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Ingest Eurostat Comext (DS-045409) extracts: CN8 rolled up to HS6, values in EUR, kg -> tonnes."""
    _ingest_reported(api.ingest_comext, path, quiet, store=store, note=note, mirror=mirror)


@command("comtrade", group=ingest_app)
def ingest_comtrade_cmd(
    path: Annotated[Path, typer.Argument(help="Comtrade result (API v1/v2 JSON or CSV, bulk CSV; .gz/.zip) or a folder of them.")],
    hs: Annotated[Optional[str], typer.Option("--hs", help="HS revision of the files when they have no classification column, e.g. 17.", show_default=False)] = None,
    store: StoreOpt = None,
    note: NoteOpt = None,
    mirror: MirrorOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Ingest UN Comtrade results: HS6 rows only (aggregates kept apart), reporter-declared imports, USD."""
    _ingest_reported(api.ingest_comtrade, path, quiet, store=store, note=note, mirror=mirror, hs=hs)


@command("sources")
@with_options(config=False, dataset=False)
def sources_cmd(run: Run = Run()) -> None:
    """List the datasets of the store by source, with currency, frequency, years and months."""
    from geomon.outputs.terminal import render

    res = api.list_sources(**run.api)
    spec = [("source", "source", "text"), ("dataset", "dataset", "text"), ("currency", "currency", "text"),
            ("frequency", "freq", "text"), ("years", "years", "text"), ("months", "months", "text"),
            ("flows", "flows", "int")]
    emit(res, run.fmt, run.output, lambda: render(res.table, spec, f"Datasets in {res.meta['store']}",
                                          "Values of each dataset are in its own currency; A annual, M monthly."))


@command("compare-sources")
@with_options(dataset=False)
def compare_sources_cmd(
    product: Annotated[str, typer.Option("--product", "-p", help="HS6 code (or HS4 heading / HS2 chapter).")],
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    sources: Annotated[Optional[str], typer.Option("--sources", help="Two or more sources, comma-separated, e.g. comext,comtrade (default: every source in the store).", show_default=False)] = None,
    run: Run = Run(),
) -> None:
    """The same indicators from each source side by side, with the reasons they differ."""
    from geomon.outputs.terminal import render

    names = [s.strip() for s in sources.split(",") if s.strip()] if sources else None
    res = api.compare_sources(reporter, product, year, sources=names, **run.api)
    m = res.meta
    spec = [("source", "source", "text"), ("product", "product", "text"), ("year", "year", "int"),
            ("currency", "cur", "text"), ("import_value", "imports", "usd"), ("supplier_count", "suppliers", "int"),
            ("top_supplier", "top", "text"), ("top_supplier_share", "share", "share"), ("import_hhi", "imp HHI", "hhi"),
            ("world_export_hhi", "wld HHI", "hhi"), ("valuation", "valuation", "text"), ("partner", "partner basis", "text")]
    emit(res, run.fmt, run.output, lambda: render(
        res.table, spec, f"{m['reporter']} {m['product']}: {', '.join(m['sources'])}",
        f"Values in each source's own currency ({', '.join(m['currencies'])}), not converted; shares and HHIs are "
        "unit-free. Sources differ by valuation (CIF/FOB), partner basis (origin/consignment) and who reports."))


@command("trends-monthly")
@with_options(dataset=False)
def trends_monthly_cmd(
    reporter: ReporterOpt = "NLD",
    first: Annotated[Optional[str], typer.Option("--from", help="First month YYYY-MM [default: the first with 12 months of data].", show_default=False)] = None,
    last: Annotated[Optional[str], typer.Option("--to", help="Last month YYYY-MM [default: the latest].", show_default=False)] = None,
    product: Annotated[Optional[list[str]], typer.Option("--product", "-p", help="Only this product (repeatable).", show_default=False)] = None,
    source: Annotated[str, typer.Option("--source", help="Monthly source (comext, or comtrade with monthly data).")] = "comext",
    run: Run = Run(),
) -> None:
    """Month by month: the screening of the 12 months ending in each month (the same as 'trends --monthly')."""
    res = api.trends_monthly(reporter, first, last, product=product, source=source, **run.api)
    emit(res, run.fmt, run.output, lambda: show_monthly(res))


def show_monthly(res) -> None:
    """The month-by-month screening as a terminal table."""
    from geomon.outputs.terminal import render

    m = res.meta
    cur = m["currency"]
    spec = [("product", "product", "text"), ("period", "12 months to", "text"),
            (f"import_value_{cur.lower()}", f"imports {cur}", "usd"), ("top_supplier", "top", "text"),
            ("top_supplier_share", "share", "share"), ("import_hhi", "imp HHI", "hhi"),
            ("world_export_hhi", "wld HHI", "hhi"), ("criteria_met_years", "met", "int"), ("dependent", "dep", "flag")]
    render(res.table, spec, f"{m['reporter']}: rolling 12-month screening {m['first_period']} to {m['last_period']}",
           f"Persistence {m['persistence']}. " + provenance_caption(m))



download_app = typer.Typer(help="Download a source release and ingest it.", no_args_is_help=True)
app.add_typer(download_app, name="download")
BaseUrlOpt = Annotated[Optional[str], typer.Option("--base-url", help="Download from this mirror instead of the publisher's site.", show_default=False)]
Sha256Opt = Annotated[Optional[str], typer.Option("--sha256", help="Expected SHA-256 of the file (checked before use).", show_default=False)]


def _download(fn, *args, quiet: bool, **kwargs):
    """``fn(*args, progress=..., **kwargs)`` with a Rich progress bar on stderr fed by its callback
    (bytes done, total or None); no bar when stderr is not a terminal or with --quiet."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TransferSpeedColumn

    if not wants_bar(err, quiet):
        return fn(*args, progress=None, **kwargs)
    bar = Progress("[progress.description]{task.description}", BarColumn(), DownloadColumn(), TransferSpeedColumn(),
                   console=err, transient=True)
    task = bar.add_task("downloading", total=None)
    with bar:
        return fn(*args, progress=lambda done, total: bar.update(task, completed=done, total=total), **kwargs)


@command("baci", group=download_app)
def download_baci_cmd(
    hs: Annotated[str, typer.Option("--hs", help="HS revision of the release: 92, 96, 02, 07, 12, 17 or 22.")] = "17",
    version: Annotated[Optional[str], typer.Option("--version", help=f"BACI release, e.g. V202401b (default {api.sources.BACI_DEFAULT_VERSION}, the newest named on CEPII's BACI page; pass --version for a newer one, e.g. V202601).", show_default=False)] = None,
    to: Annotated[Optional[Path], typer.Option("--to", help="Keep the zip in this folder (resume from it too).", show_default=False)] = None,
    store: StoreOpt = None,
    base_url: BaseUrlOpt = None,
    sha256: Sha256Opt = None,
    quiet: QuietOpt = False,
) -> None:
    """Download a BACI release from CEPII (resumable, size and CRC checked) and ingest it."""
    path, results = _download(api.download_baci, hs, version, to=to, store=store, base_url=base_url, sha256=sha256,
                              quiet=quiet)
    for r in results:
        ds = r.dataset
        what = "unchanged" if r.unchanged else f"{len(r.years_written)} years written ({r.rows_written:,} flows)"
        err.print(f"{ds.id}: {what}, {len(ds.years)} years {ds.years[0]}-{ds.years[-1]} in {ds.root}")
    if path is not None:
        err.print(f"kept {path}")


@command("comext", group=download_app)
def download_comext_cmd(
    period: Annotated[str, typer.Option("--period", help="Month YYYY-MM, or YYYY for the annual file.")],
    to: Annotated[Path, typer.Option("--to", help="Folder to download and unpack into.")],
    store: StoreOpt = None,
    base_url: BaseUrlOpt = None,
    sha256: Sha256Opt = None,
    quiet: QuietOpt = False,
) -> None:
    """Download one Comext bulk file (full_v2_YYYYMM.7z) from Eurostat, unpack and ingest it."""
    data, res = _download(api.download_comext, period, to=to, store=store, base_url=base_url, sha256=sha256,
                          quiet=quiet)
    err.print(f"unpacked {data}")
    _report_ingest(res)
