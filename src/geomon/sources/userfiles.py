"""Small curated CSV files (interest map, overrides, substitute groups): strict reading.

Format: UTF-8 CSV with a header row, one record per line (quoted fields may hold
commas but not line breaks); blank lines and lines starting with ``#`` are
comments (``# version: ...`` names the file's version). Every problem raises a
:class:`~geomon.errors.DataError` naming the file and the line, e.g.
``overrides.csv, line 4: tier 'high' is not allowed; choose one of ...``.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from geomon.errors import DataError

_VERSION = re.compile(r"^#\s*version\s*:\s*(.+?)\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """One data row: its 1-based line number in the file and its cells by column name."""

    line: int
    cells: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.cells.get(key, "")


@dataclass(frozen=True)
class CsvFile:
    path: Path
    version: str
    rows: list[Row]

    def error(self, row: Row | int, message: str) -> DataError:
        line = row.line if isinstance(row, Row) else row
        return DataError(f"{self.path}, line {line}: {message}")


def read_text(path: str | Path, what: str) -> str:
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{what} file {p} does not exist; give the path of a CSV file")
    try:
        return p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{what} file {p} is not UTF-8 text; save it as UTF-8 CSV") from None


def read_csv(path: str | Path, what: str, required: Sequence[str], optional: Sequence[str] = ()) -> CsvFile:
    """Read a curated CSV; the header must contain ``required`` and may contain ``optional``."""
    p = Path(path)
    text = read_text(p, what)
    version = ""
    lines: list[tuple[int, str]] = []
    for no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            m = _VERSION.match(stripped)
            if m and not version:
                version = m.group(1)
            continue
        lines.append((no, line))
    if not lines:
        raise DataError(f"{p}, line 1: no header row; the {what} file needs the columns {', '.join(required)}")
    header_no, header_line = lines[0]
    header = [h.strip().lower() for h in next(csv.reader([header_line]))]
    missing = [c for c in required if c not in header]
    if missing:
        raise DataError(f"{p}, line {header_no}: header lacks {', '.join(missing)}; "
                        f"the {what} file needs the columns {', '.join(required)}")
    allowed = set(required) | set(optional)
    unknown = [h for h in header if h not in allowed]
    if unknown:
        raise DataError(f"{p}, line {header_no}: unknown column {', '.join(unknown)}; "
                        f"allowed: {', '.join(list(required) + list(optional))}")
    rows: list[Row] = []
    for no, line in lines[1:]:
        try:
            cells = next(csv.reader(io.StringIO(line)))
        except csv.Error as exc:
            raise DataError(f"{p}, line {no}: not valid CSV ({exc})") from None
        if len(cells) != len(header):
            raise DataError(f"{p}, line {no}: {len(cells)} fields where the header has {len(header)} "
                            f"({', '.join(header)}); quote fields that contain commas")
        rows.append(Row(no, {h: c.strip() for h, c in zip(header, cells)}))
    return CsvFile(p, version, rows)
