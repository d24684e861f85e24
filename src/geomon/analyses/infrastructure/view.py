"""The infrastructure view of one country or bloc (see :mod:`.nodes` for the definitions)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomon.analyses.context import Context
from geomon.analyses.infrastructure import register
from geomon.analyses.infrastructure.nodes import (
    NODE_COLUMNS,
    InfrastructureResult,
    attach_owners,
    kind_filter,
    node_stakes,
    parse_codes,
    register_nodes,
    terminal_keys,
)
from geomon.analyses.infrastructure.ownership import load_ownership
from geomon.analyses.infrastructure.trade_link import tiered_import_link
from geomon.countries import Economy


def infrastructure(ctx: Context, country: str, owners: str | None = None, kinds: str | None = None,
                   nodes_file: str | Path | None = None, store_root: str | Path | None = None,
                   year: int | None = None, trade: bool = True) -> InfrastructureResult:
    """Nodes of ``country`` (ISO3 or bloc) with owners, totals, stakes, CGIT deals and the trade link.

    ``owners`` ('CHN,HKG') filters the listed nodes by home economy and is the focus set of the
    per-member totals (default: setting infrastructure.focus_owners); ``kinds`` ('terminal')
    filters by kind; ``nodes_file`` adds the user's nodes (default: setting infrastructure.nodes).
    """
    econ = ctx.economy(country, role="country")
    focus = parse_codes(ctx, owners if owners else ctx.config["infrastructure.focus_owners"], "owner economy")
    owner_filter = parse_codes(ctx, owners, "owner economy") if owners else []
    wanted_kinds = kind_filter(kinds)
    nodes_file = nodes_file or ctx.config["infrastructure.nodes"] or None
    reg, reg_meta = register_nodes(ctx, store_root, nodes_file)
    sel = reg[reg["country"].isin(econ.members)]
    if wanted_kinds:
        sel = sel[sel["kind"].isin(wanted_kinds)]
    sel = attach_owners(ctx, sel).sort_values(["country", "node_id"]).reset_index(drop=True)
    totals = home_totals(sel)
    members = member_totals(ctx, econ, sel, focus) if econ.is_bloc else pd.DataFrame()
    listed = sel[sel["home_economy"].isin(owner_filter)] if owner_filter else sel
    stakes = selected_stakes(listed)
    deals, deals_meta = cgit_deals(ctx, econ, store_root)
    link, link_meta = (tiered_import_link(ctx, econ, totals.loc[totals["home_economy"] != "", ["home_economy", "terminals"]], year)
                       if trade else (pd.DataFrame(), {}))
    summaries = {"totals": totals, "members": members, "stakes": stakes, "deals": deals,
                 "deals_by_year": deals_by_year(deals), "trade_link": link}
    meta = ctx.meta(analysis="infrastructure", country=econ.name, country_name=ctx.names.get(econ.name, econ.name),
                    is_bloc=econ.is_bloc, members_list=list(econ.members), nodes=len(sel), listed=len(listed),
                    owners=owner_filter, focus_owners=focus, kinds=wanted_kinds, unmapped=int((sel["home_economy"] == "").sum()),
                    register=reg_meta, cgit=deals_meta, trade_link=link_meta,
                    cgit_sectors=_sectors(ctx))
    return InfrastructureResult(listed[NODE_COLUMNS].reset_index(drop=True), meta, summaries)


def home_totals(sel: pd.DataFrame) -> pd.DataFrame:
    """Per home economy: terminals and share of the selection's nodes ('' = unmapped operator)."""
    n = len(sel)
    g = sel.groupby("home_economy", dropna=False).agg(home_name=("home_name", "first"), terminals=("node_id", "size"))
    g = g.reset_index()
    g["home_name"] = g["home_name"].where(g["home_economy"] != "", "unmapped operator")
    g["share"] = g["terminals"] / n if n else 0.0
    return g.sort_values(["terminals", "home_economy"], ascending=[False, True]).reset_index(drop=True)


def member_totals(ctx: Context, econ: Economy, sel: pd.DataFrame, focus: list[str]) -> pd.DataFrame:
    """Per member state: nodes, nodes whose operator's home economy is in ``focus``, and that share."""
    rows = []
    for m in sorted(econ.members):
        mine = sel[sel["country"] == m]
        hit = int(mine["home_economy"].isin(focus).sum())
        rows.append({"country": m, "country_name": ctx.names.get(m, m), "nodes": len(mine), "focus_nodes": hit,
                     "focus_share": hit / len(mine) if len(mine) else float("nan"),
                     "focus_operators": ", ".join(sorted(set(mine.loc[mine["home_economy"].isin(focus), "operator_group"])))})
    return pd.DataFrame(rows).sort_values(["focus_nodes", "nodes", "country"], ascending=[False, False, True]).reset_index(drop=True)


def selected_stakes(sel: pd.DataFrame) -> pd.DataFrame:
    """Every stake of the ownership map that concerns a listed node, with its source."""
    stakes = load_ownership().stakes
    terminals = terminal_keys(stakes)
    parts = [node_stakes(stakes, nid.removeprefix("SMDG:"), g, terminals) for nid, g in zip(sel["node_id"], sel["operator_group"])]
    if not parts:
        return stakes.iloc[0:0]
    out = pd.concat(parts).drop_duplicates()
    return out.sort_values(["country", "asset", "percent"], ascending=[True, True, False]).reset_index(drop=True)


def _sectors(ctx: Context) -> list[str]:
    return [s.strip() for s in ctx.config["infrastructure.cgit_sectors"].split(",") if s.strip()]


def cgit_deals(ctx: Context, econ: Economy, store_root) -> tuple[pd.DataFrame, dict]:
    """CGIT deals in the country (bloc members) in the sectors of infrastructure.cgit_sectors, by year and investor."""
    cols = ["year", "month", "investor", "value_musd", "share", "share_text", "transaction_party", "sector", "subsector",
            "country"]
    deals, prov = register.load_cgit(store_root)
    if deals is None:
        return pd.DataFrame(columns=cols), prov
    iso = country_iso3(ctx)
    # share_text: the share size as CGIT writes it (a list for several investors); stores ingested before it lack it
    text = deals["share_text"] if "share_text" in deals else pd.Series("", index=deals.index)
    deals = deals.assign(country=deals["country_name"].map(iso).fillna(""), share_text=text)
    sel = deals[deals["country"].isin(econ.members) & deals["sector"].isin(_sectors(ctx))]
    unmatched = sorted(set(deals.loc[deals["country"] == "", "country_name"]))
    return (sel[cols].sort_values(["year", "investor", "value_musd"], ascending=[True, True, False]).reset_index(drop=True),
            {**prov, "unmatched_countries": unmatched})


def country_iso3(ctx: Context) -> dict[str, str]:
    """CGIT country name -> ISO3: the BACI country names, then the shipped cgit_countries.csv aliases."""
    from geomon.analyses.infrastructure.ownership import DATA
    from geomon.sources.userfiles import read_csv

    countries = ctx.countries.to_pandas()
    out = dict(zip(countries["name"], countries["iso3"]))
    out.update({r["cgit_name"]: r["iso3"] for r in read_csv(DATA / "cgit_countries.csv", "CGIT countries", ("cgit_name", "iso3")).rows})
    return out


def deals_by_year(deals: pd.DataFrame) -> pd.DataFrame:
    """Per year and sector: number of deals and their summed gross value (million USD)."""
    if deals.empty:
        return pd.DataFrame(columns=["year", "sector", "deals", "value_musd"])
    g = deals.groupby(["year", "sector"]).agg(deals=("investor", "size"), value_musd=("value_musd", "sum"))
    return g.reset_index()
