"""Link to trade: how much of the reporter's tiered imports comes from economies whose
companies operate its terminals.

BACI records no transport mode, so this is NOT port throughput: it says how far the economies
behind the terminal operators are also suppliers of the products the tiers mark as
dependencies (tier strategic, possible or dependency), whatever route the goods took.

For the reporter R (a country, or a bloc whose intra-bloc flows are dropped), year y, the
tiered products P (tier != none in ``geomon tiers``), and each home economy h of an operator
of R's terminals (h outside R)::

    value_h = sum over p in P of imports of R from h in y          (BACI, USD)
    share_h = value_h / sum over p in P of imports of R from all suppliers in y
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Context
from geomon.countries import Economy
from geomon.engine import indicators as ind

CAVEAT = ("BACI has no transport mode: these are the reporter's imports of its tiered products from the economies "
          "whose companies operate its terminals, by any route, not the throughput of those terminals.")


def tiered_import_link(ctx: Context, econ: Economy, homes: pd.DataFrame, year: int | None = None,
                       codes: list[str] | None = None) -> tuple[pd.DataFrame, dict]:
    """One row per home economy of ``homes`` (columns ``home_economy``, ``terminals``): tiered
    import value and share (formula in the module docstring), plus a total row ``ALL``; and meta.
    ``codes``: the tiered products when the caller has them (the report), else computed with ``tiers``."""
    from geomon.analyses.trade.tiers import tiers

    year = ctx.check_year(year if year is not None else ctx.default_year())
    if codes is None:
        tiered = tiers(ctx, econ.name, year).table
        codes = sorted(tiered.loc[tiered["tier"] != "none", "product"].unique())
    homes = homes[~homes["home_economy"].isin(econ.members)]
    cols = ["home_economy", "home_name", "terminals", "tiered_import_value_usd", "share_of_tiered_imports"]
    meta = {"year": year, "tiered_products": len(codes), "caveat": CAVEAT}
    if not codes or homes.empty:
        meta["tiered_import_value_usd"] = 0.0
        return pd.DataFrame(columns=cols), meta
    f = ctx.flows
    f = f.filter(f.year == year, f["product"].isin(codes))
    ef = ind.economy_flows(f, ctx.econ_table(econ))
    ef = ef.filter(ef.importer == econ.name)
    by = ctx.engine.execute(ef.group_by("exporter").aggregate(value=ef.value.sum()))
    total = float(by["value"].sum())
    value = dict(zip(by["exporter"], by["value"].astype(float)))
    out = homes.assign(home_name=homes["home_economy"].map(ctx.names).fillna(homes["home_economy"]),
                       tiered_import_value_usd=homes["home_economy"].map(lambda h: value.get(h, 0.0)))
    out["share_of_tiered_imports"] = out["tiered_import_value_usd"] / total if total else float("nan")
    out = out.sort_values(["tiered_import_value_usd", "home_economy"], ascending=[False, True])[cols]
    all_row = {"home_economy": "ALL", "home_name": "all operators' home economies",
               "terminals": int(out["terminals"].sum()), "tiered_import_value_usd": float(out["tiered_import_value_usd"].sum()),
               "share_of_tiered_imports": float(out["tiered_import_value_usd"].sum()) / total if total else float("nan")}
    meta["tiered_import_value_usd"] = total
    return pd.concat([out, pd.DataFrame([all_row])], ignore_index=True), meta
