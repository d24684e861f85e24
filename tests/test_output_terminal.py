"""Issue 16: terminal tables never drop columns silently, show the reporter and the asked year, print fast."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings, strategies as st
from rich.console import Console

from geomon import api
from geomon.ingest import ingest_baci
from geomon.outputs.store_view import notices
from geomon.outputs.terminal import FAST_ROWS, fit_columns, render

from test_ingest import small_release


def printed(df, spec, width, **kw) -> str:
    buf = io.StringIO()
    render(df, spec, "title", "caption.", console=Console(file=buf, width=width, color_system=None), **kw)
    return buf.getvalue()


def test_suppliers_keep_the_asked_year_and_name_what_is_left_out(cli):
    """Issue 16: at 80 columns the 2024 history column was cut while the footer said 'last 6 shown'."""
    res = cli("suppliers", "-p", "283691", "-y", "2024")
    assert res.exit_code == 0, res.stderr
    out = res.stdout
    header = next(line for line in out.splitlines() if "supplier" in line and "share" in line)
    assert header.rstrip().endswith("2024")
    text = " ".join(out.split())
    assert "Left out for width: name, 2015, 2016" in text and "see every column with --format csv" in text


@given(widths=st.lists(st.integers(1, 30), min_size=2, max_size=12), width=st.integers(20, 200))
@settings(max_examples=200, deadline=None)
def test_every_column_is_shown_or_named(widths, width):
    spec = [(f"c{i}", f"h{i}", "num") for i in range(len(widths))]
    shown, dropped, _ = fit_columns(spec, widths, width, keep=["c1"])
    assert sorted([spec[i][1] for i in shown] + dropped) == sorted(h for _, h, _ in spec)
    assert 0 in shown and 1 in shown  # the first column and the kept one stay


@pytest.fixture(scope="module")
def screen_all():
    return api.screen("ALL", 2022)


def test_all_reporters_table_has_the_reporter_column_and_is_plain_text(screen_all):
    df = screen_all.table
    assert len(df) > FAST_ROWS and df.reporter.nunique() > 1
    out = printed(df, [("product", "product", "text"), ("dependent", "dep", "flag")], 120, highlight="dependent")
    lines = out.splitlines()
    assert lines[1].split() == ["reporter", "product", "dep"]
    assert len(lines) == 3 + len(df) + 1  # title, header, rule, rows, caption
    first = df.iloc[0]
    assert lines[3].split()[:2] == [first.reporter, first["product"]]
    assert sum(line.endswith("*") for line in lines[3:-1]) == int(df.dependent.sum())


def test_screen_warns_when_window_years_are_missing():
    """The embedded data start in 1995: screening 1995 with n = 3 looks at 1993-1995."""
    res = api.screen("NLD", 1995)
    lines = notices(res.meta)
    assert lines[0] == "data: BACI HS92 V202401b 1995-2024 from the embedded data"
    assert lines[1].startswith("warning: window years 1993, 1994 of 1993-1995 are not in the data (1995-2024)")
    assert notices(api.screen("NLD", 2022).meta)[1:] == []


def test_a_per_user_store_is_named_on_every_run(baci_dir, tmp_path):
    from geomon.store import default_store_dir

    ingest_baci(small_release(baci_dir, tmp_path / "rel", years=(2021, 2022)), store=default_store_dir())
    line = notices(api.screen("NLD", 2022).meta)[0]
    assert line == (f"data: BACI HS92 V202401b 2021-2022 from the per-user store {default_store_dir()} "
                    "(chosen over the embedded data because it holds data; give --store to choose)")


@pytest.mark.parametrize("args,message", [
    (["--window", "1000"], "screening.window = 1000 is outside 1-50; give a number of years in that range"),
    (["--min-years", "0"], "screening.min_years = 0 is outside 1-50"),
    (["--window", "3", "--min-years", "4"], "min_years k = 4 is larger than the window n = 3"),
])
def test_window_bounds_are_one_line_errors(cli, args, message):
    res = cli("screen", *args)
    lines = res.stderr.strip().splitlines()
    assert res.exit_code == 2 and len(lines) == 1 and message in lines[0]


def test_num_cells_keep_three_digits_without_exponents():
    # CGIT deal values are millions of USD: 1,240 M USD must print as 1,240, not 1.24e+03
    from geomon.outputs.terminal import fmt_value

    assert fmt_value(1240.0, "num") == "1,240"
    assert fmt_value(107680.0, "num") == "107,680"
    assert fmt_value(61.2345, "num") == "61.2"
    assert fmt_value(0.04567, "num") == "0.0457"
