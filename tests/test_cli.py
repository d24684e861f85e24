"""The CLI: outputs in every format, and one-line errors with a non-zero exit for bad input."""

from __future__ import annotations

import io
import json
import shutil

import pandas as pd
import pytest

from geomon.analyses.trade.screening import SCREEN_COLUMNS


def assert_one_line_error(res, *needles):
    assert res.exit_code != 0
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error: ")
    assert "Traceback" not in res.output
    for n in needles:
        assert n in lines[0], lines[0]


@pytest.mark.parametrize("reporter", ["NLD", "EU27"])
def test_screen_csv_has_the_agreed_columns(cli, reporter):
    res = cli("screen", "--reporter", reporter, "--year", 2022, "--format", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout), dtype={"product": str})
    assert list(df.columns[: len(SCREEN_COLUMNS)]) == SCREEN_COLUMNS
    assert (df["reporter"] == reporter).all() and df["dependent"].any()


def test_screen_table_is_the_default(cli):
    res = cli("screen", "--reporter", "NLD", "--year", 2022)
    assert res.exit_code == 0
    assert "720293" in res.stdout and "dependencies" in res.stdout


def test_screen_json_carries_provenance(cli):
    res = cli("screen", "-r", "NLD", "-y", 2022, "-f", "json", "--only-dependent")
    doc = json.loads(res.stdout)
    assert doc["meta"]["hs_revision"] == "HS92" and doc["meta"]["data_version"] == "V202401b"
    assert doc["meta"]["settings"]["screening.import_hhi"] == 0.4
    assert all(r["dependent"] for r in doc["rows"]) and doc["rows"]


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_screen_writes_files(cli, tmp_path, fmt):
    out = tmp_path / f"screen.{fmt}"
    res = cli("screen", "-r", "NLD", "-y", 2022, "-f", fmt, "-o", out)
    assert res.exit_code == 0, res.output
    if fmt == "parquet":
        df = pd.read_parquet(out)
    elif fmt == "xlsx":
        df = pd.read_excel(out, sheet_name="results", dtype={"product": str})
    elif fmt == "csv":
        df = pd.read_csv(out, dtype={"product": str})
    else:
        df = pd.DataFrame(json.loads(out.read_text())["rows"])
    assert list(df.columns[: len(SCREEN_COLUMNS)]) == SCREEN_COLUMNS
    assert "283691" in set(df["product"].astype(str))
    sidecar = [f"{out.name}.meta.json"] if fmt == "csv" else []  # CSV carries its provenance beside it
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name] + sidecar)  # no temporary file left


def test_config_file_and_options(cli, tmp_path):
    cfg = tmp_path / "geomon.toml"
    cfg.write_text("[screening]\nimport_hhi = 0.9\nwindow = 5\nmin_years = 3\n\n[blocs]\nBENELUX = [\"BEL\", \"NLD\", \"LUX\"]\n")
    res = cli("screen", "-r", "BENELUX", "-y", 2022, "-f", "json", "--config", cfg)
    doc = json.loads(res.stdout)
    assert doc["meta"]["settings"]["screening.import_hhi"] == 0.9 and doc["meta"]["persistence"] == "3 of 5"
    assert all(r["reporter"] == "BENELUX" for r in doc["rows"])
    # command-line options override the file
    res = cli("screen", "-r", "NLD", "-y", 2022, "-f", "json", "--config", cfg, "--import-hhi", "0.3")
    assert json.loads(res.stdout)["meta"]["settings"]["screening.import_hhi"] == 0.3


def test_suppliers_and_leverage_commands(cli):
    res = cli("suppliers", "-r", "NLD", "-p", "283691", "-y", 2022, "-f", "csv")
    df = pd.read_csv(io.StringIO(res.stdout))
    assert df.iloc[0]["supplier"] == "CHL" and "share_2015" in df.columns
    res = cli("suppliers", "-r", "NLD", "-p", "283691", "-y", 2022, "--world", "-f", "csv")
    assert pd.read_csv(io.StringIO(res.stdout)).iloc[0]["reporter"] == "WORLD"
    res = cli("leverage", "--supplier", "NLD", "--year", 2022, "-f", "csv")
    lev = pd.read_csv(io.StringIO(res.stdout))
    assert (lev["supplier_share"] > 0.5).all() and len(lev) > 10


def test_ingest_command(cli, baci_dir, tmp_path):
    rel = tmp_path / "rel"
    rel.mkdir()
    for name in ("BACI_HS92_Y2022_V202401b.csv", "country_codes_V202401b.csv", "product_codes_HS92_V202401b.csv"):
        shutil.copy(baci_dir / name, rel)
    res = cli("ingest", "baci", rel, "--store", tmp_path / "s")
    assert res.exit_code == 0 and "1 year files written" in res.stderr
    res = cli("ingest", "baci", rel, "--store", tmp_path / "s")
    assert res.exit_code == 0 and "unchanged" in res.stderr
    res = cli("screen", "-r", "NLD", "-y", 2022, "--store", tmp_path / "s", "-f", "csv")
    assert res.exit_code == 0 and "283691" in res.stdout


# ---- bad input: one line naming the value and what is allowed, non-zero exit -------------

def test_unknown_reporter(cli):
    assert_one_line_error(cli("screen", "--reporter", "XYZ"), "'XYZ'", "ISO3", "EU27")


def test_unknown_product(cli):
    assert_one_line_error(cli("suppliers", "--product", "999998", "-y", 2022), "'999998'", "HS6")


def test_product_not_imported(cli):
    """250390 is in the embedded flows, but NLD imported none of it in 2022."""
    assert_one_line_error(cli("suppliers", "-r", "NLD", "--product", "250390", "-y", 2022), "250390", "2022")


def test_product_not_in_the_store(cli):
    """010111 is an HS92 code the embedded extract has no flows for: not the same as 'imported nothing'."""
    assert_one_line_error(cli("suppliers", "-r", "NLD", "--product", "010111", "-y", 2022), "010111",
                          "not in the store")


@pytest.mark.parametrize("year", [1990, 2031])
def test_year_outside_the_data(cli, year):
    assert_one_line_error(cli("screen", "--year", year), str(year), "1995-2024")


def test_missing_store(cli, tmp_path):
    assert_one_line_error(cli("screen", "--store", tmp_path / "nope"), str(tmp_path / "nope"), "geomon ingest baci")


def test_empty_store(cli, tmp_path):
    assert_one_line_error(cli("screen", "--store", tmp_path), "empty", "geomon ingest baci")


def test_store_from_environment(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("GEOMON_STORE", str(tmp_path))
    assert_one_line_error(cli("screen"), str(tmp_path))


def test_malformed_baci_line(cli, baci_dir, tmp_path):
    rel = tmp_path / "rel"
    rel.mkdir()
    shutil.copy(baci_dir / "country_codes_V202401b.csv", rel)
    shutil.copy(baci_dir / "product_codes_HS92_V202401b.csv", rel)
    (rel / "BACI_HS92_Y2022_V202401b.csv").write_text("t,i,j,k,v,q\n2022,4,203,251200,13.017,NA\n2022,4,203\n")
    assert_one_line_error(cli("ingest", "baci", rel, "--store", tmp_path / "s"), "BACI_HS92_Y2022_V202401b.csv line 3")
    assert not (tmp_path / "s" / "baci").exists()


def test_unreadable_zip(cli, tmp_path):
    z = tmp_path / "baci.zip"
    z.write_bytes(b"PK\x03\x04 broken")
    assert_one_line_error(cli("ingest", "baci", z, "--store", tmp_path / "s"), "baci.zip", "zip")


@pytest.mark.parametrize("opt,value", [("--import-hhi", "1.5"), ("--world-hhi", "-0.1"), ("--min-share", "2")])
def test_thresholds_outside_unit_interval(cli, opt, value):
    cmd = "leverage" if opt == "--min-share" else "screen"
    assert_one_line_error(cli(cmd, opt, value), value, "[0, 1]")


def test_k_larger_than_window(cli):
    assert_one_line_error(cli("screen", "--window", "2", "--min-years", "3"), "k = 3", "n = 2")


def test_bad_config_file(cli, tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text("[screening]\nimport_hhi = 0.4\nimprt_hhi = 0.5\n")
    assert_one_line_error(cli("screen", "--config", cfg), "screening.imprt_hhi")
    cfg.write_text("[screening\n")
    assert_one_line_error(cli("screen", "--config", cfg), str(cfg), "TOML")


def test_unwritable_output_leaves_nothing(cli, tmp_path):
    out = tmp_path / "missing-dir" / "x.csv"
    assert_one_line_error(cli("screen", "-f", "csv", "-o", out), "missing-dir")
    assert not out.parent.exists()


def test_binary_format_needs_output(cli):
    assert_one_line_error(cli("screen", "-f", "parquet"), "--output")


def test_relative_paths_in_a_config_file_are_next_to_it(tmp_path, monkeypatch):
    from geomon.config import load_config

    sub = tmp_path / "conf"
    sub.mkdir()
    (sub / "geomon.toml").write_text('[tiers]\noverrides = "my-overrides.csv"\n')
    monkeypatch.chdir(tmp_path)
    cfg = load_config(sub / "geomon.toml")
    assert cfg["tiers.overrides"] == str((sub / "my-overrides.csv").resolve())


def test_store_or_config_that_is_the_wrong_kind_of_path(cli, tmp_path):
    f = tmp_path / "afile"
    f.write_text("x")
    assert_one_line_error(cli("screen", "--store", f), str(f), "is a file")
    assert_one_line_error(cli("screen", "--config", tmp_path), str(tmp_path), "is a folder")
