"""API of the report: everything the report shows as tables, and the written report."""

from __future__ import annotations

from pathlib import Path

from geomon.analyses.report_data import ReportData, build_report_data
from geomon.analyses.trade.screening import Progress
from geomon.api._context import REPORT, ConfigArg, StoreArg, context
from geomon.outputs.report import write_reports as _write_reports
from geomon.outputs.report.view import check_lang, report_view


def report_data(reporter: str = "NLD", year: int | None = None, *, since: str | None = None, lang: str = "en",
                editions: str | Path | None = None, config: ConfigArg = None, store: StoreArg = None,
                hs: str | None = None, version: str | None = None, progress: Progress | None = None,
                **settings) -> ReportData:
    """Everything the report shows, as named tables plus metadata: the tables of
    :func:`~geomon.analyses.report_data.build_report_data`, computed once, in the report's view
    for ``lang`` (:func:`geomon.outputs.report.view.report_view`: language, caveats, the suppliers
    the charts name). ``settings`` as in :func:`tiers`, plus ``report__top_products``,
    ``report__scenario_stop`` ... ``progress(done, total, what)`` hears of each step."""
    check_lang(lang)  # before any work
    ctx = context(config, store, hs, version, settings, REPORT)
    data = build_report_data(ctx, reporter, year, since=since,
                             editions=str(editions) if editions is not None else None, progress=progress)
    return report_view(data, lang)


def write_report(data: ReportData, output: str | Path, fmt: str = "html", *,
                 workbook: str | Path | None = None) -> None:
    """Write report ``data`` (from :func:`report_data`) as ``fmt`` (html or xlsx), atomically;
    with ``workbook``, also the workbook there, written at the same time from the same data
    (:func:`geomon.outputs.report.write_reports`: all or none)."""
    _write_reports(data, [(output, fmt)] + ([(workbook, "xlsx")] if workbook is not None else []))


def report(output: str | Path, reporter: str = "NLD", year: int | None = None, *, fmt: str | None = None,
           since: str | None = None, lang: str = "en", editions: str | Path | None = None, config: ConfigArg = None,
           store: StoreArg = None, hs: str | None = None, version: str | None = None,
           workbook: str | Path | None = None, progress: Progress | None = None, **settings) -> ReportData:
    """Write the report to ``output``: one self-contained HTML page, or an Excel workbook when
    ``fmt="xlsx"`` or ``output`` ends in .xlsx; with ``workbook``, also the workbook there, from
    the same data (computed once). Atomic: on error no file is left. Returns the
    :class:`~geomon.analyses.report_data.ReportData` it rendered."""
    kind = fmt or ("xlsx" if str(output).lower().endswith(".xlsx") else "html")
    data = report_data(reporter, year, since=since, lang=lang, editions=editions, config=config, store=store, hs=hs,
                       version=version, progress=progress, **settings)
    write_report(data, output, kind, workbook=workbook)
    return data
