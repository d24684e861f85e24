"""Benchmark of ``geomon report`` (not a test): median time and peak memory per stage.

    .venv/bin/python benchmarks/report_bench.py                      # NLD 2022, embedded data, 5 runs
    .venv/bin/python benchmarks/report_bench.py --reporter EU27 --repeat 3 --store DIR

Stages: ``data`` (build_report_data: screening, tiers, trends, suppliers, leverage, chains,
risk, scenario) and ``write`` (the page and the workbook written at the same time, as
``geomon report --workbook`` writes them: geomon.outputs.report.write_reports). The first
run (imports, file metadata, DuckDB warm-up) is reported apart; medians are over the
other runs. Memory, from one more run under tracemalloc (which slows Python, so it is
not timed): the Python heap's peak per stage, and the process's peak resident set
(ru_maxrss, includes DuckDB's native memory).
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path


def run_once(ctx, reporter: str, year: int, out: Path, trace: bool) -> dict[str, tuple[float, int]]:
    """Time each stage; with ``trace`` measure the heap peak instead (tracemalloc slows Python)."""
    from geomon.analyses.report_data import build_report_data
    from geomon.outputs.report import write_reports
    from geomon.outputs.report.view import report_view

    stats: dict[str, tuple[float, int]] = {}
    holder: dict = {}

    def stage(name, fn):
        if trace:
            tracemalloc.start()
        t = time.perf_counter()
        holder[name] = fn()
        elapsed = time.perf_counter() - t
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        if trace:
            tracemalloc.stop()
        stats[name] = (elapsed, peak)

    stage("data", lambda: report_view(build_report_data(ctx, reporter, year)))  # what api.report_data returns
    stage("write", lambda: write_reports(holder["data"], [(out / "monitor.html", "html"), (out / "monitor.xlsx", "xlsx")]))
    stats["html_bytes"] = (0.0, (out / "monitor.html").stat().st_size)
    return stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--reporter", default="NLD")
    p.add_argument("--year", type=int, default=2022)
    p.add_argument("--repeat", type=int, default=5, help="runs after the first (default 5)")
    p.add_argument("--store", default=None, help="store directory (default: the embedded data)")
    args = p.parse_args(argv)

    from geomon.analyses.context import open_context
    from geomon.store import Store, embedded_store_dir

    store = Store(Path(args.store)) if args.store else Store(embedded_store_dir(), embedded=True)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeat + 1):
            ctx = open_context(store=store)
            runs.append(run_once(ctx, args.reporter, args.year, Path(tmp), trace=False))
        traced = run_once(open_context(store=store), args.reporter, args.year, Path(tmp), trace=True)
    first, rest = runs[0], runs[1:] or runs[:1]
    print(f"geomon report benchmark: {args.reporter} {args.year}, {ctx.dataset.id}"
          f"{' (embedded)' if store.embedded else ''}, {len(rest)} runs after a first")
    print(f"{'stage':<6} {'first s':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'peak heap MB':>13}")
    for name in ("data", "write"):
        times = [r[name][0] for r in rest]
        heap = traced[name][1] / 1e6
        print(f"{name:<6} {first[name][0]:>8.2f} {statistics.median(times):>9.2f} {min(times):>7.2f} "
              f"{max(times):>7.2f} {heap:>13.1f}")
    total = [sum(r[n][0] for n in ("data", "write")) for r in rest]
    print(f"{'total':<6} {sum(first[n][0] for n in ('data', 'write')):>8.2f} {statistics.median(total):>9.2f}")
    print(f"HTML size {rest[-1]['html_bytes'][1] / 1e6:.2f} MB; "
          f"process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
