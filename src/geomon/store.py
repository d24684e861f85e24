"""The store: canonical flows as Parquet partitioned by year, with provenance.

Layout (one directory per source dataset, versions and HS revisions kept apart)::

    STORE/baci/HS92_V202401b/
        provenance.json                 source, version, HS revision, files, checksums, time
        countries.parquet               code, name, iso2, iso3
        products.parquet                product (6-char text), description
        flows/year=2022/part-0.parquet  exporter, importer, product, value (USD), quantity (t),
                                        sorted by product, importer, exporter
        stats/imports/year=2022/...     sufficient statistics per (importer, product), per
        stats/exports/year=2022/...     (exporter, product) and per product, computed once at
        stats/world/year=2022/...       ingest (see :mod:`geomon.stats`); screening reads these

Writes are atomic at dataset level: a new dataset directory is built beside the
old one and swapped in by rename, so a failed or interrupted ingest leaves the
store as it was. Re-ingesting files with the same checksums changes nothing, except
that statistics missing or out of date (a store from an older geomon, a new country list)
are rebuilt from the stored flows.
"""

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

import pyarrow as pa
import pyarrow.parquet as pq

from geomon import stats
from geomon.errors import DataError, InputError, choices
from geomon.sources import baci

STORE_ENV = "GEOMON_STORE"
STATS_TABLES = stats.TABLES
BACI_LICENCE = "Etalab Open Licence 2.0 (CEPII BACI)"
BACI_CITATION = "Gaulier, G. and Zignago, S. (2010) BACI: International Trade Database at the Product-Level. The 1994-2007 Version. CEPII Working Paper 2010-23."


def default_store_dir() -> Path:
    """Per-user store: $GEOMON_STORE, else $XDG_DATA_HOME/geomon, else ~/.local/share/geomon."""
    if os.environ.get(STORE_ENV):
        return Path(os.environ[STORE_ENV]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "geomon"


def embedded_store_dir() -> Path:
    """The store shipped inside the package (real BACI HS92 raw-materials extract)."""
    return Path(__file__).parent / "data" / "store"


@dataclass(frozen=True)
class Dataset:
    """One ingested source dataset (e.g. BACI HS92 V202401b) in a store."""

    root: Path
    provenance: dict

    @property
    def id(self) -> str:
        return f"{self.provenance['source']} {self.hs} {self.version}"

    @property
    def hs(self) -> str:
        return self.provenance["hs_revision"]

    @property
    def version(self) -> str:
        return self.provenance["version"]

    @property
    def years(self) -> list[int]:
        return sorted(int(f["year"]) for f in self.provenance["files"])

    @property
    def has_stats(self) -> bool:
        """True when the statistics tables of this geomon version are stored for every year."""
        return (self.provenance.get("stats", {}).get("version") == stats.VERSION
                and all((self.root / "stats" / name).is_dir() for name in STATS_TABLES))

    @property
    def flows_glob(self) -> str:
        return str(self.root / "flows" / "*" / "*.parquet")

    def countries(self) -> pa.Table:
        return pq.read_table(self.root / "countries.parquet")

    def products(self) -> pa.Table:
        return pq.read_table(self.root / "products.parquet")

    def check_year(self, year: int) -> None:
        if year not in self.years:
            raise InputError(f"year {year} is not in the data ({self.id} has {self.years[0]}-{self.years[-1]}); choose a year in that range")


class Store:
    """A directory of datasets. ``embedded`` marks the store shipped with geomon."""

    def __init__(self, root: str | Path, embedded: bool = False) -> None:
        self.root = Path(root)
        self.embedded = embedded

    def datasets(self) -> list[Dataset]:
        out = []
        for prov in sorted(self.root.glob("*/*/provenance.json")):
            out.append(Dataset(prov.parent, json.loads(prov.read_text(encoding="utf-8"))))
        return out

    def dataset(self, hs: str | None = None, version: str | None = None) -> Dataset:
        """The dataset to use: the newest version (then newest HS revision) unless told."""
        all_ds = self.datasets()
        if not all_ds:
            if self.root.exists() and not self.root.is_dir():
                raise DataError(f"the store {self.root} is a file, not a folder; give a store folder with --store, or leave it out to use the embedded data")
            where = "the store" if not self.root.exists() else "the store (it is empty)"
            raise DataError(f"no data in {where} {self.root}; run 'geomon ingest baci PATH --store {self.root}' first, or leave out --store to use the embedded data")
        cands = all_ds
        if hs is not None:
            want = "HS" + hs.upper().removeprefix("HS")
            cands = [d for d in cands if d.hs == want]
            if not cands:
                raise InputError(f"HS revision {hs} is not in the store {self.root}; available: {choices(sorted({d.hs for d in all_ds}))}")
        if version is not None:
            want_v = "V" + version.upper().removeprefix("V")
            cands = [d for d in cands if d.version.upper() == want_v]
            if not cands:
                raise InputError(f"version {version} is not in the store {self.root}; available: {choices(sorted({d.version for d in all_ds}))}")
        return max(cands, key=lambda d: (d.version, _hs_order(d.hs)))


def _hs_order(hs: str) -> int:
    """HS92 < HS96 < HS02 < ... < HS22 (two-digit years wrap at 2000)."""
    yy = int(hs[2:])
    return yy + (1900 if yy >= 88 else 2000)


def open_store(store: str | Path | None = None) -> Store:
    """Resolve the store to read from.

    An explicit ``store`` (or $GEOMON_STORE) must hold data. Without either, the
    per-user store is used when it holds data, otherwise the embedded data.
    """
    if store is not None:
        return Store(Path(store).expanduser())
    if os.environ.get(STORE_ENV):
        return Store(default_store_dir())
    user = Store(default_store_dir())
    if user.root.exists() and user.datasets():
        return user
    return Store(embedded_store_dir(), embedded=True)


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
        from geomon.engine.backend import duckdb_connect  # the engine owns DuckDB's resource limits

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
                stats.write_year(con, baci.YEAR_TABLE, countries, staging / "stats", year,
                                 product_out="lpad(CAST(s.product AS VARCHAR), 6, '0')")
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
            "stats": {"version": stats.VERSION, "tables": list(STATS_TABLES), "economies": "ISO3"},
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
