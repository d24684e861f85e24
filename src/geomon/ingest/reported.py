"""Ingest reported trade data (Comext, Comtrade) into the store's canonical layout.

Layout (beside BACI's, same flows and statistics, so every analysis runs on it)::

    STORE/comext/HS22_V20260213/
        provenance.json     source, publisher, currency, frequency, months, inputs and checksums
        inputs/NNN.parquet  every row of each input file as read (``reason`` = '' for the rows used,
                            else why it is kept apart: partner World, product aggregate, ...)
        flows/year=Y/       per (exporter, importer, HS6 product): value in the dataset's currency,
                            quantity in tonnes (kg / 1000); monthly data: complete calendar years only
        monthly/year=Y/     the same per month (``month`` 1-12), monthly data only
        stats/...           the sufficient statistics of the annual flows (:mod:`geomon.ingest.stats`)

Flows are the reporters' *import declarations*: importer = reporter, exporter = partner (the
country of origin in Comext; of origin for imports in most Comtrade reporters). With
``mirror=True`` an export declaration of reporter R to partner P fills the flow R -> P when P
declared no import of that product from R in that period (mirror data). CN8 codes are summed
to their HS6 heading (first six digits). Several input files are combined; a key declared in
two files is an error. The build happens beside the store's datasets and is swapped in by a
rename (the same pieces as the BACI ingest), so a failed ingest leaves the store as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geomon.errors import DataError, InputError
from geomon.ingest import stats
from geomon.ingest.baci import IngestResult, _swap_in
from geomon.sources import STORE_CODEC
from geomon.sources.reported import COLUMNS, Reported, known_numeric
from geomon.store.duck import duckdb_connect, interruptible
from geomon.store.layout import STATS_TABLES, Dataset, default_store_dir

try:  # the store's writer lock and file manifest (issue 16), when this geomon has them
    from geomon.store.integrity import manifest
    from geomon.store.lock import writer_lock
except ImportError:  # pragma: no cover - older store package
    manifest = None
    writer_lock = None

KEY = ["reporter", "partner", "flow", "product", "year", "month"]
#: First year of each HS revision (WCO); CN8 codes of a year follow the revision in force.
HS_FROM = [(2022, "HS22"), (2017, "HS17"), (2012, "HS12"), (2007, "HS07"), (2002, "HS02"), (1996, "HS96"), (1988, "HS92")]
REPORTING = {
    "Comext": ("reported data: each EU reporter's imports as it declared them to Eurostat, by country of origin, "
               "valued CIF in euros (exports FOB by destination, used only as mirror data)"),
    "Comtrade": ("reported data: each reporter's imports as it declared them to UN Comtrade (CIF, by partner, "
                 "country of origin for most reporters), in US dollars (exports FOB, used only as mirror data)"),
}


def hs_of_year(year: int) -> str:
    """The HS revision in force in ``year`` (HS92 for 1988-1995: HS1988/1992 share the HS92 codes here)."""
    return next(rev for first, rev in HS_FROM if year >= first)


def files_of(path: str | Path, suffixes: tuple[str, ...]) -> list[Path]:
    """``path`` itself, or the data files in the folder ``path`` (sorted)."""
    p = Path(path).expanduser()
    if not p.exists():
        raise InputError(f"{p} does not exist; give a file or a folder of files ({', '.join(suffixes)})")
    if p.is_file():
        return [p]
    found = sorted(f for f in p.iterdir() if f.is_file() and "".join(f.suffixes[-2:]).lower().endswith(suffixes))
    if not found:
        raise InputError(f"{p} holds no {', '.join(suffixes)} files; give an extract file or a folder of them")
    return found


def ingest_reported(read, paths: list[Path], store: str | Path | None = None, note: str | None = None,
                    mirror: bool = False, hs: str | None = None, licence: str = "", citation: str = "") -> IngestResult:
    """Read every file in ``paths`` with ``read`` (a reader returning :class:`Reported`) and store them
    as one dataset (see the module docstring). ``hs`` states the HS revision when the files do not."""
    parts = [read(p) for p in paths]
    digests = [_sha256_file(p) for p in paths]
    first = parts[0]
    for p in parts[1:]:
        for what in ("currency", "source", "frequency"):
            if getattr(p, what) != getattr(first, what):
                raise DataError(f"mixed {what}: {first.name} is {getattr(first, what)}, {p.name} is {getattr(p, what)}; "
                                "ingest them separately")
    rev = _revision(parts, hs)
    version = max(p.version for p in parts)
    root = Path(store).expanduser() if store is not None else default_store_dir()
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataError(f"cannot create the store {root} ({exc.strerror}); give a writable --store") from None
    target = root / first.source.lower() / f"{rev}_{version}"
    with (writer_lock(root) if writer_lock else contextlib.nullcontext()):
        return _Build(target, parts, digests, paths, mirror, rev).run(note, licence, citation)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            h.update(chunk)
    return h.hexdigest()


def _revision(parts: list[Reported], hs: str | None) -> str:
    if hs:
        want = "HS" + str(hs).upper().removeprefix("HS")
        if want not in {r for _, r in HS_FROM}:
            raise InputError(f"HS revision {hs} is not known; give 92, 96, 02, 07, 12, 17 or 22")
        return want
    if parts[0].source == "Comext":
        return hs_of_year(int(max(p.rows["year"].max() for p in parts)))
    found = sorted({p.classification for p in parts} - {""})
    if len(found) != 1:
        what = "no classification column" if not found else f"several revisions ({', '.join(found)})"
        raise InputError(f"the files have {what}; give the HS revision with --hs (e.g. --hs 17), one per dataset")
    return found[0]


class _Build:
    """One dataset built in a staging folder beside the store's datasets, then swapped in."""

    def __init__(self, target: Path, parts: list[Reported], digests: list[str], paths: list[Path], mirror: bool,
                 rev: str) -> None:
        self.target, self.parts, self.digests, self.paths, self.mirror, self.rev = target, parts, digests, paths, mirror, rev
        self.old = json.loads((target / "provenance.json").read_text(encoding="utf-8")) if (target / "provenance.json").exists() else None

    def _inputs(self) -> list[tuple[dict, pd.DataFrame]]:
        """(record, rows) of every input: the old dataset's inputs not replaced by a new file of the same name,
        then the new ones."""
        new_names = {p.name for p in self.parts}
        out = []
        for rec in (self.old or {}).get("inputs", []):
            if rec["name"] not in new_names:
                out.append((rec, pq.read_table(self.target / rec["stored_as"]).to_pandas()))
        for part, digest, path in zip(self.parts, self.digests, self.paths):
            rows = pd.concat([part.rows.assign(reason=""), part.aggregates], ignore_index=True)
            out.append(({"name": part.name, "sha256": digest, "bytes": path.stat().st_size, "rows": len(part.rows),
                         "aggregate_rows": len(part.aggregates), "version": part.version}, rows))
        return out

    def run(self, note: str | None, licence: str, citation: str) -> IngestResult:
        inputs = self._inputs()
        old_inputs = {r["name"]: r["sha256"] for r in (self.old or {}).get("inputs", [])}
        if (self.old is not None and old_inputs == {r["name"]: r["sha256"] for r, _ in inputs}
                and self.old.get("mirror") == self.mirror):
            return IngestResult(Dataset(self.target, self.old), [], 0, True)
        rows = pd.concat([df[df["reason"] == ""].assign(_file=rec["name"]) for rec, df in inputs], ignore_index=True)
        _check_duplicates(rows)
        flows = declared_flows(rows, self.mirror)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.target.parent.parent))
        try:
            countries = self._countries(flows)
            years, months = self._write_flows(staging, flows, countries)
            for i, (rec, df) in enumerate(inputs):
                rec["stored_as"] = f"inputs/{i:03d}.parquet"
                (staging / "inputs").mkdir(exist_ok=True)
                pq.write_table(pa.Table.from_pandas(df[COLUMNS + ["reason"]], preserve_index=False), staging / rec["stored_as"])
            pq.write_table(countries, staging / "countries.parquet")
            pq.write_table(self._products(inputs, flows), staging / "products.parquet")
            prov = self._provenance(staging, [r for r, _ in inputs], years, months, flows, note, licence, citation)
            (staging / "provenance.json").write_text(json.dumps(prov, indent=2), encoding="utf-8")
            _swap_in(staging, self.target)
            staging = None
            return IngestResult(Dataset(self.target, prov), years, len(flows), False)
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)

    def _countries(self, flows: pd.DataFrame) -> pa.Table:
        """code (the source's numeric code, else the BACI/M49 code of the ISO3, else 9000+), name, iso2, iso3."""
        econ = sorted(set(flows["exporter"]) | set(flows["importer"]))
        names, numeric = {}, dict(known_numeric())
        for p in self.parts:
            names.update(p.names)
            numeric.update(p.numeric)
        codes, used = {}, set()
        for e in econ:
            c = numeric.get(e)
            if c is None or c in used:
                c = 9000 + len(used)
                while c in used:
                    c += 1
            codes[e] = c
            used.add(c)
        return pa.table({"code": pa.array([codes[e] for e in econ], pa.int16()), "name": [names.get(e, e) for e in econ],
                         "iso2": pa.array([None] * len(econ), pa.string()), "iso3": econ})

    def _write_flows(self, staging: Path, flows: pd.DataFrame, countries: pa.Table) -> tuple[list[int], list[str]]:
        """flows/ (annual; for monthly data the calendar years with all 12 months), monthly/, stats/."""
        code = dict(zip(countries.column("iso3").to_pylist(), countries.column("code").to_pylist()))
        f = flows.assign(exporter=flows["exporter"].map(code).astype("int16"), importer=flows["importer"].map(code).astype("int16"))
        months: list[str] = []
        if self.parts[0].frequency == "M":
            have = f.groupby("year")["month"].nunique()
            months = sorted({f"{y}-{m:02d}" for y, m in zip(f["year"], f["month"])})
            for y, g in f.groupby("year"):
                _write(g.sort_values(["month", "product", "importer", "exporter"])[
                    ["month", "exporter", "importer", "product", "value", "quantity"]], staging / "monthly" / f"year={y}")
            f = f[f["year"].isin(have[have == 12].index)]
            f = sum_flows(f, ["year", "exporter", "importer", "product"])
        years = sorted(int(y) for y in f["year"].unique())
        con = duckdb_connect()
        try:
            with interruptible():  # Ctrl-C inside a DuckDB statement is a KeyboardInterrupt too
                for y in years:
                    out = staging / "flows" / f"year={y}"
                    _write(f[f["year"] == y].sort_values(["product", "importer", "exporter"])[
                        ["exporter", "importer", "product", "value", "quantity"]], out)
                    stats.write_from_flows(con, out, countries, staging / "stats", y)
        finally:
            con.close()
        return years, months

    def _products(self, inputs: list[tuple[dict, pd.DataFrame]], flows: pd.DataFrame) -> pa.Table:
        desc: dict[str, str] = {}
        for p in self.parts:
            desc.update(p.descriptions)
        codes = sorted(flows["product"].unique())
        declared = pd.concat([df.loc[df["reason"] == "", "product"] for _, df in inputs]).unique()
        texts = []
        for c in codes:
            if c in desc:
                texts.append(desc[c])
            else:
                subs = sorted(d for d in declared if d.startswith(c) and len(d) > 6)
                texts.append(f"HS6 {c}" + (f" (CN8 {', '.join(subs)})" if subs else ""))
        return pa.table({"product": codes, "description": texts})

    def _provenance(self, staging: Path, inputs: list[dict], years: list[int], months: list[str], flows: pd.DataFrame,
                    note: str | None, licence: str, citation: str) -> dict:
        first = self.parts[0]
        per_year = flows[flows["year"].isin(years)].groupby("year").size()
        stored, schemas = manifest(staging) if manifest else (None, None)
        prov = {
            "source": first.source, "publisher": first.publisher, "hs_revision": self.rev,
            "version": max(r["version"] for r in inputs),
            "files": [{"name": f"flows of {y} from {len(inputs)} input file(s)", "year": y, "rows": int(per_year.get(y, 0))}
                      for y in years],
            "inputs": inputs, "currency": first.currency, "frequency": first.frequency, "months": months,
            "hs_by_year": {str(y): hs_of_year(y) for y in sorted(flows["year"].unique())} if first.source == "Comext" else {},
            "mirror": self.mirror, "reporting": REPORTING[first.source] + ("; mirror flows added" if self.mirror else ""),
            "ingested_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "units": {"value": first.currency, "quantity": "metric tons (declared net mass in kg / 1000)"},
            "stats": {"version": stats.VERSION, "tables": list(STATS_TABLES), "economies": "ISO3"},
            "licence": licence, "citation": citation,
            "note": note if note is not None else (self.old or {}).get("note", ""),
        }
        if stored is not None:
            prov.update(stored=stored, schemas=schemas)
        if hasattr(stats, "stored_blocs"):
            prov["stats"]["blocs"] = stats.stored_blocs()
        return prov


def _write(df: pd.DataFrame, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.Table.from_pandas(df, preserve_index=False), folder / "part-0.parquet",
                   compression=STORE_CODEC)


def _check_duplicates(rows: pd.DataFrame) -> None:
    dup = rows[rows.duplicated(KEY, keep=False)]
    if not dup.empty:
        r = dup.iloc[0]
        files = sorted(dup[(dup[KEY] == r[KEY]).all(axis=1)]["_file"].unique())
        raise DataError(f"{' and '.join(files)} both declare {r['reporter']} {r['flow']} {r['partner']} {r['product']} "
                        f"{int(r['year'])}-{int(r['month']):02d}; ingest each extract once")


def declared_flows(rows: pd.DataFrame, mirror: bool) -> pd.DataFrame:
    """Flows (year, month, exporter, importer, product HS6, value, quantity t) from reported rows:
    import declarations (exporter = partner, importer = reporter); with ``mirror``, export
    declarations for (period, exporter, importer, declared product) the importer did not declare.
    Quantity is null for a flow when any declared quantity in it is unknown."""
    imp = rows[rows["flow"] == "M"].assign(exporter=lambda d: d["partner"], importer=lambda d: d["reporter"])
    parts = [imp]
    if mirror:
        exp = rows[rows["flow"] == "X"].assign(exporter=lambda d: d["reporter"], importer=lambda d: d["partner"])
        k = ["year", "month", "exporter", "importer", "product"]
        seen = imp[k].drop_duplicates().assign(_seen=True)
        exp = exp.merge(seen, on=k, how="left")
        parts.append(exp[exp["_seen"].isna()].drop(columns="_seen"))
    f = pd.concat(parts, ignore_index=True)
    f = f[f["exporter"] != f["importer"]]
    if f.empty:
        raise DataError("the files hold no import declarations between two countries; give imports (flow 1 / M), "
                        "or use --mirror to build flows from export declarations")
    f = f.assign(product=f["product"].str[:6], quantity=f["quantity_kg"] / 1000.0)
    return sum_flows(f, ["year", "month", "exporter", "importer", "product"])


def sum_flows(f: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """value and quantity summed per ``keys``; quantity null when any summed quantity is unknown."""
    g = f.assign(_qnull=f["quantity"].isna()).groupby(keys, as_index=False)
    out = g.agg(value=("value", "sum"), quantity=("quantity", "sum"), _qnull=("_qnull", "any"))
    out.loc[out["_qnull"], "quantity"] = float("nan")
    return out.drop(columns="_qnull")
