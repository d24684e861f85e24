"""Full-scale benchmarks: geomon beside a vectorised pandas baseline, on generated BACI-shaped data.

    make bench                      # = .venv/bin/python benchmarks/run.py
    .venv/bin/python benchmarks/run.py --repeat 3 --only screen_all,pandas_all

Steps: generate the data if missing (benchmarks/generate.py, seeded), ingest it into
benchmarks/_data/store, then measure every task in fresh subprocesses (one sample per
process: the context is opened untimed, the operation is timed; peak memory is the
process's maximum resident set from wait4). Each task reports the median of its samples.
geomon's and pandas' screening results are compared (indicators to 1e-9 relative,
verdicts, counts and top suppliers exactly). The table goes to benchmarks/_results/ and
into benchmarks/README.md between the result markers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
#: Generated data and store (GEOMON_BENCH_DATA points elsewhere, e.g. a reduced-scale copy while developing).
DATA = Path(os.environ.get("GEOMON_BENCH_DATA") or HERE / "_data")
CSV_DIR = DATA / "baci"
STORE = DATA / "store"
#: Raw results (with GEOMON_BENCH_DATA, beside that data, so a reduced run never replaces the full-scale results).
RESULTS = DATA / "_results" if os.environ.get("GEOMON_BENCH_DATA") else HERE / "_results"
README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(HERE))

REPORTER = "NLD"
GiB = 1024 ** 3


# --- tasks, run inside a worker process -----------------------------------------------------

def _context():
    from geomon.analyses.context import open_context
    from geomon.engine.backend import Engine
    from geomon.store import Store

    return open_context(store=Store(STORE), engine=Engine())


def _years() -> list[int]:
    from geomon.store import Store

    return Store(STORE).dataset().years


def task_ingest_year(out: Path) -> dict:
    """Ingest one year of BACI CSV (the last year) into an empty store."""
    from geomon.ingest import ingest_baci

    year = _years()[-1]
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        src = Path(tmp) / "release"
        src.mkdir()
        for f in CSV_DIR.glob("*.csv"):
            if not f.name.startswith("BACI_") or f"_Y{year}_" in f.name:
                os.symlink(f, src / f.name)
        t = time.perf_counter()
        (res,) = ingest_baci(src, store=Path(tmp) / "store")
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": res.rows_written, "rows_per_s": res.rows_written / seconds}


def _screen(reporter: str, out: Path, flows: bool = False) -> dict:
    from dataclasses import replace

    from geomon.analyses.trade.screening import screen
    from geomon.store import Dataset

    ctx = _context()
    if flows:  # as if the store had no statistics: every number summed from the flows
        prov = {k: v for k, v in ctx.dataset.provenance.items() if k != "stats"}
        ctx = replace(ctx, dataset=Dataset(ctx.dataset.root, prov))
    year = ctx.dataset.years[-1]
    t = time.perf_counter()
    res = screen(ctx, reporter, year)
    seconds = time.perf_counter() - t
    res.table.to_parquet(out.with_suffix(".parquet"))
    return {"seconds": seconds, "rows": len(res.table), "dependent": int(res.table["dependent"].sum()),
            "route": "statistics" if ctx.dataset.has_stats else "flows"}


def task_screen_reporter_flows(out: Path) -> dict:
    """geomon screen of one reporter from the flows only (no statistics): the layout's effect."""
    return _screen(REPORTER, out, flows=True)


def task_screen_all_flows(out: Path) -> dict:
    """geomon screen of ALL from the flows only (no statistics): the layout's effect."""
    return _screen("ALL", out, flows=True)


def task_screen_reporter(out: Path) -> dict:
    """geomon screen: one reporter, the last year (3-year persistence window)."""
    return _screen(REPORTER, out)


def task_screen_all(out: Path) -> dict:
    """geomon screen: every reporter (ALL), the last year (3-year window)."""
    return _screen("ALL", out)


def task_spill_bloc(out: Path) -> dict:
    """A user-defined bloc with the EU27's members (no stored statistics: sums the 33 million
    flows), run with a 256 MB DuckDB limit so that it spills."""
    from dataclasses import replace

    from geomon.analyses.trade.screening import screen
    from geomon.config import Config
    from geomon.countries import EU27

    ctx = _context()
    ctx = replace(ctx, config=Config(blocs={"EUFLOWS": EU27}))
    t = time.perf_counter()
    res = screen(ctx, "EUFLOWS", ctx.dataset.years[-1])
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "rows": len(res.table), "dependent": int(res.table["dependent"].sum()),
            "route": "flows (user bloc)"}


def task_screen_bloc(out: Path) -> dict:
    """geomon screen: the EU27 as one bloc (sums the flows: intra-EU flows dropped)."""
    return _screen("EU27", out)


def task_screen_years(out: Path) -> dict:
    """geomon screen_years: one reporter, verdicts for each of the 5 years."""
    from geomon.analyses.trade.screening import screen_years

    ctx = _context()
    ys = ctx.dataset.years
    t = time.perf_counter()
    df = screen_years(ctx, REPORTER, ys[0], ys[-1])
    return {"seconds": time.perf_counter() - t, "rows": len(df)}


def task_trends(out: Path) -> dict:
    """geomon trends: one reporter, 5 years, with tiers and summaries (analyses/trends.py)."""
    from geomon.analyses.trade.trends import trends

    ctx = _context()
    ys = ctx.dataset.years
    t = time.perf_counter()
    res = trends(ctx, REPORTER, ys[0], ys[-1])
    return {"seconds": time.perf_counter() - t, "rows": len(res.table)}


def task_report(out: Path) -> dict:
    """geomon report: data, HTML and workbook for one reporter (benchmarks/report_bench.py)."""
    import report_bench

    ctx = _context()
    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        stages = report_bench.run_once(ctx, REPORTER, ctx.dataset.years[-1], Path(tmp), trace=False)
    parts = {k: round(v[0], 2) for k, v in stages.items() if k in ("data", "write")}  # write: page + workbook at once
    return {"seconds": sum(parts.values()), "stages": parts}


def _pandas(reporter: str, out: Path) -> dict:
    import pandas_baseline
    from geomon.store import Store

    ds = Store(STORE).dataset()
    t = time.perf_counter()
    df = pandas_baseline.screen(ds.root, reporter, ds.years[-1])
    seconds = time.perf_counter() - t
    df.to_parquet(out.with_suffix(".parquet"))
    return {"seconds": seconds, "rows": len(df), "dependent": int(df["dependent"].sum())}


def _baseline(module: str, reporter: str, out: Path) -> dict:
    """A baseline (``pandas_baseline``, ``polars_baseline``, ``duckdb_sql_baseline``) on the flows."""
    import importlib

    from geomon.store import Store

    screen_fn = importlib.import_module(module).screen
    ds = Store(STORE).dataset()
    t = time.perf_counter()
    df = screen_fn(ds.root, reporter, ds.years[-1])
    seconds = time.perf_counter() - t
    df.to_parquet(out.with_suffix(".parquet"))
    return {"seconds": seconds, "rows": len(df), "dependent": int(df["dependent"].sum())}


def task_polars_reporter(out: Path) -> dict:
    """Polars lazy baseline: one reporter, the last year (3-year window), from the flows."""
    return _baseline("polars_baseline", REPORTER, out)


def task_polars_all(out: Path) -> dict:
    """Polars lazy baseline: every reporter, from the flows."""
    return _baseline("polars_baseline", "ALL", out)


def task_duckdb_sql_reporter(out: Path) -> dict:
    """One DuckDB SQL query over the flow Parquet: one reporter."""
    return _baseline("duckdb_sql_baseline", REPORTER, out)


def task_duckdb_sql_all(out: Path) -> dict:
    """One DuckDB SQL query over the flow Parquet: every reporter."""
    return _baseline("duckdb_sql_baseline", "ALL", out)


def task_spark_all(out: Path) -> dict:
    """geomon screen ALL on PySpark (local, all cores) through the same Ibis code."""
    import ibis
    from pyspark.sql import SparkSession

    from geomon.analyses.context import open_context
    from geomon.analyses.trade.screening import screen
    from geomon.engine.backend import Engine
    from geomon.store import Store

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    tmp = Path(tempfile.mkdtemp(dir=DATA, prefix="spark-"))
    session = (SparkSession.builder.master("local[*]").appName("geomon-bench")
               .config("spark.ui.enabled", "false").config("spark.ui.showConsoleProgress", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1").config("spark.driver.memory", "2g")
               .config("spark.sql.session.timeZone", "UTC").config("spark.local.dir", str(tmp / "local"))
               .config("spark.sql.warehouse.dir", str(tmp / "warehouse")).getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    try:
        ctx = open_context(store=Store(STORE), engine=Engine(ibis.pyspark.connect(session)))
        t = time.perf_counter()
        res = screen(ctx, "ALL", ctx.dataset.years[-1])
        seconds = time.perf_counter() - t
    finally:
        session.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    res.table.to_parquet(out.with_suffix(".parquet"))
    return {"seconds": seconds, "rows": len(res.table), "dependent": int(res.table["dependent"].sum()),
            "route": "statistics, on Spark"}


def task_pandas_reporter(out: Path) -> dict:
    """pandas baseline: one reporter, the last year (3-year window), from the flows."""
    return _pandas(REPORTER, out)


def task_pandas_all(out: Path) -> dict:
    """pandas baseline: every reporter, the last year (3-year window), from the flows."""
    return _pandas("ALL", out)


TASKS = {
    "ingest_year": (task_ingest_year, "ingest one year of BACI CSV"),
    "screen_reporter": (task_screen_reporter, f"screen {REPORTER}, 3-year window"),
    "screen_all": (task_screen_all, "screen ALL reporters, 3-year window"),
    "screen_years": (task_screen_years, f"screen_years {REPORTER}, 5 years"),
    "trends": (task_trends, f"trends {REPORTER}, 5 years, with tiers"),
    "report": (task_report, f"HTML report + workbook, {REPORTER}"),
    "screen_bloc": (task_screen_bloc, "screen EU27 bloc, 3-year window"),
    "screen_reporter_flows": (task_screen_reporter_flows, f"screen {REPORTER} from the flows only (no statistics)"),
    "screen_all_flows": (task_screen_all_flows, "screen ALL from the flows only (no statistics)"),
    "pandas_reporter": (task_pandas_reporter, f"pandas baseline {REPORTER}, 3-year window"),
    "pandas_all": (task_pandas_all, "pandas baseline ALL, 3-year window"),
    "polars_reporter": (task_polars_reporter, f"Polars lazy baseline {REPORTER}, 3-year window"),
    "polars_all": (task_polars_all, "Polars lazy baseline ALL, 3-year window"),
    "duckdb_sql_reporter": (task_duckdb_sql_reporter, f"one DuckDB SQL query {REPORTER}, 3-year window"),
    "duckdb_sql_all": (task_duckdb_sql_all, "one DuckDB SQL query ALL, 3-year window"),
    "spark_all": (task_spark_all, "screen ALL on PySpark (local, all cores), same Ibis code"),
    "spill_bloc": (task_spill_bloc, "screen a user bloc (EU27 members) from the flows with GEOMON_MEMORY_LIMIT=256MB (spills)"),
    "spill_ingest": (task_ingest_year, "ingest one year with GEOMON_MEMORY_LIMIT=256MB"),
}
ENV = {"spill_bloc": {"GEOMON_MEMORY_LIMIT": "256MB"}, "spill_ingest": {"GEOMON_MEMORY_LIMIT": "256MB"}}
REPEAT = {"pandas_reporter": 3, "pandas_all": 3, "ingest_year": 3, "report": 3, "trends": 3, "spark_all": 1,
          "polars_reporter": 3, "polars_all": 3, "duckdb_sql_reporter": 3, "duckdb_sql_all": 3,
          "spill_bloc": 1, "spill_ingest": 1, "screen_bloc": 3, "screen_reporter_flows": 3, "screen_all_flows": 3}


def available(name: str) -> bool:
    """Whether a task can run here (Spark needs PySpark and a JVM; Polars its package)."""
    import importlib.util

    if name == "spark_all":
        return importlib.util.find_spec("pyspark") is not None and shutil.which("java") is not None
    if name.startswith("polars_"):
        return importlib.util.find_spec("polars") is not None
    return True


# --- the runner ---------------------------------------------------------------------------

#: Starts the worker and records its peak memory. A tiny launcher process sits between the
#: runner and the worker because Linux carries a parent's peak resident set over to a
#: forked child: the launcher is small, so the worker's own peak is what gets measured.
LAUNCHER = ("import resource, subprocess, sys; rc = subprocess.run(sys.argv[2:]).returncode; "
            "open(sys.argv[1], 'w').write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); sys.exit(rc)")


def run_sample(name: str, out: Path) -> dict:
    """One sample of a task in a fresh process; adds its peak resident memory (ru_maxrss)."""
    env = {**os.environ, **ENV.get(name, {})}
    rss = out.with_suffix(".rss")
    cmd = [sys.executable, "-c", LAUNCHER, str(rss),
           sys.executable, str(Path(__file__).resolve()), "--task", name, "--out", str(out)]
    if subprocess.run(cmd, env=env, cwd=ROOT).returncode != 0:
        raise RuntimeError(f"task {name} failed")
    res = json.loads(out.read_text())
    res["peak_rss_bytes"] = int(rss.read_text()) * 1024  # Linux reports kilobytes
    return res


def runs_of(name: str, repeat: int) -> int:
    return min(REPEAT.get(name, repeat), repeat) if repeat < 3 else REPEAT.get(name, repeat)


def measure(names: list[str], repeat: int) -> dict[str, dict]:
    """Samples of every task, interleaved (round 1 of every task, then round 2, ...) so that
    a busy moment on the machine does not fall on one task only; medians per task."""
    samples: dict[str, list[dict]] = {n: [] for n in names}
    for i in range(max(runs_of(n, repeat) for n in names)):
        for name in names:
            if i < runs_of(name, repeat):
                s = run_sample(name, RESULTS / f"{name}.json")
                samples[name].append(s)
                print(f"  round {i + 1}: {name} {s['seconds']:.2f} s, peak {s['peak_rss_bytes'] / 2 ** 20:.0f} MB",
                      flush=True)
    out = {}
    for name, ss in samples.items():
        secs = [s["seconds"] for s in ss]
        r = {k: v for k, v in ss[-1].items() if k not in ("seconds", "peak_rss_bytes")}
        r.update(median_s=statistics.median(secs), min_s=min(secs), max_s=max(secs), runs=len(ss),
                 peak_rss_bytes=max(s["peak_rss_bytes"] for s in ss))
        if "rows_per_s" in r:
            r["rows_per_s"] = r["rows"] / r["median_s"]
        out[name] = r
    return out


def compare(a_path: Path, b_path: Path) -> dict:
    """geomon (a) against pandas (b): same rows, indicators within 1e-9 relative, the rest exact."""
    import numpy as np
    import pandas as pd

    a, b = pd.read_parquet(a_path), pd.read_parquet(b_path)
    keys = ["reporter", "product", "year"]
    m = a.merge(b, on=keys, how="outer", suffixes=("", "_pd"), indicator=True)
    out = {"rows_geomon": len(a), "rows_pandas": len(b), "rows_unmatched": int((m["_merge"] != "both").sum())}
    m = m[m["_merge"] == "both"]
    worst = 0.0
    bad_num = 0
    for c in ["import_value_usd", "top_supplier_share", "import_hhi", "world_export_hhi", "import_export_ratio",
              "import_quantity_t", "reporter_export_value_usd", "world_export_value_usd", "top_exporter_share"]:
        x, y = m[c].to_numpy(float), m[c + "_pd"].to_numpy(float)
        both_nan = np.isnan(x) & np.isnan(y)
        rel = np.abs(x - y) / np.maximum(np.maximum(np.abs(x), np.abs(y)), 1e-300)
        rel = np.where(both_nan, 0.0, np.where(np.isnan(rel), np.inf, rel))
        worst = max(worst, float(rel.max(initial=0.0)))
        bad_num += int((rel > 1e-9).sum())
    bad_exact = {}
    for c in ["c1_import_concentration", "c2_world_concentration", "c3_low_substitutability", "criteria_met_years",
              "dependent", "quantity_complete", "supplier_count", "exporter_count", "top_supplier", "top_exporter"]:
        n = int((m[c].astype(str).to_numpy() != m[c + "_pd"].astype(str).to_numpy()).sum())
        if n:
            bad_exact[c] = n
    out.update(max_rel_diff=worst, indicator_mismatches=bad_num, exact_mismatches=bad_exact,
               agree=out["rows_unmatched"] == 0 and bad_num == 0 and not bad_exact)
    return out


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else platform.processor()
    mem = next((int(line.split()[1]) * 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    import duckdb
    import ibis
    import numpy
    import pandas
    import pyarrow

    versions = {}
    for mod in ("polars", "pyspark"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            versions[mod] = "-"
    return {**versions, "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / GiB, 1),
            "os": f"{platform.system()} {platform.release()}", "python": platform.python_version(),
            "duckdb": duckdb.__version__, "ibis": ibis.__version__, "pandas": pandas.__version__,
            "pyarrow": pyarrow.__version__, "numpy": numpy.__version__}


def ensure_data(regenerate: bool) -> dict:
    import generate

    cal = CSV_DIR / "calibration.json"
    if regenerate or not cal.exists():
        if CSV_DIR.exists():
            shutil.rmtree(CSV_DIR)
        print("generating BACI-shaped data (benchmarks/generate.py) ...", flush=True)
        generate.generate(CSV_DIR)
    summary = json.loads(cal.read_text())
    print(f"ingesting it into {STORE} (unchanged files are skipped) ...", flush=True)
    from geomon.ingest import ingest_baci

    ingest_baci(CSV_DIR, store=STORE)
    return summary


GiB4 = ("< 4 GiB", lambda r, _: r["peak_rss_bytes"] < 4 * GiB)
#: Baselines of the same scope: one reporter, or every reporter.
BASELINES = {"reporter": ("pandas_reporter", "polars_reporter", "duckdb_sql_reporter"),
             "all": ("pandas_all", "polars_all", "duckdb_sql_all")}
#: Scope of each geomon task, for its ratio to the fastest baseline (tasks no baseline can
#: do, such as trends or the report, are set against the one-reporter baselines).
SCOPE = {"screen_all": "all", "screen_all_flows": "all", "spark_all": "all", "spill_ingest": None, "ingest_year": None}


def fastest(res: dict, scope: str) -> tuple[str, float] | None:
    """(name, median seconds) of the fastest baseline of ``scope`` in the results."""
    got = [(n, res[n]["median_s"]) for n in BASELINES[scope] if n in res]
    return min(got, key=lambda x: x[1]) if got else None


def _ok(r: dict, limit_s: float | None = None) -> bool:
    return r["peak_rss_bytes"] < 4 * GiB and (limit_s is None or r["median_s"] < limit_s)


def _all_target(r: dict, res: dict) -> bool:
    """ALL < 1 s, >= 20x pandas and >= 3x the fastest of Polars and DuckDB SQL."""
    others = [res[n]["median_s"] for n in ("polars_all", "duckdb_sql_all") if n in res]
    return (_ok(r, 1.0) and "pandas_all" in res and res["pandas_all"]["median_s"] / r["median_s"] >= 20
            and bool(others) and min(others) / r["median_s"] >= 3)


TARGETS = {  # task -> (description, check on the result)
    "ingest_year": (">= 2M rows/s, < 4 GiB", lambda r, _: r["rows_per_s"] >= 2e6 and _ok(r)),
    "screen_reporter": ("< 0.2 s, < 4 GiB", lambda r, _: _ok(r, 0.2)),
    "screen_all": ("< 1 s, >= 20x pandas, >= 3x fastest of Polars / DuckDB SQL, < 4 GiB", _all_target),
    "screen_years": GiB4,
    "trends": ("< 3 s, < 4 GiB", lambda r, _: _ok(r, 3.0)),
    "report": ("< 5 s, < 4 GiB", lambda r, _: _ok(r, 5.0)),
    "screen_bloc": ("< 1 s, < 4 GiB", lambda r, _: _ok(r, 1.0)),
    "screen_reporter_flows": GiB4,
    "screen_all_flows": ("<= 1.2x the DuckDB SQL query, < 4 GiB",
                         lambda r, res: _ok(r) and "duckdb_sql_all" in res
                         and r["median_s"] <= 1.2 * res["duckdb_sql_all"]["median_s"]),
    "spark_all": ("result equals DuckDB's", lambda r, res: True),
    "pandas_reporter": GiB4, "pandas_all": GiB4, "polars_reporter": GiB4, "polars_all": GiB4,
    "duckdb_sql_reporter": GiB4, "duckdb_sql_all": GiB4,
    "spill_bloc": ("finishes", lambda r, _: True),
    "spill_ingest": ("finishes", lambda r, _: True),
}


def missed(results: dict) -> list[str]:
    """geomon's tasks (not the baselines) whose target this run did not meet."""
    res = results["tasks"]
    return [n for n, r in res.items() if n in TARGETS and not any(n in b for b in BASELINES.values())
            and not TARGETS[n][1](r, res)]


def _ratio(name: str, r: dict, res: dict) -> str:
    """'N x the fastest baseline (name)': baseline seconds / task seconds (> 1 = geomon faster)."""
    if any(name in b for b in BASELINES.values()) or SCOPE.get(name, "reporter") is None:
        return ""
    best = fastest(res, SCOPE.get(name, "reporter"))
    return f"{best[1] / r['median_s']:.2f} ({best[0]})" if best else ""


def table(results: dict) -> str:
    rows = ["| task | what | median s | min-max s | runs | peak memory | result | x fastest baseline | target | met |",
            "|---|---|---:|---:|---:|---:|---|---:|---|---|"]
    res = results["tasks"]
    for name, r in res.items():
        what = TASKS[name][1]
        notes = []
        if "rows_per_s" in r:
            notes.append(f"{r['rows']:,} rows, {r['rows_per_s'] / 1e6:.2f}M rows/s")
        elif "rows" in r:
            notes.append(f"{r['rows']:,} rows" + (f", {r['dependent']:,} dependent" if "dependent" in r else ""))
        if r.get("route"):
            notes.append(f"from {r['route']}")
        if r.get("stages"):
            notes.append(", ".join(f"{k} {v:.2f} s" for k, v in r["stages"].items()))
        base = {"screen_all": "pandas_all", "screen_reporter": "pandas_reporter"}.get(name)
        if base and base in res:
            notes.append(f"{res[base]['median_s'] / r['median_s']:.0f}x pandas")
        target, check = TARGETS.get(name, ("", None))
        if name == "spark_all":
            agree = results["agreement"].get("spark_all vs screen_all")
            met = "" if agree is None else ("yes" if agree["agree"] else "**no**")
        else:
            met = "" if check is None else ("yes" if check(r, res) else "**no**")
        rows.append(f"| {name} | {what} | {r['median_s']:.2f} | {r['min_s']:.2f}-{r['max_s']:.2f} | {r['runs']} | "
                    f"{r['peak_rss_bytes'] / GiB:.2f} GiB | {'; '.join(notes)} | {_ratio(name, r, res)} | {target} | {met} |")
    return "\n".join(rows)


def report_text(results: dict) -> str:
    m, d = results["machine"], results["data"]
    lines = [
        START,
        f"Run {results['date']} with `{results['command']}` "
        f"(load average before the run: {results['load_before']}).",
        "",
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB RAM, {m['os']}; Python {m['python']}, "
        f"DuckDB {m['duckdb']}, Ibis {m['ibis']}, pandas {m['pandas']}, pyarrow {m['pyarrow']}, "
        f"Polars {m.get('polars', '-')}, PySpark {m.get('pyspark', '-')}.",
        "",
        f"Data: seed {d['seed']}, {d['economies']} economies, {d['products']:,} products, years "
        f"{d['years'][0]}-{d['years'][-1]}, {sum(d['rows'].values()):,} flows "
        f"({min(d['rows'].values()):,}-{max(d['rows'].values()):,} per year), generated in {d['seconds']} s.",
        "",
        table(results),
        "",
    ]
    for name, c in results["agreement"].items():
        a, b = name.split(" vs ")
        lines.append(f"- Agreement {name}: {'**agree**' if c['agree'] else '**DISAGREE**'} "
                     f"({c['rows_geomon']:,} rows {a}, {c['rows_pandas']:,} {b}, {c['rows_unmatched']} unmatched; "
                     f"largest relative difference of an indicator {c['max_rel_diff']:.1e}; "
                     f"mismatched verdicts, counts or top suppliers: {c['exact_mismatches'] or 'none'}).")
    lines.append(END)
    return "\n".join(lines)


#: (a, b) result pairs checked for the same answers: geomon against every baseline, the
#: flows route and Spark against the statistics route.
COMPARED = [("screen_reporter", b) for b in BASELINES["reporter"]] + [("screen_all", b) for b in BASELINES["all"]] + [
    ("screen_all_flows", "screen_all"), ("screen_reporter_flows", "screen_reporter"), ("spark_all", "screen_all")]


def update_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8") if README.exists() else f"# Benchmarks\n\n{START}\n{END}\n"
    if START not in readme:
        readme += f"\n{START}\n{END}\n"
    head, rest = readme.split(START, 1)
    tail = rest.split(END, 1)[1] if END in rest else ""
    README.write_text(head + text + tail, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5, help="samples per fast task (slow tasks take 3)")
    ap.add_argument("--only", default="", help="comma-separated task names (default: all)")
    ap.add_argument("--regenerate", action="store_true", help="generate the data again")
    ap.add_argument("--no-readme", action="store_true", help="do not write the table into benchmarks/README.md")
    ap.add_argument("--task", help=argparse.SUPPRESS)
    ap.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.task:  # worker
        result = TASKS[args.task][0](args.out)
        args.out.write_text(json.dumps(result))
        return 0

    RESULTS.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    data = ensure_data(args.regenerate)
    names = [n for n in (args.only.split(",") if args.only else TASKS) if available(n)]
    results = {"date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
               "command": " ".join(["make bench" if not (argv if argv is not None else sys.argv[1:])
                                    else ".venv/bin/python benchmarks/run.py", *(argv if argv is not None else sys.argv[1:])]),
               "load_before": round(load, 2), "machine": machine(),
               "data": {k: data[k] for k in ("seed", "years", "rows", "economies", "products", "seconds")},
               "tasks": {}, "agreement": {}}
    print(f"measuring {', '.join(names)} (interleaved rounds)", flush=True)
    results["tasks"] = measure(names, args.repeat)
    for ours, theirs in COMPARED:
        if ours in results["tasks"] and theirs in results["tasks"]:
            results["agreement"][f"{ours} vs {theirs}"] = compare(RESULTS / f"{ours}.parquet", RESULTS / f"{theirs}.parquet")
    (RESULTS / "results.json").write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
    text = report_text(results)
    print(text)
    if not args.no_readme and not args.only:
        update_readme(text)
        import profiles  # where the time goes in each missed target, into the README too

        profiles.update_readme(README, profiles.section([(n, TASKS[n][1]) for n in missed(results)]))
        print(f"table and profiles written to {README}")
    disagree = [k for k, c in results["agreement"].items() if not c["agree"]]
    if disagree:
        print(f"results disagree: {', '.join(disagree)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
