"""Issue 16: ingest refuses bad rows (or drops them with lenient), takes turns, cleans up, follows the umask."""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from geomon.analyses.context import open_context
from geomon.analyses.trade.screening import screen
from geomon.errors import DataError, InputError
from geomon.ingest import ingest_baci
from geomon.store.lock import LOCK_NAME, leftovers, writer_lock

from test_ingest import small_release

HEADER = "t,i,j,k,v,q\n"
GOOD = "2022,4,203,251200,13.017,NA\n"


def one_file(tmp_path: Path, baci_dir: Path, body: str, year: int = 2022, hs: str = "92") -> Path:
    rel = tmp_path / "rel"
    rel.mkdir(exist_ok=True)
    (rel / f"BACI_HS{hs}_Y{year}_V202401b.csv").write_text(HEADER + body)
    shutil.copy(baci_dir / "country_codes_V202401b.csv", rel)
    shutil.copy(baci_dir / "product_codes_HS92_V202401b.csv", rel / f"product_codes_HS{hs}_V202401b.csv")
    return rel


@pytest.mark.parametrize("line,message", [
    ("2022,4,156,260800,NaN,1.0", r"Y2022_V202401b.csv line 3: value v = 'NaN' is not finite"),
    ("2022,4,156,260800,inf,1.0", r"line 3: value v = 'inf' is not finite"),
    ("2022,4,156,260800,-5.5,1.0", r"line 3: value v = '-5.5' is negative"),
    ("2022,4,156,260800,5.5,-1", r"line 3: quantity q = '-1' is negative"),
    ("2022,4,156,260800,5.5,nan", r"line 3: quantity q = 'nan' is not finite"),
    ("2022,4,203,251200,1.0,NA", r"line 3: duplicate flow exporter 4, importer 203, product 251200 \(first on line 2\)"),
])
def test_bad_values_are_one_line_naming_file_line_and_value(tmp_path, baci_dir, line, message):
    rel = one_file(tmp_path, baci_dir, GOOD + line + "\n")
    with pytest.raises(DataError, match=message) as exc:
        ingest_baci(rel, store=tmp_path / "s")
    assert "\n" not in str(exc.value)
    assert not (tmp_path / "s" / "baci").exists()


def test_header_only_file_is_an_error(tmp_path, baci_dir):
    rel = one_file(tmp_path, baci_dir, "")
    with pytest.raises(DataError, match=r"Y2022_V202401b.csv: the file has a header but no flows"):
        ingest_baci(rel, store=tmp_path / "s")


@pytest.mark.parametrize("year", [3000, 1980])
def test_implausible_file_year_is_an_error(tmp_path, baci_dir, year):
    rel = one_file(tmp_path, baci_dir, GOOD.replace("2022", str(year)), year=year)
    with pytest.raises(DataError, match=rf"year {year} in the file name is not plausible for HS92; BACI HS92 files hold years 1992-"):
        ingest_baci(rel, store=tmp_path / "s")


def test_duplicates_summed_when_the_setting_says_so(tmp_path, baci_dir):
    # 13.017 + 1.0 thousand USD = 14,017 USD; quantity unknown in one copy -> unknown
    rel = one_file(tmp_path, baci_dir, GOOD + "2022,4,203,251200,1.0,2.5\n2022,4,156,260800,2.0,1.5\n")
    (res,) = ingest_baci(rel, store=tmp_path / "s", duplicates="sum")
    import pyarrow.parquet as pq

    t = pq.read_table(res.dataset.root / "flows").to_pandas().set_index("product")
    assert len(t) == 2 and res.dataset.provenance["files"][0]["rows"] == 2
    assert t.loc["251200", "value"] == pytest.approx(14017.0) and t.loc["251200", "quantity"] != t.loc["251200", "quantity"]
    assert t.loc["260800", "value"] == pytest.approx(2000.0)
    with pytest.raises(InputError, match="ingest.duplicates = 'add' is not allowed; choose one of reject, sum"):
        ingest_baci(rel, store=tmp_path / "s2", duplicates="add")


def test_lenient_drops_and_counts_bad_rows_in_provenance(tmp_path, baci_dir):
    body = (GOOD + "2022,4,156,260800,NaN,1\n2022,4,156,260801,-1,1\n2022,4,203,251200,1.0,NA\n"
            "2022,4,156,2608x0,1,1\n2022,4,156,260802,2.0,1\n")
    rel = one_file(tmp_path, baci_dir, body)
    (res,) = ingest_baci(rel, store=tmp_path / "s", lenient=True)
    want = {"value not finite": 1, "value negative": 1, "duplicate (exporter, importer, product)": 1, "malformed line": 1}
    assert res.dropped == want
    f = res.dataset.provenance["files"][0]
    assert f["dropped"] == want and f["rows"] == 2  # lines 2 and 7 are the good ones
    assert res.dataset.provenance["validation"] == {"lenient": True, "duplicates": "reject"}


@pytest.fixture(scope="module")
def three_years(baci_dir, tmp_path_factory) -> Path:
    return small_release(baci_dir, tmp_path_factory.mktemp("rel3"), years=(2020, 2021, 2022))


def test_nan_and_inf_do_not_change_dependency_counts(three_years, tmp_path, ctx):
    """Issue 16: one NaN and one inf flow of 251200 and 270119 made 109 reporters 'dependent'.
    Strict ingest refuses them; lenient ingest drops them and every reporter keeps the dependency
    count of the clean data (which equals the embedded store's, built from the same CEPII files)."""
    bad = tmp_path / "bad"
    shutil.copytree(three_years, bad)
    f = bad / "BACI_HS92_Y2022_V202401b.csv"
    f.write_text(f.read_text() + "2022,4,156,251200,NaN,1\n2022,4,156,270119,inf,NA\n")
    with pytest.raises(DataError, match="is not finite"):
        ingest_baci(bad, store=tmp_path / "strict")
    (res,) = ingest_baci(bad, store=tmp_path / "lenient", lenient=True)
    assert res.dropped == {"value not finite": 2}
    got = screen(open_context(store=tmp_path / "lenient"), "ALL", 2022).table
    want = screen(ctx, "ALL", 2022).table
    assert int(got.dependent.sum()) == int(want.dependent.sum()) > 0
    assert (got.groupby("product").dependent.sum() == want.groupby("product").dependent.sum()).all()


def test_folders_and_files_follow_the_umask(three_years, tmp_path):
    old = os.umask(0o027)
    try:
        (res,) = ingest_baci(three_years, store=tmp_path / "s")
    finally:
        os.umask(old)
    root = res.dataset.root
    for p in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode == (0o750 if p.is_dir() else 0o640), (p, oct(mode))


def test_second_writer_fails_fast_or_waits(three_years, tmp_path):
    store = tmp_path / "s"
    store.mkdir()
    with writer_lock(store):
        assert "pid" in (store / LOCK_NAME).read_text()
        with pytest.raises(DataError, match=r"another ingest \(pid \d+, started .*\) is writing to the store .*leave out --no-wait"):
            ingest_baci(three_years, store=store, wait=False)
        # a writer in another process waits and says so; it finishes once the lock is released
        proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
            from geomon.ingest import ingest_baci
            ingest_baci({str(three_years)!r}, store={str(store)!r}, on_wait=lambda m: print(m, flush=True))
            print("done", flush=True)""")], stdout=subprocess.PIPE, text=True)
        first = proc.stdout.readline()
        assert first.startswith("waiting for another ingest (pid ") and str(store) in first
    assert proc.stdout.readline().strip() == "done" and proc.wait() == 0
    assert not (store / "baci").exists() or [d.years for d in open_context(store=store).store.datasets()] == [[2020, 2021, 2022]]


INGEST_SCRIPT = """
import os, signal, sys, time
# Ctrl-C as at a terminal: a child inherits its parent's ignored or blocked signals, and a test
# worker is not a terminal (twice in full-suite CI runs the child's Ctrl-C waited out its sleep)
signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
signal.signal(signal.SIGINT, signal.default_int_handler)
from geomon.sources import baci
orig = baci.convert_year
def slow(*a, **k):
    out = orig(*a, **k)
    print("converted", flush=True)
    # short sleeps, as an ingest's main thread comes back to Python between its steps: a Ctrl-C
    # that the kernel hands to another thread (DuckDB's, Arrow's) runs its Python handler at the
    # main thread's next return to the interpreter, which one long sleep would put off for 60 s
    for _ in range(600):
        time.sleep(0.1)
    return out
baci.convert_year = slow
from geomon.cli import main
sys.argv = ["geomon", "ingest", "baci", sys.argv[1], "--store", sys.argv[2]]
main()
"""


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT])
def test_interrupted_ingest_leaves_nothing_after_the_next(three_years, tmp_path, sig):
    """kill -9 leaves a staging folder that the next ingest removes; Ctrl-C removes its own,
    prints one line and exits 130. Either way the store keeps its previous data."""
    store = tmp_path / "s"
    one = small_release(three_years, tmp_path / "one", years=(2022,))
    ingest_baci(one, store=store)
    before = json.loads((store / "baci" / "HS92_V202401b" / "provenance.json").read_text())
    proc = subprocess.Popen([sys.executable, "-c", INGEST_SCRIPT, str(three_years), str(store)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "converted"  # now inside the ingest, staging folder written
    assert leftovers(store)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    if sig == signal.SIGINT:
        assert proc.returncode == 130
        assert err.strip().splitlines()[-1] == "interrupted; nothing was written" and "Traceback" not in err
        assert not leftovers(store)
    else:
        assert proc.returncode == -signal.SIGKILL and leftovers(store)
    after = json.loads((store / "baci" / "HS92_V202401b" / "provenance.json").read_text())
    assert after["files"] == before["files"]
    (res,) = ingest_baci(three_years, store=store)
    assert not leftovers(store) and res.dataset.years == [2020, 2021, 2022]
    assert (sig == signal.SIGKILL) == bool(res.cleaned)


@pytest.mark.parametrize("raised", [RuntimeError("Query interrupted"), "InterruptException"])
def test_ctrl_c_inside_a_duckdb_statement_is_an_interruption(three_years, tmp_path, monkeypatch, cli, raised):
    """DuckDB 2.0 reports Ctrl-C inside a statement as RuntimeError('Query interrupted') (or
    duckdb.InterruptException after connection.interrupt()): the ingest raises KeyboardInterrupt,
    the CLI says one line and exits 130, and the store keeps its previous data."""
    import duckdb

    from geomon.ingest import stats

    store = tmp_path / "s"
    ingest_baci(small_release(three_years, tmp_path / "one", years=(2022,)), store=store)
    before = (store / "baci" / "HS92_V202401b" / "provenance.json").read_text()
    error = raised if isinstance(raised, Exception) else duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    def interrupted(*a, **k):
        raise error

    monkeypatch.setattr(stats, "write_year", interrupted)
    with pytest.raises(KeyboardInterrupt):
        ingest_baci(three_years, store=store)
    res = cli("ingest", "baci", str(three_years), "--store", str(store))
    assert res.exit_code == 130 and "interrupted; nothing was written" in res.output and "Traceback" not in res.output
    assert not leftovers(store)
    assert (store / "baci" / "HS92_V202401b" / "provenance.json").read_text() == before


def test_other_errors_are_not_taken_for_ctrl_c():
    from geomon.errors import is_interrupt

    assert is_interrupt(KeyboardInterrupt()) and is_interrupt(RuntimeError("Query interrupted"))
    assert not is_interrupt(RuntimeError("Query interrupted by the planner")) and not is_interrupt(ValueError("x"))
