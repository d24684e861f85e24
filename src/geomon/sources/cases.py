"""Reader of coercion-case files (the shipped ``curated_cases.csv`` and user files, same format).

Contract: :func:`read_cases` returns one row per case with the columns of :data:`CASE_COLUMNS`
(text, '' when empty) plus ``line`` (the file line, for messages), ``set`` (where the case comes
from) and ``sources`` (every source as ``title - publisher, date, URL``, joined by `` | ``).
A malformed row raises :class:`~geomon.errors.InputError` naming the file and line, e.g.
``cases.csv line 7: start '2021-13' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD``.

What is checked here (no store needed): required columns and values, date syntax and order,
instrument and direction vocabularies, HS code syntax (2, 4 or 6 digits, optional ``REV:``
prefix) and revision names, ISO3 syntax of coercer and target, at least one complete source.
Whether the ISO3 codes and HS codes exist is checked against the code lists by the registry
(:mod:`geomon.analyses.coercion.registry`).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import pandas as pd

from geomon.errors import InputError

CASE_COLUMNS = ["case_id", "coercer", "target", "start", "end", "instrument", "direction", "hs_revision",
                "hs_codes", "hs_basis", "trigger", "uncertain", "note"]
SOURCE_FIELDS = ["title", "publisher", "date", "url"]
REQUIRED = ["case_id", "coercer", "target", "start", "instrument", "direction", "source_title", "source_publisher",
            "source_date", "source_url"]
INSTRUMENTS = ("import_ban", "tariff", "export_control", "boycott", "informal_pressure", "sanctions")
DIRECTIONS = ("imports", "exports")
#: HS revisions by name; short forms (HS92, HS17, 92, 2017) are accepted and normalised.
REVISIONS = ("HS1992", "HS1996", "HS2002", "HS2007", "HS2012", "HS2017", "HS2022")
UNCERTAIN_FIELDS = ("start", "end", "hs_codes")
WORLD = "WORLD"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def normalise_revision(text: str) -> str | None:
    """'HS92', '92', 'HS1992', '1992' -> 'HS1992'; None when it names no HS revision."""
    t = str(text).strip().upper().removeprefix("HS").strip()
    if len(t) == 2 and t.isdigit():
        t = ("19" if t >= "88" else "20") + t
    name = f"HS{t}"
    return name if name in REVISIONS else None


def parse_date(text: str) -> dt.date:
    """First day of 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD'; ValueError when it is none of these."""
    if not _DATE.match(text):
        raise ValueError(text)
    parts = [int(p) for p in text.split("-")] + [1, 1]
    try:
        return dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise ValueError(text) from None


def parse_codes(text: str, revision: str) -> list[tuple[str, str]]:
    """``'250410 HS1992:811230'`` -> [(revision, '250410'), ('HS1992', '811230')]; ValueError naming
    the first bad entry."""
    out = []
    for token in str(text).split():
        rev, sep, code = token.rpartition(":")
        rev = normalise_revision(rev) if sep else revision
        if not rev or not (code.isdigit() and len(code) in (2, 4, 6)):
            raise ValueError(token)
        out.append((rev, code))
    return out


def _fail(where: str, message: str) -> InputError:
    return InputError(f"{where}: {message}")


def _check_row(row: dict[str, str], where: str) -> None:
    for col in REQUIRED:
        if not row.get(col, "").strip():
            raise _fail(where, f"'{col}' is empty; every case needs {', '.join(REQUIRED)}")
    for col in ("coercer", "target"):
        v = row[col]
        if not (v == WORLD and col == "target") and not re.fullmatch(r"[A-Z][A-Z0-9]{2}|EU27", v):
            raise _fail(where, f"{col} '{v}' is not an ISO3 code; write e.g. CHN, EU27" + (" or WORLD" if col == "target" else ""))
    try:
        start = parse_date(row["start"])
        end = parse_date(row["end"]) if row["end"] else None
    except ValueError as exc:
        raise _fail(where, f"date '{exc}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD") from None
    if end is not None and end < start:
        raise _fail(where, f"end {row['end']} is before start {row['start']}")
    if row["instrument"] not in INSTRUMENTS:
        raise _fail(where, f"instrument '{row['instrument']}' is unknown; choose one of {', '.join(INSTRUMENTS)}")
    if row["direction"] not in DIRECTIONS:
        raise _fail(where, f"direction '{row['direction']}' is unknown; choose imports or exports")
    _check_codes(row, where)
    bad = [u for u in row["uncertain"].split(";") if u.strip() and u.strip() not in UNCERTAIN_FIELDS]
    if bad:
        raise _fail(where, f"uncertain '{bad[0]}' is not a field; use {', '.join(UNCERTAIN_FIELDS)} separated by ;")
    for n in ("source", "source2"):
        date = row.get(f"{n}_date", "")
        if date and date != "n.d.":
            try:
                parse_date(date)
            except ValueError:
                raise _fail(where, f"{n}_date '{date}' is not a date; write YYYY[-MM[-DD]] or n.d.") from None
        if not row.get(f"{n}_url", "").startswith(("http://", "https://")) and (n == "source" or row.get(f"{n}_title")):
            raise _fail(where, f"{n}_url '{row.get(f'{n}_url', '')}' is not a web address; give the http(s) URL of the source")


def _check_codes(row: dict[str, str], where: str) -> None:
    if not row["hs_codes"]:
        return
    revision = normalise_revision(row["hs_revision"])
    if revision is None:
        raise _fail(where, f"hs_revision '{row['hs_revision']}' is not an HS revision; write one of {', '.join(REVISIONS)}")
    try:
        parse_codes(row["hs_codes"], revision)
    except ValueError as exc:
        raise _fail(where, f"HS code '{exc}' is not 2, 4 or 6 digits (optionally REV:CODE, e.g. HS1992:811230)") from None
    row["hs_revision"] = revision


def _sources(row: dict[str, str]) -> str:
    parts = []
    for n in ("source", "source2"):
        if row.get(f"{n}_title"):
            parts.append(f"{row[f'{n}_title']} - {row[f'{n}_publisher']}, {row[f'{n}_date']}, {row[f'{n}_url']}")
    return " | ".join(parts)


def read_cases(path: str | Path, set_name: str = "user") -> pd.DataFrame:
    """Read and check a cases CSV (see the module docstring for the contract)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"cases file {path} does not exist; give a CSV in the format of curated_cases.csv")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(f"cases file {path} is not UTF-8 text; save it as UTF-8 CSV") from None
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in CASE_COLUMNS + ["source_title", "source_publisher", "source_date", "source_url"]
               if c not in (reader.fieldnames or [])]
    if missing:
        raise InputError(f"{path.name} line 1: missing column(s) {', '.join(missing)}; see data/coercion/README.md")
    rows, seen = [], {}
    for i, raw in enumerate(reader, start=2):
        where = f"{path.name} line {i}"
        if None in raw:
            raise _fail(where, "more cells than columns; quote texts that contain commas")
        row = {k: (v or "").strip() for k, v in raw.items()}
        _check_row(row, where)
        if row["case_id"] in seen:
            raise _fail(where, f"case_id '{row['case_id']}' repeats line {seen[row['case_id']]}; ids must be unique")
        seen[row["case_id"]] = i
        rows.append({**{c: row.get(c, "") for c in CASE_COLUMNS}, "sources": _sources(row),
                     "source_url": row["source_url"], "line": i, "set": set_name, "file": str(path)})
    return pd.DataFrame(rows, columns=CASE_COLUMNS + ["sources", "source_url", "line", "set", "file"])
