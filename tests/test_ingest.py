"""Ingesting BACI as CEPII distributes it: folders, zips, quirks of real releases, atomicity."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from geomon.analyses.context import open_context
from geomon.analyses.trade.screening import screen
from geomon.errors import DataError
from geomon.ingest import ingest_baci
from geomon.store import Store


def tree_digest(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def small_release(baci_dir: Path, dest: Path, years=(2021, 2022), version="V202401b") -> Path:
    """A real two-year BACI release folder (files copied from the shared extract)."""
    dest.mkdir(parents=True, exist_ok=True)
    for y in years:
        shutil.copy(baci_dir / f"BACI_HS92_Y{y}_V202401b.csv", dest / f"BACI_HS92_Y{y}_{version}.csv")
    shutil.copy(baci_dir / "country_codes_V202401b.csv", dest / f"country_codes_{version}.csv")
    shutil.copy(baci_dir / "product_codes_HS92_V202401b.csv", dest / f"product_codes_HS92_{version}.csv")
    return dest


def test_ingest_shared_folder_gives_the_embedded_results(baci_dir, tmp_path, ctx):
    store = tmp_path / "s"
    (res,) = ingest_baci(baci_dir, store=store)
    assert res.dataset.years == list(range(1995, 2025))
    assert res.rows_written == 1_264_888  # shared/data/README.md: 1,264,888 rows
    user = open_context(store=store)
    for reporter in ("NLD", "EU27"):
        pd.testing.assert_frame_equal(screen(user, reporter, 2022).table, screen(ctx, reporter, 2022).table)


def test_values_are_usd_and_provenance_is_recorded(baci_dir, tmp_path):
    rel = small_release(baci_dir, tmp_path / "rel", years=(2022,))
    (res,) = ingest_baci(rel, store=tmp_path / "s")
    prov = res.dataset.provenance
    assert prov["source"] == "BACI" and prov["hs_revision"] == "HS92" and prov["version"] == "V202401b"
    f = prov["files"][0]
    # 53,453 lines in the 2022 file (wc -l) less the header line
    assert f["name"] == "BACI_HS92_Y2022_V202401b.csv" and f["rows"] == 53452
    assert f["sha256"] == hashlib.sha256((rel / f["name"]).read_bytes()).hexdigest()
    assert prov["ingested_at"]
    # First line of the 2022 file: 2022,4,156,260800,75.402,79.37 (thousands of USD).
    import pyarrow.parquet as pq

    t = pq.read_table(res.dataset.root / "flows" / "year=2022").to_pandas()
    row = t[(t.exporter == 4) & (t.importer == 156) & (t["product"] == "260800")].iloc[0]
    assert row.value == pytest.approx(75402.0)
    assert row.quantity == pytest.approx(79.37)
    # flows and statistics are stored with the store's codec (LZ4: a reporter's rows decode ~2x faster)
    for rel_path in ["flows/year=2022/part-0.parquet", "stats/imports/year=2022/part-0.parquet"]:
        meta = pq.ParquetFile(res.dataset.root / rel_path).metadata
        assert meta.row_group(0).column(0).compression == "LZ4", rel_path


def test_quirks_of_real_releases(tmp_path, baci_dir):
    # Real BACI drops the leading zero of chapters 01-09 ("10121") and pads quantities ("   NA").
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "BACI_HS92_Y2022_V202401b.csv").write_text(
        "t,i,j,k,v,q\n"
        "2022,4,156,10121,  75.402,      79.37\n"
        "2022,4,203,251200,13.017,         NA\n"
        "2022, 32 ,528,283691,1.5,NA\n")
    shutil.copy(baci_dir / "country_codes_V202401b.csv", rel)
    shutil.copy(baci_dir / "product_codes_HS92_V202401b.csv", rel)
    (res,) = ingest_baci(rel, store=tmp_path / "s")
    import pyarrow.parquet as pq

    t = pq.read_table(res.dataset.root / "flows").to_pandas().sort_values("value").reset_index(drop=True)
    assert t["product"].tolist() == ["283691", "251200", "010121"]
    assert t["quantity"].isna().tolist() == [True, True, False]
    assert t["value"].tolist() == pytest.approx([1500.0, 13017.0, 75402.0])
    names = dict(zip(res.dataset.countries().column("code").to_pylist(), res.dataset.countries().column("name").to_pylist()))
    assert names[384] == "Côte d'Ivoire"  # mojibake in the code list repaired


def test_zip_gives_the_same_dataset_as_the_folder(baci_dir, tmp_path):
    rel = small_release(baci_dir, tmp_path / "rel")
    zpath = tmp_path / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_DEFLATED) as z:
        for p in rel.iterdir():
            z.write(p, arcname=p.name)
    (a,) = ingest_baci(rel, store=tmp_path / "a")
    (b,) = ingest_baci(zpath, store=tmp_path / "b")
    pd.testing.assert_frame_equal(screen(open_context(store=tmp_path / "a"), "NLD", 2022).table,
                                  screen(open_context(store=tmp_path / "b"), "NLD", 2022).table)
    assert [f["sha256"] for f in a.dataset.provenance["files"]] == [f["sha256"] for f in b.dataset.provenance["files"]]


def test_reingest_is_idempotent(baci_dir, tmp_path):
    rel = small_release(baci_dir, tmp_path / "rel")
    store = tmp_path / "s"
    ingest_baci(rel, store=store)
    before = tree_digest(store)
    (again,) = ingest_baci(rel, store=store)
    assert again.unchanged and again.years_written == []
    assert tree_digest(store) == before


def test_new_years_are_added_and_old_years_kept(baci_dir, tmp_path):
    store = tmp_path / "s"
    ingest_baci(small_release(baci_dir, tmp_path / "a", years=(2020, 2021)), store=store)
    (res,) = ingest_baci(small_release(baci_dir, tmp_path / "b", years=(2022,)), store=store)
    assert res.years_written == [2022]
    assert res.dataset.years == [2020, 2021, 2022]


def test_versions_are_kept_apart_and_newest_is_default(baci_dir, tmp_path):
    store = tmp_path / "s"
    ingest_baci(small_release(baci_dir, tmp_path / "old", years=(2021,), version="V202401b"), store=store)
    ingest_baci(small_release(baci_dir, tmp_path / "new", years=(2021, 2022), version="V202501"), store=store)
    st = Store(store)
    assert sorted(d.version for d in st.datasets()) == ["V202401b", "V202501"]
    assert st.dataset().version == "V202501"
    assert st.dataset(version="202401b").years == [2021]


def test_failed_ingest_leaves_the_store_as_it_was(baci_dir, tmp_path):
    store = tmp_path / "s"
    ingest_baci(small_release(baci_dir, tmp_path / "good"), store=store)
    before = tree_digest(store)
    bad = small_release(baci_dir, tmp_path / "bad", years=(2021, 2022))
    lines = (bad / "BACI_HS92_Y2022_V202401b.csv").read_text().splitlines(keepends=True)
    lines[1000] = "2022,4,156,260800,75.402\n"  # a column missing on line 1001
    (bad / "BACI_HS92_Y2022_V202401b.csv").write_text("".join(lines))
    (bad / "BACI_HS92_Y2021_V202401b.csv").write_text((bad / "BACI_HS92_Y2021_V202401b.csv").read_text() + "2021,4,156,260800,1.0,2.0\n")
    with pytest.raises(DataError, match=r"BACI_HS92_Y2022_V202401b.csv line 1001"):
        ingest_baci(bad, store=store)
    assert tree_digest(store) == before
    assert not [p for p in store.iterdir() if p.name.startswith(".") and p.name != ".geomon-write.lock"]


@pytest.mark.parametrize("line,message", [
    ("2022,4,156,2608x0,75.402,79.37", r"line 3: .*2608x0"),
    ("2022,4,156,260800,75.402,abc", r"line 3: quantity q = 'abc'"),
    ("2021,4,156,260800,75.402,1.0", r"line 3: year t = 2021"),
    ("2022,4,156,260800,75.402,1.0,9", r"line 3"),
])
def test_malformed_lines_are_named(tmp_path, baci_dir, line, message):
    rel = tmp_path / "rel"
    rel.mkdir()
    (rel / "BACI_HS92_Y2022_V202401b.csv").write_text(f"t,i,j,k,v,q\n2022,4,203,251200,13.017,NA\n{line}\n")
    shutil.copy(baci_dir / "country_codes_V202401b.csv", rel)
    shutil.copy(baci_dir / "product_codes_HS92_V202401b.csv", rel)
    with pytest.raises(DataError, match=message):
        ingest_baci(rel, store=tmp_path / "s")
    assert not (tmp_path / "s" / "baci").exists()


def test_unreadable_zip(tmp_path):
    bad = tmp_path / "BACI_HS92_V202401b.zip"
    bad.write_bytes(b"this is not a zip file")
    with pytest.raises(DataError, match="cannot read .*BACI_HS92_V202401b.zip as a zip file"):
        ingest_baci(bad, store=tmp_path / "s")


def test_folder_without_baci_files(tmp_path):
    with pytest.raises(DataError, match="no BACI files"):
        ingest_baci(tmp_path, store=tmp_path / "s")
