"""Excel workbooks (XlsxWriter): frozen headers, autofilters, number formats, fitted widths."""

from __future__ import annotations

import functools
import threading
from pathlib import Path
from typing import Any

import pandas as pd

from geomon.outputs.atomic import atomic_path
from geomon.outputs.excel_rows import ColumnSheet, column_cells
from geomon.outputs.missing import is_missing
from geomon.outputs.plain import plain_text

_SHARE_HINTS = ("share", "hhi")
_MONEY_HINTS = ("_usd",)
#: zlib level of the workbook's zip. XlsxWriter leaves zipfile's default (zlib's 6); level 1
#: deflates the full-scale report's 37.9 MB of sheet XML in 0.24 CPU-s instead of 0.90, for a
#: file of 8.6 MB instead of 6.9. The parts inside (the XML) are the same bytes at any level.
ZIP_LEVEL = 1
_ZIP_LOCK = threading.Lock()


def _column_format(name: str, series: pd.Series, wb) -> Any:
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return None
    if any(h in name for h in _SHARE_HINTS):
        return wb.add_format({"num_format": "0.0%" if "share" in name else "0.000"})
    if any(name.endswith(h) for h in _MONEY_HINTS):
        return wb.add_format({"num_format": "#,##0"})
    if pd.api.types.is_integer_dtype(series) or name == "year":
        return wb.add_format({"num_format": "0"})
    return wb.add_format({"num_format": "#,##0.00"})


def write_sheet(wb, name: str, df: pd.DataFrame) -> None:
    """One sheet: header row frozen, autofilter over the table, formats per column. When every
    cell is plain (:func:`geomon.outputs.excel_rows.column_cells`) the columns go to a
    :class:`~geomon.outputs.excel_rows.ColumnSheet` whole (same file, ~10x faster); else cell by cell."""
    df = plain_text(df)  # a categorical column of texts as strings: checked at once, written the same
    plan = [column_cells(df[col]) for col in df.columns]
    fast = all(p is not None for p in plan)
    ws = wb.add_worksheet(name[:31], worksheet_class=ColumnSheet if fast else None)
    header = wb.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1, "text_wrap": False})
    for c, col in enumerate(df.columns):
        ws.write(0, c, str(col), header)
        values = df[col]
        fmt = _column_format(str(col), values, wb)
        if fast:
            ws.add_column(c, *plan[c], fmt)
        else:
            _write_cells(ws, c, values, fmt)
        sample = [len(str(col))] + [len(f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in values.head(500).tolist()]
        ws.set_column(c, c, min(max(sample) + 2, 60))
    ws.freeze_panes(1, 0)
    if len(df.columns):
        ws.autofilter(0, 0, max(len(df), 1), len(df.columns) - 1)


def _write_cells(ws, c: int, values: pd.Series, fmt: Any) -> None:
    """Column ``c`` below the header, one ``write`` per present cell (missing values left empty)."""
    for r, v in enumerate(values.tolist(), start=1):
        if is_missing(v):
            continue
        ws.write(r, c, v.item() if hasattr(v, "item") else v, fmt)


def write_blocks_sheet(wb, name: str, blocks: list[tuple[str, pd.DataFrame]]) -> None:
    """One sheet of several small tables stacked: a bold title row, a header row, the rows,
    a blank row. The first row is frozen; no autofilter (Excel allows one per sheet)."""
    ws = wb.add_worksheet(name[:31])
    title = wb.add_format({"bold": True, "font_size": 12})
    header = wb.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
    widths: dict[int, int] = {}
    row = 0
    for caption, df in blocks:
        ws.write(row, 0, caption, title)
        row += 1
        for c, col in enumerate(df.columns):
            ws.write(row, c, str(col), header)
            fmt = _column_format(str(col), df[col], wb)
            for r, v in enumerate(df[col].tolist(), start=row + 1):
                if is_missing(v):
                    continue
                ws.write(r, c, v.item() if hasattr(v, "item") else v, fmt)
            sample = [len(str(col))] + [len(f"{v:,.2f}" if isinstance(v, float) else str(v)) for v in df[col].head(200).tolist()]
            widths[c] = max(widths.get(c, 0), min(max(sample) + 2, 60))
        row += len(df) + 2
    for c, w in widths.items():
        ws.set_column(c, c, w)
    ws.freeze_panes(1, 0)


def write_meta_sheet(wb, meta: dict[str, Any], name: str = "provenance") -> None:
    rows = []
    for key, value in meta.items():
        if isinstance(value, dict):
            rows += [(f"{key}.{k}", str(v)) for k, v in value.items()]
        else:
            rows.append((key, "" if value is None else str(value)))
    write_sheet(wb, name, pd.DataFrame(rows, columns=["key", "value"]))


def write_workbook(sheets: dict[str, pd.DataFrame], meta: dict[str, Any], path: str | Path) -> None:
    """Write ``sheets`` (name -> table) plus a provenance sheet, atomically."""
    import xlsxwriter

    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"nan_inf_to_errors": True})
        for name, df in sheets.items():
            write_sheet(wb, name, df)
        write_meta_sheet(wb, meta)
        close_workbook(wb)


def close_workbook(wb) -> None:
    """``wb.close()`` (XlsxWriter writes the file) with the zip deflated at :data:`ZIP_LEVEL`:
    XlsxWriter has no option for it, so its module's ZipFile is given the level for this one
    call (under a lock: closes in other threads wait)."""
    import xlsxwriter.workbook as module

    with _ZIP_LOCK:
        zip_file = module.ZipFile
        module.ZipFile = functools.partial(zip_file, compresslevel=ZIP_LEVEL)
        try:
            wb.close()
        finally:
            module.ZipFile = zip_file
