"""Benchmark of the tiers code (not a test): wall time of trends and tiers, and of the
stages of :func:`geomon.analyses.trade.tiers.classify`.

    .venv/bin/python benchmarks/tiers_bench.py                 # embedded data, best of 2 runs
    .venv/bin/python benchmarks/tiers_bench.py --repeat 3 --store DIR

Cases: ``trends ALL 2005-2024``, ``tiers ALL 2024``, ``trends NLD 2005-2024`` and
``groups ALL 2024`` (years are clipped to the data). Stages (summed over a case): ``link``
(public-interest links), ``alternatives`` (alternative-supplier counts, one Ibis query per
batch), ``rules`` (:func:`apply_rules`), ``overrides`` (:func:`apply_overrides`) and
``classify`` (all of it).
A warm-up run (imports, DuckDB) comes first and is not reported.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict
from contextlib import contextmanager

STAGES = {"link": "link_products", "alternatives": "alternatives_frame", "rules": "apply_rules",
          "overrides": "apply_overrides", "classify": "classify"}


@contextmanager
def timed_stages(spent: dict[str, float]):
    """Wrap the stage functions where the tiers call them (geomon.analyses.trade.tiers.classify) so that
    each call adds its time."""
    import importlib

    mod = importlib.import_module("geomon.analyses.trade.tiers.classify")

    saved = {}
    for stage, name in STAGES.items():
        fn = getattr(mod, name)
        saved[name] = fn

        def wrapper(*a, __fn=fn, __stage=stage, **kw):
            t = time.perf_counter()
            try:
                return __fn(*a, **kw)
            finally:
                spent[__stage] += time.perf_counter() - t

        setattr(mod, name, wrapper)
    try:
        yield
    finally:
        for name, fn in saved.items():
            setattr(mod, name, fn)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--store", default=None)
    args = ap.parse_args()

    from geomon.analyses.context import open_context
    from geomon.analyses.trade.groups import groups
    from geomon.analyses.trade.tiers import tiers
    from geomon.analyses.trade.trends import trends

    ctx = open_context(store=args.store)
    lo, hi = ctx.dataset.years[0], ctx.dataset.years[-1]
    first, last = max(2005, lo), min(2024, hi)
    cases = {f"trends ALL {first}-{last}": lambda: trends(ctx, "ALL", first, last),
             f"tiers ALL {last}": lambda: tiers(ctx, "ALL", last),
             f"trends NLD {first}-{last}": lambda: trends(ctx, "NLD", first, last),
             f"groups ALL {last}": lambda: groups(ctx, "ALL", last)}
    trends(ctx, "NLD", last - 2, last)  # warm-up
    print(f"{'case':<24} {'rows':>8} {'total s':>8} " + " ".join(f"{s:>12}" for s in STAGES))
    for name, fn in cases.items():
        best: tuple[float, dict[str, float], int] | None = None
        for _ in range(args.repeat):
            spent: dict[str, float] = defaultdict(float)
            with timed_stages(spent):
                t = time.perf_counter()
                res = fn()
                total = time.perf_counter() - t
            if best is None or total < best[0]:
                best = (total, dict(spent), len(res.table))
        total, spent, rows = best
        print(f"{name:<24} {rows:>8} {total:>8.2f} " + " ".join(f"{spent.get(s, 0.0):>12.2f}" for s in STAGES))


if __name__ == "__main__":
    main()
