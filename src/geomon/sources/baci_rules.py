"""Validation policy for BACI flow rows, applied while a year file is converted.

Every row of a year file must satisfy these rules (CEPII publishes non-negative, finite
values in thousands of USD and quantities in metric tons or ``NA``):

- the year ``t`` equals the year in the file name;
- the product ``k`` has at most 6 digits;
- the value ``v`` is present, finite and >= 0; the quantity ``q`` is ``NA`` or a finite number >= 0;
- no (exporter, importer, product) key appears twice in a file (the year is fixed per file).

Strict (default): the first row breaking a rule is an error naming the file, the line and the
value. ``lenient``: rows breaking a rule are dropped and counted per rule. Duplicate keys follow
the ``ingest.duplicates`` setting: ``reject`` (an error naming the first repeated line; under
``lenient`` the later copies are dropped) or ``sum`` (values summed; the quantity is summed when
every copy has one, else unknown). The year in a file name must lie between the first year of
its HS revision and the current year (:func:`check_file_year`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import numpy as np

from geomon.errors import DataError

#: rule name -> SQL condition (on the parsed table) that a row breaking the rule satisfies.
ROW_RULES: dict[str, str] = {
    "year differs from the file name": "t <> {year}",
    "product code longer than 6 digits": "product < 0 OR product > 999999",
    "value missing": "value IS NULL",
    "value not finite": "NOT isfinite(value)",
    "value negative": "value < 0",
    "quantity not a number": "q_bad",
    "quantity not finite": "quantity IS NOT NULL AND NOT isfinite(quantity)",
    "quantity negative": "quantity < 0",
}
DUPLICATE_RULE = "duplicate (exporter, importer, product)"
MALFORMED_RULE = "malformed line"
DUPLICATE_POLICIES = ("reject", "sum")


def first_hs_year(hs: str) -> int:
    """The year an HS revision came into force: HS92 -> 1992, HS02 -> 2002, HS22 -> 2022."""
    yy = int(hs.removeprefix("HS"))
    return yy + (1900 if yy >= 88 else 2000)


def check_file_year(name: str, hs: str, year: int, today: dt.date | None = None) -> None:
    """A file's year must lie in [first year of its HS revision, current year]."""
    last = (today or dt.datetime.now(dt.timezone.utc).date()).year
    first = first_hs_year(hs)
    if not first <= year <= last:
        raise DataError(f"{name}: year {year} in the file name is not plausible for HS{hs}; "
                        f"BACI HS{hs} files hold years {first}-{last}")


def _line_text(csv_path: Path, n: int) -> str:
    with open(csv_path, encoding="utf-8-sig", errors="replace") as fh:
        return next((line.rstrip("\r\n") for i, line in enumerate(fh, start=1) if i == n), "")


def _field(text: str, index: int) -> str:
    parts = text.split(",")
    return parts[index].strip() if index < len(parts) else ""


def apply_rules(con: duckdb.DuckDBPyConnection, table: str, csv_path: Path, display_name: str, year: int,
                lenient: bool) -> dict[str, int]:
    """Check every row of ``table`` (columns t, product, value, quantity, q_bad; the file's line
    number is rowid + 2, as the table keeps the file's order after the header line).

    Strict: raise :class:`DataError` for the first line (smallest n) breaking a rule. Lenient:
    delete the rows breaking rules; returns {rule: rows dropped} (rules with drops only).
    """
    rules = {name: cond.format(year=year) for name, cond in ROW_RULES.items()}
    any_bad = " OR ".join(f"({c})" for c in rules.values())
    if not con.execute(f"SELECT count(*) FILTER (({any_bad}) IS TRUE) FROM {table}").fetchone()[0]:
        return {}
    if not lenient:
        _raise_first(con, table, csv_path, display_name, year, rules, any_bad)
    counts = con.execute("SELECT " + ", ".join(f"count(*) FILTER (({c}) IS TRUE)" for c in rules.values())
                         + f" FROM {table}").fetchone()
    con.execute(f"DELETE FROM {table} WHERE ({any_bad}) IS TRUE")
    return {name: int(c) for name, c in zip(rules, counts) if c}


def is_clean(con: duckdb.DuckDBPyConnection, table: str, year: int) -> bool:
    """True when no row of ``table`` breaks a rule of :data:`ROW_RULES`, no key column (nor the
    year) is NULL and no (exporter, importer, product) key appears twice.

    ``table`` must be sorted by product, importer, exporter (so equal keys are neighbours): the
    keys are compared with the next row's (a pass over three integer columns) instead of counting
    distinct keys (a hash table of every key: 3.6 against 0.4 CPU-s at 11 million rows).
    """
    rules = " OR ".join(f"({c.format(year=year)})" for c in ROW_RULES.values())
    if con.execute(f"SELECT count(*) FILTER ((({rules}) IS TRUE) OR t IS NULL OR exporter IS NULL "
                   f"OR importer IS NULL OR product IS NULL) FROM {table}").fetchone()[0]:
        return False
    keys = con.execute(f"SELECT product, importer, exporter FROM {table}").fetchnumpy()
    p, i, e = (np.asarray(keys[c]) for c in ("product", "importer", "exporter"))
    return not bool(np.any((p[1:] == p[:-1]) & (i[1:] == i[:-1]) & (e[1:] == e[:-1])))


def _raise_first(con, table: str, csv_path: Path, display_name: str, year: int, rules: dict[str, str],
                 any_bad: str) -> None:
    rowid, t, k = con.execute(f"SELECT rowid, t, product FROM {table} WHERE ({any_bad}) IS TRUE ORDER BY rowid LIMIT 1").fetchone()
    n = rowid + 2
    broken = [name for name, c in rules.items()
              if con.execute(f"SELECT count(*) FROM {table} WHERE rowid = {rowid} AND ({c}) IS TRUE").fetchone()[0]]
    rule = broken[0]
    where = f"{display_name} line {n}"
    text = _line_text(csv_path, n)
    if rule.startswith("year"):
        raise DataError(f"{where}: year t = {t} but the file name says {year}; each BACI file holds one year")
    if rule.startswith("product"):
        raise DataError(f"{where}: product k = {k} has more than 6 digits; expected an HS6 code")
    if rule == "value missing":
        raise DataError(f"{where}: value v is empty; expected a number (or use --lenient to drop such rows)")
    if rule.startswith("value"):
        raise DataError(f"{where}: value v = {_field(text, 4)!r} is {rule.removeprefix('value ')}; values must be "
                        f"finite and >= 0 (or use --lenient to drop such rows)")
    if rule == "quantity not a number":
        raise DataError(f"{where}: quantity q = {_field(text, 5)!r} is not a number or NA")
    raise DataError(f"{where}: quantity q = {_field(text, 5)!r} is {rule.removeprefix('quantity ')}; quantities must "
                    f"be finite and >= 0 or NA (or use --lenient to drop such rows)")


def apply_duplicates(con: duckdb.DuckDBPyConnection, table: str, display_name: str, policy: str,
                     lenient: bool) -> dict[str, int]:
    """Resolve repeated (exporter, importer, product) keys in ``table`` by ``policy``.

    ``sum``: one row per key with value = sum of values and quantity = sum of quantities when
    every copy has one (else NULL); ``reject``: an error naming the first line whose key
    already appeared, or under ``lenient`` the later copies dropped. Returns {rule: rows removed}.
    """
    if policy not in DUPLICATE_POLICIES:
        raise DataError(f"ingest.duplicates = {policy!r} is not allowed; choose one of {', '.join(DUPLICATE_POLICIES)}")
    total, keys = con.execute(f"SELECT count(*), count(DISTINCT (exporter, importer, product)) FROM {table}").fetchone()
    extra = int(total - keys)
    if not extra:
        return {}
    if policy == "sum":
        con.execute(f"""CREATE OR REPLACE TEMP TABLE {table} AS
            SELECT any_value(t) AS t, exporter, importer, product, sum(value) AS value,
                   CASE WHEN count(quantity) = count(*) THEN sum(quantity) END AS quantity, false AS q_bad
            FROM {table} GROUP BY exporter, importer, product""")
        return {}
    if not lenient:
        n, first, e, i, k = con.execute(f"""
            SELECT n, first_n, exporter, importer, product FROM (
                SELECT rowid + 2 AS n, min(rowid + 2) OVER (PARTITION BY exporter, importer, product) AS first_n,
                       exporter, importer, product FROM {table}) WHERE n > first_n ORDER BY n LIMIT 1""").fetchone()
        raise DataError(f"{display_name} line {n}: duplicate flow exporter {e}, importer {i}, product {k:06d} "
                        f"(first on line {first}); set ingest.duplicates = \"sum\" to add them up, or use --lenient "
                        f"to keep the first")
    con.execute(f"""DELETE FROM {table} WHERE rowid IN (
        SELECT r FROM (SELECT rowid AS r, min(rowid) OVER (PARTITION BY exporter, importer, product) AS first_r
                       FROM {table}) WHERE r > first_r)""")
    return {DUPLICATE_RULE: extra}
