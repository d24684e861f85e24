"""Ingest: a source release into the store, atomically (build beside, swap in by rename).

Safety (issue 16): rows are validated (:mod:`geomon.sources.baci_rules`: strict by default,
``lenient`` drops and counts bad rows); writers of one store take turns under a lock file
(:mod:`geomon.store.lock`; a second ingest waits, or fails at once with ``wait=False``) and
remove what killed writers left behind; folders and files follow the umask; DuckDB spills
into the staging folder unless ``GEOMON_TEMP_DIR`` says otherwise; Ctrl-C (KeyboardInterrupt)
at any point before the final rename leaves the store as it was, and the rename itself is
not interrupted. The provenance lists the years written, the rows dropped, and every stored
file with its size, rows and checksum (:mod:`geomon.store.integrity`).
"""

from __future__ import annotations

import datetime as dt
import json
import hashlib
import os
import shutil
import signal
import tempfile
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import pyarrow.parquet as pq

from geomon.config import SETTINGS
from geomon.errors import DataError, InputError
from geomon.sources import baci, baci_rules
from geomon.ingest import stats
from geomon.store.duck import TEMP_ENV, duckdb_connect, interruptible
from geomon.store.integrity import manifest, read_provenance, sha256_file
from geomon.store.layout import BACI_CITATION, BACI_LICENCE, STATS_TABLES, Dataset, default_store_dir
from geomon.store.lock import file_mode, remove_leftovers, writer_lock


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class IngestResult:
    dataset: Dataset
    years_written: list[int]
    rows_written: int
    unchanged: bool
    #: rows dropped by --lenient, per rule (see :mod:`geomon.sources.baci_rules`)
    dropped: dict[str, int] = field(default_factory=dict)
    #: leftovers of interrupted ingests removed before this one
    cleaned: list[str] = field(default_factory=list)


def ingest_baci(path: str | Path, store: str | Path | None = None, note: str | None = None,
                progress=None, *, lenient: bool = False, duplicates: str | None = None, wait: bool = True,
                on_wait: Callable[[str], None] | None = None) -> list[IngestResult]:
    """Ingest a BACI folder or zip into ``store`` (default: the per-user store).

    Each release (HS revision x version) becomes its own dataset. Years already in
    the dataset and not in ``path`` are kept. Returns one result per release.
    ``lenient``: drop rows breaking a rule instead of failing; ``duplicates``: ``reject`` or
    ``sum`` repeated keys (default: the setting ``ingest.duplicates``); ``wait``: wait for
    another writer of the store (``on_wait`` gets the message) instead of failing.
    """
    policy = duplicates or SETTINGS["ingest.duplicates"].default
    if policy not in baci_rules.DUPLICATE_POLICIES:
        raise InputError(f"ingest.duplicates = {policy!r} is not allowed; choose one of {', '.join(baci_rules.DUPLICATE_POLICIES)}")
    src = baci.Source(path)
    root = Path(store).expanduser() if store is not None else default_store_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the store {root} ({exc.strerror}); give a writable --store") from None
    with writer_lock(root, wait, on_wait):
        cleaned = [p.name for p in remove_leftovers(root)]
        results = [_Build(src, rel, root, lenient, policy).run(note, progress) for rel in src.releases()]
    if cleaned and results:
        results[0] = IngestResult(**{**results[0].__dict__, "cleaned": cleaned})
    return results


class _Build:
    """One release built in a staging folder beside the store's datasets, then swapped in."""

    def __init__(self, src: baci.Source, rel: baci.Release, root: Path, lenient: bool, policy: str) -> None:
        if rel.country_file is None:
            raise DataError(f"{src.path}: no country_codes_V{rel.version}.csv beside the BACI files; it ships in the same BACI download")
        if rel.product_file is None:
            raise DataError(f"{src.path}: no product_codes_HS{rel.hs}_V{rel.version}.csv beside the BACI files; it ships in the same BACI download")
        for year, name in rel.years.items():
            baci_rules.check_file_year(name, rel.hs, year)
        self.src, self.rel, self.root = src, rel, root
        self.validation = {"lenient": lenient, "duplicates": policy}
        self.target = root / "baci" / rel.dataset_id
        self.old = self._old_provenance()
        self.countries = baci.read_countries(src, rel.country_file)
        self.products = baci.read_products(src, rel.product_file)
        self.code_files = {name: _sha256(src.open_bytes(name)) for name in (rel.country_file, rel.product_file)}
        # statistics can be linked from the old dataset only when they were built the same way
        # from the same country list
        old = self.old or {}
        old_country_sha = {k: v for k, v in old.get("code_files", {}).items() if baci.COUNTRY_RE.match(k)}
        self.stats_reusable = (self.old is not None and old.get("stats", {}).get("version") == stats.VERSION
                               and old_country_sha == {rel.country_file: self.code_files[rel.country_file]})
        self.files: list[dict] = []
        self.written: list[int] = []
        self.rebuilt: list[int] = []
        self.dropped: dict[str, int] = {}

    def _old_provenance(self) -> dict | None:
        """The dataset's provenance, or None when there is none or it is damaged (then all is rebuilt)."""
        if not (self.target / "provenance.json").exists():
            return None
        try:
            return read_provenance(self.target / "provenance.json")
        except DataError:
            return None

    def run(self, note: str | None, progress) -> IngestResult:
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.root))
        try:
            os.chmod(staging, file_mode(directory=True))  # mkdtemp makes 0700; follow the umask
            self.staging = staging
            self.con = duckdb_connect(None if os.environ.get(TEMP_ENV) else staging / "_spill")
            try:
                with interruptible():  # Ctrl-C inside a DuckDB statement is a KeyboardInterrupt too
                    self._years(progress)
            finally:
                self.con.close()
            if self._unchanged():
                return IngestResult(Dataset(self.target, self.old), [], 0, True)
            provenance = self._finish(note)
            _swap_in(staging, self.target)
            staging = None
            rows = sum(f["rows"] for f in self.files if f["year"] in self.written)
            return IngestResult(Dataset(self.target, provenance), self.written, rows, False, self.dropped)
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)

    def _years(self, progress) -> None:
        scratch = self.staging / "_scratch"
        scratch.mkdir()
        old_files = {f["name"]: f for f in (self.old or {}).get("files", [])}
        same_rules = (self.old or {}).get("validation") == self.validation
        for year, name in sorted(self.rel.years.items()):
            local = self.src.local_path(name, scratch)
            digest = sha256_file(local)
            if (same_rules and old_files.get(name, {}).get("sha256") == digest
                    and (self.target / "flows" / f"year={year}").exists()):
                self.files.append(old_files[name])
                self._keep_year(year)
            else:
                self._convert(local, name, year, digest)
            if local.parent == scratch:
                local.unlink()
            if progress:
                progress(year, name)
        new_years = {f["year"] for f in self.files}
        for name, f in old_files.items():  # keep years not in this download
            if f["year"] not in new_years and (self.target / "flows" / f"year={f['year']}").is_dir():
                self.files.append(f)
                self._keep_year(f["year"])
        shutil.rmtree(scratch)

    def _convert(self, local: Path, name: str, year: int, digest: str) -> None:
        out_dir = self.staging / "flows" / f"year={year}"
        out_dir.mkdir(parents=True)
        rows, dropped = baci.convert_year(local, name, year, out_dir / "part-0.parquet", self.con,
                                          lenient=self.validation["lenient"], duplicates=self.validation["duplicates"])
        stats.write_year(self.con, baci.YEAR_TABLE, self.countries, self.staging / "stats", year)
        self.con.execute(f"DROP TABLE {baci.YEAR_TABLE}")
        entry = {"name": name, "year": year, "sha256": digest, "bytes": local.stat().st_size, "rows": rows}
        if dropped:
            entry["dropped"] = dropped
            for rule, n in dropped.items():
                self.dropped[rule] = self.dropped.get(rule, 0) + n
        self.files.append(entry)
        self.written.append(year)

    def _keep_year(self, year: int) -> None:
        """Link a year's flows (and statistics) from the old dataset; rebuild stale statistics."""
        target, staging = self.target, self.staging
        shutil.copytree(target / "flows" / f"year={year}", staging / "flows" / f"year={year}", copy_function=_link_or_copy)
        old_stats = [target / "stats" / name / f"year={year}" for name in STATS_TABLES]
        if self.stats_reusable and all(d.is_dir() for d in old_stats):
            for name, d in zip(STATS_TABLES, old_stats):
                shutil.copytree(d, staging / "stats" / name / f"year={year}", copy_function=_link_or_copy)
        else:
            stats.write_from_flows(self.con, staging / "flows" / f"year={year}", self.countries, staging / "stats", year)
            self.rebuilt.append(year)

    def _unchanged(self) -> bool:
        old = self.old
        return (old is not None and not self.written and not self.rebuilt and old.get("code_files") == self.code_files
                and len(self.files) == len(old.get("files", [])) and "stored" in old)

    def _finish(self, note: str | None) -> dict:
        """Write the code lists and the provenance (with the manifest of every stored file)."""
        shutil.rmtree(self.staging / "_spill", ignore_errors=True)
        pq.write_table(self.countries, self.staging / "countries.parquet")
        pq.write_table(self.products, self.staging / "products.parquet")
        stored, schemas = manifest(self.staging)
        provenance = {
            "source": "BACI",
            "publisher": "CEPII",
            "hs_revision": f"HS{self.rel.hs}",
            "version": f"V{self.rel.version}",
            "files": sorted(self.files, key=lambda f: f["year"]),
            "code_files": self.code_files,
            "origin": str(self.src.path.resolve()),
            "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "units": {"value": "USD (BACI thousands x 1000)", "quantity": "metric tons"},
            "stats": {"version": stats.VERSION, "tables": list(STATS_TABLES), "economies": "ISO3",
                      "blocs": stats.stored_blocs()},
            "validation": self.validation,
            "licence": BACI_LICENCE,
            "citation": BACI_CITATION,
            "note": note if note is not None else (self.old or {}).get("note", ""),
            "stored": stored,
            "schemas": schemas,
        }

        (self.staging / "provenance.json").write_text(json.dumps(provenance, indent=2), encoding="utf-8")
        return provenance


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextmanager
def _no_interrupt() -> Iterator[None]:
    """Ignore SIGINT (Ctrl-C) for a moment: the swap below is never left half-done."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` by ``staging`` with renames (no partial state is visible)."""
    with _no_interrupt():
        target.parent.mkdir(parents=True, exist_ok=True)
        trash = None
        if target.exists():
            trash = target.parent / f".old-{uuid.uuid4().hex}"
            os.replace(target, trash)
        os.replace(staging, target)
    if trash is not None:
        shutil.rmtree(trash, ignore_errors=True)
