"""Indicators and criteria on small hand-computed tables.

Every expected number below is worked out by hand in the comments.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pyarrow as pa
import pytest

from geomon.engine import indicators as ind

# Codes: 1 = AAA, 2 = BBB, 3 = CCC, 4 = RRR (the reporter), 5 = MMM (bloc partner of RRR)
ECON = pa.table({"code": pa.array([1, 2, 3, 4, 5], pa.int16()), "economy": ["AAA", "BBB", "CCC", "RRR", "MMM"]})


def flows(rows):
    df = pd.DataFrame(rows, columns=["year", "exporter", "importer", "product", "value", "quantity"])
    return ibis.memtable(df.astype({"year": "int32", "exporter": "int32", "importer": "int32", "value": "float64",
                                    "quantity": "float64"}))


def run(expr) -> pd.DataFrame:
    return ibis.duckdb.connect().execute(expr)


# One product 'P', year 2022. Imports of RRR: 60 from AAA, 30 from BBB, 10 from CCC.
# Other flows: AAA->BBB 100, BBB->AAA 50, RRR->AAA 20 (RRR exports 20).
HAND = [
    (2022, 1, 4, "P", 60.0, 6.0),
    (2022, 2, 4, "P", 30.0, 3.0),
    (2022, 3, 4, "P", 10.0, None),
    (2022, 1, 2, "P", 100.0, 10.0),
    (2022, 2, 1, "P", 50.0, 5.0),
    (2022, 4, 1, "P", 20.0, 2.0),
]


def test_import_hhi_and_top_supplier_by_hand():
    # V(RRR) = 60 + 30 + 10 = 100; shares 0.6, 0.3, 0.1
    # HHI = 0.6^2 + 0.3^2 + 0.1^2 = 0.36 + 0.09 + 0.01 = 0.46
    ef = ind.economy_flows(flows(HAND), ibis.memtable(ECON))
    imp = run(ind.import_indicators(ef)).set_index("importer").loc["RRR"]
    assert imp.import_value_usd == pytest.approx(100.0)
    assert imp.import_hhi == pytest.approx(0.46)
    assert imp.top_supplier == "AAA"
    assert imp.top_supplier_share == pytest.approx(0.6)
    assert imp.supplier_count == 3
    # quantity of the CCC flow is NA: the sum covers 6 + 3 = 9 t and is flagged incomplete
    assert imp.import_quantity_t == pytest.approx(9.0)
    assert not imp.quantity_complete


def test_world_export_hhi_by_hand():
    # Exports: AAA 60 + 100 = 160, BBB 30 + 50 = 80, CCC 10, RRR 20; world total 270
    # HHI = (160^2 + 80^2 + 10^2 + 20^2) / 270^2 = (25600 + 6400 + 100 + 400) / 72900 = 32500 / 72900
    ef = ind.economy_flows(flows(HAND), ibis.memtable(ECON))
    w = run(ind.world_indicators(ind.export_totals(ef))).iloc[0]
    assert w.world_export_value_usd == pytest.approx(270.0)
    assert w.world_export_hhi == pytest.approx(32500 / 72900)
    assert w.top_exporter == "AAA"
    assert w.top_exporter_share == pytest.approx(160 / 270)


def test_ratio_and_criteria_by_hand():
    # ratio = imports / exports = 100 / 20 = 5 > 1 -> c3; import HHI 0.46 > 0.4 -> c1;
    # world HHI 32500/72900 = 0.4458 > 0.4 -> c2. With t2 = 0.45, c2 fails.
    ef = ind.economy_flows(flows(HAND), ibis.memtable(ECON))
    exports = ind.export_totals(ef)
    imports = ind.import_indicators(ef.filter(ef.importer == "RRR"))
    world = ind.world_indicators(exports)
    row = run(ind.yearly_criteria(imports, world, exports, 0.4, 0.4, 1.0)).iloc[0]
    assert row.import_export_ratio == pytest.approx(5.0)
    assert row.c1_import_concentration and row.c2_world_concentration and row.c3_low_substitutability
    assert row.criteria_met
    row = run(ind.yearly_criteria(imports, world, exports, 0.4, 0.45, 1.0)).iloc[0]
    assert not row.c2_world_concentration and not row.criteria_met


def test_zero_exports_give_ratio_9999():
    # CCC imports 0 from nobody... use BBB: imports 100 from AAA, exports 30 + 50 = 80 -> ratio 1.25.
    # AAA exports 160 and imports 50 -> ratio 0.3125. CCC never imports. Take an importer
    # with no exports: drop RRR's exports, then RRR's ratio is GeoDep's 9999.
    rows = [r for r in HAND if r[1] != 4]
    ef = ind.economy_flows(flows(rows), ibis.memtable(ECON))
    exports = ind.export_totals(ef)
    res = run(ind.yearly_criteria(ind.import_indicators(ef), ind.world_indicators(exports), exports, 0.4, 0.4, 1.0))
    res = res.set_index("importer")
    assert res.loc["RRR", "import_export_ratio"] == 9999.0
    assert res.loc["BBB", "import_export_ratio"] == pytest.approx(100 / 80)
    assert res.loc["AAA", "import_export_ratio"] == pytest.approx(50 / 160)


def test_bloc_drops_intra_flows_and_merges_exporters():
    # Bloc RRR+MMM = "BLOC". Add MMM->RRR 500 (intra-bloc, dropped) and MMM->AAA 40.
    # BLOC imports: AAA 60, BBB 30, CCC 10 (same as RRR alone) -> HHI 0.46.
    # BLOC exports (extra-bloc): RRR->AAA 20 + MMM->AAA 40 = 60, one exporter.
    # World: AAA 160, BBB 80, CCC 10, BLOC 60; total 310;
    # HHI = (25600 + 6400 + 100 + 3600) / 310^2 = 35700 / 96100.
    rows = HAND + [(2022, 5, 4, "P", 500.0, 50.0), (2022, 5, 1, "P", 40.0, 4.0)]
    econ = pa.table({"code": ECON["code"], "economy": ["AAA", "BBB", "CCC", "BLOC", "BLOC"]})
    ef = ind.economy_flows(flows(rows), ibis.memtable(econ))
    exports = ind.export_totals(ef)
    imports = ind.import_indicators(ef.filter(ef.importer == "BLOC"))
    row = run(ind.yearly_criteria(imports, ind.world_indicators(exports), exports, 0.4, 0.4, 1.0)).iloc[0]
    assert row.import_value_usd == pytest.approx(100.0)
    assert row.import_hhi == pytest.approx(0.46)
    assert row.reporter_export_value_usd == pytest.approx(60.0)
    assert row.world_export_hhi == pytest.approx(35700 / 96100)
    assert row.import_export_ratio == pytest.approx(100 / 60)


@pytest.mark.parametrize("plan", ["join", "window"])
def test_persistence_counts_years_in_window_with_gaps(plan):
    # Criteria met in 2018, 2019, 2021 (2020 has no row: not imported that year).
    # Window 3 ending 2021 = {2019, 2020, 2021}: met in 2019 and 2021 -> 2 years -> dependent (k=2).
    # Window 3 ending 2019 = {2017, 2018, 2019}: 2 years -> dependent.
    # Window 3 ending 2022 = {2020, 2021, 2022}: 2021 only (2022 not met) -> 1 -> not dependent.
    t = ibis.memtable(pd.DataFrame({
        "importer": ["R"] * 4, "product": ["P"] * 4, "year": [2018, 2019, 2021, 2022],
        "criteria_met": [True, True, True, False]}))
    out = run(ind.persistence(t, window=3, min_years=2, years=[2018, 2019, 2021, 2022], plan=plan)).set_index("year")
    assert out.loc[2018, "criteria_met_years"] == 1 and not out.loc[2018, "dependent"]
    assert out.loc[2019, "criteria_met_years"] == 2 and out.loc[2019, "dependent"]
    assert out.loc[2021, "criteria_met_years"] == 2 and out.loc[2021, "dependent"]
    assert out.loc[2022, "criteria_met_years"] == 1 and not out.loc[2022, "dependent"]
