"""``geomon edition save|list|show|diff``: saved runs and what changed between them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console

from geomon import api
from geomon.cli.app import app, command, emit, err, provenance_caption
from geomon.cli.options import ReporterOpt, YearOpt
from geomon.cli.settings_options import Run, with_options
from geomon.cli.tiers import TIER_SECTIONS
from geomon.cli.trends import emit_tables

edition_app = typer.Typer(help="Saved runs (editions): save, list, show, and diff two of them.", no_args_is_help=True)
app.add_typer(edition_app, name="edition")

EditionsOpt = Annotated[Optional[Path], typer.Option("--editions", envvar="GEOMON_EDITIONS", help="Editions directory (default: STORE/editions, or editions in the per-user data directory).", show_default=False)]

ROW_SPEC = [
    ("reporter", "reporter", "text"), ("product", "product", "text"), ("description", "description", "text"),
    ("tier", "tier", "text"), ("computed_tier", "computed", "text"), ("import_value_usd", "imports USD", "usd"),
    ("top_supplier", "top", "text"), ("top_supplier_share", "share", "share"), ("import_hhi", "import HHI", "hhi"),
    ("world_export_hhi", "world HHI", "hhi"), ("criteria_met_years", "years met", "int"),
    ("tier_reasons", "reasons", "text"),
]


def _tiers_line(tiers: dict) -> str:
    return ", ".join(f"{n} {t}" for t, n in (tiers or {}).items())


@command("save", group=edition_app)
@with_options(*TIER_SECTIONS, output=False)
def save_cmd(
    name: Annotated[str, typer.Argument(help="Edition name: letters, digits, '.', '_' or '-' (e.g. nl-2022).")],
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    note: Annotated[Optional[str], typer.Option("--note", help="A note stored with the edition.", show_default=False)] = None,
    editions: EditionsOpt = None,
    run: Run = Run(),
) -> None:
    """Screen, classify and store a run (data provenance, configuration and its hash, tier rows)."""
    res = api.save_edition(name, reporter, year, note=note or "", editions=editions, **run.api)
    m = res.meta
    err.print(f"saved edition {name} to {m['path']}: {m['reporter']} {m['year']}, {m['rows']} products "
              f"({_tiers_line(m['tiers'])}); data {m['dataset']} [{m['data_fingerprint']}], config {m['config_hash']}",
              highlight=False, soft_wrap=True)


@command("list", group=edition_app)
@with_options(config=False, dataset=False)
def list_cmd(editions: EditionsOpt = None, run: Run = Run()) -> None:
    """List saved editions: name, date, reporter, year, data version, config hash, products per tier."""
    from geomon.outputs.terminal import render

    res = api.list_editions(editions, **run.api)

    def show() -> None:
        if res.table.empty:
            Console().print(f"no editions in {res.meta['editions_dir']} yet; save one with 'geomon edition save NAME'")
            return
        df = res.table.assign(created=res.table["created_at"].str.slice(0, 16).str.replace("T", " "))
        spec = [("edition", "edition", "text"), ("created", "created (UTC)", "text"), ("reporter", "reporter", "text"),
                ("year", "year", "text"), ("data_version", "data", "text"), ("data_fingerprint", "data fingerprint", "text"),
                ("config_hash", "config", "text"), ("rows", "products", "int"), ("dependent", "dependent", "int")]
        spec += [(c, c, "int") for c in res.table.columns if c not in dict.fromkeys(
            [s[0] for s in spec] + ["created_at", "dataset", "note"])]
        spec.append(("note", "note", "text"))
        render(df, spec, f"{len(df)} editions in {res.meta['editions_dir']}")

    emit(res, run.fmt, run.output, show)


@command("show", group=edition_app)
@with_options(config=False, dataset=False)
def show_cmd(name: Annotated[str, typer.Argument(help="Edition name (see 'geomon edition list').")],
             editions: EditionsOpt = None,
             all_rows: Annotated[bool, typer.Option("--all", help="Terminal: also products in tier none.")] = False,
             run: Run = Run()) -> None:
    """One edition: its provenance and configuration, and its products by tier."""
    from geomon.outputs.terminal import render

    res = api.show_edition(name, editions, **run.api)
    m = res.meta

    def show() -> None:
        con = Console()
        con.print(f"[bold]edition {m['edition']}[/] saved {m.get('created_at', '')} ({m['path']})", highlight=False)
        if m.get("note"):
            con.print(f"  note: {m['note']}", highlight=False)
        con.print(f"  {m['reporter']} {m['year']} (persistence {m.get('persistence')} in {m.get('window_years')}): "
                  f"{m['rows']} products, {m.get('dependent')} dependent; {_tiers_line(m.get('tiers'))}", highlight=False)
        files = ", ".join(k + " " + v["sha256"][:12] for k, v in (m.get("input_files") or {}).items()) or "none"
        con.print(f"  data fingerprint {m.get('data_fingerprint')}; config {m.get('config_hash')}; "
                  f"interest map {m.get('interest_map', '')}; files: {files}", highlight=False)
        df = res.table if all_rows else res.table[res.table["tier"] != "none"]
        spec = [c for c in ROW_SPEC if c[0] in df.columns and (c[0] != "reporter" or df["reporter"].nunique() > 1)]
        render(df, spec, f"{len(df)} products" + ("" if all_rows else " in a tier other than none (--all for every product)"),
               provenance_caption(m))

    emit(res, run.fmt, run.output, show)


def _arrow(df: pd.DataFrame, col: str, kind: str) -> pd.Series:
    from geomon.outputs.terminal import fmt_value

    def one(v):
        return fmt_value(None if v is pd.NA else v, kind)

    return df[f"{col}_before"].map(one) + " -> " + df[f"{col}_after"].map(one)


@command("diff", group=edition_app)
@with_options(config=False, dataset=False)
def diff_cmd(a: Annotated[str, typer.Argument(help="The earlier edition.")],
             b: Annotated[str, typer.Argument(help="The later edition.")],
             editions: EditionsOpt = None,
             summary: Annotated[Optional[str], typer.Option("--summary", help="One table only: tiers, config or provenance.", show_default=False)] = None,
             run: Run = Run()) -> None:
    """Products that entered or left each tier from edition A to B, the indicator changes behind
    them, and what differs in configuration and data."""
    from geomon.outputs.terminal import render

    res = api.diff_editions(a, b, editions, **run.api)
    m = res.meta

    def show() -> None:
        con = Console()
        for side in ("before", "after"):
            e = m[side]
            con.print(f"[bold]{side}[/] {e['edition']}: {e['reporter']} {e['year']}, {e['dataset']} "
                      f"[{e['data_fingerprint']}], config {e['config_hash']}, saved {e['created_at']}", highlight=False)
        for key, label in (("config", "configuration"), ("provenance", "data and run")):
            t = res.summaries[key]
            if len(t):
                render(t, [(t.columns[0], t.columns[0], "text"), ("before", a, "text"), ("after", b, "text")],
                       f"{label}: {len(t)} differences", console=con)
            else:
                con.print(f"{label}: no differences")
        render(res.summaries["tiers"], [("tier", "tier", "text"), ("before", a, "int"), ("after", b, "int"),
                                        ("entered", "entered", "int"), ("left", "left", "int")],
               "products per tier", console=con)
        ch = res.table
        if ch.empty:
            con.print("no product changed tier")
            return
        ch = ch.assign(tiers=ch["tier_before"] + " -> " + ch["tier_after"],
                       imp=_arrow(ch, "import_hhi", "hhi"), world=_arrow(ch, "world_export_hhi", "hhi"),
                       ratio=_arrow(ch, "import_export_ratio", "ratio"), met=_arrow(ch, "criteria_met_years", "int"),
                       top=_arrow(ch, "top_supplier", "text"))
        multi = ch["reporter"].nunique() > 1
        spec = ([("reporter", "reporter", "text")] if multi else []) + [
            ("product", "product", "text"), ("description", "description", "text"), ("tiers", "tier", "text"),
            ("flipped", "what flipped", "text"), ("imp", "import HHI", "text"), ("world", "world HHI", "text"),
            ("ratio", "imp/exp", "text"), ("met", "years met", "text"), ("top", "top supplier", "text")]
        render(ch, spec, f"{len(ch)} products changed tier from {a} to {b}",
               "Full before/after indicators and reasons: --format csv/json/xlsx.", console=con,
               drop_order=["top", "ratio", "world", "met", "imp"])

    emit_tables(res, run.fmt, run.output, show, summary, f"{a} -> {b}")
