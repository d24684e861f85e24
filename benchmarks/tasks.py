"""The benchmark tasks, each run by benchmarks/run.py in a fresh worker process: geomon's
screenings, trends and report, the baselines (pandas, Polars, one DuckDB SQL query), Spark, and
the ingest; where the generated data and the results live.

Each ``task_*`` opens what it needs untimed, times the operation and returns a JSON-able dict
with at least ``seconds`` (screening tasks also write their table beside ``out`` as Parquet,
for the answers to be compared).
"""

from __future__ import annotations

import os
import shutil
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
