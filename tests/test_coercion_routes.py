"""The coercion part's faster routes (issue 15) give what the plain routes give, on the embedded data.

- events read their flows in one query for many cases (:func:`flows.case_flows`: the flows into
  their importers, or of their products for short code lists) and map codes to economies in
  pandas (:func:`flows.economy_sums`); the plain route is the engine's ``economy_flows`` over all
  flows of the case's products, summed per (year, exporter, importer);
- codes without flows come from ``stats/world`` (:func:`flows.without_flows`); plain: the flows;
- the case codes of every case are mapped in one merge (:func:`registry.case_codes`); plain: a
  lookup per code in the UNSD table and the product list, as the registry described it;
- the exposure's suppliers per product are ordered by :func:`exposure.descending`; plain:
  pandas' ``sort_values(ascending=False)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomon.analyses.coercion import flows as F
from geomon.analyses.coercion import registry as R
from geomon.analyses.coercion.event import event, events, plan
from geomon.analyses.coercion.exposure import descending
from geomon.analyses import context
from geomon.analyses.context import importer_codes
from geomon.countries import economy_map
from geomon.engine import indicators as ind
from geomon.sources.cases import normalise_revision, parse_codes

#: (case, reporter): export measures against WORLD (one with a bloc reporter), import measures (one
#: with a bloc coercer and the reporter inside it), an export measure with a bloc reporter, and a
#: list of thousands of codes (read through its importer, not its products)
CASES = [("CHN-WLD-2023-GRAPHITE", "NLD"), ("CHN-AUS-2020-COAL", None), ("EU27-RUS-2022-COAL", "NLD"),
         ("CHN-WLD-2023-GAGE", "EU27"), ("CHN-JPN-2010-REE", "EU27"), ("USA-CHN-S301-L3", "NLD")]


@pytest.fixture(scope="module")
def plans(ctx):
    return [plan(ctx, case, rep) for case, rep in CASES]


@pytest.fixture(scope="module")
def reads(ctx, plans):
    """The plans' flows read as the report reads them, and again with the longer lists (above 8
    codes: Section 301 List 3 has 49 with data in the extract) read through their importers."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(F, "BY_PRODUCT", 8)
        by_importer = F.case_flows(ctx, plans)
    return {"as the report": F.case_flows(ctx, plans), "by importer": by_importer}


def plain(ctx, p, economies) -> pd.DataFrame:
    """The engine's route: economy flows of all flows of the case's products and years."""
    f = ctx.flows
    f = ctx.engine.keep(f.filter(f.year.isin(p.years)), "product", p.codes)
    ef = ind.economy_flows(f, ctx.econ_table(*[e for e in economies if e is not None and e.is_bloc]))
    g = ef.group_by(["year", "exporter", "importer"]).aggregate(
        value=ef.value.sum(), quantity=ef.quantity.sum(), quantity_known=ef.quantity_known.all())
    return ctx.engine.execute(g)


def test_the_reads_split_as_documented(plans):
    # WORLD and short code lists are read by product, the rest through their importers; store codes
    # with flows in the extract: graphite 250410, coal 270112, coal and lignite 2701/2702 (5 codes) ...
    assert [len(p.codes) for p in plans] == [1, 1, 5, 1, 3, 49]
    assert [p.importers is None for p in plans] == [True, False, False, True, False, False]


@pytest.mark.parametrize("route", ["as the report", "by importer"])
@pytest.mark.parametrize("n", range(len(CASES)))
def test_case_flows_equal_the_engine_route(ctx, plans, reads, n, route):
    p = plans[n]
    with_reporter = [[p.coercer, p.reporter], [p.reporter, p.target]] if p.reporter is not None else []
    for economies in [[p.coercer, p.target]] + with_reporter:
        got = F.economy_sums(ctx, reads[route][n], economies)
        want = plain(ctx, p, economies)
        if p.importers is not None:  # the event reads only the flows into its importers
            m = economy_map(ctx.countries, [e for e in economies if e is not None and e.is_bloc])
            to = dict(zip(m.column("code").to_pylist(), m.column("economy").to_pylist()))
            names = {to[c] for c in importer_codes(ctx, p.importers)}
            want = want[want["importer"].isin(names)]
        key = ["year", "exporter", "importer"]
        got, want = got.sort_values(key).reset_index(drop=True), want.sort_values(key).reset_index(drop=True)
        assert len(got) > 0 or CASES[n][0] == "CHN-WLD-2023-GAGE"  # germanium: no flows after 2016
        assert got[key].astype(str).equals(want[key].astype(str)), (CASES[n], economies)
        assert got["value"].to_numpy() == pytest.approx(want["value"].to_numpy(), rel=1e-12)
        assert got["quantity_known"].tolist() == want["quantity_known"].astype(bool).tolist()
        known = got["quantity_known"].to_numpy()
        assert got["quantity"].to_numpy()[known] == pytest.approx(want["quantity"].to_numpy(dtype=float)[known], rel=1e-12)


def test_events_in_one_query_equal_each_event_alone(ctx, plans):
    together = events(ctx, plans)
    for (case, rep), ev in zip(CASES, together):
        alone = event(ctx, case, rep)
        pd.testing.assert_frame_equal(ev.table, alone.table, rtol=1e-12)
        pd.testing.assert_frame_equal(ev.pick("replacements"), alone.pick("replacements"), rtol=1e-12)
        assert ev.meta["codes_without_flows_in_years"] == alone.meta["codes_without_flows_in_years"]


def test_codes_without_flows_equal_the_flows(ctx, monkeypatch):
    """Germanium (811230) has no flows after 2016 in the extract (test_coercion); lignite (270210) has."""
    def raw(codes, years):
        f = ctx.flows
        seen = set(ctx.engine.execute(f.filter(f.year.isin(years) & f["product"].isin(codes)).select("product").distinct())["product"])
        return [c for c in codes if c not in seen]

    cases = [(["270210", "811230"], [2020, 2021]), (["811230"], [2014, 2015, 2016]), (["811230"], [2017]),
             (sorted(R.traded_products(ctx))[:300], [2024])]
    assert F.without_flows(ctx, *cases[0]) == ["811230"] and F.without_flows(ctx, *cases[1]) == []
    for codes, years in cases:
        assert F.without_flows(ctx, codes, years) == raw(codes, years)
    key = (str(ctx.dataset.root), ctx.dataset.hs, ctx.dataset.version)
    monkeypatch.setitem(F._SEEN, key, {})  # no statistics: every code is looked up in the flows
    for codes, years in cases:
        assert F.without_flows(ctx, codes, years) == raw(codes, years)


def lookup_per_code(ctx, case) -> list[dict]:
    """The registry's rule code by code: exact prefix in the store revision; for an HS1992 store the
    UNSD HS2017/HS2022 pairs under the code, n:n ones listed apart; anything else unmatched."""
    store_rev = normalise_revision(ctx.dataset.hs)
    corr, traded = R.correlation(), R.traded_products(ctx)
    rows = []
    for rev, code in parse_codes(case["hs_codes"], case["hs_revision"]):
        nn: list[str] = []
        if rev == store_rev:
            mapped, how = sorted(c for c in ctx.descriptions if c.startswith(code)), "exact"
        elif store_rev == "HS1992" and rev in ("HS2017", "HS2022"):
            hit = corr[(corr["revision"] == rev) & corr["code"].str.startswith(code)]
            used = hit["relationship"] != "n:n"
            mapped = sorted(set(hit.loc[used, "hs1992"]))
            nn = sorted(set(hit.loc[~used, "hs1992"]) - set(mapped))
            how = "correlation" if mapped or not nn else "n:n only"
        else:
            mapped, how = [], "unmatched"
        rows.append({"revision": rev, "code": code, "how": how, "store_codes": mapped,
                     "in_data": [c for c in mapped if c in traded], "not_used_nn": nn})
    return rows


def test_case_codes_equal_a_lookup_per_code(ctx):
    reg = R.registry(ctx)
    some = reg[(reg["set"] != "section301") | (reg["case_id"] == "USA-CHN-S301-L2")]  # List 2: 279 lines
    assert len(some) == 24
    for _, case in some.iterrows():
        got = R.case_codes(ctx, case)
        if not case["hs_codes"]:  # CHN-LTU-2021: all goods, every traded product
            assert got["how"].tolist() == ["all goods"] and got["in_data"].iloc[0] == sorted(R.traded_products(ctx))
            continue
        assert got.to_dict("records") == lookup_per_code(ctx, case), case["case_id"]
    # HS2017 heading 4403 (wood in the rough) and chapters 02, 03 ... map to every HS1992 code their
    # 6-digit codes correlate with; a case given without its id (as exposure passes it) maps the same
    timber = R.case_codes(ctx, reg.set_index("case_id").loc["CHN-AUS-2020-TIMBER"].rename("CHN-AUS-2020-TIMBER"))
    assert timber["how"].tolist() == ["correlation"] and all(c.startswith("4403") for c in timber["store_codes"].iloc[0])
    food = R.case_codes(ctx, reg.set_index("case_id").loc["RUS-EU27-2014-FOOD"])
    assert food["code"].tolist() == ["02", "03", "04", "07", "08", "1601"] and len(food["store_codes"].iloc[0]) > 10


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from([0.0, 1.5, 2.0, 2.0000000000000004, 7.25, 1e9]), max_size=60))
def test_descending_places_ties_as_pandas(values):
    v = np.array(values, dtype=float)
    want = pd.Series(v).sort_values(ascending=False).index.to_numpy()
    assert descending(v).tolist() == want.tolist()


def test_economy_sums_by_hand(ctx):
    """Integer economy keys (issue 15) sum what grouping by the names summed. Hand-made code flows
    (BACI codes: 528 NLD, 156 CHN, 276 DEU, 251 FRA; 9999 is in no country list): per (year,
    exporter, importer) the values add up, a flow inside one economy (DEU -> FRA inside EU27) and a
    code outside the country list are dropped, a pair with one unknown quantity is not known."""
    codes = pd.DataFrame({"year": np.array([2022, 2022, 2022, 2023, 2023, 2023], dtype="int32"),
                          "exporter": np.array([156, 156, 276, 156, 9999, 276], dtype="int32"),
                          "importer": np.array([528, 528, 528, 276, 528, 251], dtype="int32"),
                          "value": [1.5, 2.25, 4.0, 8.0, 16.0, 32.0], "quantity": [1.0, np.nan, 2.0, 3.0, 4.0, 5.0],
                          "unknown": np.array([0, 1, 0, 0, 0, 0], dtype="int32")})
    nld, chn, eu = (ctx.economy(x) for x in ("NLD", "CHN", "EU27"))
    got = F.economy_sums(ctx, codes, [nld, chn])
    # 2022 CHN -> NLD: 1.5 + 2.25 = 3.75 (quantity 1 known + one unknown: not known); DEU -> NLD 4;
    # 2023 CHN -> DEU 8; DEU -> FRA 32; the code 9999 dropped; sorted by year, exporter, importer
    assert got[["year", "exporter", "importer"]].astype(str).values.tolist() == [
        ["2022", "CHN", "NLD"], ["2022", "DEU", "NLD"], ["2023", "CHN", "DEU"], ["2023", "DEU", "FRA"]]
    assert got["value"].tolist() == [3.75, 4.0, 8.0, 32.0]
    assert got["quantity_known"].tolist() == [False, True, True, True]
    assert got["quantity"].tolist()[1:] == [2.0, 3.0, 5.0]
    bloc = F.economy_sums(ctx, codes, [eu, chn])  # NLD, DEU, FRA are EU27: DEU -> NLD and DEU -> FRA inside it
    assert bloc[["year", "exporter", "importer"]].astype(str).values.tolist() == [
        ["2022", "CHN", "EU27"], ["2023", "CHN", "EU27"]]
    assert bloc["value"].tolist() == [3.75, 8.0]


def test_exposure_without_the_pair_sum_equals_with_it(ctx, monkeypatch):
    """Exposure skips summing the reporter's flows per economy pair when every economy has one BACI
    code (issue 15: one flow per pair and product already). The embedded country list has ISO3
    codes with two BACI codes, but in 2022 at most one of each pair trades with NLD, so the flows
    summed and not summed must give the same exposure."""
    from geomon.analyses.coercion import exposure as X

    flows = ctx.engine.execute(ctx.flows.filter(ctx.flows.year == 2022).select("exporter", "importer"))
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    nld = set(importer_codes(ctx, [ctx.economy("NLD")]))
    partners = pd.concat([flows.loc[flows["importer"].isin(nld), "exporter"], flows.loc[flows["exporter"].isin(nld), "importer"]])
    codes = pd.Series(sorted(set(partners.tolist())))
    assert not codes.map(iso).duplicated().any()  # the precondition: one code per partner economy
    summed = X.exposure(ctx, "NLD", 2022)
    monkeypatch.setattr(context, "one_code_each", lambda c: True)  # merge_needed asks it
    plain = X.exposure(ctx, "NLD", 2022)
    pd.testing.assert_frame_equal(plain.table, summed.table, rtol=1e-12)
    pd.testing.assert_frame_equal(plain.pick("totals"), summed.pick("totals"), rtol=1e-12)
    assert len(summed.table) > 0 and summed.pick("totals")["total_usd"].gt(0).all()


def test_by_product_reads_filtered_to_their_importers_equal_the_unfiltered(ctx, plans, reads):
    """Without a WORLD event among them, the by-product events read only the flows into their
    importers (issue 15: fewer rows into the join); with one, every importer's. Same sums per pair."""
    some = [n for n, p in enumerate(plans) if p.importers is not None]
    assert some and any(p.importers is None for p in plans)
    alone = F.case_flows(ctx, [plans[n] for n in some])
    for got, n in zip(alone, some):
        want = reads["as the report"][n]
        key = ["year", "exporter", "importer"]
        got, want = (d.drop(columns="event").sort_values(key).reset_index(drop=True) for d in (got, want))
        assert len(got) > 0 or CASES[n][0] == "CHN-WLD-2023-GAGE"
        pd.testing.assert_frame_equal(got, want, rtol=1e-12)  # (the event number is its place in the list)


def test_how_each_event_reads(ctx, monkeypatch):
    """WORLD events read every importer's flows of their codes; above BY_PRODUCT codes an event reads
    its importers' flows; between SHORT_LIST and BY_PRODUCT codes too, when its importers are read
    that way anyway (a Section 301 list beside List 3: the USA's rows are held), else its products."""
    from types import SimpleNamespace as NS

    monkeypatch.setattr(F, "BY_PRODUCT", 10)
    monkeypatch.setattr(F, "SHORT_LIST", 4)
    usa, chn, world = [ctx.economy("USA")], [ctx.economy("CHN")], None
    plans = [NS(codes=["x"] * 11, importers=usa, years=[2024]),   # long list: by importer
             NS(codes=["x"] * 6, importers=usa, years=[2024]),    # medium, buyer held anyway: by importer
             NS(codes=["x"] * 6, importers=chn, years=[2024]),    # medium, buyer not held: by product
             NS(codes=["x"] * 3, importers=usa, years=[2024]),    # short: by product
             NS(codes=["x"] * 20, importers=world, years=[2024])]  # WORLD: every importer
    assert F._kinds(ctx, plans) == ["importer", "importer", "product", "product", "every"]
    assert F._kinds(ctx, plans[1:]) == ["product", "product", "product", "every"]  # no long list: nothing held
