"""``geomon report``: the monitor's report as one self-contained HTML file or an Excel workbook."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from geomon import api
from geomon.cli.app import command, err
from geomon.cli.options import ReporterOpt, YearOpt
from geomon.cli.progress import QuietOpt, progress_bar
from geomon.cli.settings_options import Run, with_options
from geomon.cli.tiers import TIER_SECTIONS
from geomon.errors import OutputError


class ReportFormat(str, Enum):
    html = "html"
    xlsx = "xlsx"


class Lang(str, Enum):
    en = "en"
    nl = "nl"


def check_output(path: Path) -> Path:
    """Fail before any work when ``path`` cannot be written (the write itself is atomic)."""
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a folder; give a file name, e.g. {path / 'report.html'}")
    if not parent.is_dir():
        raise OutputError(f"cannot write {path}: the folder {parent} does not exist; create it or choose another --output")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the folder {parent} is not writable; choose another --output")
    return path


def report_format(fmt: ReportFormat | None, output: Path | None) -> str:
    """The output's suffix (.html/.htm -> html, .xlsx/.xlsm -> xlsx), else --format, else html; a
    --format contradicting the suffix, or an unknown suffix without --format, is an error."""
    from geomon.outputs.fileformat import resolve_format

    exts = {".html": "html", ".htm": "html", ".xlsx": "xlsx", ".xlsm": "xlsx"}
    return resolve_format(fmt.value if fmt is not None else None, output, exts, default="html")


#: The report runs every analysis, so every setting of these sections applies to it.
REPORT_SECTIONS = TIER_SECTIONS + ("report", "leverage", "supply", "chains", "risk", "coercion", "knowledge",
                                   "infrastructure")


@command("report")
@with_options(*REPORT_SECTIONS, output=False)
def report_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write [default: report-REPORTER-YEAR.html or .xlsx].", show_default=False)] = None,
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="html (one self-contained page) or xlsx [default: from the --output suffix, else html].", show_default=False)] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.en,
    since: Annotated[Optional[str], typer.Option("--since", help="A saved edition to compare with (see 'geomon edition list').", show_default=False)] = None,
    editions: Annotated[Optional[Path], typer.Option("--editions", envvar="GEOMON_EDITIONS", help="Editions directory (default: STORE/editions, or editions in the per-user data directory).", show_default=False)] = None,
    workbook: Annotated[Optional[Path], typer.Option("--workbook", help="Also write the workbook (.xlsx) here, from the same data.", show_default=False)] = None,
    quiet: QuietOpt = False,
    run: Run = Run(),
) -> None:
    """Write the monitor's report: summary, every product, details, trends, leverage, supply, methods."""
    kind = report_format(fmt, output)
    check_output(output if output is not None else Path("report"))
    if workbook is not None:
        check_output(workbook)
    with progress_bar("report", err, quiet) as progress:
        data = api.report_data(reporter, year, since=since, lang=lang.value, editions=editions, progress=progress,
                               **run.api)
        path = output or Path(f"report-{data.meta['reporter']}-{data.meta['year']}.{kind}")
        api.write_report(data, path, kind, workbook=workbook)  # both at the same time
        if workbook is not None:
            err.print(f"wrote {workbook} (xlsx, {workbook.stat().st_size / 1e6:.1f} MB) from the same data", highlight=False)
    m = data.meta
    size = path.stat().st_size
    err.print(f"wrote {path} ({kind}, {size / 1e6:.1f} MB): {m['reporter']} {m['year']}, {m['rows']} products, "
              f"{len(m['detail_products'])} with a section; config {m['config_hash']}", highlight=False, soft_wrap=True)
