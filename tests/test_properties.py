"""Properties that must hold for any flows (Hypothesis) and on the real data."""

from __future__ import annotations

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomon.engine import indicators as ind

CODES = list(range(1, 9))
ECON = pa.table({"code": pa.array(CODES, pa.int16()), "economy": [f"E{c}" for c in CODES]})
CON = ibis.duckdb.connect()

flow_rows = st.lists(
    st.tuples(st.sampled_from(CODES), st.sampled_from(CODES), st.sampled_from(["P1", "P2"]),
              st.floats(min_value=0.001, max_value=1e9, allow_nan=False)),
    min_size=1, max_size=40,
).map(lambda rows: [r for r in rows if r[0] != r[1]]).filter(bool)


def frame(rows) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["exporter", "importer", "product", "value"])
    df = df.drop_duplicates(["exporter", "importer", "product"]).reset_index(drop=True)  # BACI: one row per triple
    df.insert(0, "year", 2022)
    df["quantity"] = df["value"] / 1000
    return df.astype({"year": "int32", "exporter": "int32", "importer": "int32"})


def indicators(df: pd.DataFrame) -> pd.DataFrame:
    ef = ind.economy_flows(ibis.memtable(df), ibis.memtable(ECON))
    return CON.execute(ind.import_indicators(ef)).sort_values(["importer", "product"]).reset_index(drop=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_rows)
def test_import_hhi_between_1_over_n_and_1(rows):
    out = indicators(frame(rows))
    n = out["supplier_count"]
    assert (out["import_hhi"] >= 1 / n - 1e-12).all()
    assert (out["import_hhi"] <= 1 + 1e-12).all()
    assert (out["top_supplier_share"] ** 2 <= out["import_hhi"] + 1e-12).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_rows, st.randoms(use_true_random=False))
def test_permuting_rows_changes_nothing(rows, rnd):
    df = frame(rows)
    shuffled = df.sample(frac=1.0, random_state=rnd.randint(0, 2**31)).reset_index(drop=True)
    a, b = indicators(df), indicators(shuffled)
    cols = ["import_value_usd", "import_hhi", "top_supplier_share", "supplier_count"]
    pd.testing.assert_frame_equal(a[["importer", "product"] + cols], b[["importer", "product"] + cols], rtol=1e-12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flow_rows)
def test_hhi_equals_sum_of_squared_shares(rows):
    df = frame(rows)
    out = indicators(df).set_index(["importer", "product"])
    df["imp"] = "E" + df["importer"].astype(str)
    for (imp, prod), g in df.groupby(["imp", "product"]):
        shares = g["value"] / g["value"].sum()
        assert shares.sum() == pytest.approx(1.0)
        assert out.loc[(imp, prod), "import_hhi"] == pytest.approx(float(np.sum(shares**2)), rel=1e-9)


def test_supplier_shares_sum_to_one_every_year(ctx):
    from geomon.analyses.trade.suppliers import suppliers

    t = suppliers(ctx, "NLD", "260300", 2022, first=2015).table
    for col in [c for c in t.columns if c.startswith("share_")]:
        assert t[col].sum() == pytest.approx(1.0)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.sampled_from(["NLD", "DEU", "CHN", "USA", "BEL", "JPN"]), st.sampled_from([2005, 2015, 2022]))
def test_bloc_of_one_country_gives_that_countrys_result(ctx, iso3, year):
    from geomon.analyses.context import Context
    from geomon.analyses.trade.screening import screen
    from geomon.config import Config

    solo_ctx = Context(ctx.store, ctx.dataset, ctx.engine, Config(blocs={"SOLO": (iso3,)}))
    a = screen(ctx, iso3, year).table
    b = screen(solo_ctx, "SOLO", year).table
    assert (b["reporter"] == "SOLO").all()
    b["reporter"] = iso3
    b.loc[b["top_supplier"] == "SOLO", "top_supplier"] = iso3
    b.loc[b["top_exporter"] == "SOLO", "top_exporter"] = iso3
    pd.testing.assert_frame_equal(a, b, rtol=1e-12)
