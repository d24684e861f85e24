"""``geomon knowledge`` (position per science and technology field) and ``geomon ingest ncses``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import pandas as pd
import typer

from geomon import api
from geomon.cli.app import command, emit, err
from geomon.cli.core import ingest_app
from geomon.cli.options import StoreOpt, YearOpt
from geomon.cli.settings_options import Run, with_options

SPEC = [
    ("field", "field", "text"), ("code", "geo", "text"), ("year", "year", "text"), ("value_shown", "value", "text"),
    ("rank_shown", "rank", "text"), ("world_share", "world share", "share"), ("group_share", "group share", "share"),
    ("index", "index", "hhi"), ("index_name", "index is", "text"), ("change_5y", "5 y", "share"),
    ("change_10y", "10 y", "share"), ("verdict", "verdict", "text"), ("position", "position", "text"),
]


def view(table: pd.DataFrame) -> pd.DataFrame:
    """The rows the terminal shows (``latest``: per geography and field the latest year <= --year), with
    the value as NCSES writes it (counts whole, shares with two decimals) and rank as 'r/N'."""
    v = table[table["latest"]].copy()
    v["value_shown"] = [f"{x:,.0f}" if ind != "top1_share" else f"{x:.2f}" for x, ind in zip(v["value"], v["indicator"])]
    v["rank_shown"] = [f"{int(r)}/{n}" if pd.notna(r) else "–" for r, n in zip(v["rank"], v["countries_ranked"])]
    return v


@command("knowledge")
@with_options("knowledge", dataset=False)
def knowledge_cmd(
    country: Annotated[str, typer.Option("--country", "-c", help="NCSES geography: ISO3 code (NLD, CHN, USA) or aggregate (EU27).")] = "NLD",
    field: Annotated[Optional[str], typer.Option("--field", help="Field name or slug, e.g. semiconductors or 'materials science' (comma-separated for several; default: all).", show_default=False)] = None,
    compare: Annotated[Optional[str], typer.Option("--compare", help="Geographies to compare with, e.g. CHN,USA,EU27.", show_default=False)] = None,
    year: YearOpt = None,
    run: Run = Run(),
) -> None:
    """Knowledge position per science and technology field (NCSES): top-1% cited articles, patent families, AI articles."""
    from geomon.outputs.terminal import render

    res = api.knowledge(country, field, compare, year, **run.api)
    m = res.meta

    def show() -> None:
        shown = view(res.table)
        title = (f"Knowledge position of {m['country_name']} ({m['country']})"
                 + (f" against {', '.join(m['compare'])}" if m["compare"] else "") + (f", {year} or the latest year before" if year else ", latest year per field"))
        caption = (f"Index: top-1% share / world (top-1%), revealed technological advantage (patents). "
                   f"Trend: {m['trend_rule']}. Position: {m['position_rule']}. {m['eu27_rule']}. "
                   f"Rank among the countries NCSES lists. Every year in csv/json. "
                   f"Data: {m['knowledge_source']}, release {m['knowledge_release']} ({m['knowledge_years']}); {m['knowledge_licence']}.")
        render(shown, SPEC, title, caption, drop_order=["index_name", "group_share", "change_10y", "world_share"])

    emit(res, run.fmt, run.output, show)


@command("ncses", group=ingest_app)
def ingest_ncses_cmd(
    path: Annotated[Path, typer.Argument(help="Folder with the NCSES long CSV and its tables index, or the long CSV.")],
    index: Annotated[Optional[Path], typer.Option("--index", help="The tables index (default: the *index*.csv beside the long CSV).", show_default=False)] = None,
    release: Annotated[Optional[str], typer.Option("--release", help="Name of the release in the store (default: NCSES- and the CSV's checksum).", show_default=False)] = None,
    store: StoreOpt = None,
) -> None:
    """Ingest NCSES Science and Engineering Indicators tables (top-1% articles, patent families, AI articles) into the store."""
    r = api.ingest_ncses(path, store=store, release=release, index=index)
    if r.unchanged:
        err.print(f"NCSES release {r.release}: unchanged (same files already in {r.root})")
        return
    err.print(f"NCSES release {r.release}: {r.rows:,} rows written to {r.root}")
    if r.skipped_tables:
        err.print(f"  tables of another kind, left out: {'; '.join(r.skipped_tables)}")
    if r.unmapped:
        err.print(f"  geographies not in ncses_geographies.csv, left out: {', '.join(r.unmapped)}")
