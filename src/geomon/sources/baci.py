"""CEPII BACI reader: a release folder or zip -> canonical flows in Parquet.

BACI is distributed as ``BACI_HS{rev}_Y{year}_V{version}.csv`` (columns
``t,i,j,k,v,q``: year, exporter and importer BACI numeric codes, HS6 product,
value in thousands of current USD, quantity in metric tons or ``NA``) beside
``country_codes_V{version}.csv`` and ``product_codes_HS{rev}_V{version}.csv``.

Canonical flow columns written by :func:`convert_year`:
``exporter, importer (int16 BACI codes), product (6-char text), value (USD),
quantity (t, null when unknown)``; the year is the Parquet partition.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa

from geomon.errors import DataError
from geomon.sources import STORE_PARQUET, baci_rules

FLOW_RE = re.compile(r"^BACI_HS(?P<hs>\d{2})_Y(?P<year>\d{4})_V(?P<version>[0-9A-Za-z]+)\.csv$")
COUNTRY_RE = re.compile(r"^country_codes_V(?P<version>[0-9A-Za-z]+)\.csv$")
PRODUCT_RE = re.compile(r"^product_codes_HS(?P<hs>\d{2})_V(?P<version>[0-9A-Za-z]+)\.csv$")
HS_REVISIONS = ("92", "96", "02", "07", "12", "17", "22")


@dataclass
class Release:
    """The files of one BACI release (one HS revision and one version)."""

    hs: str
    version: str
    years: dict[int, str] = field(default_factory=dict)  # year -> member name
    country_file: str | None = None
    product_file: str | None = None

    @property
    def dataset_id(self) -> str:
        return f"HS{self.hs}_V{self.version}"


class Source:
    """A BACI folder or zip; members are read by name, zip members are streamed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.exists():
            raise DataError(f"BACI path {self.path} does not exist; give a BACI folder or its .zip")
        self._zip: zipfile.ZipFile | None = None
        if self.path.is_file():
            try:
                self._zip = zipfile.ZipFile(self.path)
                self._names = {Path(n).name: n for n in self._zip.namelist() if not n.endswith("/")}
            except (zipfile.BadZipFile, OSError) as exc:
                raise DataError(f"cannot read {self.path} as a zip file ({exc}); give the BACI .zip as downloaded from CEPII, or the unpacked folder") from None
        else:
            self._names = {p.name: str(p) for p in sorted(self.path.iterdir()) if p.is_file()}

    def names(self) -> list[str]:
        return sorted(self._names)

    def open_bytes(self, name: str) -> bytes:
        if self._zip is not None:
            try:
                return self._zip.read(self._names[name])
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise DataError(f"cannot read {name} from {self.path} ({exc}); the zip is damaged, download it again") from None
        return Path(self._names[name]).read_bytes()

    def local_path(self, name: str, scratch: Path) -> Path:
        """A path on disk for a member (zip members are extracted into ``scratch``)."""
        if self._zip is None:
            return Path(self._names[name])
        target = scratch / name
        try:
            with self._zip.open(self._names[name]) as src, open(target, "wb") as dst:
                while chunk := src.read(1 << 24):
                    dst.write(chunk)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise DataError(f"cannot read {name} from {self.path} ({exc}); the zip is damaged, download it again") from None
        return target

    def releases(self) -> list[Release]:
        """Group the files into releases; files of other shapes are ignored."""
        found: dict[tuple[str, str], Release] = {}
        countries: dict[str, str] = {}
        for name in self._names:
            if m := FLOW_RE.match(name):
                key = (m["hs"], m["version"])
                found.setdefault(key, Release(*key)).years[int(m["year"])] = name
            elif m := COUNTRY_RE.match(name):
                countries[m["version"]] = name
            elif m := PRODUCT_RE.match(name):
                key = (m["hs"], m["version"])
                found.setdefault(key, Release(*key)).product_file = name
        releases = []
        for rel in found.values():
            if not rel.years:
                continue
            rel.country_file = countries.get(rel.version) or (max(countries.items())[1] if countries else None)
            if rel.hs not in HS_REVISIONS:
                raise DataError(f"{rel.years[min(rel.years)]}: unknown HS revision HS{rel.hs}; BACI uses {', '.join('HS' + h for h in HS_REVISIONS)}")
            releases.append(rel)
        if not releases:
            raise DataError(f"no BACI files (BACI_HS<rev>_Y<year>_V<version>.csv) in {self.path}")
        return sorted(releases, key=lambda r: (r.version, r.hs))


def _repair_text(s: str) -> str:
    """Undo UTF-8 read as Latin-1 (mojibake like 'CÃ´te' -> 'Côte') seen in BACI code lists."""
    try:
        return s.encode("cp1252").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return s


def _read_code_table(raw: bytes, name: str, columns: list[str]) -> list[dict[str, str]]:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or any(c not in reader.fieldnames for c in columns):
        raise DataError(f"{name}: expected columns {', '.join(columns)}, found {', '.join(reader.fieldnames or [])}")
    rows = []
    for line_no, row in enumerate(reader, start=2):
        if any(row.get(c) is None for c in columns):
            raise DataError(f"{name} line {line_no}: expected {len(columns)} columns ({', '.join(columns)})")
        rows.append({c: _repair_text(row[c].strip()) for c in columns})
    return rows


def read_countries(source: Source, name: str) -> pa.Table:
    """BACI country codes -> table(code int16, name, iso2, iso3)."""
    rows = _read_code_table(source.open_bytes(name), name, ["country_code", "country_name", "country_iso2", "country_iso3"])
    try:
        codes = [int(r["country_code"]) for r in rows]
    except ValueError as exc:
        raise DataError(f"{name}: a country_code is not a number ({exc})") from None
    return pa.table({
        "code": pa.array(codes, pa.int16()),
        "name": [r["country_name"] for r in rows],
        "iso2": [r["country_iso2"] or None for r in rows],
        "iso3": [r["country_iso3"] for r in rows],
    })


def read_products(source: Source, name: str) -> pa.Table:
    """BACI product codes -> table(product 6-char text, description); leading zeros restored."""
    rows = _read_code_table(source.open_bytes(name), name, ["code", "description"])
    bad = next((r["code"] for r in rows if not r["code"].isalnum() or len(r["code"]) > 6), None)
    if bad is not None:
        raise DataError(f"{name}: product code {bad!r} is not an HS6 code (up to 6 characters)")
    return pa.table({  # BACI's own '9999AA' (not elsewhere specified) stays as is
        "product": [r["code"].zfill(6) if r["code"].isdigit() else r["code"] for r in rows],
        "description": [r["description"] for r in rows],
    })


#: The temporary table :func:`convert_year` leaves in the connection (canonical columns, ``product`` as integer k).
YEAR_TABLE = "geomon_year"


def convert_year(csv_path: Path, display_name: str, year: int, out_file: Path, con: duckdb.DuckDBPyConnection,
                 lenient: bool = False, duplicates: str = "reject") -> tuple[int, dict[str, int]]:
    """Convert one BACI year file to canonical Parquet; returns (rows written, {rule: rows dropped}).

    The file is parsed into the temporary table :data:`YEAR_TABLE` (exporter, importer,
    product = k as integer, value, quantity), sorted by product, importer, exporter and left in
    ``con`` for the store to compute its statistics from. Values are multiplied by 1000 (BACI
    gives thousands of USD). Rows are checked by the rules of :mod:`geomon.sources.baci_rules`
    (``lenient`` drops instead of failing; ``duplicates`` is the policy for repeated keys).
    Flows are written in the table's order, in row groups of 122,880 rows, so a query for a few
    products reads a few row groups. A malformed line raises :class:`DataError` naming the file
    and line; so does a file with a header and no flows.

    Cost: the file is first parsed strictly (``q`` read as a number with ``NA`` or empty as
    unknown, any line DuckDB cannot read stops it) and sorted in the same statement
    (:func:`parse_fast`); a file that passes and breaks no rule (:func:`baci_rules.is_clean`,
    which compares neighbours in the sorted table instead of hashing every key) is written from
    it as is. Any other file is parsed again in file order (:func:`_parse`: the table's
    rowid + 2 is then the line number the messages name), checked and repaired as before, then
    sorted.
    """
    _check_header(csv_path, display_name)
    dropped: dict[str, int] = {}
    if not (parse_fast(con, csv_path) and baci_rules.is_clean(con, YEAR_TABLE, year)):
        dropped = _parse(con, csv_path, display_name, lenient)
        dropped.update(baci_rules.apply_rules(con, YEAR_TABLE, csv_path, display_name, year, lenient))
        dropped.update(baci_rules.apply_duplicates(con, YEAR_TABLE, display_name, duplicates, lenient))
        con.execute(f"CREATE OR REPLACE TEMP TABLE {YEAR_TABLE} AS SELECT * FROM {YEAR_TABLE} ORDER BY {_ORDER}")
    if not con.execute(f"SELECT count(*) FROM {YEAR_TABLE}").fetchone()[0]:
        raise DataError(f"{display_name}: no valid flows left after dropping {sum(dropped.values()):,} bad rows; "
                        f"check the file")
    out = str(out_file).replace("'", "''")
    rows = con.execute(f"""
        COPY (SELECT exporter, importer, lpad(CAST(product AS VARCHAR), 6, '0') AS product, value, quantity
              FROM {YEAR_TABLE})
        TO '{out}' ({STORE_PARQUET})
    """).fetchone()[0]
    return int(rows), dropped


#: The order of the stored flows (DuckDB keeps a table's insertion order when it is scanned or copied).
_ORDER = "product, importer, exporter"
#: The canonical columns from a BACI line t,i,j,k,v,q: v is in thousands of USD.
_CANONICAL = "t, i AS exporter, j AS importer, k AS product, round(v * 1000.0, 3) AS value"


def _scan(csv_path: Path, q_type: str, options: str) -> str:
    """DuckDB's read_csv of a BACI file, every column typed (``q`` as ``q_type``), plus ``options``."""
    src = str(csv_path).replace("'", "''")
    columns = f"{{'t': 'SMALLINT', 'i': 'SMALLINT', 'j': 'SMALLINT', 'k': 'INTEGER', 'v': 'DOUBLE', 'q': '{q_type}'}}"
    return f"read_csv('{src}', header=true, auto_detect=false, delim=',', quote='\"', columns={columns}, {options})"


def parse_fast(con: duckdb.DuckDBPyConnection, csv_path: Path) -> bool:
    """Parse the file into :data:`YEAR_TABLE` sorted by :data:`_ORDER`, every column typed
    (``NA`` or an empty field is NULL); False, with nothing promised about the table, when a
    line cannot be read so or the file has no flows. For a file it accepts, the table holds what
    :func:`_parse` gives, sorted (``q_bad`` is false: a quantity that is not a number fails here)."""
    scan = _scan(csv_path, "DOUBLE", "nullstr=['NA', '']")
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {YEAR_TABLE} AS
            SELECT {_CANONICAL}, q AS quantity, false AS q_bad
            FROM {scan} ORDER BY {_ORDER}""")
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.Error:
        return False
    return bool(con.execute(f"SELECT count(*) FROM {YEAR_TABLE}").fetchone()[0])


def _parse(con: duckdb.DuckDBPyConnection, csv_path: Path, display_name: str, lenient: bool) -> dict[str, int]:
    """Parse the file into :data:`YEAR_TABLE` in file order (``q`` as text, checked by the rules);
    returns {rule: rows dropped} for lines DuckDB could not parse (see :func:`_rejected`)."""
    scan = _scan(csv_path, "VARCHAR", "store_rejects=true, rejects_scan='geomon_scan', rejects_table='geomon_rejects'")
    con.execute("DROP TABLE IF EXISTS geomon_rejects; DROP TABLE IF EXISTS geomon_scan")
    try:
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE {YEAR_TABLE} AS
            SELECT {_CANONICAL},
                   TRY_CAST(NULLIF(trim(q), 'NA') AS DOUBLE) AS quantity,
                   (NULLIF(NULLIF(trim(q), 'NA'), '') IS NOT NULL AND quantity IS NULL) AS q_bad
            FROM {scan}""")
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.Error as exc:
        raise DataError(f"{display_name}: cannot read as BACI CSV ({str(exc).splitlines()[0]})") from None
    dropped = _rejected(con, display_name, lenient)
    if not con.execute(f"SELECT count(*) FROM {YEAR_TABLE}").fetchone()[0] and not dropped:
        raise DataError(f"{display_name}: the file has a header but no flows; expected lines t,i,j,k,v,q after it")
    return dropped


def _check_header(csv_path: Path, display_name: str) -> None:
    try:
        with open(csv_path, "rb") as fh:
            first = fh.readline().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise DataError(f"{display_name}: cannot read ({exc.strerror})") from None
    if not first.strip():
        raise DataError(f"{display_name}: the file is empty; expected a header t,i,j,k,v,q and flows")
    header = first.replace(" ", "").replace('"', "").strip()
    if header != "t,i,j,k,v,q":
        raise DataError(f"{display_name} line 1: header is {first.strip()!r}; expected t,i,j,k,v,q")


def _rejected(con: duckdb.DuckDBPyConnection, display_name: str, lenient: bool) -> dict[str, int]:
    """Lines DuckDB could not parse: strict -> the first is an error; lenient -> counted."""
    count, line, text, msg = con.execute(
        "SELECT count(*) OVER (), line, csv_line, error_message FROM geomon_rejects ORDER BY line LIMIT 1").fetchone() or (0, 0, "", "")
    if not count:
        return {}
    if not lenient:
        raise DataError(f"{display_name} line {line}: {msg.splitlines()[0]} in {text!r}; expected t,i,j,k,v,q with numbers (q may be NA)")
    return {baci_rules.MALFORMED_RULE: int(count)}
