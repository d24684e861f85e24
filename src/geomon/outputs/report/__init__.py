"""The monitor's report: one self-contained HTML page or an Excel workbook.

Both render the report's view of a :class:`geomon.analyses.report_data.ReportData`
(:func:`geomon.outputs.report.view.report_view`: language, caveats, chart groups; what
``geomon.api.report_data`` returns); neither computes an indicator. ``write_report(data, path, fmt)`` writes atomically: on any error no
file (and no partial file) is left at ``path``. ``write_reports(data, [(path, fmt), ...])`` writes
several at the same time (the page and the workbook from the same data: the workbook in a forked
child process on Linux, :mod:`geomon.outputs.forked`, else in a thread), all or none.
"""

from __future__ import annotations

import gc
import threading
from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Sequence

from geomon.analyses.report_data import ReportData
from geomon.errors import OutputError
from geomon.outputs import forked
from geomon.outputs.atomic import atomic_path

FORMATS = ("html", "xlsx")
#: How :func:`write_reports` writes the files after the first: "fork" (a child process each, two
#: cores at once) where :data:`geomon.outputs.forked.AVAILABLE`, else "thread" (only zlib and file
#: I/O overlap: they release the interpreter lock).
PARALLEL = "fork" if forked.AVAILABLE else "thread"


def _writer(fmt: str) -> Callable[[ReportData, Path], None]:
    """The function writing a (localized) report as ``fmt`` to a path (not atomically)."""
    if fmt == "html":
        from geomon.outputs.report.html import html_to

        return html_to
    if fmt == "xlsx":
        from geomon.outputs.report.xlsx import xlsx_to

        return xlsx_to
    raise OutputError(f"unknown report format '{fmt}'; choose one of {', '.join(FORMATS)}")


def write_report(data: ReportData, path: str | Path, fmt: str = "html") -> None:
    """Write ``data`` (a report view, see :func:`geomon.outputs.report.view.report_view`) as
    ``fmt`` (html or xlsx) to ``path``, with country names, areas and reasons in the report's
    language (:mod:`geomon.outputs.report.localize`)."""
    write_reports(data, [(path, fmt)])


def write_reports(data: ReportData, targets: Sequence[tuple[str | Path, str]]) -> None:
    """Write ``data`` as each ``(path, fmt)`` of ``targets``, each file exactly as
    :func:`write_report` writes it alone. The first target is written here, the others at the
    same time in a child process or thread each (:data:`PARALLEL`). All or none: every file is
    written to a temporary file first and renamed into place only when all are written; on any
    error none is left or changed (but for a failing rename of an earlier target), and the error
    raised is the first writer's that failed. The cyclic garbage collector is paused while this
    process writes (:func:`_without_gc`)."""
    from geomon.outputs.report.localize import localize

    writers = [_writer(fmt) for _, fmt in targets]  # an unknown format fails before any work
    data = localize(data, data.meta.get("lang", "en"))
    with ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(path)) for path, _ in targets]
        waits = [_start(w, data, tmp) for w, tmp in zip(writers[1:], tmps[1:])]
        try:
            _without_gc(writers[0], data, tmps[0])
        except BaseException:
            for wait in waits:
                wait(True)
            raise
        errors = []
        for wait in waits:
            try:
                wait(False)
            except BaseException as exc:  # noqa: BLE001 - every writer is waited for, the first error raised
                errors.append(exc)
        if errors:
            raise errors[0]


def _without_gc(write: Callable[[ReportData, Path], None], data: ReportData, path: Path) -> None:
    """``write(data, path)`` with the cyclic garbage collector paused (as it was before after):
    rendering the full-scale page set off ~200 collections, each walking every object the data
    build left (0.1-0.2 CPU-s), to find about 2,000 objects in cycles (collected afterwards)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        write(data, path)
    finally:
        if was_enabled:
            gc.enable()


def _start(write: Callable[[ReportData, Path], None], data: ReportData, path: Path) -> Callable[[bool], None]:
    """``write(data, path)`` started in a forked child (:data:`PARALLEL` "fork"; a thread when no
    process can be forked) or a thread; returns its ``wait(cancel)``."""
    if PARALLEL == "fork":
        try:
            return forked.start(write, data, path)
        except OSError:
            pass
    return _in_thread(write, data, path)


def _in_thread(write: Callable[[ReportData, Path], None], data: ReportData, path: Path) -> Callable[[bool], None]:
    """Start ``write(data, path)`` in a thread; returns ``wait(cancel)``: joins it and raises its
    error (none with ``cancel``: the caller fails already)."""
    failed: list[BaseException] = []

    def run() -> None:
        try:
            write(data, path)
        except BaseException as exc:  # noqa: BLE001 - handed to wait
            failed.append(exc)

    thread = threading.Thread(target=run, name="geomon-report", daemon=True)
    thread.start()

    def wait(cancel: bool) -> None:
        thread.join()
        if failed and not cancel:
            raise failed[0]

    return wait


__all__ = ["FORMATS", "PARALLEL", "write_report", "write_reports"]
