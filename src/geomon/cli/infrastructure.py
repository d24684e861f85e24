"""``geomon infrastructure``: infrastructure nodes, operators, owners and stakes of a country or bloc;
``geomon ingest smdg|cgit PATH``: the SMDG terminal list and the AEI CGIT deals into the store.

Output: ``--format table`` prints the nodes, the totals (per member state for a bloc), the
stakes, the CGIT deals and the trade link; csv/json/parquet/xlsx as ``geomon trends`` (see
:mod:`geomon.cli.trends`; ``--table NAME`` picks one table); ``html`` writes the map page.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from geomon import api
from geomon.cli.app import command, err, provenance_caption
from geomon.cli.core import ingest_app
from geomon.cli.options import OutputOpt, StoreOpt, YearOpt
from geomon.cli.settings_options import Run, with_options
from geomon.cli.tiers import TIER_SECTIONS
from geomon.errors import OutputError

SECTIONS = ("infrastructure",) + TIER_SECTIONS


class InfraFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"
    html = "html"


NODE_SPEC = [("node_id", "node", "text"), ("name", "name", "text"), ("operator", "operator", "text"),
             ("parent", "parent", "text"), ("home_economy", "home", "text"), ("stakes", "foreign stakes", "text")]
TOTAL_SPEC = [("home_economy", "home", "text"), ("home_name", "economy", "text"), ("terminals", "nodes", "int"),
              ("share", "share", "share")]
MEMBER_SPEC = [("country", "member", "text"), ("country_name", "name", "text"), ("nodes", "nodes", "int"),
               ("focus_nodes", "focus", "int"), ("focus_share", "share", "share"), ("focus_operators", "operators", "text")]
STAKE_SPEC = [("asset", "asset", "text"), ("owner", "owner", "text"), ("owner_economy", "economy", "text"),
              ("percent", "%", "num"), ("year", "year", "text"), ("publisher", "source", "text"), ("certainty", "certainty", "text")]
DEAL_SPEC = [("year", "year", "text"), ("investor", "investor", "text"), ("value_musd", "M USD", "num"),
             ("share", "share", "share"), ("transaction_party", "party", "text"), ("sector", "sector", "text"),
             ("country", "country", "text")]
LINK_SPEC = [("home_economy", "home", "text"), ("home_name", "economy", "text"), ("terminals", "nodes", "int"),
             ("tiered_import_value_usd", "tiered imports $", "usd"), ("share_of_tiered_imports", "share", "share")]


@command("infrastructure")
@with_options(*SECTIONS, output=False)
def infrastructure_cmd(
    country: Annotated[str, typer.Option("--country", "-c", help="ISO3 code (NLD) or bloc (EU27).")] = "NLD",
    owner: Annotated[str | None, typer.Option("--owner", help="Only nodes whose operator's home economy is one of these ISO3 codes, e.g. CHN,HKG,USA (also the focus of the per-member totals).", show_default=False)] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only these kinds, e.g. terminal (every *_terminal) or lng_terminal.", show_default=False)] = None,
    year: YearOpt = None,
    fmt: Annotated[InfraFormat, typer.Option("--format", "-f", help="Output format (html: the map page).")] = InfraFormat.table,
    output: OutputOpt = None,
    table: Annotated[str | None, typer.Option("--table", help="One table only: nodes, totals, members, stakes, deals, deals_by_year, trade_link.", show_default=False)] = None,
    no_trade: Annotated[bool, typer.Option("--no-trade", help="Skip the link to tiered imports.")] = False,
    run: Run = Run(),
) -> None:
    """Infrastructure nodes (SMDG container terminals and your own nodes) with operator, parent, home economy and stakes."""
    from geomon.cli.options import Format
    from geomon.cli.trends import emit_tables

    if fmt is InfraFormat.html and output is None:
        raise OutputError("--format html writes a page; give --output FILE.html")
    res = api.infrastructure(country, owners=owner, kinds=kind, year=year, trade=not no_trade, **run.api)
    res.pick(table)
    if fmt is InfraFormat.html:
        api.infrastructure_map(res, output, **run.api)
        err.print(f"wrote the map of {len(res.table)} nodes to {output}")
        return
    emit_tables(res, Format(fmt.value), output, lambda: show(res, table), table)


def show(res, name: str | None) -> None:
    """Print the tables of an infrastructure result (or only ``name``)."""
    from geomon.outputs.terminal import render

    m = res.meta
    blocks = [("nodes", NODE_SPEC, f"{m['country']}: {m['listed']} of {m['nodes']} nodes"
               + (f" operated from {', '.join(m['owners'])}" if m["owners"] else "")),
              ("totals", TOTAL_SPEC, "Nodes per home economy of the operator"),
              ("members", MEMBER_SPEC, f"Per member state: nodes with operators from {', '.join(m['focus_owners'])}"),
              ("stakes", STAKE_SPEC, "Known equity stakes (source per row: --table stakes --format csv)"),
              ("deals", DEAL_SPEC, f"CGIT deals ({', '.join(m['cgit_sectors'])}), gross values"),
              ("trade_link", LINK_SPEC, "Tiered imports from the operators' home economies")]
    for key, spec, title in blocks:
        df = res.pick(key)
        if name not in (None, key) or (df.empty and key in ("members", "trade_link")):
            continue
        caption = ""
        if key == "deals" and df.empty:
            caption = m["cgit"].get("note", "no deals in these sectors")
        if key == "trade_link":
            caption = m["trade_link"].get("caveat", "")
        if key == "nodes":
            caption = f"{m['unmapped']} nodes have an operator not in the ownership map. " + provenance_caption(m)
        render(df, spec, title, caption)


@command("smdg", group=ingest_app)
def ingest_smdg_cmd(
    path: Annotated[Path, typer.Argument(help="'SMDG Terminal Code List.csv' as downloaded from smdg.org.")],
    store: StoreOpt = None,
) -> None:
    """Ingest the SMDG Terminal Code List (container terminals, operators, coordinates) into the store."""
    _ingest(api.ingest_smdg, path, store, "SMDG terminals")


@command("cgit", group=ingest_app)
def ingest_cgit_cmd(
    path: Annotated[Path, typer.Argument(help="The AEI China Global Investment Tracker saved as CSV.")],
    store: StoreOpt = None,
) -> None:
    """Ingest the AEI China Global Investment Tracker (deals of about USD 100 M or more) into the store."""
    _ingest(api.ingest_cgit, path, store, "CGIT deals")


def _ingest(fn, path: Path, store: Path | None, what: str) -> None:
    prov = fn(path, store=store)  # a GeomonError becomes one line through @command
    err.print(f"{prov['rows']:,} {what} from {prov['file']} ingested (sha256 {prov['sha256'][:12]})")
