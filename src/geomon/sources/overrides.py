"""Expert overrides of tiers: reading the override files (CSV or TOML).

An override names a product (HS6 code) or a substitute group, a tier, a reason, an
author, a date and optionally a reporter. Errors name the file and the line.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from geomon.errors import DataError
from geomon.sources.userfiles import read_csv, read_text


@dataclass(frozen=True)
class Override:
    """An expert judgement: ``target`` is an HS6 code or a substitute-group id."""

    target: str
    tier: str
    reason: str
    author: str
    date: str
    reporter: str = ""
    file: str = ""
    line: int = 0


OVERRIDE_REQUIRED = ["tier", "reason", "author", "date"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_override(raw: dict[str, Any], where: str, known: set[str], tiers: Sequence[str]) -> Override:
    def bad(msg: str) -> DataError:
        return DataError(f"{where}: {msg}")

    target = str(raw.get("product") or raw.get("group") or "").strip()
    if raw.get("product") and raw.get("group"):
        raise bad("give either product or group, not both")
    if not target:
        raise bad("no product or group; name an HS6 code (e.g. 283691) or a substitute group id")
    if target.isdigit() and len(target) < 6:
        target = target.zfill(6)
    if known and target not in known:
        raise bad(f"'{target}' is neither an HS6 product code of the data nor a substitute group id")
    tier = str(raw.get("tier") or "").strip().lower()
    if tier not in tiers:
        raise bad(f"tier '{raw.get('tier', '')}' is not allowed; choose one of {', '.join(tiers)}")
    for field in ("reason", "author"):
        if not str(raw.get(field) or "").strip():
            raise bad(f"{field} is empty; every override states its reason and author")
    when = str(raw.get("date") or "").strip()
    try:
        if not _ISO_DATE.match(when):
            raise ValueError
        date.fromisoformat(when)
    except ValueError:
        raise bad(f"date '{when}' is not a date like 2024-05-31") from None
    return Override(target, tier, str(raw["reason"]).strip(), str(raw["author"]).strip(), when,
                    str(raw.get("reporter") or "").strip().upper())


def read_overrides(path: str | Path, known: Iterable[str], tiers: Sequence[str]) -> list[Override]:
    """Read an override file (CSV with columns product or group, tier, reason, author, date
    and optional reporter; or TOML with ``[[override]]`` tables of the same keys).

    ``known``: the allowed targets (HS6 codes and group ids); empty = not checked.
    ``tiers``: the allowed tier names.
    Errors name the file and the line. A (target, reporter) pair may appear once.
    """
    p = Path(path)
    known = set(known)
    items: list[Override] = []
    if p.suffix.lower() == ".toml":
        text = read_text(p, "overrides")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"{p}: not valid TOML: {exc}") from None
        entries = data.get("override", [])
        extra = [k for k in data if k != "override"]
        if extra or not isinstance(entries, list):
            raise DataError(f"{p}, line 1: expected only [[override]] tables, found {', '.join(extra) or 'override'}")
        lines = [i for i, ln in enumerate(text.splitlines(), start=1) if ln.strip().startswith("[[override]]")]
        for n, entry in enumerate(entries):
            line = lines[n] if n < len(lines) else 0
            bad_keys = [k for k in entry if k not in ("product", "group", "reporter", *OVERRIDE_REQUIRED)]
            if bad_keys:
                raise DataError(f"{p}, line {line}: unknown key {', '.join(bad_keys)}; allowed: product or group, "
                                f"tier, reason, author, date, reporter")
            o = _check_override(entry, f"{p}, line {line}", known, tiers)
            items.append(Override(**{**o.__dict__, "file": str(p), "line": line}))
    else:
        f = read_csv(p, "overrides", OVERRIDE_REQUIRED, ["product", "group", "reporter"])
        if f.rows and "product" not in f.rows[0].cells and "group" not in f.rows[0].cells:
            raise DataError(f"{p}, line 1: header lacks a product or group column")
        for row in f.rows:
            o = _check_override(row.cells, f"{p}, line {row.line}", known, tiers)
            items.append(Override(**{**o.__dict__, "file": str(p), "line": row.line}))
    seen: dict[tuple[str, str], int] = {}
    for o in items:
        key = (o.target, o.reporter)
        if key in seen:
            raise DataError(f"{p}, line {o.line}: a second override for {o.target}"
                            f"{' and ' + o.reporter if o.reporter else ''} (first on line {seen[key]}); keep one")
        seen[key] = o.line
    return items
