"""Progress on long work (issue 15): the API tells a callback each step; the CLI draws a Rich bar
on a terminal only, and nothing on a pipe or with --quiet."""

from __future__ import annotations

import io

import pytest

from geomon.analyses.report_data import REPORT_STEPS
from rich.console import Console

from geomon import api
from geomon.cli.progress import progress_bar


def record():
    calls: list[tuple] = []
    return calls, lambda done, total, what: calls.append((done, total, what))


def check_steps(calls: list[tuple], total: int) -> None:
    """Steps 0, 1, ... total-1 in order, each with a text, then (total, total, None)."""
    assert [c[0] for c in calls] == list(range(total)) + [total]
    assert all(c[1] == total for c in calls)
    assert all(c[2] for c in calls[:-1]) and calls[-1][2] is None


def test_trends_and_screen_tell_their_steps():
    calls, cb = record()
    res = api.trends("NLD", 2021, 2022, progress=cb)
    assert len(res.table) > 0
    check_steps(calls, 3)
    assert calls[0][2] == "screening 2021-2022" and calls[1][2].startswith("tiers of ")
    calls, cb = record()
    api.screen("ALL", 2022, progress=cb)
    check_steps(calls, 2)


def test_report_tells_its_steps_and_writes_both_files_from_one_data(tmp_path, monkeypatch):
    import sys

    api_report = sys.modules["geomon.api.report"]  # the module (geomon.api.report is also the function)
    built = []
    real = api_report.build_report_data
    monkeypatch.setattr(api_report, "build_report_data", lambda *a, **k: built.append(1) or real(*a, **k))
    calls, cb = record()
    data = api.report(tmp_path / "r.xlsx", "NLD", 2022, workbook=tmp_path / "copy.xlsx", progress=cb)
    check_steps(calls, REPORT_STEPS)
    assert REPORT_STEPS == 5  # screening and tiers, suppliers, supply, diversification, other parts
    assert built == [1]  # one computation for both files
    assert (tmp_path / "r.xlsx").stat().st_size > 0 and (tmp_path / "copy.xlsx").stat().st_size > 0
    assert data.meta["reporter"] == "NLD"


def _bar_text(terminal: bool, quiet: bool) -> str:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=terminal, width=100)
    with progress_bar("trends", console, quiet) as progress:
        assert (progress is None) == (quiet or not terminal)
        if progress:
            progress(1, 3, "tiers")
            console.file.flush()
    return buf.getvalue()


@pytest.mark.parametrize("terminal,quiet", [(False, False), (True, True), (False, True)])
def test_no_bar_on_a_pipe_or_when_quiet(terminal, quiet):
    assert _bar_text(terminal, quiet) == ""


def test_a_bar_on_a_terminal():
    assert "trends" in _bar_text(True, False)


def test_cli_on_a_pipe_prints_no_bar(cli, tmp_path):
    r = cli("trends", "--reporter", "NLD", "--from", "2021", "--to", "2022", "--format", "csv")
    assert r.exit_code == 0
    assert "screening 2021-2022" not in r.output and "━" not in r.output
    out = tmp_path / "r.xlsx"
    r = cli("report", "--reporter", "NLD", "--year", "2022", "--output", out, "--workbook", tmp_path / "w.xlsx")
    assert r.exit_code == 0, r.output
    assert "report:" not in r.output and "━" not in r.output
    assert out.exists() and (tmp_path / "w.xlsx").exists()
    r = cli("screen", "--reporter", "ALL", "--year", "2022", "--format", "csv", "--quiet")
    assert r.exit_code == 0 and "screening ALL" not in r.output


@pytest.mark.parametrize("command", [["ingest", "baci"], ["ingest", "comext"], ["ingest", "comtrade"],
                                     ["download", "baci"], ["download", "comext"], ["report"], ["trends"], ["screen"]])
def test_every_long_command_takes_quiet(cli, command):
    r = cli(*command, "--help")
    assert r.exit_code == 0 and "--quiet" in r.output


@pytest.mark.parametrize("quiet", [False, True])
def test_ingest_comext_spinner_only_on_a_terminal_without_quiet(cli, tmp_path, monkeypatch, quiet):
    from test_comext import SAMPLE

    buf = io.StringIO()
    monkeypatch.setattr("geomon.cli.sources.err", Console(file=buf, force_terminal=True, width=100))
    r = cli("ingest", "comext", SAMPLE, "--store", tmp_path, *(["--quiet"] if quiet else []))
    assert r.exit_code == 0, r.output
    assert ("ingesting..." in buf.getvalue()) == (not quiet)
    assert "quantities in tonnes" in buf.getvalue()  # the summary line is printed either way
