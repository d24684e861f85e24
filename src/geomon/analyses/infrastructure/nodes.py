"""``geomon infrastructure``: the nodes of a country or bloc with operator, ultimate parent, home
economy and known stakes; totals per home economy (per member state for a bloc); the CGIT deals
in the infrastructure sectors; and the link to the reporter's tiered imports.

Definitions (n = the selected nodes of the country or bloc, after ``--kind``):

- home economy of a node = the home economy of its operator group in the ownership map
  (``''`` = operator not in the map: 'unmapped');
- per home economy h: ``terminals_h`` = number of nodes with home h, ``share_h = terminals_h / |n|``;
- per member state m of a bloc (``members`` table): ``nodes_m``, ``focus_m`` = nodes of m whose
  home economy is in the focus set (``--owner``, default setting infrastructure.focus_owners,
  CHN,HKG), ``focus_share_m = focus_m / nodes_m``;
- a stake is foreign when its owner economy differs from the node's country.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.infrastructure import register
from geomon.analyses.infrastructure.ownership import load_ownership
from geomon.errors import InputError
from geomon.sources.nodes import KINDS, read_nodes

NODE_COLUMNS = ["node_id", "name", "kind", "country", "lat", "lon", "operator", "operator_group", "parent",
                "home_economy", "home_name", "state_owned", "foreign_operator", "stakes", "valid_from", "valid_to",
                "source", "ownership_source", "ownership_certainty"]


@dataclass(frozen=True)
class InfrastructureResult(Result):
    """``table``: the nodes; ``summaries``: totals, members, stakes, deals, deals_by_year, trade_link."""

    summaries: dict[str, pd.DataFrame] = field(default_factory=dict)
    main: str = "nodes"

    def tables(self) -> dict[str, pd.DataFrame]:
        return {self.main: self.table, **self.summaries}

    def pick(self, name: str | None) -> pd.DataFrame:
        if name is None or name == self.main:
            return self.table
        if name not in self.summaries:
            raise InputError(f"unknown table '{name}'; choose one of {', '.join(self.tables())}")
        return self.summaries[name]


def parse_codes(ctx: Context, text: str | None, what: str) -> list[str]:
    """'CHN,hkg' -> ['CHN', 'HKG'], each checked against the country list."""
    codes = [c.strip().upper() for c in (text or "").split(",") if c.strip()]
    for c in codes:
        ctx.economy(c, role=what)
    return codes


def kind_filter(kinds: str | None) -> list[str]:
    """'terminal' matches container_terminal, lng_terminal and oil_terminal (kind == k or ends with _k)."""
    wanted = [k.strip().lower() for k in (kinds or "").split(",") if k.strip()]
    out = []
    for k in wanted:
        hit = [kind for kind in KINDS if kind == k or kind.endswith("_" + k)]
        if not hit:
            raise InputError(f"unknown kind '{k}'; choose one of {', '.join(KINDS)} (or 'terminal' for every *_terminal)")
        out += hit
    return out


def register_nodes(ctx: Context, store_root: str | Path | None, nodes_file: str | Path | None) -> tuple[pd.DataFrame, dict]:
    """SMDG rows (ingested or shipped) plus the user's nodes (a user node replaces an SMDG node with the same id)."""
    countries = ctx.countries.to_pandas()
    iso2 = dict(zip(countries["iso2"].dropna(), countries.loc[countries["iso2"].notna(), "iso3"]))
    smdg, prov = register.load_smdg(store_root, iso2)
    meta = {"smdg": prov, "nodes_file": str(nodes_file) if nodes_file else ""}
    if not nodes_file:
        return smdg, meta
    user = read_nodes(nodes_file)
    known = set(countries["iso3"]) | {"TWN"}
    bad = sorted(set(user["country"]) - known)
    if bad:
        raise InputError(f"node file {nodes_file}: country {bad[0]} is not in the country list; give ISO3 codes such as NLD")
    return pd.concat([smdg[~smdg["node_id"].isin(user["node_id"])], user], ignore_index=True), meta


def attach_owners(ctx: Context, nodes: pd.DataFrame) -> pd.DataFrame:
    """Operator group, parent, home economy, ownership source and the node's known stakes."""
    om = load_ownership()
    own = om.owners.set_index("operator_group")
    df = nodes.copy()
    df["operator_group"] = df["operator"].map(om.match_operator)
    get = lambda col: df["operator_group"].map(own[col]).fillna("")
    df["parent"], df["home_economy"], df["state_owned"] = get("parent"), get("home_economy"), get("state_owned")
    df["ownership_source"], df["ownership_certainty"] = get("url"), get("certainty")
    df["home_name"] = df["home_economy"].map(ctx.names).fillna(df["home_economy"])
    df["foreign_operator"] = (df["home_economy"] != "") & (df["home_economy"] != df["country"])
    key = df["node_id"].str.removeprefix("SMDG:")
    terminals = terminal_keys(om.stakes)
    df["stakes"] = [_stake_text(om.stakes, k, g, c, terminals) for k, g, c in zip(key, df["operator_group"], df["country"])]
    return df


def terminal_keys(stakes: pd.DataFrame) -> list[frozenset[str]]:
    """Per stake, the terminals it names (``smdg_terminals`` split at ';'): split once for many nodes."""
    return [frozenset(ks) for ks in stakes["smdg_terminals"].str.split(";")]


def node_stakes(stakes: pd.DataFrame, key: str, group: str, terminals: list[frozenset[str]] | None = None) -> pd.DataFrame:
    """Stakes naming the terminal ``key`` (UNLOCODE:code) or the operator group ``group``;
    ``terminals``: :func:`terminal_keys` of ``stakes`` when the caller has it."""
    keys = terminal_keys(stakes) if terminals is None else terminals
    on_terminal = pd.Series([key in ks for ks in keys], index=stakes.index, dtype=bool)
    on_group = (stakes["operator_group"] != "") & (stakes["operator_group"] == group)
    return stakes[on_terminal | on_group]


def _stake_text(stakes: pd.DataFrame, key: str, group: str, country: str, terminals: list[frozenset[str]]) -> str:
    rows = node_stakes(stakes, key, group, terminals)
    return "; ".join(f"{r.owner} ({r.owner_economy}) {r.percent:g} % {r.year}" + (" uncertain" if r.certainty != "certain" else "")
                     for r in rows.itertuples() if r.owner_economy != country)
