"""Terminal tables (Rich). A column spec is (column, header, kind) with kind one of
usd, share, hhi, ratio, flag, int, num, t, text.

Honest by construction (issue 16): a table never loses a column without saying so. When
the terminal is too narrow, long text columns are cut with an ellipsis, then left out, then
the columns in ``drop_order``, then names and descriptions, then the rightmost columns not in ``keep``; the caption names
every column left out and how to see it. A table with several reporters always shows the
reporter column. Tables longer than :data:`FAST_ROWS` rows are printed as plain aligned text
(the same columns and cells), which is about 50 times faster than a Rich table.
"""

from __future__ import annotations

import math
import sys
from typing import Any, Sequence

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

WIDE_TEXT = {"description", "supplier_name", "partner_name", "name", "stage", "reasons", "tier_reasons"}
RIGHT = {"usd", "share", "hhi", "ratio", "int", "num", "t"}
#: Above this many rows a table is printed as plain text instead of a Rich table.
FAST_ROWS = 400
#: Columns that tell the rows of a multi-reporter table apart; shown whenever they vary.
ID_COLUMNS = ("reporter",)
_MIN_WIDE, _MAX_WIDE = 14, 40


def fmt_value(value: Any, kind: str, plain: bool = False) -> str:
    """Human-readable cell: USD in k/M/bn, shares in %, flags as yes/no (``plain``: no markup)."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if kind == "usd":
        v = float(value)
        for limit, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
            if abs(v) >= limit:
                return f"{v / limit:,.1f}{suffix}"
        return f"{v:,.0f}"
    if kind == "t":
        return f"{float(value):,.0f}"
    if kind == "share":
        return f"{float(value) * 100:.1f}%"
    if kind == "hhi":
        return f"{float(value):.3f}"
    if kind == "ratio":
        return "no exports" if float(value) >= 9999 else f"{float(value):,.2f}"
    if kind == "flag":
        if plain:
            return "yes" if bool(value) else "no"
        return "[bold green]yes[/]" if bool(value) else "[dim]no[/]"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "num":  # three significant digits, but never an exponent for large numbers (1,240 not 1.24e+03)
        v = float(value)
        return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.3g}"
    text = str(value)
    return text if len(text) <= 48 else text[:47] + "…"


def with_id_columns(df: pd.DataFrame, spec: Sequence[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """``spec`` with the reporter column first when the table has several reporters and the spec lacks it."""
    spec = list(spec)
    cols = {c for c, _, _ in spec}
    for col in reversed(ID_COLUMNS):
        if col in df.columns and col not in cols and df[col].nunique(dropna=True) > 1:
            spec.insert(0, (col, col, "text"))
    return spec


def fit_columns(spec: Sequence[tuple[str, str, str]], natural: Sequence[int], width: int,
                drop_order: Sequence[str] = (), keep: Sequence[str] = ()) -> tuple[list[int], list[str], int]:
    """Which columns fit ``width``: (indices shown, headers left out, width of wide text columns).

    A column takes its natural width + 3 (padding and gap), the table 2 more. Wide text columns
    (names, descriptions) share what is left, between 14 and 40 characters; below 14 they are
    left out. Then columns leave in ``drop_order``, then the wide text columns, then from the
    right, never the first column, the ones in ``keep`` or the reporter column.
    """
    shown = list(range(len(spec)))
    protect = set(keep) | set(ID_COLUMNS) | {spec[0][0]}
    fixed = sum(natural[i] + 3 for i in shown if spec[i][0] not in WIDE_TEXT) + 2
    n_wide = sum(1 for i in shown if spec[i][0] in WIDE_TEXT)
    wide_width = min(_MAX_WIDE, (width - fixed) // max(n_wide, 1) - 3)
    dropped: list[str] = []
    if n_wide and wide_width < _MIN_WIDE:
        dropped = [spec[i][1] for i in shown if spec[i][0] in WIDE_TEXT]
        shown = [i for i in shown if spec[i][0] not in WIDE_TEXT]

    def total() -> int:
        return sum((wide_width if spec[i][0] in WIDE_TEXT else natural[i]) + 3 for i in shown) + 2

    order = [i for c in drop_order for i in shown if spec[i][0] == c]
    order += [i for i in shown if spec[i][0] in WIDE_TEXT and i not in order]
    order += [i for i in reversed(shown) if i not in order]
    for i in order:
        if total() <= width:
            break
        if spec[i][0] in protect:
            continue
        shown.remove(i)
        dropped.append(spec[i][1])
    return shown, dropped, wide_width


def render(df: pd.DataFrame, spec: Sequence[tuple[str, str, str]], title: str, caption: str = "",
           console: Console | None = None, highlight: str | None = None, drop_order: Sequence[str] = (),
           keep: Sequence[str] = ()) -> None:
    """Print ``df`` with the columns in ``spec`` (plus the reporter column when it varies); rows
    where ``highlight`` is true are bold. Columns that do not fit are left out as
    :func:`fit_columns` says and named in the caption; ``keep`` columns are never left out."""
    console = console or Console()
    spec = with_id_columns(df, spec)
    plain = len(df) > FAST_ROWS
    cols = [df[c].tolist() if c in df.columns else [None] * len(df) for c, _, _ in spec]
    cells = [[fmt_value(v, kind, plain) for v in values] for values, (_, _, kind) in zip(cols, spec)]
    natural = [max([len(h)] + [_cell_len(v, plain) for v in col]) for col, (_, h, _) in zip(cells, spec)]
    shown, dropped, wide_width = fit_columns(spec, natural, console.width, drop_order, keep)
    if dropped:
        caption = (caption + f" Left out for width: {', '.join(dropped)}; see every column with --format csv "
                   f"(or -o FILE.xlsx), or widen the terminal.").strip()
    flags = df[highlight].tolist() if highlight and highlight in df.columns else None
    if plain:
        _plain(console, spec, cells, natural, shown, wide_width, title, caption, flags)
        return
    table = Table(title=title, caption=caption, caption_justify="left", header_style="bold", pad_edge=False,
                  box=box.SIMPLE_HEAD, row_styles=["", "dim"] if highlight is None else None)
    for i in shown:
        col, header, kind = spec[i]
        wide = col in WIDE_TEXT
        table.add_column(header, justify="right" if kind in RIGHT else "left", no_wrap=True, overflow="ellipsis",
                         min_width=None if wide else natural[i], max_width=wide_width if wide else None)
    for r in range(len(df)):
        table.add_row(*[cells[i][r] for i in shown], style="bold" if flags and flags[r] else None)
    console.print(table)


def _cell_len(text: str, plain: bool) -> int:
    return len(text) if plain or "[" not in text else Text.from_markup(text).cell_len


def _plain(console: Console, spec, cells, natural, shown, wide_width, title, caption, flags) -> None:
    """The same table as plain aligned text, written straight to the console's file (fast)."""
    widths = [min(natural[i], wide_width) if spec[i][0] in WIDE_TEXT else natural[i] for i in shown]

    def cut(text: str, w: int) -> str:
        return text if len(text) <= w else text[:w - 1] + "…"

    def line(values: list[str]) -> str:
        out = [cut(v, w).rjust(w) if spec[i][2] in RIGHT else cut(v, w).ljust(w)
               for v, w, i in zip(values, widths, shown)]
        return "  ".join(out).rstrip()

    out = console.file if console.file is not None else sys.stdout
    parts = [title, line([spec[i][1] for i in shown]), "  ".join("─" * w for w in widths)]
    parts += [line([cells[i][r] for i in shown]) + ("  *" if flags and flags[r] else "")
              for r in range(len(cells[0]) if cells else 0)]
    if flags:
        caption = (caption + " * marks the highlighted rows.").strip()
    parts.append(caption)
    out.write("\n".join(parts) + "\n")
