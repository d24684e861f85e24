"""The infrastructure section of the report (registered in :data:`geomon.analyses.report_parts.BUILDERS`)."""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Context
from geomon.analyses.infrastructure.nodes import (
    NODE_COLUMNS,
    attach_owners,
    register_nodes,
)
from geomon.analyses.infrastructure.outline import node_box, outline_for
from geomon.analyses.infrastructure.trade_link import tiered_import_link
from geomon.analyses.infrastructure.view import home_totals, selected_stakes
from geomon.analyses.results import PartSection
from geomon.countries import Economy
from geomon.store import default_store_dir


def build(ctx: Context, reporter: str | Economy, year: int, products: pd.DataFrame) -> PartSection | None:
    """Nodes of the reporter (SMDG list, ingested or shipped, plus infrastructure.nodes), totals per home
    economy, stakes, the trade link over the report's tiered products, and the map data; None
    when the reporter has no nodes. The ingested SMDG list is the one in the report's store
    (:func:`smdg_store`)."""
    econ = ctx.economy(reporter)
    reg, _ = register_nodes(ctx, smdg_store(ctx), ctx.config["infrastructure.nodes"] or None)
    sel = reg[reg["country"].isin(econ.members)]
    if sel.empty:
        return None
    sel = attach_owners(ctx, sel).sort_values(["country", "node_id"]).reset_index(drop=True)
    totals = home_totals(sel)
    codes = sorted(products.loc[products["tier"] != "none", "product"].unique())
    homes = totals.loc[totals["home_economy"] != "", ["home_economy", "terminals"]]
    link, link_meta = tiered_import_link(ctx, econ, homes, year, codes)
    return PartSection("infrastructure", {"nodes": sel[NODE_COLUMNS], "totals": totals, "stakes": selected_stakes(sel),
                                          "trade_link": link},
                       {"outline": outline_for(ctx.countries.to_pandas(), list(econ.members), node_box(sel["lat"], sel["lon"])),
                        "trade_link": link_meta, "nodes": len(sel), "unmapped": int((sel["home_economy"] == "").sum())})


def smdg_store(ctx: Context):
    """Where the report looks for an ingested SMDG list: the report's store (``--store``, $GEOMON_STORE
    or the per-user store holding data); on the embedded data, the per-user store, as
    ``geomon infrastructure`` without ``--store`` (ingest writes there when no store is given)."""
    return default_store_dir() if ctx.store.embedded else ctx.store.root
