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
from pathlib import Path

from tasks import CSV_DIR, ENV, README, REPEAT, RESULTS, ROOT, STORE, TASKS, GiB, available
from results import COMPARED, compare, missed, report_text, update_readme


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
