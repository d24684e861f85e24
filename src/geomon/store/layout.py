"""The store's layout: canonical flows as Parquet partitioned by year, with provenance.

Layout (one directory per source dataset, versions and HS revisions kept apart)::

    STORE/baci/HS92_V202401b/
        provenance.json                 source, version, HS revision, files, checksums, time
        countries.parquet               code, name, iso2, iso3
        products.parquet                product (6-char text), description
        flows/year=2022/part-0.parquet  exporter, importer, product, value (USD), quantity (t),
                                        sorted by product, importer, exporter
        stats/imports/year=2022/...     sufficient statistics per (importer, product), per
        stats/exports/year=2022/...     (exporter, product) and per product, computed once at
        stats/world/year=2022/...       ingest (see :mod:`geomon.ingest.stats`); screening reads these
        stats/bloc_imports/year=2022/   the same sums for the built-in blocs (EU27) as one economy,
        stats/bloc_exports/year=2022/   with their extra-bloc exports and intra-bloc sums

Writes are atomic at dataset level: a new dataset directory is built beside the
old one and swapped in by rename, so a failed or interrupted ingest leaves the
store as it was. Re-ingesting files with the same checksums changes nothing, except
that statistics missing or out of date (a store from an older geomon, a new country list)
are rebuilt from the stored flows.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from geomon.errors import DataError, InputError, choices


STORE_ENV = "GEOMON_STORE"
#: Sufficient-statistics tables stored per year (see :mod:`geomon.ingest.stats`), and their version:
#: stores with another version are rebuilt on ingest.
STATS_TABLES = ("imports", "exports", "world", "bloc_imports", "bloc_exports")
STATS_VERSION = 2
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
    return Path(__file__).resolve().parent.parent / "data" / "store"


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
    def source(self) -> str:
        """Lower-case source name: baci, comext, comtrade (the dataset's folder under the store)."""
        return str(self.provenance["source"]).lower()

    @property
    def frequency(self) -> str:
        """``A`` (annual flows only) or ``M`` (monthly flows under ``monthly/`` as well)."""
        return self.provenance.get("frequency", "A")

    @property
    def currency(self) -> str:
        """Currency of every value of the dataset (BACI: USD; Comext: EUR)."""
        return self.provenance.get("currency", "USD")

    @property
    def months(self) -> list[str]:
        """``YYYY-MM`` of every month of a monthly dataset ([] for annual data)."""
        return list(self.provenance.get("months", []))

    @property
    def has_stats(self) -> bool:
        """True when the statistics tables of this geomon version are stored for every year."""
        return (self.provenance.get("stats", {}).get("version") == STATS_VERSION
                and all((self.root / "stats" / name).is_dir() for name in STATS_TABLES))

    @property
    def flows_glob(self) -> str:
        return str(self.root / "flows" / "*" / "*.parquet")

    def countries(self) -> pa.Table:
        return pq.read_table(self.root / "countries.parquet")

    def products(self) -> pa.Table:
        return pq.read_table(self.root / "products.parquet")

    def check_year(self, year: int) -> None:
        if not self.years:
            raise InputError(f"{self.id} has no complete year (months {', '.join(self.months[:1] + self.months[-1:])}); "
                             "use --period YYYY-MM or a month range")
        if year not in self.years:
            raise InputError(f"year {year} is not in the data ({self.id} has {self.years[0]}-{self.years[-1]}); choose a year in that range")


class Store:
    """A directory of datasets. ``embedded`` marks the store shipped with geomon."""

    def __init__(self, root: str | Path, embedded: bool = False, origin: str = "") -> None:
        self.root = Path(root)
        self.embedded = embedded
        #: how the store was chosen: "embedded", "per-user", "explicit" or "GEOMON_STORE" ("" = not known)
        self.origin = origin or ("embedded" if embedded else "")

    def datasets(self) -> list[Dataset]:
        """Every dataset; a damaged provenance.json is a one-line DataError naming it."""
        from geomon.store.integrity import read_provenance

        return [Dataset(prov.parent, read_provenance(prov)) for prov in sorted(self.root.glob("*/*/provenance.json"))]

    def dataset(self, hs: str | None = None, version: str | None = None, source: str | None = None) -> Dataset:
        """The dataset to use: the newest version (then newest HS revision) unless told; of ``source``
        (baci, comext, comtrade), by default BACI when the store holds BACI, else any source."""
        all_ds = self.datasets()
        if not all_ds:
            if self.root.exists() and not self.root.is_dir():
                raise DataError(f"the store {self.root} is a file, not a folder; give a store folder with --store, or leave it out to use the embedded data")
            where = "the store" if not self.root.exists() else "the store (it is empty)"
            raise DataError(f"no data in {where} {self.root}; run 'geomon ingest baci PATH --store {self.root}' first, or leave out --store to use the embedded data")
        cands = all_ds
        if source is not None or any(d.source == "baci" for d in all_ds):
            want_s = (source or "baci").lower()
            cands = [d for d in cands if d.source == want_s]
            if not cands:
                raise InputError(f"source {source} is not in the store {self.root}; available: {choices(sorted({d.source for d in all_ds}))}"
                                 f" (ingest it with 'geomon ingest {want_s} PATH')")
            all_ds = cands
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
        chosen = max(cands, key=lambda d: (d.version, _hs_order(d.hs)))
        from geomon.store.integrity import quick_check

        quick_check(chosen.root, chosen.provenance)  # a damaged or missing file stops here, in one line
        return chosen


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
        return Store(Path(store).expanduser(), origin="explicit")
    if os.environ.get(STORE_ENV):
        return Store(default_store_dir(), origin="GEOMON_STORE")
    user = Store(default_store_dir(), origin="per-user")
    if user.root.exists() and any(user.root.glob("*/*/provenance.json")):
        return user
    return Store(embedded_store_dir(), embedded=True)


