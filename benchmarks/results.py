"""The benchmark results: answers compared (geomon against each baseline), targets checked,
ratios to the fastest baseline, and the Markdown table written into benchmarks/README.md
between the result markers."""

from __future__ import annotations

from pathlib import Path

from tasks import END, TASKS, GiB, README, START

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
