"""Progress bars for long commands (ingest, report, trends, screening ALL).

The API functions take ``progress(done, total, what)`` (``what`` None when finished; ``total``
None when unknown); :func:`progress_bar` turns it into a Rich bar on stderr. There is no bar
when stderr is not a terminal (a pipe, a file, CI) or with ``--quiet``: then the callback is
None and nothing is printed.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated, Callable, Iterator, Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar (there is none on a pipe either).")]

Callback = Callable[[int, Optional[int], Optional[str]], None]


def wants_bar(console: Console, quiet: bool) -> bool:
    """A bar only on a terminal and without --quiet."""
    return not quiet and console.is_terminal


@contextmanager
def progress_bar(what: str, console: Console, quiet: bool = False) -> Iterator[Callback | None]:
    """Yield a ``progress(done, total, step)`` callback drawing a transient bar labelled
    ``what`` on ``console`` (stderr), or None when there must be no bar (see the module doc)."""
    if not wants_bar(console, quiet):
        yield None
        return
    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TimeElapsedColumn(), console=console, transient=True)
    task = bar.add_task(what, total=None)

    def update(done: int, total: int | None, step: str | None) -> None:
        bar.update(task, completed=done, total=total, description=f"{what}: {step}" if step else what)

    with bar:
        yield update
