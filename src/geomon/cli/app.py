"""The Typer app, shared options, and the wrapper that turns domain errors into one line."""

from __future__ import annotations

import contextlib
import functools
import warnings
import sys
from pathlib import Path
from typing import Any, Callable

import typer
from rich.console import Console
from rich.markup import escape
from typer import _click as click  # Typer vendors click: its usage errors are these classes
from typer.core import TyperGroup

from geomon.errors import GeomonError, OutputError, is_interrupt

err = Console(stderr=True)


def usage_line(exc: click.ClickException) -> str:
    """A usage error (unknown option, bad value, missing argument) as one line naming the fix."""
    ctx = getattr(exc, "ctx", None)
    hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
    return " ".join(exc.format_message().split()) + hint


class OneLineErrors(TyperGroup):
    """The ``geomon`` group: a usage error is one 'error: ...' line on stderr and exit code 2, as a
    :class:`GeomonError` is (see :func:`command`), instead of click's usage text and box."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:  # not standalone: click raises its errors and returns the exit code of an Exit
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:  # the help is already printed
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            err.print(f"[bold red]error:[/] {escape(usage_line(exc))}", highlight=False, soft_wrap=True)
            sys.exit(exc.exit_code)
        except typer.Abort:
            err.print("aborted; nothing was written")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


app = typer.Typer(
    cls=OneLineErrors,
    name="geomon",
    help="Geo-economic monitor: screen trade data for strategic dependencies.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


from geomon.cli.options import (ConfigOpt, Format, FormatOpt, HsOpt, OutputOpt,  # noqa: E402,F401  (re-exported)
                                StoreOpt, VersionOpt)


@contextlib.contextmanager
def _warnings_as_lines():
    """Print each :class:`GeomonWarning` once, at once, as one 'warning: ...' line on stderr."""
    from geomon.errors import GeomonWarning

    with warnings.catch_warnings():
        warnings.simplefilter("default", GeomonWarning)
        original, seen = warnings.showwarning, set()

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, GeomonWarning):
                if str(message) not in seen:
                    seen.add(str(message))
                    err.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)
            else:
                original(message, category, filename, lineno, file, line)

        warnings.showwarning = show
        yield


def command(name: str | None = None, *, group: typer.Typer | None = None, **kwargs: Any) -> Callable:
    """Register a command whose :class:`GeomonError` becomes one line on stderr and a non-zero exit.

    ``group`` registers it on a sub-command app (e.g. ``geomon edition save``) instead of the top level.
    """

    def deco(fn: Callable) -> Callable:
        @functools.wraps(fn)
        def wrapper(*args: Any, **kw: Any) -> Any:
            try:
                with _warnings_as_lines():
                    return fn(*args, **kw)
            except GeomonError as exc:
                err.print(f"[bold red]error:[/] {escape(str(exc))}", highlight=False, soft_wrap=True)
                raise typer.Exit(exc.exit_code) from None
            except (KeyboardInterrupt, Exception) as exc:
                if not is_interrupt(exc):  # Ctrl-C, also as DuckDB reports it inside a query
                    raise
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
    if fmt is Format.table and output is not None:
        raise OutputError(f"--format table prints to the terminal; with --output {output} choose csv, json, parquet or xlsx")
    if fmt in (Format.parquet, Format.xlsx) and output is None:
        raise OutputError(f"--format {fmt.value} is binary; give --output FILE")
    lines = notices(getattr(result, "meta", None) or {})
    if fmt is Format.table:
        for line in lines:
            err.print(line, highlight=False, soft_wrap=True)
        render_terminal()
        return
    if output is None:
        text = files.to_csv(result.table) if fmt is Format.csv else files.to_json(result.table, result.meta)
        sys.stdout.write(text)
    else:
        files.write_table(result.table, result.meta, fmt.value, output)
    for line in lines:  # after the write: an error stays the only line
        err.print(line, highlight=False, soft_wrap=True)
    if output is not None:
        err.print(f"wrote {len(result.table)} rows to {output}")


def provenance_caption(meta: dict) -> str:
    emb = " (embedded extract)" if meta.get("embedded_data") else ""
    return (f"Data: {meta['source']} {meta['hs_revision']} {meta['data_version']}{emb}, {meta['data_years']}. "
            f"Config {meta['config_hash']} ({meta['config_source']}).")


def currency_spec(spec: list[tuple[str, str, str]], currency: str) -> list[tuple[str, str, str]]:
    """A column spec of a USD table for a result in ``currency``: columns renamed as the API names
    them (:func:`geomon.api.sources.currency_column`), and '$' / 'USD' in headers replaced."""
    from geomon.api.sources import currency_column

    if currency.upper() == "USD":
        return spec
    return [(currency_column(c, currency), h.replace("$", currency).replace("USD", currency), k) for c, h, k in spec]
