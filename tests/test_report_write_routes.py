"""The report's fast writing routes (issue 15) give what the per-item routes gave.

- Workbook: :class:`geomon.outputs.excel_rows.ColumnSheet` (whole columns to sheet XML) writes
  the same file, byte for byte, as XlsxWriter's per-cell ``write`` calls (the route taken when
  a column has a value that is not plain): compared on the report and on a table of awkward
  values (missing of every kind, inf, empty strings, links, formulas, sparse columns over many
  16-row span blocks).
- Page: :func:`geomon.outputs.report.html._records` equals the former
  ``astype(object).where(notna, None).to_dict("records")`` (values and Python types), and the
  chart data reshaped once for all products equals reshaping each product apart.
"""

from __future__ import annotations

import math
import zipfile

import numpy as np
import pandas as pd
import pytest

from geomon.outputs import excel, forked
from geomon.outputs.excel_rows import column_cells
from geomon.outputs.report import charts
from geomon.outputs.report.html import _chart_rows_by_product, _records
from geomon.outputs.report.labels import labels
from geomon.outputs.report import write_report

pytestmark = pytest.mark.xdist_group("nld_report")


def _parts(path) -> dict[str, bytes]:
    """The workbook's parts but docProps/core.xml (it holds the time of writing)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


def _both_routes(write, tmp_path, monkeypatch) -> tuple[dict[str, bytes], dict[str, bytes]]:
    write(tmp_path / "fast.xlsx")
    monkeypatch.setattr(excel, "column_cells", lambda series: None)  # every sheet cell by cell
    write(tmp_path / "cells.xlsx")
    return _parts(tmp_path / "fast.xlsx"), _parts(tmp_path / "cells.xlsx")


def test_report_workbook_same_bytes_both_routes(nld_report, tmp_path, monkeypatch):
    fast, cells = _both_routes(lambda p: write_report(nld_report["en"], p, "xlsx"), tmp_path, monkeypatch)
    assert sorted(fast) == sorted(cells)
    assert [n for n in fast if fast[n] != cells[n]] == []
    # the route is really taken: the big sheets are all plain
    products = nld_report["en"]["products"]
    assert all(column_cells(products[c]) is not None for c in ("product", "import_value_usd", "dependent", "tier"))


def _awkward(n: int = 70) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    x = rng.normal(size=n) * 1e6
    x[::5] = np.nan
    sparse = pd.array([i if i % 23 == 0 else None for i in range(n)], dtype="Int64")  # blocks without this column
    text = pd.array([("" if i % 4 == 0 else None if i % 7 == 0 else f"name {i} <&> é") for i in range(n)], dtype="string")
    flags = pd.array([(i % 3 == 0) if i % 5 else None for i in range(n)], dtype="boolean")
    return pd.DataFrame({"value_usd": x, "share": rng.random(n), "year": np.arange(n) + 1990, "sparse": sparse,
                         "text": text, "flag": rng.random(n) > 0.5, "maybe": flags,
                         "tail": [None] * (n - 3) + ["a", "b", "c"]})


@pytest.mark.parametrize("extra", [None, "url", "formula", "inf", "object_numbers"])
def test_awkward_table_same_bytes_both_routes(tmp_path, monkeypatch, extra):
    df = _awkward()
    if extra == "url":
        df["source"] = ["https://example.org/a"] + ["plain"] * (len(df) - 1)
    elif extra == "formula":
        df["note"] = ["=1+1"] + ["x"] * (len(df) - 1)
    elif extra == "inf":
        df.loc[3, "share"] = math.inf
    elif extra == "object_numbers":
        df["mixed"] = pd.Series([1, "two", 3.5, None] * (len(df) // 4) + [None] * (len(df) % 4), dtype=object)
    fast, cells = _both_routes(lambda p: excel.write_workbook({"t": df, "u": df.head(0)}, {"k": 1}, p), tmp_path, monkeypatch)
    assert [n for n in fast if fast[n] != cells[n]] == []


def test_column_cells_route_only_plain_values():
    assert column_cells(pd.Series([1.5, np.nan, 2.0])) == ("n", [1.5, None, 2.0])
    assert column_cells(pd.Series(["a", "", None], dtype="string")) == ("s", ["a", None, None])
    assert column_cells(pd.Series([True, False])) == ("b", [True, False])
    assert column_cells(pd.Series([1.0, math.inf])) is None  # XlsxWriter writes inf as an error formula
    assert column_cells(pd.Series(["see http://x.org", "https://x.org"], dtype="string")) is None  # a link
    assert column_cells(pd.Series(["=SUM(A1:A2)"], dtype="string")) is None
    assert column_cells(pd.Series([1, "a"], dtype=object)) is None
    # string columns: without '=' or ':' taken at once, else each string checked
    assert column_cells(pd.Series(["a: b", "c=d", None], dtype="string")) == ("s", ["a: b", "c=d", None])
    assert column_cells(pd.Series(["x", "{=A1:A2}"], dtype="string")) is None  # an array formula
    assert column_cells(pd.Series(["x", "y" * 16_384], dtype="string")) is None  # longer than XlsxWriter keeps plain
    assert column_cells(pd.Series(["x", "y" * 16_383], dtype="string")) == ("s", ["x", "y" * 16_383])
    assert column_cells(pd.Series([None, None], dtype="string")) == ("s", [None, None])
    assert column_cells(pd.Series(["a", None], dtype="str")) == ("s", ["a", None])


def _old_records(df):
    """The page's former table-to-rows route."""
    if df is None or df.empty:
        return []
    return df.astype(object).where(df.notna(), None).to_dict("records")


def test_records_equal_former_route(nld_report):
    data = nld_report["en"]
    for name, df in data.tables.items():
        want, got = _old_records(df), _records(df)
        assert len(got) == len(want), name
        for w, g in zip(want, got):
            assert list(g) == list(w), name
            for k in w:
                assert type(g[k]) is type(w[k]) and (g[k] == w[k] or (g[k] != g[k] and w[k] != w[k])), (name, k, g[k], w[k])


def test_chart_data_per_product_equal_reshaping_each_product(nld_report):
    data = nld_report["en"]
    L = labels("en")
    codes = data.meta["detail_products"]
    sup = _chart_rows_by_product(data["suppliers"], codes, lambda d: charts.suppliers_data(d, L))
    hist = _chart_rows_by_product(data["history"], codes, lambda d: charts.indicators_data(d, L))
    assert codes and sup and hist
    for code, g in data["suppliers"].groupby("product", sort=False):
        if code in codes:
            assert sup[code] == charts.rows(charts.suppliers_data(g, L)), code
    for code, g in data["history"].groupby("product", sort=False):
        if code in codes:
            assert hist[code] == {k: charts.rows(v) for k, v in charts.indicators_data(g, L).items()}, code
    assert set(sup) == set(codes) & set(data["suppliers"]["product"])


def _resolved(spec: dict) -> dict:
    """``spec`` with every named data reference replaced by its rows (``datasets`` dropped): the
    chart Vega-Lite draws, whatever the data are named."""
    import copy

    datasets = spec.get("datasets", {})

    def walk(node):
        if isinstance(node, dict):
            if set(node) == {"name"} and node["name"] in datasets:
                return {"values": datasets[node["name"]]}
            return {k: walk(v) for k, v in node.items() if not (node is out and k == "datasets")}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    out = copy.deepcopy(spec)
    return walk(out)


def test_coercion_charts_copied_equal_altair_built(nld_report):
    """Each case's chart copied from the first (same_chart) equals the one Altair builds for it
    once the data names are resolved, down to the key order of the JSON on the page."""
    import json

    from geomon.outputs.report.html import part_labels
    from geomon.outputs.report.parts.coercion import charts as coercion_charts
    from geomon.outputs.report.parts.coercion import event_chart

    section = nld_report["en"].parts["coercion"]
    L = {**labels("en"), **part_labels("en")}
    got = coercion_charts(section, L)
    cases = {k: v for k, v in section.meta["events"].items() if isinstance(v, dict)}
    assert len(got) >= 2, "the embedded report has several coercion cases with a series"
    for key, spec in got.items():
        case_id = key.removeprefix("chart-coercion-")
        want = charts.attach(event_chart(case_id, cases[case_id]["start_year"], L), events=pd.DataFrame())
        want["datasets"]["events"] = spec["datasets"]["events"]
        assert json.dumps(_resolved(spec)) == json.dumps(_resolved(want)), case_id
        assert spec["layer"][1]["data"]["name"] in spec["datasets"]  # the copy's rule names its own rows


def test_map_page_uses_the_countries_given_and_opens_no_context(ctx, tmp_path, monkeypatch):
    """The infrastructure map page takes the country table of its data (the report's --store),
    never the default store's: with the context opener broken it still writes; without the
    Netherlands in the table it draws no outline."""
    import json
    import re

    import geomon.analyses.context as context_module
    from geomon import api
    from geomon.outputs.report.map_page import write_map_page

    res = api.infrastructure("NLD", trade=False)
    countries = ctx.countries.to_pandas()

    def _no_context(*a, **k):
        raise AssertionError("the map page opened a context")

    monkeypatch.setattr(context_module, "open_context", _no_context)

    def outline(table) -> list:
        path = tmp_path / "map.html"
        write_map_page(res, path, table)
        text = re.search(r'<script type="application/json" id="spec">(.*?)</script>', path.read_text(), re.DOTALL)[1]
        return json.loads(text)["datasets"]["outline"]

    assert len(outline(countries)) >= 1
    assert outline(countries[countries["iso3"] != "NLD"]) == []


def test_cell_escape_equals_markupsafe():
    from markupsafe import escape

    from geomon.outputs.report.html import _esc

    for v in ["a & b <c> 'd' \"e\"", "&amp;", "", "Côte d'Ivoire", 1.5, 3, None, True, "<script>&lt;</script>"]:
        assert _esc(v) == str(escape(v)), v


ROUTES = ["fork", "thread"] if forked.AVAILABLE else ["thread"]


@pytest.mark.parametrize("route", ROUTES)
def test_page_and_workbook_written_together_equal_each_alone(nld_report, tmp_path, monkeypatch, route):
    """write_reports (the page here, the workbook at the same time in a forked child or a thread)
    writes the same page, byte for byte, and the same workbook parts as write_report of each alone."""
    from geomon.outputs import report as report_module
    from geomon.outputs.report import write_report, write_reports

    monkeypatch.setattr(report_module, "PARALLEL", route)
    data = nld_report["nl"]  # localized names: the translation runs once for both files
    write_report(data, tmp_path / "alone.html", "html")
    write_report(data, tmp_path / "alone.xlsx", "xlsx")
    write_reports(data, [(tmp_path / "both.html", "html"), (tmp_path / "both.xlsx", "xlsx")])
    assert (tmp_path / "both.html").read_bytes() == (tmp_path / "alone.html").read_bytes()
    assert _parts(tmp_path / "both.xlsx") == _parts(tmp_path / "alone.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.html", "alone.xlsx", "both.html", "both.xlsx"]


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("failing", ["html", "xlsx"])
def test_written_together_all_or_none(nld_report, tmp_path, monkeypatch, failing, route):
    """When either writer fails (here or in the child process or thread), neither file is left or
    changed (no temporary file either), and the error is the writer's own."""
    from geomon.errors import OutputError
    from geomon.outputs import report as report_module

    monkeypatch.setattr(report_module, "PARALLEL", route)

    def broken(data, path):
        path.write_text("half")
        raise OutputError(f"{failing} broke")

    real = report_module._writer
    monkeypatch.setattr(report_module, "_writer", lambda fmt: broken if fmt == failing else real(fmt))
    page, book = tmp_path / "r.html", tmp_path / "r.xlsx"
    page.write_text("before")
    with pytest.raises(OutputError, match=f"{failing} broke"):
        report_module.write_reports(nld_report["en"], [(page, "html"), (book, "xlsx")])
    assert page.read_text() == "before" and not book.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_written_together_unknown_format_writes_nothing(nld_report, tmp_path):
    from geomon.errors import OutputError
    from geomon.outputs.report import write_reports

    with pytest.raises(OutputError, match="unknown report format 'pdf'; choose one of html, xlsx"):
        write_reports(nld_report["en"], [(tmp_path / "r.html", "html"), (tmp_path / "r.pdf", "pdf")])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not forked.AVAILABLE, reason="fork is used on Linux only")
def test_forked_child_errors_reach_the_parent(tmp_path):
    """The child's exception is raised in the parent (pickled); one that does not pickle as an
    OutputError naming it; a child that dies without one as an OutputError with its exit code."""
    import os

    from geomon.errors import InputError, OutputError

    def fails(kind):
        if kind == "input":
            raise InputError("bad value 7; use 1-5")
        if kind == "unpicklable":
            raise ValueError(lambda: None)
        os._exit(3)

    with pytest.raises(InputError, match="bad value 7; use 1-5"):
        forked.start(fails, "input")()
    with pytest.raises(OutputError, match="ValueError: <function"):
        forked.start(fails, "unpicklable")()
    with pytest.raises(OutputError, match=r"the writer process stopped \(3\)"):
        forked.start(fails, "exit")()
    wait = forked.start((tmp_path / "done").write_text, "yes")
    wait()
    assert (tmp_path / "done").read_text() == "yes"


def test_workbook_zip_level_changes_only_the_compression(nld_report, tmp_path, monkeypatch):
    """The workbook deflated at excel.ZIP_LEVEL (1) holds the same parts, byte for byte, as at
    zlib's default 6 (XlsxWriter's own), so every cell is the same; only the zip is larger, and
    XlsxWriter's ZipFile is its own again afterwards."""
    import xlsxwriter.workbook

    import openpyxl

    zip_file = xlsxwriter.workbook.ZipFile
    write_report(nld_report["en"], tmp_path / "fast.xlsx", "xlsx")
    monkeypatch.setattr(excel, "ZIP_LEVEL", 6)
    write_report(nld_report["en"], tmp_path / "default.xlsx", "xlsx")
    assert excel.ZIP_LEVEL == 6 and xlsxwriter.workbook.ZipFile is zip_file
    assert _parts(tmp_path / "fast.xlsx") == _parts(tmp_path / "default.xlsx")
    with zipfile.ZipFile(tmp_path / "fast.xlsx") as fast, zipfile.ZipFile(tmp_path / "default.xlsx") as default:
        sizes = {n: (fast.getinfo(n).compress_size, default.getinfo(n).compress_size) for n in fast.namelist()}
    assert sizes["xl/worksheets/sheet2.xml"][0] > sizes["xl/worksheets/sheet2.xml"][1]  # products: deflated faster, less
    assert openpyxl.load_workbook(tmp_path / "fast.xlsx", read_only=True).sheetnames[:2] == ["summary", "products"]


def test_written_together_in_a_thread_when_fork_fails(nld_report, tmp_path, monkeypatch):
    """No process to be had (fork raises OSError): the workbook is written in a thread, same files."""
    from geomon.outputs import report as report_module

    def no_fork():
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(report_module, "PARALLEL", "fork")
    monkeypatch.setattr(forked.os, "fork", no_fork)
    report_module.write_reports(nld_report["en"], [(tmp_path / "r.html", "html"), (tmp_path / "r.xlsx", "xlsx")])
    report_module.write_report(nld_report["en"], tmp_path / "alone.xlsx", "xlsx")
    assert _parts(tmp_path / "r.xlsx") == _parts(tmp_path / "alone.xlsx")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["alone.xlsx", "r.html", "r.xlsx"]


def test_garbage_collector_paused_while_writing_and_restored(nld_report, tmp_path, monkeypatch):
    """The page is rendered with the cyclic collector off; afterwards it is as it was (on, or off
    when the caller had turned it off)."""
    import gc

    from geomon.outputs import report as report_module

    seen = []
    real = report_module._writer
    monkeypatch.setattr(report_module, "_writer", lambda fmt: lambda d, p: (seen.append(gc.isenabled()), real(fmt)(d, p)))
    assert gc.isenabled()
    report_module.write_report(nld_report["en"], tmp_path / "r.html", "html")
    assert seen == [False] and gc.isenabled()
    gc.disable()
    try:
        report_module.write_report(nld_report["en"], tmp_path / "r.html", "html")
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()
