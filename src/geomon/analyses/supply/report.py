"""The report's supply sections: value chains, GeoPolRisk scores and the supply-stop scenario.

They need no trade table of the report, so :func:`geomon.analyses.report_data.build_report_data`
runs them in a second thread (:func:`geomon.analyses.context.beside`) while it screens and
classifies.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from geomon.analyses.context import Context
from geomon.analyses.supply import chains as _chains
from geomon.analyses.supply import risk as _risk
from geomon.analyses.supply import scenario as _scenario
from geomon.countries import Economy
from geomon.errors import GeomonError


def supply_sections(ctx: Context, reporter: Economy,
                    year: int) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, Any] | None]:
    """The tables ``chains``, ``risk`` and ``scenario``, why any is missing, and the scenario's
    metadata (stopped suppliers, totals, assumptions)."""
    tables: dict[str, pd.DataFrame] = {}
    notes: dict[str, str] = {}
    scenario_meta: dict[str, Any] | None = None
    try:
        names = _chains.chain_list(ctx).table["chain"].tolist()
        parts = [r.table for r in _chains.chains(ctx, names, reporter, year)]  # one query per kind for all chains
        tables["chains"] = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    except GeomonError as exc:
        notes["chains"] = str(exc)
    try:
        r = _risk.risk(ctx, reporter, year).table
        tables["risk"] = r.sort_values(["score", "commodity"], ascending=[False, True], na_position="last",
                                       kind="stable").reset_index(drop=True)
    except GeomonError as exc:
        notes["risk"] = str(exc)
    stop = str(ctx.config["report.scenario_stop"]).strip()
    if stop:
        try:
            sc = _scenario.scenario(ctx, reporter, stop, year)
            df = sc.table[sc.table["at_risk_value_usd"] > 0]
            tables["scenario"] = df.sort_values(["at_risk_value_usd", "product"], ascending=[False, True],
                                                kind="stable").reset_index(drop=True)
            scenario_meta = {k: sc.meta.get(k) for k in ("stopped", "at_risk_value_usd", "products_at_risk", "assumptions")}
        except GeomonError as exc:
            notes["scenario"] = str(exc)
    return tables, notes, scenario_meta
