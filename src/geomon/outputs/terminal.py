"""Terminal tables (Rich). A column spec is (column, header, kind) with kind one of
usd, share, hhi, ratio, flag, int, num, text."""

from __future__ import annotations

import math
from typing import Any, Sequence

import pandas as pd
from rich.console import Console
from rich.table import Table

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
           console: Console | None = None, highlight: str | None = None) -> None:
    """Print ``df`` as a Rich table with the columns in ``spec``; rows where
    ``highlight`` is true are bold."""
    console = console or Console()
    table = Table(title=title, caption=caption, caption_justify="left", header_style="bold", row_styles=["", "dim"] if highlight is None else None)
    for _, header, kind in spec:
        table.add_column(header, justify="right" if kind in RIGHT else "left", overflow="fold")
    for row in df.itertuples(index=False):
        rec = row._asdict()
        style = "bold" if highlight and rec.get(highlight) else None
        table.add_row(*[fmt_value(rec.get(col), kind) for col, _, kind in spec], style=style)
    console.print(table)
