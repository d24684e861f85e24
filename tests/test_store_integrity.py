"""Issue 16: a damaged store stops every command with one line naming the file and 'geomon data --check'."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from geomon import api
from geomon.analyses.context import open_context
from geomon.errors import DataError
from geomon.ingest import ingest_baci
from geomon.store import Store, embedded_store_dir

from test_ingest import small_release

DS = Path("baci") / "HS92_V202401b"


@pytest.fixture(scope="module")
def pristine(baci_dir, tmp_path_factory) -> Path:
    store = tmp_path_factory.mktemp("pristine")
    ingest_baci(small_release(baci_dir, tmp_path_factory.mktemp("rel"), years=(2020, 2021, 2022)), store=store)
    return store


@pytest.fixture
def store(pristine, tmp_path) -> Path:
    out = tmp_path / "s"
    shutil.copytree(pristine, out)
    return out


def test_provenance_lists_every_stored_file(pristine):
    prov = json.loads((pristine / DS / "provenance.json").read_text())
    assert [f["year"] for f in prov["files"]] == [2020, 2021, 2022]
    assert "flows/year=2022/part-0.parquet" in prov["stored"]
    assert prov["stored"]["flows/year=2022/part-0.parquet"]["rows"] == 53452  # wc -l of the 2022 file, less the header
    assert prov["schemas"]["flows"][0] == "exporter: int16"
    assert api.check_store(pristine).table.empty


def test_truncated_flows_file_is_one_line_naming_it(store):
    f = store / DS / "flows" / "year=2022" / "part-0.parquet"
    size = f.stat().st_size
    f.write_bytes(f.read_bytes()[: size // 2])
    for call in (lambda: open_context(store=store), lambda: api.suppliers("NLD", "283691", store=store),
                 lambda: api.screen("NLD", store=store)):
        with pytest.raises(DataError) as exc:
            call()
        msg = str(exc.value)
        assert "\n" not in msg and str(f) in msg and "geomon data --check" in msg
        assert f"{size // 2:,} bytes, provenance says {size:,}" in msg
    problems = api.check_store(store).table
    assert problems.file.tolist() == [str(f)]


def test_truncated_statistics_file_stops_screen(store):
    f = next((store / DS / "stats").rglob("year=2022/part-0.parquet"))
    f.write_bytes(f.read_bytes()[:100])
    with pytest.raises(DataError, match=rf"{f}.*geomon data --check"):
        api.screen("NLD", store=store)


def test_deleted_year_folder_stops_instead_of_an_empty_column(store):
    shutil.rmtree(store / DS / "flows" / "year=2021")
    with pytest.raises(DataError, match=r"flows/year=2021 is missing \(the provenance lists this year\)"):
        api.suppliers("NLD", "283691", store=store)
    listing = api.datasets(store).table
    assert listing.status[0].startswith("damaged: flows/year=2021 missing")


def test_broken_provenance_is_one_line(store):
    p = store / DS / "provenance.json"
    p.write_text(p.read_text()[:200])
    with pytest.raises(DataError, match=rf"{p} cannot be read \(.*\); run 'geomon data --check'"):
        api.screen("NLD", store=store)
    rows = api.check_store(store).table
    assert rows.file.tolist() == [str(p)] and rows.problem[0].startswith("cannot be read")


def test_changed_bytes_of_the_same_size_are_found_by_the_checksum(store):
    f = store / DS / "countries.parquet"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the data pages: the footer still reads
    f.write_bytes(bytes(data))
    rows = api.check_store(store).table
    assert rows.file.tolist() == [str(f)]
    assert rows.problem[0] == "checksum differs from the provenance (the file was changed)"


def test_a_stray_parquet_file_would_be_read_so_it_is_refused(store):
    shutil.copytree(store / DS / "flows" / "year=2022", store / DS / "flows" / "year=2023")
    with pytest.raises(DataError, match=r"flows/year=2023/part-0.parquet is not listed in the provenance"):
        api.screen("NLD", store=store)


def test_leftover_staging_folders_are_listed(store):
    (store / ".staging-abc").mkdir()
    (store / ".staging-abc" / "x.parquet").write_bytes(b"0" * 1000)
    meta = api.datasets(store).meta
    assert meta["leftovers"] == [{"folder": str(store / ".staging-abc"), "bytes": 1000}]
    assert meta["origin"] == "explicit"


def test_embedded_store_is_sound():
    res = api.check_store(Store(embedded_store_dir(), embedded=True))
    assert res.table.empty and res.meta["datasets"] == 1 and res.meta["origin"] == "embedded"
