"""Rolling 12-month windows of a monthly dataset, as an annual dataset the analyses run on unchanged.

For a window ending in month m (1-12), "year" Y of the window dataset holds the flows summed
over the 12 months (Y-1, m+1) ... (Y, m) (for m = 12 the calendar year Y):

    v_Y(e, i, p) = sum over those 12 months of the monthly v(e, i, p)

Only windows whose 12 months are all in the dataset are written, so screening
``--period 2024-06`` is the screening of year 2024 of the window dataset ending in June, and
persistence (k of n years) counts the 12-month windows ending in 2024-06, 2023-06, 2022-06.
Windows store no statistics: screening sums their flows (the same numbers, see
:mod:`geomon.engine.indicators`), which for one window of reported data is fast.

Window datasets are derived data: they are built once per monthly dataset (identified by its
folder and ingest time) and end month in a cache folder (``$GEOMON_TEMP_DIR`` or the system
temp folder, ``geomon-windows-UID``), written beside and renamed into place like an ingest.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path

from geomon.errors import InputError
from geomon.sources import STORE_PARQUET
from geomon.store.duck import duckdb_connect, interruptible
from geomon.store.layout import Dataset

PERIOD_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _month(text: str) -> tuple[int, int] | None:
    """'2024-06' -> (2024, 6); None unless the text is YYYY-MM with a month 01-12."""
    m = PERIOD_RE.match(str(text).strip())
    return (int(m[1]), int(m[2])) if m and 1 <= int(m[2]) <= 12 else None


def parse_period(text: str) -> tuple[int, int]:
    """'2024-06' -> (2024, 6); anything else is a one-line InputError."""
    month = _month(text)
    if month is None:
        raise InputError(f"period {text!r} is not YYYY-MM; give a month such as 2024-06")
    return month


def year_or_month(value: int | str, name: str) -> int | str:
    """A year (YYYY, returned as a number) or a month (YYYY-MM, returned as text 'YYYY-MM');
    anything else is a one-line InputError naming ``name`` (e.g. the option --from)."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}", text):
        return int(text)
    if _month(text) is not None:
        return text
    raise InputError(f"{name} {value} is neither a year nor a month; give YYYY (e.g. 2018) or YYYY-MM (e.g. 2018-01)")


def year_or_month_range(first: int | str | None, last: int | str | None) -> tuple[int | str | None, int | str | None]:
    """``first``/``last`` (--from/--to) checked by :func:`year_or_month`: both years or both months."""
    given = {name: year_or_month(v, name) for name, v in (("--from", first), ("--to", last)) if v is not None}
    kinds = {isinstance(v, str) for v in given.values()}
    if len(kinds) > 1:
        raise InputError(f"--from {first} and --to {last}: give both as months (YYYY-MM) or both as years (YYYY)")
    return given.get("--from"), given.get("--to")


def window_months(year: int, month: int) -> list[str]:
    """The 12 months ending in year-month, oldest first, as YYYY-MM."""
    end = year * 12 + month - 1
    return [f"{i // 12}-{i % 12 + 1:02d}" for i in range(end - 11, end + 1)]


def check_period(dataset: Dataset, period: str) -> tuple[int, int]:
    """The period as (year, month), checked: a monthly dataset holding the 12 months ending there."""
    year, month = parse_period(period)
    if dataset.frequency != "M":
        raise InputError(f"--period needs monthly data; {dataset.id} is annual (use --year, or --source comext)")
    have = set(dataset.months)
    missing = [m for m in window_months(year, month) if m not in have]
    if missing:
        first = window_months(*parse_period(dataset.months[11]))[-1] if len(dataset.months) >= 12 else "none"
        raise InputError(f"period {period} needs the 12 months {window_months(year, month)[0]} to {period}; {dataset.id} "
                         f"has {dataset.months[0]} to {dataset.months[-1]} (first full window ends {first})")
    return year, month


def _cache_root() -> Path:
    base = os.environ.get("GEOMON_TEMP_DIR") or tempfile.gettempdir()
    return Path(base) / f"geomon-windows-{os.getuid()}"


def window_dataset(dataset: Dataset, month: int) -> Dataset:
    """The dataset of 12-month windows ending in ``month`` (see the module docstring), built once."""
    ident = hashlib.sha256(f"{dataset.root.resolve()}|{dataset.provenance.get('ingested_at')}|{month}".encode()).hexdigest()[:16]
    target = _cache_root() / f"{dataset.source}-{ident}-m{month:02d}"
    if (target / "provenance.json").exists():
        return Dataset(target, json.loads((target / "provenance.json").read_text(encoding="utf-8")))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
    try:
        years = _write_windows(dataset, month, staging)
        prov = {k: v for k, v in dataset.provenance.items() if k not in ("stored", "schemas", "files")}
        prov.pop("stats", None)  # no statistics: screening sums the (small) window flows
        prov.update(files=[{"name": f"12 months ending {y}-{month:02d}", "year": y} for y in years],
                    window_end_month=month, window_of=str(dataset.root))
        (staging / "provenance.json").write_text(json.dumps(prov, indent=2), encoding="utf-8")
        try:
            os.replace(staging, target)
        except OSError:  # another process built it first: use theirs
            shutil.rmtree(staging, ignore_errors=True)
        staging = None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return Dataset(target, json.loads((target / "provenance.json").read_text(encoding="utf-8")))


def _write_windows(dataset: Dataset, month: int, out: Path) -> list[int]:
    """Write flows/ and stats/ of every complete window ending in ``month``; return their years
    (Ctrl-C inside a DuckDB statement is a KeyboardInterrupt too)."""
    with interruptible():
        return _windows(dataset, month, out)


def _windows(dataset: Dataset, month: int, out: Path) -> list[int]:
    have = set(dataset.months)
    years = sorted({int(m[:4]) for m in have} | {int(m[:4]) + 1 for m in have})
    years = [y for y in years if all(m in have for m in window_months(y, month))]
    shutil.copy2(dataset.root / "countries.parquet", out / "countries.parquet")
    shutil.copy2(dataset.root / "products.parquet", out / "products.parquet")
    glob = str(dataset.root / "monthly" / "*" / "*.parquet").replace("'", "''")
    con = duckdb_connect()
    try:
        con.execute(f"""CREATE TEMP VIEW geomon_monthly AS SELECT * FROM read_parquet('{glob}',
                        hive_partitioning = true, hive_types = {{'year': INTEGER}})""")
        for y in years:
            end = y * 12 + month - 1
            folder = out / "flows" / f"year={y}"
            folder.mkdir(parents=True)
            path = str(folder / "part-0.parquet").replace("'", "''")
            con.execute(f"""COPY (
                SELECT exporter, importer, product, sum(value) AS value,
                       CASE WHEN bool_and(quantity IS NOT NULL) THEN sum(quantity) END AS quantity
                FROM geomon_monthly WHERE year * 12 + month - 1 BETWEEN {end - 11} AND {end}
                GROUP BY ALL ORDER BY product, importer, exporter) TO '{path}' ({STORE_PARQUET})""")
    finally:
        con.close()
    return years
