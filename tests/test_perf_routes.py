"""The fast routes (issue 15) give exactly what summing the flows gives, on the embedded real data.

- a built-in bloc (EU27) screens from its stored statistics (``stats/bloc_imports``,
  ``stats/bloc_exports``) instead of the flows; a user-defined bloc falls back to the flows;
- the tiers' alternative-supplier counts read x(e) from ``stats/exports`` and only the
  reporters' own import flows;
- the stored intra-bloc sums satisfy x(B) = sum_{m in B} x(m) - intra(B);
- a country's leverage reads the statistics, and the tier evidence (third-country view,
  quantity gaps) only the reporters' own import flows, with the same results.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import pytest

from geomon.analyses.trade.leverage import leverage
from geomon.analyses.trade.screening import bloc_stored, screen_years
from geomon.analyses.trade.tiers import alternatives_frame
from geomon.analyses.trade.tiers import evidence
from geomon.config import Config
from geomon.countries import EU27
from geomon.engine.backend import SHORT_LIST
from geomon.store import Dataset


def without_stats(ctx):
    """The same context, as if the store had no statistics (the flows route)."""
    prov = {k: v for k, v in ctx.dataset.provenance.items() if k != "stats"}
    return replace(ctx, dataset=Dataset(ctx.dataset.root, prov))


@pytest.fixture(scope="module")
def flows_ctx(ctx):
    return without_stats(ctx)


def test_eu27_statistics_are_stored_and_a_user_bloc_is_not(ctx):
    assert bloc_stored(ctx, ctx.economy("EU27"))
    user = replace(ctx, config=Config(blocs={"BENELUX": ("BEL", "NLD", "LUX"), "EU27": EU27[:-1]}))
    assert not bloc_stored(user, user.economy("BENELUX"))
    # a bloc of the same name with other members is never read from the stored statistics
    assert not bloc_stored(user, user.economy("EU27"))


@pytest.mark.parametrize("first,last", [(1995, 1999), (2018, 2024)])
def test_bloc_screening_from_statistics_equals_the_flows_route(ctx, flows_ctx, first, last):
    a = screen_years(ctx, "EU27", first, last)
    b = screen_years(flows_ctx, "EU27", first, last)
    assert len(a) > 0 and a["dependent"].any()
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_intra_bloc_sums_close_the_members_exports(ctx):
    """x(B) + intra(B) = sum_{m in B} x(m) for every product of 2022, and intra(B) equals the
    flows between two different members summed by hand with pandas from the stored flows."""
    e = ctx.engine
    exp = e.execute(e.stats(ctx.dataset, "exports").filter(lambda t: t.year == 2022))
    bloc = e.execute(e.stats(ctx.dataset, "bloc_exports").filter(lambda t: t.year == 2022))
    members = exp[exp["exporter"].isin(EU27)].groupby("product")["export_value_usd"].sum()
    b = bloc.set_index("product")
    closed = b["export_value_usd"].fillna(0.0) + b["intra_value_usd"].fillna(0.0)
    pd.testing.assert_series_equal(closed.sort_index(), members.reindex(closed.index).sort_index(),
                                   check_names=False, rtol=1e-9)
    flows = e.execute(ctx.flows.filter(lambda t: t.year == 2022))
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    flows["ex"], flows["im"] = flows["exporter"].map(iso), flows["importer"].map(iso)
    inside = flows[flows["ex"].isin(EU27) & flows["im"].isin(EU27) & (flows["ex"] != flows["im"])]
    hand = inside.groupby("product")["value"].agg(["sum", "size"])
    assert len(hand) > 0
    pd.testing.assert_series_equal(b.loc[hand.index, "intra_value_usd"], hand["sum"], check_names=False, rtol=1e-12)
    assert (b.loc[hand.index, "intra_flows"].to_numpy() == hand["size"].to_numpy()).all()


@pytest.mark.parametrize("reporters,year", [(("NLD",), 2022), (("EU27",), 2022), (("NLD", "CHN", "USA"), 2019)])
def test_alternatives_from_statistics_equal_the_flows_route(ctx, flows_ctx, reporters, year):
    screened = pd.concat([screen_years(ctx, r, year - 1, year) for r in reporters], ignore_index=True)
    a = alternatives_frame(ctx, screened, 0.5, 0.1)
    b = alternatives_frame(flows_ctx, screened, 0.5, 0.1)
    key = ["reporter", "product", "year"]
    a, b = (x.sort_values(key).reset_index(drop=True) for x in (a, b))
    assert len(a) == len(screened) and a["alternative_suppliers"].gt(0).any()
    pd.testing.assert_frame_equal(a, b, check_dtype=False)


@pytest.mark.parametrize("supplier,year", [("NLD", 2022), ("CHN", 2022), ("USA", 2005)])
def test_leverage_from_statistics_equals_the_flows_route(ctx, flows_ctx, supplier, year):
    """A country's leverage reads stats/imports (v(S, r) = r's largest import value where S
    is r's top supplier), stats/world and stats/exports: the same table as summing the flows."""
    a = leverage(ctx, supplier, year).table
    b = leverage(flows_ctx, supplier, year).table
    assert len(a) > 0
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)


def test_tier_evidence_reads_only_the_reporters_flows(ctx, monkeypatch):
    """raw_flows with importers keeps exactly the import flows of those economies (counted by
    hand from the stored flows), and the third-country view and quantity gaps computed from
    them equal those computed from every importer's flows."""
    screened = pd.concat([screen_years(ctx, r, 2021, 2022) for r in ("NLD", "EU27")], ignore_index=True)
    products = sorted(set(screened["product"]))
    flows = ctx.engine.execute(ctx.flows.filter(lambda t: t.year == 2022))
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    hand = flows[flows["importer"].map(iso).isin(["NLD"]) & flows["product"].isin(products)]
    got = ctx.engine.execute(evidence.raw_flows(ctx, [2022], products, None, importers=["NLD"]))
    assert len(hand) > 0 and len(got) == len(hand)
    assert set(got["importer"].map(iso)) == {"NLD"}
    restricted = (evidence.third_country_frame(ctx, screened), evidence.quantity_gap_frame(ctx, screened))
    every_code = ctx.countries.column("code").to_pylist()
    monkeypatch.setattr(evidence, "importer_codes", lambda c, economies: every_code)
    unrestricted = (evidence.third_country_frame(ctx, screened), evidence.quantity_gap_frame(ctx, screened))
    for a, b in zip(restricted, unrestricted):
        a, b = (x.sort_values(evidence.KEY).reset_index(drop=True) for x in (a, b))
        pd.testing.assert_frame_equal(a, b, rtol=1e-12)


@pytest.mark.parametrize("n", [3, SHORT_LIST + 1, 4000])
def test_engine_keep_short_and_long_lists(ctx, n):
    """Engine.keep gives pandas' isin rows whether it writes an IN list or a semi-join."""
    world = ctx.engine.stats(ctx.dataset, "world")
    allw = ctx.engine.execute(world.filter(world.year == 2022))
    present = sorted(allw["product"])[::2]  # every other product of the year, then codes it lacks
    codes = (present + sorted(set(ctx.descriptions) - set(allw["product"])))[:n]
    got = ctx.engine.execute(ctx.engine.keep(world.filter(world.year == 2022), "product", codes))
    want = allw[allw["product"].isin(codes)]
    assert len(want) > 0 and len(want) < len(allw) and sorted(got["product"]) == sorted(want["product"])


@pytest.fixture(scope="module")
def rebuilt(ctx, tmp_path_factory):
    """The statistics of three years written again by today's ingest code from the embedded
    flows (no economy has two codes in these years; the merged route is checked on the
    hand-made store of tests/test_stats.py)."""
    import duckdb
    import pyarrow.parquet as pq

    from geomon.ingest import stats

    root, out = ctx.dataset.root, tmp_path_factory.mktemp("rebuilt")
    countries = pq.read_table(root / "countries.parquet")
    con = duckdb.connect()
    for year in (1998, 2022, 2024):
        assert stats.write_from_flows(con, root / "flows" / f"year={year}", countries, out, year) == ["EU27"]
    con.close()
    return out


@pytest.mark.parametrize("table", ["imports", "exports", "world", "bloc_imports", "bloc_exports"])
@pytest.mark.parametrize("year", [1998, 2022, 2024])
def test_statistics_written_today_equal_the_stored_ones(ctx, rebuilt, table, year):
    """Today's statistics routes (integer sort keys, bloc flows picked by their mapped keys, joins
    in written order) give the stored tables of the embedded store: same rows in the same
    order, sums to 1e-12."""
    part = f"{table}/year={year}/part-0.parquet"
    old = pd.read_parquet(ctx.dataset.root / "stats" / part)
    new = pd.read_parquet(rebuilt / part)
    assert len(old) > 0
    pd.testing.assert_frame_equal(new, old, rtol=1e-12)
