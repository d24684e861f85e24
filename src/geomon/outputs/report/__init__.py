"""The monitor's report: one self-contained HTML page or an Excel workbook.

Both render the report's view of a :class:`geomon.analyses.report_data.ReportData`
(:func:`geomon.outputs.report.view.report_view`: language, caveats, chart groups; what
``geomon.api.report_data`` returns); neither computes an indicator. ``write_report(data, path, fmt)`` writes atomically: on any error no
file (and no partial file) is left at ``path``. ``write_reports(data, [(path, fmt), ...])`` writes
several at the same time (the page and the workbook from the same data), all or none.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Callable, Sequence

from geomon.analyses.report_data import ReportData
from geomon.errors import OutputError
from geomon.outputs.atomic import atomic_path

FORMATS = ("html", "xlsx")


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
    :func:`write_report` writes it alone. The first target is written in this thread, the others
    each in a thread of their own at the same time (the workbook's zlib compression and the file
    writes release the GIL, so they run beside the page's rendering). All or none: every file is
    written to a temporary file first and renamed into place only when all are written; on any
    error none is left or changed (but for a failing rename of an earlier target)."""
    from geomon.outputs.report.localize import localize

    writers = [_writer(fmt) for _, fmt in targets]  # an unknown format fails before any work
    data = localize(data, data.meta.get("lang", "en"))
    with ExitStack() as stack:
        tmps = [stack.enter_context(atomic_path(path)) for path, _ in targets]
        if len(targets) == 1:
            writers[0](data, tmps[0])
            return
        with ThreadPoolExecutor(len(targets) - 1, thread_name_prefix="geomon-report") as pool:
            others = [pool.submit(w, data, tmp) for w, tmp in zip(writers[1:], tmps[1:])]
            try:
                writers[0](data, tmps[0])
            finally:
                errors = [f.exception() for f in others]  # waits for every thread
        error = next((e for e in errors if e is not None), None)
        if error is not None:
            raise error


__all__ = ["FORMATS", "write_report", "write_reports"]
