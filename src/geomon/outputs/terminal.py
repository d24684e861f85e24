"""Terminal tables (Rich). A column spec is (column, header, kind) with kind one of
usd, share, hhi, ratio, flag, int, num, text."""

from __future__ import annotations

import math
from typing import Any, Sequence

import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

WIDE_TEXT = {"description", "supplier_name", "partner_name", "name", "stage", "reasons", "tier_reasons"}
RIGHT = {"usd", "share", "hhi", "ratio", "int", "num", "t"}


def fmt_value(value: Any, kind: str) -> str:
    """Human-readable cell: USD in k/M/bn, shares in %, flags as yes/no."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
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
        return "[bold green]yes[/]" if bool(value) else "[dim]no[/]"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "num":
        return f"{float(value):,.3g}"
    text = str(value)
    return text if len(text) <= 48 else text[:47] + "…"


def render(df: pd.DataFrame, spec: Sequence[tuple[str, str, str]], title: str, caption: str = "",
           console: Console | None = None, highlight: str | None = None, drop_order: Sequence[str] = ()) -> None:
    """Print ``df`` as a Rich table with the columns in ``spec``; rows where
    ``highlight`` is true are bold. Numeric columns keep their full width; long
    text columns (descriptions, names) take what is left and are cut with an
    ellipsis, or left out when the terminal is too narrow for them; then the
    columns in ``drop_order`` are left out one by one until the table fits."""
    from rich.text import Text

    console = console or Console()
    records = [row._asdict() for row in df.itertuples(index=False)]
    cells = [[fmt_value(rec.get(col), kind) for col, _, kind in spec] for rec in records]
    natural = [max([len(h)] + [Text.from_markup(r[i]).cell_len for r in cells]) for i, (_, h, _) in enumerate(spec)]
    keep = list(range(len(spec)))
    fixed = sum(natural[i] + 3 for i in keep if spec[i][0] not in WIDE_TEXT) + 2
    n_wide = sum(1 for i in keep if spec[i][0] in WIDE_TEXT)
    wide_width = min(40, (console.width - fixed) // max(n_wide, 1) - 3)
    if n_wide and wide_width < 14:
        keep = [i for i in keep if spec[i][0] not in WIDE_TEXT]
        dropped = ["names and descriptions"]
        for col in drop_order:
            if sum(natural[i] + 3 for i in keep) + 2 <= console.width:
                break
            keep = [i for i in keep if spec[i][0] != col]
            dropped.append(next(h for c, h, _ in spec if c == col))
        caption = (caption + f" Left out for width: {', '.join(dropped)}; widen the terminal or use --format csv.").strip()
    table = Table(title=title, caption=caption, caption_justify="left", header_style="bold", pad_edge=False,
                  box=box.SIMPLE_HEAD, row_styles=["", "dim"] if highlight is None else None)
    for i in keep:
        col, header, kind = spec[i]
        wide = col in WIDE_TEXT
        table.add_column(header, justify="right" if kind in RIGHT else "left", no_wrap=True, overflow="ellipsis",
                         min_width=None if wide else natural[i], max_width=wide_width if wide else None)
    for rec, row in zip(records, cells):
        style = "bold" if highlight and rec.get(highlight) else None
        table.add_row(*[row[i] for i in keep], style=style)
    console.print(table)
