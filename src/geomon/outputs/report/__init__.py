"""The monitor's report: one self-contained HTML page or an Excel workbook.

Both render the report's view of a :class:`geomon.analyses.report_data.ReportData`
(:func:`geomon.outputs.report.view.report_view`: language, caveats, chart groups; what
``geomon.api.report_data`` returns); neither computes an indicator. ``write_report(data, path, fmt)`` writes atomically: on any error no
file (and no partial file) is left at ``path``.
"""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.report_data import ReportData
from geomon.errors import OutputError

FORMATS = ("html", "xlsx")


def write_report(data: ReportData, path: str | Path, fmt: str = "html") -> None:
    """Write ``data`` (a report view, see :func:`geomon.outputs.report.view.report_view`) as
    ``fmt`` (html or xlsx) to ``path``, with country names, areas and reasons in the report's
    language (:mod:`geomon.outputs.report.localize`)."""
    from geomon.outputs.report.localize import localize

    data = localize(data, data.meta.get("lang", "en"))
    if fmt == "html":
        from geomon.outputs.report.html import write_html

        write_html(data, path)
    elif fmt == "xlsx":
        from geomon.outputs.report.xlsx import write_xlsx

        write_xlsx(data, path)
    else:
        raise OutputError(f"unknown report format '{fmt}'; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "write_report"]
