"""Seeded generator of BACI-shaped trade data at full scale, calibrated on the embedded extract.

    python benchmarks/generate.py [--out benchmarks/_data/baci] [--seed 20240101]
                                  [--flows 11000000] [--years 2020-2024]

Writes real BACI release files that ``geomon ingest baci`` reads unchanged::

    BACI_HS92_Y{year}_Vsynthetic.csv      t,i,j,k,v,q (v in thousands USD, q in t or NA)
    country_codes_Vsynthetic.csv          country_code,country_name,country_iso2,country_iso3
    product_codes_HS92_Vsynthetic.csv     code,description (all HS92 codes of the embedded data)
    calibration.json                      the parameters below, as estimated

Model (every parameter estimated from the embedded real BACI extract, see :func:`calibrate`):

- economies: the real BACI country codes active in the extract's last five years;
- products: all HS92 six-digit codes of the embedded product list (about 5,000);
- a flow (exporter e, importer i, product k) exists in a year with probability
  p = min(1, c * d_k * a_e * b_i): a_e and b_i are the real exporter and importer
  activities (flow counts relative to the mean: heavy-tailed), d_k is a product density
  drawn log-normally with the spread of flows per product seen in the extract, and c is
  set so that the expected number of flows per year equals ``--flows``;
- years are a Markov chain: an existing flow survives with s = s0 + (1 - s0) p, a
  missing one appears with p (1 - s0); the stationary share stays p and s0 reproduces the
  year-to-year survival of flows in the extract;
- log value (thousands USD) = mu + alpha_k + beta_e + gamma_i + delta_ek + eps_eik + eta_eiky:
  product, exporter and importer effects, an exporter-product specialisation, a flow
  effect kept while the flow survives, and yearly noise; the variances come from a
  backfitted additive model of the extract's log values;
- quantity = value / unit value, log unit value per product as in the extract; a share
  of quantities is NA, as in the extract's last years.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from geomon.store import Store, embedded_store_dir  # noqa: E402

VERSION = "synthetic"
HS = "92"
DEFAULT_OUT = HERE / "_data" / "baci"


def calibrate(calib_years: int = 5) -> dict:
    """Estimate the generator's parameters from the embedded real BACI extract (last years)."""
    ds = Store(embedded_store_dir(), embedded=True).dataset()
    years = ds.years[-calib_years:]
    con = duckdb.connect()
    f = con.sql(f"""SELECT year::INT AS year, exporter::INT AS e, importer::INT AS i, product AS k,
                           value / 1000.0 AS v, quantity AS q
                    FROM read_parquet('{ds.flows_glob}', hive_partitioning=true)
                    WHERE year BETWEEN {years[0]} AND {years[-1]}""").df()
    n_years = len(years)
    # activity: flows per economy relative to the mean over economies active in either role
    codes = np.union1d(f["e"].unique(), f["i"].unique())
    a = f.groupby("e").size().reindex(codes, fill_value=0).astype(float)
    b = f.groupby("i").size().reindex(codes, fill_value=0).astype(float)
    a = a.clip(lower=a[a > 0].min() / 2) / a.mean()
    b = b.clip(lower=b[b > 0].min() / 2) / b.mean()
    per_product = f.groupby(["year", "k"]).size()
    log_n = np.log(per_product)
    # survival of flows from one year to the next
    keys = f[["year", "e", "i", "k"]]
    nxt = keys.assign(year=keys["year"] - 1)
    survived = len(keys.merge(nxt, on=["year", "e", "i", "k"])) / len(keys[keys["year"] < years[-1]])
    # additive model of log values, fitted by backfitting
    lv = np.log(f["v"].to_numpy())
    mu = lv.mean()
    r = lv - mu
    eff = {}
    for _ in range(8):
        for col in ("k", "e", "i"):
            r = r + (eff[col].reindex(f[col]).to_numpy() if col in eff else 0.0)
            eff[col] = pd.Series(r).groupby(f[col].to_numpy()).mean()
            r = r - eff[col].reindex(f[col]).to_numpy()
    f["r"] = r
    grp = f.groupby(["e", "k"])["r"].agg(["mean", "var", "count"])
    multi = grp[grp["count"] >= 2]
    var_delta = max(multi["mean"].var() - (multi["var"] / multi["count"]).mean(), 0.0)
    r_resid = r - grp["mean"].reindex(pd.MultiIndex.from_frame(f[["e", "k"]])).to_numpy()
    f["r2"] = r_resid
    pair = f[["year", "e", "i", "k", "r2"]].merge(f[["year", "e", "i", "k", "r2"]].assign(year=f["year"] - 1),
                                                    on=["year", "e", "i", "k"], suffixes=("", "_next"))
    var_eta = float((pair["r2_next"] - pair["r2"]).var() / 2)
    var_flow = max(float(np.var(r_resid)) - var_eta, 0.0)
    # unit values (USD per t) and missing quantities
    known = f[f["q"].notna() & (f["q"] > 0)]
    luv = np.log(known["v"] * 1000 / known["q"])
    uv_prod = luv.groupby(known["k"]).mean()
    na_share = float(f[f["year"] == years[-1]]["q"].isna().mean())
    return {
        "source": ds.id, "years": years, "flows_per_year": len(f) / n_years,
        "economies": [int(c) for c in codes],
        "exporter_activity": [float(x) for x in a], "importer_activity": [float(x) for x in b],
        "log_flows_per_product_sd": float(log_n.std()),
        "flow_survival": float(survived),
        "log_value_mean": float(mu),
        "product_effect_sd": float(eff["k"].std()),
        "exporter_effect": {int(c): float(x) for c, x in eff["e"].items()},
        "importer_effect": {int(c): float(x) for c, x in eff["i"].items()},
        "exporter_product_sd": float(np.sqrt(var_delta)),
        "flow_effect_sd": float(np.sqrt(var_flow)),
        "year_noise_sd": float(np.sqrt(var_eta)),
        "log_unit_value_mean": float(luv.mean()), "log_unit_value_product_sd": float(uv_prod.std()),
        "log_unit_value_sd": float((luv - uv_prod.reindex(known["k"]).to_numpy()).std()),
        "quantity_na_share": na_share,
        "log_value_sd_observed": float(lv.std()),
        "log_value_quantiles": [float(x) for x in np.quantile(lv, np.linspace(0.0, 1.0, 1001))],
    }


def _scale(d: np.ndarray, w: np.ndarray, target: float) -> float:
    """c such that sum_k sum_(e,i) min(1, c d_k w_ei) = target (bisection, exact sums via sorting)."""
    ws = np.sort(w)
    csum = np.concatenate([[0.0], np.cumsum(ws)])

    def expected(c: float) -> float:
        cut = 1.0 / (c * d)  # w >= cut gives p = 1
        pos = np.searchsorted(ws, cut)
        return float(((len(ws) - pos) + c * d * csum[pos]).sum())

    lo, hi = 1e-12, 1e6
    for _ in range(200):
        mid = np.sqrt(lo * hi)
        lo, hi = (mid, hi) if expected(mid) < target else (lo, mid)
    return float(np.sqrt(lo * hi))


def _survival_base(p_mean_existing: float, survival: float) -> float:
    """s0 such that s0 + (1 - s0) E[p | exists] equals the observed survival."""
    return float(np.clip((survival - p_mean_existing) / (1 - p_mean_existing), 0.0, 0.99))


_SHARED: dict = {}


def _normal_cdf(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF, logistic approximation (absolute error < 2e-4): a monotone map to [0, 1]."""
    return 1.0 / (1.0 + np.exp(-(1.5976 * z + 0.070565 * z ** 3)))


def _init_worker(shared: dict) -> None:
    _SHARED.update(shared)


def _chunk(task: tuple[np.ndarray, np.random.SeedSequence]) -> dict[int, dict[str, np.ndarray]]:
    """Flows of one block of products for every year (the Markov chain of existence, then values)."""
    ks, seq = task
    g = _SHARED
    cal, years, n_e = g["cal"], g["years"], len(g["beta"])
    rng = np.random.default_rng(seq)
    p = np.minimum(1.0, g["c"] * g["d"][ks, None, None] * g["w"][None, :, :]).astype(np.float32).ravel()
    s0 = g["s0"]
    surv = (s0 + (1 - s0) * p).astype(np.float32)
    enter = (p * (1 - s0)).astype(np.float32)
    delta = rng.normal(0.0, cal["exporter_product_sd"], (len(ks), n_e)).astype(np.float32)
    eps = np.zeros(p.shape, dtype=np.float32)
    exists = np.zeros(p.shape, dtype=bool)
    out = {}
    for y_i, y in enumerate(years):
        u = rng.random(p.shape, dtype=np.float32)
        now = (u < p) if y_i == 0 else np.where(exists, u < surv, u < enter)
        new = np.flatnonzero(now & ~exists)
        eps[new] = rng.normal(0.0, cal["flow_effect_sd"], len(new))
        exists = now
        idx = np.flatnonzero(exists)
        kk, ee, ii = np.unravel_index(idx, (len(ks), n_e, n_e))
        z = (g["alpha"][ks[kk]] + g["beta"][ee] + g["gamma"][ii] + delta[kk, ee] + eps[idx]
             + rng.normal(0.0, cal["year_noise_sd"], len(idx)))
        luv = g["uv_k"][ks[kk]] + rng.normal(0.0, cal["log_unit_value_sd"], len(idx))
        out[y] = {"i": ee.astype(np.int16), "j": ii.astype(np.int16), "k": ks[kk].astype(np.int32),
                  "z": z.astype(np.float32), "luv": luv.astype(np.float32),
                  "na": rng.random(len(idx)) < cal["quantity_na_share"]}
    return out


def generate(out: Path = DEFAULT_OUT, seed: int = 20240101, flows: int = 11_000_000,
             years: list[int] | None = None, chunk: int = 48, workers: int = 2, log=print) -> dict:
    """Write the BACI files of a synthetic release into ``out``; returns a summary."""
    years = years or [2020, 2021, 2022, 2023, 2024]
    t0 = time.perf_counter()
    cal = calibrate()
    rng = np.random.default_rng(seed)
    ds = Store(embedded_store_dir(), embedded=True).dataset()
    products = ds.products().to_pandas()
    products = products[products["product"].str.fullmatch(r"\d{6}")].reset_index(drop=True)
    codes = np.array(cal["economies"], dtype=np.int16)
    n_e, n_k = len(codes), len(products)
    a = np.array(cal["exporter_activity"], dtype=np.float64)
    b = np.array(cal["importer_activity"], dtype=np.float64)
    w = np.outer(a, b)
    np.fill_diagonal(w, 0.0)
    d = np.exp(rng.normal(0.0, cal["log_flows_per_product_sd"], n_k))
    c = _scale(d, w.ravel(), flows)
    # E[p | exists] = sum p^2 / sum p, estimated on a sample of products
    sample = rng.choice(n_k, size=min(200, n_k), replace=False)
    ps = np.minimum(1.0, c * d[sample, None] * w.ravel()[None, :])
    s0 = _survival_base(float((ps ** 2).sum() / ps.sum()), cal["flow_survival"])
    beta = np.array([cal["exporter_effect"].get(int(x), 0.0) for x in codes])
    gamma = np.array([cal["importer_effect"].get(int(x), 0.0) for x in codes])
    alpha = rng.normal(0.0, cal["product_effect_sd"], n_k)
    uv_k = cal["log_unit_value_mean"] + rng.normal(0.0, cal["log_unit_value_product_sd"], n_k)
    k_codes = products["product"].astype(int).to_numpy().astype(np.int32)

    grid = np.array(cal["log_value_quantiles"])
    shared = {"c": c, "d": d, "w": w, "s0": s0, "alpha": alpha, "beta": beta, "gamma": gamma, "uv_k": uv_k,
              "cal": cal, "years": years}
    seeds = np.random.SeedSequence(seed).spawn(-(-n_k // chunk))
    tasks = [(np.arange(s, min(s + chunk, n_k)), seeds[n]) for n, s in enumerate(range(0, n_k, chunk))]
    parts: dict[int, list[dict[str, np.ndarray]]] = {y: [] for y in years}
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(shared,)) as pool:
        for res in pool.map(_chunk, tasks):
            for y in years:
                parts[y].append(res[y])
    log(f"  flows drawn in {time.perf_counter() - t0:.1f} s")
    out.mkdir(parents=True, exist_ok=True)

    def write_year(y: int) -> int:
        cols = {key: np.concatenate([part[key] for part in parts[y]]) for key in parts[y][0]}
        parts[y] = []
        order = np.argsort((cols["i"].astype(np.int64) * n_e + cols["j"]) * n_k + cols["k"], kind="stable")
        # the model ranks the flows, the extract gives the distribution of values (quantile mapping)
        z = cols["z"][order].astype(np.float64)
        lv = np.interp(_normal_cdf((z - z.mean()) / z.std()), np.linspace(0.0, 1.0, len(grid)), grid)
        v = np.maximum(np.round(np.exp(lv), 3), 0.001)
        q = np.round(v * 1000.0 / np.exp(cols["luv"][order].astype(np.float64)), 3)
        table = pa.table({
            "t": pa.array(np.full(len(order), y, dtype=np.int16)),
            "i": pa.array(codes[cols["i"][order]]),
            "j": pa.array(codes[cols["j"][order]]),
            "k": pa.array(k_codes[cols["k"][order]]),
            "v": pa.array(v),
            "q": pa.array(q, mask=cols["na"][order]),
        })
        del cols, z, lv, v, q
        target = out / f"BACI_HS{HS}_Y{y}_V{VERSION}.csv"
        tmp = target.with_suffix(".csv.tmp")
        pacsv.write_csv(table, tmp, pacsv.WriteOptions(null_string="NA", quoting_header="none", quoting_style="none",
                                                      batch_size=1 << 16))
        tmp.replace(target)
        log(f"  {target.name}: {len(order):,} flows")
        return len(order)

    # numpy's sort and Arrow's CSV writer release the GIL: years are written two at a time
    with ThreadPoolExecutor(workers) as threads:
        rows = dict(zip(years, threads.map(write_year, years)))
    _write_codes(out, ds, codes, products)
    summary = {"seed": seed, "years": years, "rows": rows, "economies": n_e, "products": n_k,
               "scale_c": c, "survival_base_s0": s0, "calibration": cal,
               "seconds": round(time.perf_counter() - t0, 1)}
    (out / "calibration.json").write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return summary


def _write_codes(out: Path, ds, codes: np.ndarray, products: pd.DataFrame) -> None:
    countries = ds.countries().to_pandas()
    countries = countries[countries["code"].isin(codes)]
    pd.DataFrame({"country_code": countries["code"], "country_name": countries["name"],
                  "country_iso2": countries["iso2"].fillna(""), "country_iso3": countries["iso3"]}
                 ).to_csv(out / f"country_codes_V{VERSION}.csv", index=False)
    pd.DataFrame({"code": products["product"], "description": products["description"]}
                 ).to_csv(out / f"product_codes_HS{HS}_V{VERSION}.csv", index=False)


def describe(csv_dir: Path, years: list[int]) -> dict:
    """Shape statistics of a BACI folder (for the calibration table in the README)."""
    con = duckdb.connect()
    files = [str(p) for p in sorted(csv_dir.glob(f"BACI_HS*_Y*_V*.csv")) if int(p.name.split("_Y")[1][:4]) in years]
    return _shape(con, f"read_csv({files!r}, header=true, nullstr='NA', columns={{'t':'INT','i':'INT','j':'INT','k':'INT','v':'DOUBLE','q':'DOUBLE'}})")


def describe_embedded(years: int = 5) -> dict:
    ds = Store(embedded_store_dir(), embedded=True).dataset()
    ys = ds.years[-years:]
    con = duckdb.connect()
    return _shape(con, f"(SELECT year AS t, exporter AS i, importer AS j, product AS k, value / 1000 AS v, quantity AS q "
                       f"FROM read_parquet('{ds.flows_glob}', hive_partitioning=true) WHERE year >= {ys[0]})")


def _shape(con, src: str) -> dict:
    """Per year averages: flows, products, economies, flows per product quantiles, activity shares,
    log value spread, NA quantities, flow survival, share of products with world HHI > 0.4."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE s AS SELECT * FROM {src}")
    q = lambda sql: con.execute(sql).fetchone()  # noqa: E731
    out = {}
    out["flows_per_year"] = q("SELECT avg(n) FROM (SELECT t, count(*) n FROM s GROUP BY t)")[0]
    out["products"] = q("SELECT avg(n) FROM (SELECT t, count(DISTINCT k) n FROM s GROUP BY t)")[0]
    out["exporters"] = q("SELECT avg(n) FROM (SELECT t, count(DISTINCT i) n FROM s GROUP BY t)")[0]
    out["importers"] = q("SELECT avg(n) FROM (SELECT t, count(DISTINCT j) n FROM s GROUP BY t)")[0]
    out["flows_per_product_p10_p50_p90_over_mean"] = q(
        "SELECT list_transform(quantile_cont(n, [0.1, 0.5, 0.9]), lambda x: round(x / avg(n), 2)) FROM "
        "(SELECT t, k, count(*) n FROM s GROUP BY ALL)")[0]
    out["top10_exporters_share_of_flows"] = q(
        "SELECT sum(n) FILTER (rk <= 10) / sum(n) FROM (SELECT i, count(*) n, row_number() OVER (ORDER BY count(*) DESC) rk FROM s GROUP BY i)")[0]
    out["top10_importers_share_of_flows"] = q(
        "SELECT sum(n) FILTER (rk <= 10) / sum(n) FROM (SELECT j, count(*) n, row_number() OVER (ORDER BY count(*) DESC) rk FROM s GROUP BY j)")[0]
    out["log_value_sd"] = q("SELECT stddev(ln(v)) FROM s WHERE v > 0")[0]
    out["top1pct_flows_share_of_value"] = q(
        "SELECT sum(v) FILTER (r <= 0.01) / sum(v) FROM (SELECT v, percent_rank() OVER (ORDER BY v DESC) r FROM s)")[0]
    out["quantity_na_share"] = q("SELECT avg((q IS NULL)::INT) FROM s")[0]
    out["flow_survival"] = q("SELECT count(*) FILTER (b.t IS NOT NULL) / count(*) FROM s a LEFT JOIN s b "
                             "ON a.i = b.i AND a.j = b.j AND a.k = b.k AND b.t = a.t + 1 WHERE a.t < (SELECT max(t) FROM s)")[0]
    out["products_world_hhi_gt_0.4"] = q(
        "SELECT avg((h > 0.4)::INT) FROM (SELECT t, k, sum(x * x) / sum(x) ^ 2 h FROM "
        "(SELECT t, k, i, sum(v) x FROM s GROUP BY ALL) GROUP BY ALL)")[0]
    out["import_pairs_hhi_gt_0.4"] = q(
        "SELECT avg((h > 0.4)::INT) FROM (SELECT t, k, j, sum(v * v) / sum(v) ^ 2 h FROM s GROUP BY ALL)")[0]
    return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in out.items()}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--seed", type=int, default=20240101)
    ap.add_argument("--flows", type=int, default=11_000_000, help="expected flows per year")
    ap.add_argument("--years", default="2020-2024", help="first-last")
    ap.add_argument("--describe", action="store_true", help="print shape statistics of the output and the extract")
    args = ap.parse_args(argv)
    first, last = (int(x) for x in args.years.split("-"))
    summary = generate(args.out, args.seed, args.flows, list(range(first, last + 1)))
    print(f"generated {sum(summary['rows'].values()):,} flows in {summary['seconds']} s -> {args.out}")
    if args.describe:
        print(json.dumps({"generated": describe(args.out, summary["years"]), "embedded": describe_embedded()}, indent=1))


if __name__ == "__main__":
    main()
