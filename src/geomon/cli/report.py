"""``geomon report``: the monitor's report as one self-contained HTML file or an Excel workbook."""

from __future__ import annotations

import os
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from geomon.cli.app import ConfigOpt, HsOpt, StoreOpt, VersionOpt, command, err
from geomon.cli.tiers import (GroupsOpt, ImportHhiOpt, InterestMapOpt, MinYearsOpt, OverridesOpt, RatioOpt,
                              ReplaceGroupsOpt, ReplaceMapOpt, WindowOpt, WorldHhiOpt)
from geomon.cli.tiers import tier_settings
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
    """--format, else the output's suffix (.xlsx -> xlsx), else html."""
    if fmt is not None:
        return fmt.value
    return "xlsx" if output is not None and output.suffix.lower() in (".xlsx", ".xlsm") else "html"


@command("report")
def report_cmd(
    reporter: Annotated[str, typer.Option("--reporter", "-r", help="ISO3 code (NLD), BACI numeric code (528) or bloc (EU27 or one from the config).")] = "NLD",
    year: Annotated[Optional[int], typer.Option("--year", "-y", help="Report year (default: the latest in the data).", show_default=False)] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write [default: report-REPORTER-YEAR.html or .xlsx].", show_default=False)] = None,
    fmt: Annotated[Optional[ReportFormat], typer.Option("--format", "-f", help="html (one self-contained page) or xlsx [default: from the --output suffix, else html].", show_default=False)] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the labels.")] = Lang.en,
    since: Annotated[Optional[str], typer.Option("--since", help="A saved edition to compare with (see 'geomon edition list').", show_default=False)] = None,
    editions: Annotated[Optional[Path], typer.Option("--editions", envvar="GEOMON_EDITIONS", help="Editions directory (default: STORE/editions, or editions in the per-user data directory).", show_default=False)] = None,
    top: Annotated[Optional[int], typer.Option("--top", help="Besides the tiered products, sections for the N largest imports [default 20] (report.top_products).", show_default=False)] = None,
    stop: Annotated[Optional[str], typer.Option("--stop", help="Supplier(s) of the supply-stop section, e.g. CHN or CHN,RUS; '' for none [default CHN] (report.scenario_stop).", show_default=False)] = None,
    import_hhi: ImportHhiOpt = None,
    world_hhi: WorldHhiOpt = None,
    ratio: RatioOpt = None,
    window: WindowOpt = None,
    min_years: MinYearsOpt = None,
    interest_map: InterestMapOpt = None,
    replace_map: ReplaceMapOpt = False,
    overrides: OverridesOpt = None,
    groups: GroupsOpt = None,
    replace_groups: ReplaceGroupsOpt = False,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    hs: HsOpt = None,
    data_version: VersionOpt = None,
) -> None:
    """Write the monitor's report: summary, every product, details, trends, leverage, supply, methods."""
    from geomon.analyses.report_data import build_report_data
    from geomon.cli.app import open_cli_context
    from geomon.outputs.report import write_report

    kind = report_format(fmt, output)
    if output is not None:
        check_output(output)
    else:
        check_output(Path("report"))
    settings = tier_settings(import_hhi, world_hhi, ratio, window, min_years, None, None, None, None, interest_map,
                             replace_map, overrides, groups, replace_groups)
    settings.update({"report.top_products": top, "report.scenario_stop": stop})
    ctx = open_cli_context(store, config, hs, data_version, settings)
    with err.status("building the report ..."):
        data = build_report_data(ctx, reporter, year, since=since, lang=lang.value,
                                 editions=str(editions) if editions is not None else None)
        path = output or Path(f"report-{data.meta['reporter']}-{data.meta['year']}.{kind}")
        write_report(data, path, kind)
    m = data.meta
    size = path.stat().st_size
    err.print(f"wrote {path} ({kind}, {size / 1e6:.1f} MB): {m['reporter']} {m['year']}, {m['rows']} products, "
              f"{len(m['detail_products'])} with a section; config {m['config_hash']}", highlight=False, soft_wrap=True)
