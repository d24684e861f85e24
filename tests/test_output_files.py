"""Issue 16: provenance beside every file output, the format from -o, modes of replaced files kept."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest

from geomon import api
from geomon.config import Config
from geomon.errors import OutputError
from geomon.outputs import files
from geomon.outputs.fileformat import resolve_format, sidecar_path


@pytest.fixture(scope="module")
def nld():
    return api.screen("NLD", 2022)


def test_csv_gets_a_sidecar_with_source_version_settings_and_hash(nld, tmp_path):
    out = tmp_path / "nld.csv"
    files.write_table(nld.table, nld.meta, "csv", out)
    side = json.loads(sidecar_path(out).read_text())
    assert sidecar_path(out).name == "nld.csv.meta.json"
    assert side["file"] == "nld.csv" and side["format"] == "csv" and side["rows"] == len(nld.table)
    assert side["columns"] == list(nld.table.columns)
    m = side["meta"]
    assert m["source"] == "CEPII BACI" and m["hs_revision"] == "HS92" and m["data_version"] == "V202401b"
    assert m["settings"]["screening.import_hhi"] == 0.4 and m["config_hash"] == Config().hash()
    assert len(pd.read_csv(out)) == len(nld.table)


def test_parquet_carries_the_metadata_inside(nld, tmp_path):
    import pyarrow.parquet as pq

    out = tmp_path / "nld.parquet"
    files.write_table(nld.table, nld.meta, "parquet", out)
    meta = json.loads(pq.read_schema(out).metadata[b"geomon"])
    assert meta["config_hash"] == Config().hash() and meta["dataset"] == "BACI HS92 V202401b"


@pytest.mark.parametrize("fmt,output,want", [
    ("table", "x.xlsx", "xlsx"), (None, "x.CSV", "csv"), ("table", "x.parquet", "parquet"), ("json", "x.json", "json"),
    ("csv", "x.txt", "csv"), ("csv", None, "csv"), ("table", None, "table"),
])
def test_format_follows_the_extension(fmt, output, want):
    assert resolve_format(fmt, output) == want


@pytest.mark.parametrize("fmt,output,message", [
    ("csv", "x.xlsx", "--format csv does not match --output x.xlsx (a xlsx file name); name the file x.csv or leave out --format"),
    ("table", "x.txt", "cannot tell the format of --output x.txt from its extension; use one of .csv, .json, .parquet, .pq, .xlsx or give --format"),
])
def test_mismatched_or_unknown_formats_are_refused(fmt, output, message):
    with pytest.raises(OutputError) as exc:
        resolve_format(fmt, output)
    assert str(exc.value) == message


def test_a_replaced_file_keeps_its_mode_and_a_new_file_follows_the_umask(nld, tmp_path):
    out = tmp_path / "private.csv"
    out.write_text("old\n")
    os.chmod(out, 0o600)
    files.write_table(nld.table, nld.meta, "csv", out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and out.read_text() != "old\n"
    old = os.umask(0o022)
    try:
        files.write_table(nld.table, nld.meta, "json", tmp_path / "new.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.json").stat().st_mode) == 0o644


def test_cli_infers_the_format_and_refuses_a_mismatch(cli, tmp_path):
    res = cli("screen", "-o", tmp_path / "nld.xlsx")
    assert res.exit_code == 0, res.stderr
    assert (tmp_path / "nld.xlsx").read_bytes()[:2] == b"PK"  # a zip: an xlsx workbook
    res = cli("screen", "-f", "csv", "-o", tmp_path / "x.xlsx")
    assert res.exit_code == 2 and not (tmp_path / "x.xlsx").exists()
    assert res.stderr.strip().splitlines()[-1].startswith("error: --format csv does not match --output")
    res = cli("screen", "-o", tmp_path / "n.csv")
    assert res.exit_code == 0 and sidecar_path(tmp_path / "n.csv").exists()


def test_report_refuses_an_extension_it_cannot_write(cli, tmp_path):
    res = cli("report", "-o", tmp_path / "r.pdf")
    assert res.exit_code == 2 and not (tmp_path / "r.pdf").exists()
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot tell the format of --output" in lines[0] and ".html" in lines[0]
    res = cli("report", "-f", "html", "-o", tmp_path / "r.xlsx")
    assert res.exit_code == 2 and "--format html does not match" in res.stderr
