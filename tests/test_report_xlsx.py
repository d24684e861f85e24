"""The report workbook, read back with openpyxl: sheets, headers, filters, frozen panes,
number formats, and values equal to ``geomon screen``."""

from __future__ import annotations

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from geomon.analyses.trade.screening import SCREEN_COLUMNS, screen

pytestmark = pytest.mark.xdist_group("nld_report")  # with -n 2 one worker builds the session's NLD 2022 report (conftest) and runs every test reading it

SHEETS = ["summary", "products", "suppliers", "world_exporters", "history", "trends", "trend_suppliers", "durations",
          "changes", "leverage", "diversification", "chains", "risk", "scenario", "provenance"]


@pytest.fixture(scope="module")
def data(nld_report):
    return nld_report["en"]


@pytest.fixture(scope="module")
def workbook(nld_report_file):
    return openpyxl.load_workbook(nld_report_file("en", "xlsx"))


def table(ws) -> tuple[list[str], list[dict]]:
    rows = list(ws.iter_rows(values_only=True))
    header = list(rows[0])
    return header, [dict(zip(header, r)) for r in rows[1:]]


def part_sheets(data) -> list[str]:
    """The sheets of the other parts' report sections: PART_TABLE, in report order."""
    return [f"{name}_{t}"[:31] for name, section in data.parts.items() for t in section.tables]


def test_sheets(workbook, data):
    assert data.parts, "the report has the other parts' sections (coercion, knowledge, infrastructure)"
    assert workbook.sheetnames == SHEETS[:-1] + part_sheets(data) + ["provenance"]


def test_part_sheets_hold_the_part_tables(workbook, data):
    for name, section in data.parts.items():
        for t, df in section.tables.items():
            header, rows = table(workbook[f"{name}_{t}"[:31]])
            assert header == [str(c) for c in df.columns] and len(rows) == len(df), (name, t)


@pytest.mark.parametrize("name", [s for s in SHEETS if s != "summary"])
def test_data_sheets_have_frozen_headers_and_filters(workbook, data, name):
    ws = workbook[name]
    header, rows = table(ws)
    assert ws.freeze_panes == "A2"
    last = get_column_letter(len(header))
    assert ws.auto_filter.ref == f"A1:{last}{max(len(rows), 1) + 1}"
    # widths fit the header at least (a <col> element may cover a range of equal-width columns)
    widths = {i: d.width for d in ws.column_dimensions.values() for i in range(d.min, d.max + 1)}
    for i, col in enumerate(header, start=1):
        assert widths[i] >= len(str(col)), col


def test_products_equal_screen(workbook, ctx):
    want = screen(ctx, "NLD", 2022).table.set_index("product")
    header, rows = table(workbook["products"])
    assert [c for c in header if c in SCREEN_COLUMNS] == SCREEN_COLUMNS
    assert {"tier", "computed_tier", "tier_reasons", "interest_areas", "top_supplier_name"} <= set(header)
    assert {r["product"] for r in rows} == set(want.index)
    for r in rows:
        w = want.loc[r["product"]]
        for col in ("import_value_usd", "top_supplier_share", "import_hhi", "world_export_hhi", "import_export_ratio"):
            assert r[col] == pytest.approx(float(w[col]), rel=1e-12), (r["product"], col)
        assert r["criteria_met_years"] == int(w["criteria_met_years"])
        assert r["dependent"] is bool(w["dependent"])
        assert r["top_supplier"] == w["top_supplier"]


def test_number_and_percentage_formats(workbook):
    ws = workbook["products"]
    header = [c.value for c in ws[1]]
    fmt = {col: ws.cell(row=2, column=i + 1).number_format for i, col in enumerate(header)}
    assert fmt["import_value_usd"] == "#,##0"
    assert fmt["top_supplier_share"] == "0.0%"
    assert fmt["import_hhi"] == "0.000" and fmt["world_export_hhi"] == "0.000"
    assert fmt["import_export_ratio"] == "#,##0.00"
    ws = workbook["suppliers"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("share") + 1).number_format == "0.0%"


def test_suppliers_sheet_sums_to_one_per_product(workbook, data):
    _, rows = table(workbook["suppliers"])
    totals: dict[str, float] = {}
    for r in rows:
        totals[r["product"]] = totals.get(r["product"], 0.0) + r["share"]
    assert set(totals) == set(data.meta["detail_products"])
    assert all(t == pytest.approx(1.0, abs=1e-9) for t in totals.values())


def test_summary_and_provenance(workbook, data):
    ws = workbook["summary"]
    assert ws["A1"].value == "Geo-economic monitor: Netherlands (NLD), 2022"
    facts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value for r in range(3, 20)}
    assert facts["products_screened"] == str(len(data["products"]))
    assert facts["dependent"] == str(int(data["products"]["dependent"].sum()))
    _, prov = table(workbook["provenance"])
    kv = {r["key"]: r["value"] for r in prov}
    assert kv["hs_revision"] == "HS92" and kv["config_hash"] == data.meta["config_hash"]
    assert kv["settings.screening.import_hhi"] == "0.4"


def test_dutch_summary_titles(nld_report_file):
    ws = openpyxl.load_workbook(nld_report_file("nl", "xlsx"))["summary"]
    assert ws["A1"].value == "Geo-economische monitor: Nederland (NLD), 2022"  # country names from CLDR
