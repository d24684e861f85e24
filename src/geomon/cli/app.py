"""The Typer app, shared options, and the wrapper that turns domain errors into one line."""

from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Any, Callable

import typer
from rich.console import Console

from geomon.errors import GeomonError, OutputError

app = typer.Typer(
    name="geomon",
    help="Geo-economic monitor: screen trade data for strategic dependencies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
err = Console(stderr=True)


from geomon.cli.options import (ConfigOpt, Format, FormatOpt, HsOpt, OutputOpt,  # noqa: E402,F401  (re-exported)
                                StoreOpt, VersionOpt)


def command(name: str | None = None, *, group: typer.Typer | None = None, **kwargs: Any) -> Callable:
    """Register a command whose :class:`GeomonError` becomes one line on stderr and a non-zero exit.

    ``group`` registers it on a sub-command app (e.g. ``geomon edition save``) instead of the top level.
    """

    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            try:
                return fn(*args, **kw)
            except GeomonError as exc:
                err.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
                raise typer.Exit(exc.exit_code) from None
            except KeyboardInterrupt:
                err.print("interrupted; nothing was written")
                raise typer.Exit(130) from None

        (group or app).command(name, **kwargs)(wrapper)
        return fn

    return deco


def emit(result, fmt: Format, output: Path | None, render_terminal: Callable[[], None]) -> None:
    """Send a Result to the terminal or a file in the chosen format (with --output: the one its
    extension names; a contradicting --format is refused). Notes on the data the result used
    (which store, window years missing) go to stderr first."""
    from geomon.outputs import files
    from geomon.outputs.fileformat import resolve_format
    from geomon.outputs.store_view import notices

    fmt = Format(resolve_format(fmt.value, output))
    for line in notices(getattr(result, "meta", None) or {}):
        err.print(line, highlight=False, soft_wrap=True)
    if fmt is Format.table:
        if output is not None:
            raise OutputError(f"--format table prints to the terminal; with --output {output} choose csv, json, parquet or xlsx")
        render_terminal()
        return
    if fmt in (Format.parquet, Format.xlsx) and output is None:
        raise OutputError(f"--format {fmt.value} is binary; give --output FILE")
    if output is None:
        text = files.to_csv(result.table) if fmt is Format.csv else files.to_json(result.table, result.meta)
        sys.stdout.write(text)
        return
    files.write_table(result.table, result.meta, fmt.value, output)
    err.print(f"wrote {len(result.table)} rows to {output}")


def provenance_caption(meta: dict) -> str:
    emb = " (embedded extract)" if meta.get("embedded_data") else ""
    return (f"Data: {meta['source']} {meta['hs_revision']} {meta['data_version']}{emb}, {meta['data_years']}. "
            f"Config {meta['config_hash']} ({meta['config_source']}).")
