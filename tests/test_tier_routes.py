"""The tier evidence's two routes (issue 15) give the same numbers on the embedded real data.

- a batch of few importers (one reporter, a bloc) holds its own import flows in memory once
  (:class:`~geomon.analyses.trade.tiers.evidence.OwnImports`) and counts alternative suppliers
  by a join; a batch of many importers keeps the flows lazy and uses the running count;
- forcing either route on the same rows gives the same alternative counts, third-country
  view and quantity gaps.
"""

from __future__ import annotations

import pandas as pd
import pytest

from geomon.analyses import context
from geomon.analyses.context import merge_needed
from geomon.analyses.trade.screening import screen_years
from geomon.analyses.trade.tiers import evidence
from geomon.analyses.trade.tiers.alternatives import alternatives_frame
from geomon.analyses.trade.tiers.evidence import KEY, OwnImports, quantity_gap_frame, third_country_frame

#: More countries than FEW_IMPORTERS, so that one batch of them takes the lazy route.
MANY = ("NLD", "CHN", "USA", "DEU", "FRA", "JPN", "KOR", "BRA", "IND", "GBR")


@pytest.fixture(scope="module")
def screened(ctx):
    return pd.concat([screen_years(ctx, r, 2021, 2022) for r in MANY + ("EU27",)], ignore_index=True)


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    return df.sort_values(KEY).reset_index(drop=True)


def _evidence(ctx, screened: pd.DataFrame) -> list[pd.DataFrame]:
    own = OwnImports(ctx, [2021, 2022], sorted(set(screened["product"])), None)
    return [_sorted(f) for f in (alternatives_frame(ctx, screened, 0.5, 0.1, own=own),
                                 third_country_frame(ctx, screened, own=own),
                                 quantity_gap_frame(ctx, screened, own=own))]


def test_many_importers_take_the_lazy_route_and_few_the_held_one(ctx, screened):
    assert len(MANY) > evidence.FEW_IMPORTERS
    assert not evidence.few(MANY) and evidence.few(["NLD"]) and evidence.few(["EU27"])
    own = OwnImports(ctx, [2022], sorted(set(screened["product"])), None)
    own.economy(["EU27"], [ctx.economy("EU27")])
    own.economy(list(MANY), [])
    assert list(own._held) == [("EU27",)]  # only the small batch is held


@pytest.mark.parametrize("limit", [100, 8])
def test_held_and_lazy_routes_give_the_same_evidence(ctx, screened, monkeypatch, limit):
    """Every reporter held (and counted by join) against every reporter lazy (running count);
    with the default limit (8) the EU27 holds only its economy flows (27 members)."""
    monkeypatch.setattr(evidence, "FEW_IMPORTERS", limit)
    held = _evidence(ctx, screened)
    monkeypatch.setattr(evidence, "FEW_IMPORTERS", 0)
    lazy = _evidence(ctx, screened)
    assert len(held[0]) == len(screened) and held[0]["alternative_suppliers"].gt(0).any()
    assert held[1]["third_country_share"].notna().any() and held[2]["quantity_missing_share"].gt(0).any()
    for a, b in zip(held, lazy):
        pd.testing.assert_frame_equal(a, b, rtol=1e-12)



@pytest.mark.parametrize("reporter", ["NLD", "EU27"])
@pytest.mark.parametrize("world", [False, True])
def test_report_suppliers_and_world_exporters_equal_the_flows_route(ctx, reporter, world):
    """The report's suppliers read only the reporter's import flows and a country's world
    exporters ``stats/exports``: the same table as summing every flow (no statistics)."""
    from dataclasses import replace

    from geomon.analyses.report_data import _shares
    from geomon.store import Dataset

    prov = {k: v for k, v in ctx.dataset.provenance.items() if k != "stats"}
    flows_ctx = replace(ctx, dataset=Dataset(ctx.dataset.root, prov))
    econ = ctx.economy(reporter)
    codes = ["283691", "720293", "260300", "850760", "811292"]
    got = _shares(ctx, econ, codes, 2022, world)
    assert got["product"].nunique() >= 3 and got["quantity_t"].notna().any()
    pd.testing.assert_frame_equal(got, _shares(flows_ctx, econ, codes, 2022, world), rtol=1e-12)
    assert got.groupby("product")["share"].sum().sub(1.0).abs().max() < 1e-12


def test_country_flows_need_no_merge_when_each_economy_has_one_code(ctx, monkeypatch):
    """The embedded BACI list gives BEL, DEU and SDN two codes each (so the pairs are summed),
    but in 2021-2022 only one of each trades: skipping the sum gives the same evidence there."""
    assert merge_needed(ctx)
    rows = pd.concat([screen_years(ctx, r, 2021, 2022) for r in ("NLD", "DEU")], ignore_index=True)
    merged = _evidence(ctx, rows)
    monkeypatch.setattr(context, "one_code_each", lambda c: True)  # merge_needed asks it
    for a, b in zip(merged, _evidence(ctx, rows)):
        pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_a_bloc_batch_after_the_countries_sees_its_own_products(ctx):
    """Without ``own``, the held flows are read once for every screened product: a bloc batch
    (EU27) after a country batch (NLD) whose products differ gets the same counts as alone.
    (They were read for the first batch's products only, so the bloc's other products had
    v(e, r) = 0 and too many alternative suppliers.)"""
    nld = screen_years(ctx, "NLD", 2021, 2022)
    eu = screen_years(ctx, "EU27", 2021, 2022)
    products = sorted(set(nld["product"]))
    nld, eu = nld[nld["product"].isin(products[:10])], eu[eu["product"].isin(products[10:])]
    both = _sorted(alternatives_frame(ctx, pd.concat([nld, eu], ignore_index=True), 0.5, 0.1))
    alone = _sorted(pd.concat([alternatives_frame(ctx, nld, 0.5, 0.1), alternatives_frame(ctx, eu, 0.5, 0.1)],
                              ignore_index=True))
    pd.testing.assert_frame_equal(both, alone)
