"""Write the golden outputs of geomon on the embedded data (issue 9: every number stays the same).

Run once before a refactoring (``python tests/golden/make_golden.py``); ``tests/test_golden.py``
recomputes every case through the public API and compares (floats to 1e-12). Regenerate only
when a change of numbers is intended, and say why in the commit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent


def cases():
    """name -> zero-argument callable returning {table name: DataFrame}."""
    from geomon import api

    def one(res):
        return {"table": res.table}

    def many(res):
        out = {"table": res.table}
        out.update({f"summary_{k}": v for k, v in getattr(res, "summaries", {}).items()})
        return out

    def report():
        data = api.report_data("NLD", 2022)
        return dict(data.tables)

    return {
        "screen_NLD_2022": lambda: one(api.screen("NLD", 2022)),
        "screen_EU27_2022": lambda: one(api.screen("EU27", 2022)),
        "screen_ALL_2022": lambda: one(api.screen("ALL", 2022)),
        "tiers_NLD_2022": lambda: one(api.tiers("NLD", 2022)),
        "tiers_EU27_2022": lambda: one(api.tiers("EU27", 2022)),
        "groups_NLD_2022": lambda: one(api.groups("NLD", 2022)),
        "groups_members_NLD_2022": lambda: one(api.groups("NLD", 2022, members=True)),
        "trends_NLD_2005_2024": lambda: many(api.trends("NLD", 2005, 2024)),
        "risk_NLD_2022": lambda: one(api.risk("NLD", 2022)),
        "chain_lithium_NLD_2022": lambda: one(api.chain("lithium", "NLD", 2022)),
        "scenario_NLD_CHN_2022": lambda: one(api.scenario("NLD", "CHN", 2022)),
        "leverage_NLD_2022": lambda: one(_legacy("leverage", "NLD", 2022)),
        "suppliers_NLD_283691_2022": lambda: one(_legacy("suppliers", "NLD", "283691", 2022)),
        "suppliers_world_720293_2022": lambda: one(_legacy("suppliers", "NLD", "720293", 2022, world=True)),
        "report_NLD_2022": report,
    }


def _legacy(name, *args, **kw):
    """``api.<name>`` once the API has it; before that the analysis function itself."""
    from geomon import api

    if hasattr(api, name):
        return getattr(api, name)(*args, **kw)
    import importlib

    from geomon.analyses.context import open_context

    return getattr(importlib.import_module(f"geomon.analyses.{name}"), name)(open_context(), *args, **kw)


def normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Plain columns (lists and dicts as text) so Parquet round-trips them."""
    out = df.reset_index(drop=True).copy()
    for c in out.columns:
        if out[c].dtype == object:
            out[c] = out[c].map(lambda v: v if v is None or isinstance(v, str) else repr(v))
    out.columns = [str(c) for c in out.columns]
    return out


def main() -> None:
    names = sys.argv[1:]
    for name, fn in cases().items():
        if names and name not in names:
            continue
        for tname, df in fn().items():
            path = HERE / name / f"{tname}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            normalise(df).to_parquet(path, index=False)
        print("wrote", name)


if __name__ == "__main__":
    main()
