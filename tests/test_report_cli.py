"""``geomon report`` from the command line: the files it writes match ``geomon screen``,
and bad input gives one line on stderr, a non-zero exit, and never a (partial) file."""

from __future__ import annotations

import io
import stat

import openpyxl
import pandas as pd
import pytest
from bs4 import BeautifulSoup


def assert_one_line_error(res, *needles):
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in res.output
    for n in needles:
        assert n in lines[0], lines[0]


def test_html_and_xlsx_match_screen(cli, tmp_path):
    html, xlsx = tmp_path / "report.html", tmp_path / "monitor.xlsx"
    res = cli("report", "--reporter", "NLD", "--year", 2022, "--output", html)
    assert res.exit_code == 0, res.output
    assert "wrote" in res.stderr and str(html) in res.stderr
    res = cli("report", "--reporter", "NLD", "--year", 2022, "--output", xlsx)  # format from the suffix
    assert res.exit_code == 0, res.output
    scr = cli("screen", "--reporter", "NLD", "--year", 2022, "--format", "csv")
    want = pd.read_csv(io.StringIO(scr.stdout), dtype={"product": str}).set_index("product")

    soup = BeautifulSoup(html.read_text(encoding="utf-8"), "lxml")
    rows = soup.select("#product-table tbody tr")
    assert {r["data-product"] for r in rows} == set(want.index)
    for r in rows:
        v = r.select_one("td[data-col=import_value_usd]")["data-v"]
        assert float(v) == pytest.approx(want.loc[r["data-product"], "import_value_usd"], rel=1e-12)

    ws = openpyxl.load_workbook(xlsx)["products"]
    header = [c.value for c in ws[1]]
    got = {row[header.index("product")]: row for row in ws.iter_rows(min_row=2, values_only=True)}
    assert set(got) == set(want.index)
    for code, row in got.items():
        assert row[header.index("import_hhi")] == pytest.approx(want.loc[code, "import_hhi"], rel=1e-12)
        assert row[header.index("dependent")] == bool(want.loc[code, "dependent"])
    # readable by others, like any file the user writes (not mkstemp's 0600)
    assert html.stat().st_mode & stat.S_IRGRP


def test_lang_and_default_output_name(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = cli("report", "--reporter", "NLD", "--year", 2022, "--lang", "nl", "--top-products", 0, "--stop", "")
    assert res.exit_code == 0, res.output
    page = tmp_path / "report-NLD-2022.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "lxml")
    assert soup.html["lang"] == "nl"
    # --top-products 0: sections only for products with a tier; --stop '': no supply-stop table
    tiers = {r["data-product"] for r in soup.select("#product-table tbody tr") if r["data-tier"] != "none"}
    assert {s["data-product"] for s in soup.select("section.product")} == tiers
    assert soup.find(id="scenario-table") is None


def _leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("args,needles", [
    (["--reporter", "XXX"], ["unknown reporter 'XXX'"]),
    (["--reporter", "ALL"], ["one reporter"]),
    (["--reporter", "NLD", "--year", 1990], ["1990"]),
    (["--reporter", "NLD", "--since", "no-such-edition"], ["unknown edition 'no-such-edition'"]),
    (["--reporter", "NLD", "--import-hhi", 2], ["import_hhi", "[0, 1]"]),
    (["--reporter", "NLD", "--stop", "CHN,XXX"], ["unknown stopping supplier", "'XXX'"]),
])
def test_bad_input_leaves_no_file(cli, tmp_path, args, needles):
    out = tmp_path / "out" / "report.html"
    out.parent.mkdir()
    res = cli("report", *args, "--editions", tmp_path / "editions", "--output", out)
    assert_one_line_error(res, *needles)
    assert _leftovers(out.parent) == []


def test_unwritable_output(cli, tmp_path):
    res = cli("report", "--reporter", "NLD", "--output", tmp_path / "missing" / "report.html")
    assert_one_line_error(res, "does not exist")
    res = cli("report", "--reporter", "NLD", "--output", tmp_path)
    assert_one_line_error(res, "is a folder")
    assert _leftovers(tmp_path) == []


@pytest.mark.xdist_group("nld_report")
@pytest.mark.parametrize("fmt", ["html", "xlsx"])
def test_failed_write_leaves_no_partial_file(nld_report, tmp_path, monkeypatch, fmt):
    """A failure half-way (html: while rendering; xlsx: after some sheets are written into
    the temporary file) keeps the previous file and leaves no temporary file behind."""
    from geomon.outputs.report import html as report_html
    from geomon.outputs.report import write_report
    from geomon.outputs.report import xlsx as report_xlsx

    data = nld_report["en"]
    target = tmp_path / f"report.{fmt}"
    target.write_text("the previous report", encoding="utf-8")
    calls = []

    def boom(*a, **k):
        calls.append(1)
        if len(calls) > 2 or fmt == "html":
            raise RuntimeError("disk full")
        return real(*a, **k)

    real = report_xlsx.write_sheet if fmt == "xlsx" else None
    monkeypatch.setattr(report_html if fmt == "html" else report_xlsx,
                        "render_html" if fmt == "html" else "write_sheet", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        write_report(data, target, fmt)
    assert target.read_text(encoding="utf-8") == "the previous report"
    assert _leftovers(tmp_path) == [target.name]


def test_python_api(tmp_path):
    """geomon.report(...) writes the same report; settings pass through like in the CLI."""
    import geomon

    data = geomon.report(tmp_path / "m.xlsx", "NLD", 2022, import_hhi=0.5, report__top_products=3)
    assert data.meta["settings"]["screening.import_hhi"] == 0.5
    assert data.meta["top_products"] == 3
    assert openpyxl.load_workbook(tmp_path / "m.xlsx").sheetnames[:2] == ["summary", "products"]
