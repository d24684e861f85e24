"""The reporter's own flows held by the context (issue 15): read once, shared by every part, and
exactly the rows that filtering the stored flows gives, on the embedded real data.

``Context.held_flows(side, codes, years)`` must equal ``flows[year in years, side in codes]``
row for row (same columns, same values, nulls included); ``Context.hold_flows`` reads several
sets in one scan; a bloc of many codes stays a lazy filter; the parts that take the held flows
(coercion exposure's pair flows, the scenario's own imports, the tier evidence) give what the
flows give.
"""

from __future__ import annotations

import traceback
from dataclasses import replace

import pandas as pd
import pytest

from geomon.analyses.coercion.exposure import _pair_flows
from geomon.analyses.context import HELD_CODES
from geomon.analyses.context import importer_codes
from geomon.countries import economy_map
from geomon.engine import indicators as ind

YEARS = [2020, 2022, 2024]


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    cols = ["year", "exporter", "importer", "product"]
    return df.sort_values(cols, kind="stable").reset_index(drop=True)


def _filtered(ctx, side: str, codes: list[int], years: list[int]) -> pd.DataFrame:
    """The old route: the stored flows filtered by year and by the codes on ``side``."""
    f = ctx.flows
    return _sorted(ctx.engine.to_pandas(f.filter(f.year.isin(years), f[side].isin(codes))))


@pytest.fixture
def fresh(ctx):
    """A new context on the same data: it holds nothing yet."""
    return replace(ctx)


@pytest.mark.parametrize("side", ["importer", "exporter"])
@pytest.mark.parametrize("iso3", ["NLD", "BEL"])  # BEL: two BACI codes (58 and 56, Belgium-Luxembourg)
def test_held_flows_equal_the_filtered_flows(fresh, side, iso3):
    codes = importer_codes(fresh, [fresh.economy(iso3)])
    assert len(codes) == (2 if iso3 == "BEL" else 1)
    got = _sorted(fresh.engine.to_pandas(fresh.held_flows(side, codes, YEARS)))
    want = _filtered(fresh, side, codes, YEARS)
    assert len(want) > 1000 and want["quantity"].isna().any()  # nulls travel too
    pd.testing.assert_frame_equal(got, want)
    # a later call for fewer years filters what is held: the same rows as the store gives
    one = _sorted(fresh.engine.to_pandas(fresh.held_flows(side, codes, [2022])))
    pd.testing.assert_frame_equal(one, _filtered(fresh, side, codes, [2022]))


def test_hold_flows_reads_several_sets_in_one_scan_and_then_never_again(fresh, monkeypatch):
    nld = importer_codes(fresh, [fresh.economy("NLD")])
    usa = importer_codes(fresh, [fresh.economy("USA")])
    reads = []
    real = fresh.engine.to_arrow
    monkeypatch.setattr(fresh.engine, "to_arrow", lambda expr: reads.append(1) or real(expr))
    fresh.hold_flows([("importer", nld, YEARS), ("exporter", nld, [2024]), ("importer", usa, [2023, 2024])])
    assert len(reads) == 1
    for side, codes, years in [("importer", nld, YEARS), ("exporter", nld, [2024]), ("importer", usa, [2024])]:
        got = _sorted(fresh.engine.to_pandas(fresh.held_flows(side, codes, years)))
        pd.testing.assert_frame_equal(got, _filtered(fresh, side, codes, years))
    # to_pandas above goes through the backend, not Engine.to_arrow: no held set was read again
    assert len(reads) == 1
    fresh.held_flows("importer", nld, [2019])  # a year not held yet: one more read of that year only
    assert len(reads) == 2
    held = fresh._held[("importer", tuple(nld))]
    assert [sorted(ys) for ys, _, _ in held] == [YEARS, [2019]]


def test_a_bloc_of_many_codes_is_not_held(fresh):
    eu = importer_codes(fresh, [fresh.economy("EU27")])
    assert len(eu) > HELD_CODES
    fresh.hold_flows([("importer", eu, [2024])])
    assert fresh._held == {}
    got = _sorted(fresh.engine.to_pandas(fresh.held_flows("importer", eu, [2024])))
    pd.testing.assert_frame_equal(got, _filtered(fresh, "importer", eu, [2024]))


def test_side_must_be_importer_or_exporter(fresh):
    with pytest.raises(ValueError, match="side must be one of"):
        fresh.held_flows("product", [528], [2024])


def test_exposure_pair_flows_from_held_flows_equal_the_flows(ctx):
    """The exposure's flows of NLD in 2024: its imports and its exports between economies, from
    the held flows (imports, plus exports to others) = the old single filter importer | exporter."""
    econ = ctx.economy("NLD")
    got = _pair_flows(replace(ctx), econ, 2024)
    codes = importer_codes(ctx, [econ])
    f = ctx.flows
    f = f.filter(f.year == 2024, f.importer.isin(codes) | f.exporter.isin(codes))
    ef = ind.economy_flows(f, ctx.engine.table(economy_map(ctx.countries, [])))
    ef = ef.filter((ef.importer == "NLD") | (ef.exporter == "NLD"))
    want = ctx.engine.to_pandas(ef.select("product", "exporter", "importer", "value"))
    key = ["product", "exporter", "importer"]
    got, want = (d.sort_values(key).reset_index(drop=True) for d in (got, want))
    assert len(want) > 1000 and (want["importer"] == "NLD").any() and (want["exporter"] == "NLD").any()
    pd.testing.assert_frame_equal(got, want, rtol=1e-12)


def test_the_report_asks_for_the_long_lists_buyers_and_the_events_read_nothing_more(ctx, monkeypatch):
    """With lists above 8 codes read by importer (the embedded extract's Section 301 List 3 has 49
    codes with data; at full scale the lists have hundreds to thousands), the coercion section's
    ``reads`` names the USA (BACI 842) as the buyer of the Section 301 lists; once those are held,
    the events of those cases scan no flows again, and equal the events of a context that reads
    them itself."""
    from geomon.analyses.coercion import flows as F
    from geomon.analyses.coercion import report as R
    from geomon.analyses.coercion.event import events, plan

    monkeypatch.setattr(F, "BY_PRODUCT", 8)
    monkeypatch.setattr(R, "BY_PRODUCT", 8)
    fresh = replace(ctx)
    nld = fresh.economy("NLD")
    wanted = R.reads(fresh, nld, 2024)
    p = plan(fresh, "USA-CHN-S301-L3", nld)
    assert len(p.codes) > 8 and p.importers is not None
    assert ("importer", [842], p.years) in wanted
    fresh.hold_flows(wanted)
    scans = []
    real = fresh.engine.flows
    monkeypatch.setattr(fresh.engine, "flows", lambda ds: scans.append({f.name for f in traceback.extract_stack()}) or real(ds))
    got = events(fresh, [p])[0]
    # the stored flows are opened only to list the codes without flows (by product, not the buyer's flows)
    assert all("without_flows" in s and "case_flows" not in s for s in scans)
    monkeypatch.setattr(F, "BY_PRODUCT", 300)  # the other route: 49 codes read by product
    scans.clear()
    want = events(replace(ctx), [plan(ctx, "USA-CHN-S301-L3", nld)])[0]
    assert any("case_flows" in s for s in scans)  # (that route does read the flows)
    pd.testing.assert_frame_equal(got.table, want.table, rtol=1e-12)
    pd.testing.assert_frame_equal(got.pick("replacements"), want.pick("replacements"), rtol=1e-12)
