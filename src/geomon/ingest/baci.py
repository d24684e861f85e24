"""Ingest: a source release into the store, atomically (build beside, swap in by rename)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow.parquet as pq

from geomon.errors import DataError
from geomon.sources import baci
from geomon.ingest import stats
from geomon.store.duck import duckdb_connect
from geomon.store.layout import BACI_CITATION, BACI_LICENCE, STATS_TABLES, Dataset, default_store_dir

def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            h.update(chunk)
    return h.hexdigest()


@dataclass(frozen=True)
class IngestResult:
    dataset: Dataset
    years_written: list[int]
    rows_written: int
    unchanged: bool


def ingest_baci(path: str | Path, store: str | Path | None = None, note: str | None = None,
                progress=None) -> list[IngestResult]:
    """Ingest a BACI folder or zip into ``store`` (default: the per-user store).

    Each release (HS revision x version) becomes its own dataset. Years already in
    the dataset and not in ``path`` are kept. Returns one result per release.
    """
    src = baci.Source(path)
    root = Path(store).expanduser() if store is not None else default_store_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the store {root} ({exc.strerror}); give a writable --store") from None
    return [_ingest_release(src, rel, root, note, progress) for rel in src.releases()]


def _ingest_release(src: baci.Source, rel: baci.Release, root: Path, note: str | None, progress) -> IngestResult:
    if rel.country_file is None:
        raise DataError(f"{src.path}: no country_codes_V{rel.version}.csv beside the BACI files; it ships in the same BACI download")
    if rel.product_file is None:
        raise DataError(f"{src.path}: no product_codes_HS{rel.hs}_V{rel.version}.csv beside the BACI files; it ships in the same BACI download")
    target = root / "baci" / rel.dataset_id
    old = None
    if (target / "provenance.json").exists():
        old = json.loads((target / "provenance.json").read_text(encoding="utf-8"))
    old_files = {f["name"]: f for f in (old or {}).get("files", [])}

    countries = baci.read_countries(src, rel.country_file)
    products = baci.read_products(src, rel.product_file)
    code_files = {
        rel.country_file: _sha256(src.open_bytes(rel.country_file)),
        rel.product_file: _sha256(src.open_bytes(rel.product_file)),
    }
    # statistics can be linked from the old dataset only when they were built the same way
    # from the same country list
    old_country_sha = {k: v for k, v in (old or {}).get("code_files", {}).items() if baci.COUNTRY_RE.match(k)}
    stats_reusable = (old is not None and old.get("stats", {}).get("version") == stats.VERSION
                      and old_country_sha == {rel.country_file: code_files[rel.country_file]})

    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    try:
        scratch = staging / "_scratch"
        scratch.mkdir()
        files, written, rebuilt, rows_total = [], [], [], 0

        con = duckdb_connect()

        def keep_year(year: int) -> None:
            """Link a year's flows (and statistics) from the old dataset; rebuild stale statistics."""
            shutil.copytree(target / "flows" / f"year={year}", staging / "flows" / f"year={year}", copy_function=_link_or_copy)
            old_stats = [target / "stats" / name / f"year={year}" for name in STATS_TABLES]
            if stats_reusable and all(d.is_dir() for d in old_stats):
                for name, d in zip(STATS_TABLES, old_stats):
                    shutil.copytree(d, staging / "stats" / name / f"year={year}", copy_function=_link_or_copy)
            else:
                stats.write_from_flows(con, staging / "flows" / f"year={year}", countries, staging / "stats", year)
                rebuilt.append(year)

        for year, name in sorted(rel.years.items()):
            local = src.local_path(name, scratch)
            digest = _sha256_file(local)
            if old_files.get(name, {}).get("sha256") == digest and (target / "flows" / f"year={year}").exists():
                files.append(old_files[name])
                keep_year(year)
            else:
                out_dir = staging / "flows" / f"year={year}"
                out_dir.mkdir(parents=True)
                rows = baci.convert_year(local, name, year, out_dir / "part-0.parquet", con)
                stats.write_year(con, baci.YEAR_TABLE, countries, staging / "stats", year)
                con.execute(f"DROP TABLE {baci.YEAR_TABLE}")
                files.append({"name": name, "year": year, "sha256": digest, "bytes": local.stat().st_size, "rows": rows})
                written.append(year)
                rows_total += rows
            if local.parent == scratch:
                local.unlink()
            if progress:
                progress(year, name)
        new_years = {f["year"] for f in files}
        for name, f in old_files.items():  # keep years not in this download
            if f["year"] not in new_years:
                files.append(f)
                keep_year(f["year"])
        con.close()
        unchanged = (old is not None and not written and not rebuilt and old.get("code_files") == code_files
                     and len(files) == len(old_files))
        if unchanged:
            return IngestResult(Dataset(target, old), [], 0, True)
        pq.write_table(countries, staging / "countries.parquet")
        pq.write_table(products, staging / "products.parquet")
        provenance = {
            "source": "BACI",
            "publisher": "CEPII",
            "hs_revision": f"HS{rel.hs}",
            "version": f"V{rel.version}",
            "files": sorted(files, key=lambda f: f["year"]),
            "code_files": code_files,
            "origin": str(src.path.resolve()),
            "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "units": {"value": "USD (BACI thousands x 1000)", "quantity": "metric tons"},
            "stats": {"version": stats.VERSION, "tables": list(STATS_TABLES), "economies": "ISO3",
                      "blocs": stats.stored_blocs()},
            "licence": BACI_LICENCE,
            "citation": BACI_CITATION,
            "note": note if note is not None else (old or {}).get("note", ""),
        }
        shutil.rmtree(scratch)
        (staging / "provenance.json").write_text(json.dumps(provenance, indent=2), encoding="utf-8")
        _swap_in(staging, target)
        staging = None
        return IngestResult(Dataset(target, provenance), written, rows_total, False)
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames (no partial state is visible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    trash = None
    if target.exists():
        trash = target.parent / f".old-{uuid.uuid4().hex}"
        os.replace(target, trash)
    os.replace(staging, target)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
