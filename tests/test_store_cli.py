"""Issue 16 through the CLI: one line for a damaged store, 'geomon data --check', ingest --lenient / --no-wait."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from geomon.ingest import ingest_baci
from geomon.store.lock import writer_lock

from test_ingest import small_release

DS = Path("baci") / "HS92_V202401b"


@pytest.fixture(scope="module")
def pristine(baci_dir, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("pristine")
    ingest_baci(small_release(baci_dir, tmp_path_factory.mktemp("rel"), years=(2021, 2022)), store=store)
    return store


@pytest.fixture
def store(pristine, tmp_path) -> Path:
    shutil.copytree(pristine, tmp_path / "s")
    return tmp_path / "s"


def one_line(res) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 2 and len(lines) == 1 and "Traceback" not in res.output, res.stderr
    return lines[0]


@pytest.mark.parametrize("args", [["suppliers", "-p", "283691"], ["screen"], ["tiers"], ["report", "-o", "r.html"]])
def test_truncated_flows_file_is_one_line_for_every_command(store, cli, args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    f = store / DS / "flows" / "year=2022" / "part-0.parquet"
    f.write_bytes(f.read_bytes()[:1000])
    line = one_line(cli(*args, "--store", store))
    assert line.startswith("error: the store is damaged: ") and str(f) in line and "geomon data --check" in line
    assert not (tmp_path / "r.html").exists()


def test_data_check_lists_damage_and_passes_a_sound_store(store, cli):
    res = cli("data", "--check")
    assert res.exit_code == 0 and "1 dataset(s) in the embedded data: every file matches its provenance" in res.stdout
    (store / DS / "countries.parquet").unlink()
    res = cli("data", "--check", "--store", store)
    assert res.exit_code == 2 and f"{store / DS / 'countries.parquet'}: missing" in res.stdout
    assert one_line(res) == f"error: 1 problem(s) in the store {store}; ingest the source again to rebuild the damaged dataset(s)"
    res = cli("data", "--store", store)
    assert res.exit_code == 0 and "damaged: countries.parquet missing" in res.stdout


def test_data_shows_leftover_staging_folders(store, cli):
    (store / ".staging-x1").mkdir()
    res = cli("data", "--store", store)
    assert res.exit_code == 0
    text = " ".join(res.stdout.split())
    assert f"1 leftover folder(s) of interrupted ingests (0.0 MB): {store / '.staging-x1'}" in text
    assert "the next ingest into this store removes them" in text


def test_ingest_lenient_prints_a_summary_and_no_wait_fails_fast(cli, baci_dir, tmp_path):
    rel = small_release(baci_dir, tmp_path / "rel", years=(2022,))
    f = rel / "BACI_HS92_Y2022_V202401b.csv"
    f.write_text(f.read_text() + "2022,4,156,251200,-1,1\n")
    res = cli("ingest", "baci", rel, "--store", tmp_path / "s")
    assert "value v = '-1' is negative" in one_line(res) and "line 53454" in res.stderr
    res = cli("ingest", "baci", rel, "--store", tmp_path / "s", "--lenient")
    assert res.exit_code == 0, res.stderr
    assert "--lenient dropped 1 rows (value negative 1)" in " ".join(res.stderr.split())
    with writer_lock(tmp_path / "s"):
        line = one_line(cli("ingest", "baci", rel, "--store", tmp_path / "s", "--no-wait"))
    assert line.startswith("error: another ingest (pid ") and "leave out --no-wait" in line


SCREEN_SCRIPT = """
import sys, time
from geomon.outputs import files
def slow(df, meta, fmt, path):
    def hold(tmp):
        print("writing", flush=True)
        time.sleep(60)
    with files.atomic_path(path) as tmp:  # a temporary file exists now; Ctrl-C must remove it
        tmp.write_text("partial")
        hold(tmp)
files.write_table = slow
from geomon.cli import main
sys.argv = ["geomon", "screen", "-o", sys.argv[1]]
main()
"""


def test_ctrl_c_while_writing_an_output_leaves_no_file(tmp_path):
    import signal
    import subprocess
    import sys

    out = tmp_path / "nld.csv"
    proc = subprocess.Popen([sys.executable, "-c", SCREEN_SCRIPT, str(out)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "writing"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and err.strip().splitlines()[-1] == "interrupted; nothing was written"
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []
