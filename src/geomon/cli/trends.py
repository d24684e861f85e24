"""``geomon trends``: screening and tiers per year, with summaries.

Output of a several-table result (see :class:`geomon.analyses.trade.trends.TablesResult`):

- ``--format table``: a readable summary in the terminal (``--summary NAME`` prints that table);
- ``csv`` / ``parquet``: the rows, or the table named by ``--summary``;
- ``json``: ``{"meta": ..., "rows": [...], "summaries": {name: [...]}}``, or with
  ``--summary`` just ``{"meta": ..., "rows": [...that table...]}``;
- ``xlsx``: one sheet per table (rows first) plus the provenance sheet, or only the
  ``--summary`` table.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console

from geomon import api
from geomon.cli.app import command, emit, err, provenance_caption
from geomon.cli.options import Format, ReporterOpt
from geomon.cli.settings_options import Run, with_options
from geomon.cli.progress import QuietOpt, progress_bar
from geomon.cli.tiers import TIER_SECTIONS
from geomon.errors import InputError, OutputError

SummaryOpt = Annotated[Optional[str], typer.Option("--summary", help="One table only (terminal, csv, json, parquet, xlsx): by_tier, by_supplier, changes or durations.", show_default=False)]




def _records(df: pd.DataFrame) -> list:
    return json.loads(df.to_json(orient="records", double_precision=15))


def tables_json(result, name: str | None = None) -> str:
    """JSON of a several-table result: all tables, or one (same shape as single-table JSON)."""
    if name is not None:
        doc = {"meta": result.meta, "table": name, "rows": _records(result.pick(name))}
    else:
        doc = {"meta": result.meta, "rows": _records(result.table),
               "summaries": {k: _records(v) for k, v in result.summaries.items()}}
    return json.dumps(doc, indent=2, default=str) + "\n"


def emit_tables(result, fmt: Format, output: Path | None, show, name: str | None = None, title: str | None = None,
                caption: str = "") -> None:
    """Send a :class:`TablesResult` to the terminal or a file (see the module docstring). In the
    terminal: ``show()``; with ``title``, the one table ``name`` (--summary/--table) is instead
    rendered as it comes (:func:`render_any`), titled '{title}: {name}'."""
    from geomon.outputs import files
    from geomon.outputs.excel import write_workbook

    df = result.pick(name)  # validates --summary before anything is written
    if fmt is Format.table:
        if output is not None:
            raise OutputError(f"--format table prints to the terminal; with --output {output} choose csv, json, parquet or xlsx")
        if name is not None and title is not None:
            render_any(df, f"{title}: {name}", caption)
        else:
            show()
        return
    if fmt in (Format.parquet, Format.xlsx) and output is None:
        raise OutputError(f"--format {fmt.value} is binary; give --output FILE")
    if fmt is Format.csv:
        text = files.to_csv(df)
        sys.stdout.write(text) if output is None else files.write_text(text, output)
    elif fmt is Format.json:
        text = tables_json(result, name)
        sys.stdout.write(text) if output is None else files.write_text(text, output)
    elif fmt is Format.parquet:
        files.write_parquet(df, {**result.meta, "table": name or result.main}, output)
    else:
        write_workbook(result.tables() if name is None else {name: df}, result.meta, output)
    if output is not None:
        what = f"{len(df)} rows" if fmt is not Format.xlsx or name else \
            ", ".join(f"{k} ({len(v)} rows)" for k, v in result.tables().items())
        err.print(f"wrote {what} to {output}")


def render_any(df: pd.DataFrame, title: str, caption: str = "", console: Console | None = None) -> None:
    """Render any table with :func:`auto_spec` (missing values shown as a dash)."""
    from geomon.outputs.terminal import render

    shown = df.astype(object).where(df.notna(), None)
    render(shown, auto_spec(df), title, caption, console=console)


def auto_spec(df: pd.DataFrame) -> list[tuple[str, str, str]]:
    """A terminal column spec guessed from column names and types."""
    spec = []
    for c in df.columns:
        s = df[c]
        if c.endswith("_usd"):
            kind = "usd"
        elif "share" in c:
            kind = "share"
        elif "hhi" in c:
            kind = "hhi"
        elif "ratio" in c:
            kind = "ratio"
        elif c == "year" or c.endswith("_year") or c == "dependent_since":
            kind = "text"
        elif pd.api.types.is_bool_dtype(s):
            kind = "flag"
        elif pd.api.types.is_integer_dtype(s):
            kind = "int"
        elif pd.api.types.is_float_dtype(s):
            kind = "num"
        else:
            kind = "text"
        spec.append((c, c.replace("_", " "), kind))
    return spec


SERIES_SPEC = [
    ("year", "year", "text"), ("tier", "tier", "text"), ("computed_tier", "computed", "text"),
    ("dependent", "dependent", "flag"), ("import_value_usd", "imports USD", "usd"), ("top_supplier", "top", "text"),
    ("top_supplier_share", "share", "share"), ("import_hhi", "import HHI", "hhi"),
    ("world_export_hhi", "world HHI", "hhi"), ("import_export_ratio", "imp/exp", "ratio"),
    ("criteria_met_years", "years met", "int"),
]
CHANGES_SHOWN = 20
LONGEST_SHOWN = 10


def show_trends(res, console: Console | None = None) -> None:
    """Terminal summary: per-year tier counts (or a product's series), entries/exits, longest runs."""
    from geomon.outputs.terminal import render

    con = console or Console()
    m, s = res.meta, res.summaries
    multi = m["reporter"] == "ALL" or res.table["reporter"].nunique() > 1
    caption = (f"Dependent: c1, c2, c3 all hold in {m['persistence']} years; tiers per 'geomon tiers'. "
               "Full rows and all summaries: --format csv/json/xlsx. " + provenance_caption(m))
    tiers = [c for c in s["by_tier"].columns if c not in ("reporter", "year", "products", "dependent", "entered",
                                                          "left", "top_suppliers")]
    if m["products"] != "all" and not multi and res.table["product"].nunique() == 1:
        p = res.table["product"].iloc[0]
        render(res.table, SERIES_SPEC, f"{m['reporter']} {p} {res.table['description'].iloc[0]}: {m['years']}",
               caption, console=con, highlight="dependent")
    else:
        by = s["by_tier"]
        if multi:
            by = api.by_tier_totals(by)
        spec = [("year", "year", "text"), ("products", "products", "int"), ("dependent", "dependent", "int")]
        spec += [(t, t, "int") for t in tiers if t != "none"]
        spec += [("entered", "in", "int"), ("left", "out", "int")]
        if not multi and con.width >= 72 + int(by["top_suppliers"].str.len().max() or 0):
            spec.append(("top_suppliers", "main suppliers", "text"))
        who = "all reporters (summed)" if multi else m["reporter"]
        render(by, spec, f"{who} {m['years']}: products per tier and year", caption
               + " in/out: became/stopped being dependent.",
               console=con, drop_order=["top_suppliers", "products"])
    ch = s["changes"]
    ch = ch[ch["event"] != "tier changed"].sort_values(["year", "import_value_usd"], na_position="first",
                                                                   kind="stable").tail(CHANGES_SHOWN)
    if len(ch):
        ch = ch.assign(tiers=ch["tier_before"].astype(str) + " -> " + ch["tier_after"].astype(str))
        spec = ([("reporter", "reporter", "text")] if multi else []) + [
            ("year", "year", "text"), ("event", "event", "text"), ("product", "product", "text"),
            ("description", "description", "text"), ("tiers", "tier", "text"), ("top_supplier", "top", "text"),
            ("import_value_usd", "imports USD", "usd")]
        total = int((s["changes"]["event"] != "tier changed").sum())
        render(ch, spec, f"Became or stopped being dependent ({len(ch)} most recent of {total})", console=con,
               drop_order=["import_value_usd", "top_supplier"])
    du = s["durations"]
    if len(du):
        du = du.sort_values(["current_run_years", "dependent_years", "longest_run_years"], ascending=False,
                            kind="stable").head(LONGEST_SHOWN)
        du = du.assign(since=du["dependent_since"].astype("string").fillna("–")
                       + du["current_run_censored"].map({True: " or earlier", False: ""}))
        spec = ([("reporter", "reporter", "text")] if multi else []) + [
            ("product", "product", "text"), ("description", "description", "text"), ("since", "since", "text"),
            ("current_run_years", "run", "int"), ("dependent_years", "years", "int"),
            ("longest_run_years", "longest", "int"), ("latest_tier", "tier", "text"),
            ("latest_top_supplier", "top", "text")]
        render(du, spec, f"Longest-running dependencies in {m['years']} (top {len(du)} of {len(s['durations'])})",
               "since: start of the current run (years dependent in a row up to the last year); years: all "
               "years dependent; longest: longest run.", console=con,
               drop_order=["longest_run_years", "latest_top_supplier", "dependent_years"])


@command("trends")
@with_options(*TIER_SECTIONS, source=True, convert=True)
def trends_cmd(
    reporter: ReporterOpt = "NLD",
    first: Annotated[Optional[str], typer.Option("--from", help="First year [default: 19 years before --to]; with --monthly a month YYYY-MM.", show_default=False)] = None,
    last: Annotated[Optional[str], typer.Option("--to", help="Last year [default: the latest in the data]; with --monthly a month YYYY-MM.", show_default=False)] = None,
    product: Annotated[Optional[list[str]], typer.Option("--product", "-p", help="Only this HS6 product (repeatable; an HS4 heading or HS2 chapter gives its HS6 codes): the full series.", show_default=False)] = None,
    summary: SummaryOpt = None,
    monthly: Annotated[bool, typer.Option("--monthly", help="Month by month (monthly data): the screening of the 12 months ending in each month.")] = False,
    quiet: QuietOpt = False,
    run: Run = Run(),
) -> None:
    """Screening and tiers for every year of a range: rows per product and year, plus summaries
    (per year by tier and main supplier, entries/exits, how long dependencies last)."""
    if monthly:
        from geomon.cli.sources import show_monthly

        if run.hs_target is not None:
            raise InputError(f"--hs-target {run.hs_target} works on years; leave it out with --monthly")
        res = api.trends_monthly(reporter, first, last, product=product, **{**run.api, "source": run.source or "comext"})
        emit(res, run.fmt, run.output, lambda: show_monthly(res))
        return
    with progress_bar("trends", err, quiet) as progress:
        res = api.trends(reporter, _year(first, "--from"), _year(last, "--to"), product=product, progress=progress,
                         **run.api)

    emit_tables(res, run.fmt, run.output, lambda: show_trends(res), summary,
                f"{res.meta['reporter']} {res.meta['years']}", provenance_caption(res.meta))


def _year(value: str | None, option: str) -> int | None:
    """A year given to --from/--to (a month YYYY-MM needs --monthly)."""
    if value is None:
        return None
    if not value.strip().isdigit():
        raise InputError(f"{option} {value} is not a year; give e.g. 2020, or add --monthly for months (YYYY-MM)")
    return int(value)
