"""A data sheet's cells written column by column and turned into sheet XML in one pass.

XlsxWriter keeps every cell as an object and writes it to XML one call at a time (about 10 µs
a cell; the full-scale report's workbook has ~930,000 cells). :class:`ColumnSheet` is an
XlsxWriter worksheet that takes the cells below the header row as whole columns
(:meth:`ColumnSheet.add_column`) and writes them in :meth:`ColumnSheet._write_rows` with the
XML XlsxWriter itself writes for those cells (``<c r="B2" s="3"><v>1.5</v></c>``, shared
strings ``t="s"``, booleans ``t="b"``, the row spans per 16 rows): the file is byte for byte
the one the per-cell ``write`` calls give (tests/test_report_xlsx.py compares them).

Only plain cells take this route (:func:`column_cells`): numbers that are finite, booleans,
and strings XlsxWriter would store as shared strings as they are (not a formula or URL,
shorter than 16,384 characters; an empty one is no cell). A sheet with any other value is written cell by cell
(:func:`geomon.outputs.excel.write_sheet` decides).
"""

from __future__ import annotations

import math
import operator
import re
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from geomon.outputs.missing import is_missing

#: The strings XlsxWriter turns into links (Worksheet._write_token_as_string, strings_to_urls).
_URL = re.compile(r"(ftp|http)s?://|mailto:|(in|ex)ternal:|file://")
#: Longest string written as it is (XlsxWriter checks UTF-16 length above half its 32,767 limit).
_MAX_PLAIN = 32767 // 2


def _plain_string(v: Any) -> bool:
    return (type(v) is str and v != "" and len(v) <= _MAX_PLAIN and not v.startswith("=")
            and not (v.startswith("{=") and v.endswith("}")) and not (":" in v and _URL.match(v)))


def column_cells(series: pd.Series) -> tuple[str, list[Any]] | None:
    """``(kind, values)`` of a column whose every cell is plain: kind ``n`` (numbers: Python int
    or float, finite), ``b`` (booleans) or ``s`` (strings); a missing value is None (an empty
    cell), and so is an empty string (XlsxWriter writes no blank cell without a format; a column of
    strings never has one, see geomon.outputs.excel._column_format). None when any cell is not
    plain (the sheet is then written cell by cell)."""
    fast = _typed_cells(series)
    if fast is not False:
        return fast
    values = [None if is_missing(v) else v for v in series.tolist()]
    present = [v for v in values if v is not None]
    if pd.api.types.is_bool_dtype(series):
        return ("b", values) if all(type(v) is bool for v in present) else None
    if all(type(v) in (int, float) for v in present):
        return ("n", values) if all(type(v) is int or math.isfinite(v) for v in present) else None
    if all(v == "" or _plain_string(v) for v in present):
        return "s", [None if v == "" else v for v in values]  # '' without a format: no cell (_write_blank)
    return None


def _typed_cells(series: pd.Series) -> tuple[str, list[Any]] | None | bool:
    """:func:`column_cells` of a NumPy int/float column, or of a pandas string column none of whose
    strings can be other than plain (:func:`_may_not_be_plain`), checked with vectorised tests;
    False for any other column (checked value by value by :func:`_plain_string`)."""
    dtype = series.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iuf":
        arr = series.to_numpy()
        if dtype.kind == "f" and np.isinf(arr).any():
            return None
        values = arr.tolist()
        return "n", [None if math.isnan(v) else v for v in values] if dtype.kind == "f" else values
    if isinstance(dtype, pd.StringDtype) and not _may_not_be_plain(series):
        return "s", [v if v.__class__ is str and v != "" else None for v in series.tolist()]
    return False


def _may_not_be_plain(series: pd.Series) -> bool:
    """False when no string of ``series`` has a '=' or ':' or is longer than a plain string may be:
    then none is a formula, an array formula or a link (one Arrow pass each; True: check them)."""
    arr = pa.array(series.array)
    return bool(pc.any(pc.match_substring_regex(arr, "[=:]")).as_py()) or (pc.max(pc.utf8_length(arr)).as_py() or 0) > _MAX_PLAIN


class ColumnSheet(Worksheet):
    """An XlsxWriter worksheet whose data rows (1, 2, ...) come from whole columns; the header
    (row 0) and everything else are XlsxWriter's own."""

    def __init__(self) -> None:
        super().__init__()
        self._columns: list[tuple[int, str, list[Any], Any]] = []

    def add_column(self, col: int, kind: str, values: list[Any], cell_format: Any = None) -> None:
        """Cells ``values`` (from :func:`column_cells`) in rows 1.. of column ``col``. Strings enter
        the shared string table now, in the order per-cell writes would add them."""
        if kind == "s":
            index = self.str_table._get_shared_string_index
            values = [None if v is None else index(v) for v in values]
        last = next((r for r in range(len(values), 0, -1) if values[r - 1] is not None), 0)
        if last:
            self._check_dimensions(last, col)
        self._columns.append((col, kind, values, cell_format))

    def _cells(self, col: int, kind: str, values: list[Any], cell_format: Any) -> list[str | None]:
        """Each row's XML of one column (None: no cell), as XlsxWriter's _write_cell writes it."""
        name = xl_col_to_name(col)
        s = f' s="{cell_format._get_xf_index()}"' if cell_format is not None else ""
        if kind == "n":
            return [None if v is None else f'<c r="{name}{r}"{s}><v>{v:.16G}</v></c>' for r, v in enumerate(values, start=2)]
        if kind == "b":
            return [None if v is None else f'<c r="{name}{r}"{s} t="b"><v>{1 if v else 0}</v></c>'
                    for r, v in enumerate(values, start=2)]
        return [None if v is None else f'<c r="{name}{r}"{s} t="s"><v>{v}</v></c>' for r, v in enumerate(values, start=2)]

    def _write_rows(self) -> None:
        if not self._columns or self.row_info or self.comments or any(r > 0 for r in self.table if self.table[r]):
            return super()._write_rows()
        columns = sorted(self._columns, key=lambda t: t[0])
        header = sorted(self.table[0]) if self.table[0] else []
        spans = _spans(header, [c[0] for c in columns], [c[2] for c in columns])
        if header:
            self._write_row(0, spans.get(0))
            for col in header:
                self._write_cell(0, col, self.table[0][col])
            self._xml_end_tag("row")
        self._number_formats(columns)
        write = self.fh.write
        for r, row in enumerate(zip(*[self._cells(*c) for c in columns]), start=1):
            text = "".join(filter(None, row))
            if text:
                write(f'<row r="{r + 1}" spans="{spans[r // 16]}">{text}</row>')


    @staticmethod
    def _number_formats(columns: list[tuple[int, str, list[Any], Any]]) -> None:
        """Give the formats their XF index in the order of first use row by row, as XlsxWriter's
        per-cell writing does (an index is taken when a format is first written, styles.xml lists
        them in that order)."""
        first = [(next((r for r, v in enumerate(values) if v is not None), None), col, fmt)
                 for col, _, values, fmt in columns if fmt is not None]
        for _, _, fmt in sorted((t for t in first if t[0] is not None), key=lambda t: t[:2]):
            fmt._get_xf_index()


def _spans(header: list[int], cols: list[int], values: list[list[Any]]) -> dict[int, str]:
    """Block of 16 rows (row // 16; the header is row 0, data rows 1..) -> "first:last" column
    (1-based) with a cell in it, as Worksheet._calculate_spans."""
    bounds: dict[int, tuple[int, int]] = {0: (header[0], header[-1])} if header else {}
    n = len(values[0]) if values else 0
    if not n:
        return {k: f"{lo + 1}:{hi + 1}" for k, (lo, hi) in bounds.items()}
    present = np.array([np.fromiter(map(operator.is_not, vals, repeat(None)), bool, n) for vals in values])  # column x data row
    block = np.arange(1, n + 1) // 16
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]])
    any_in_block = np.logical_or.reduceat(present, starts, axis=1)  # column x block
    order = np.asarray(cols)
    for k, b in enumerate(block[starts].tolist()):
        here = order[any_in_block[:, k]]
        if here.size:
            lo, hi = int(here.min()), int(here.max())
            old = bounds.get(b)
            bounds[b] = (lo, hi) if old is None else (min(old[0], lo), max(old[1], hi))
    return {k: f"{lo + 1}:{hi + 1}" for k, (lo, hi) in bounds.items()}
