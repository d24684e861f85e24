"""The NCSES release an analysis reads: the newest in the store read from, else in the per-user
store, else the one shipped with geomon.

Releases live at ``STORE/ncses/RELEASE/`` (see :mod:`geomon.ingest.ncses`); the release geomon
ships has the same layout under ``geomon/data/knowledge`` (:func:`embedded_dir`). Geography names and kinds come from
``geomon/data/knowledge/ncses_geographies.csv``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import pandas as pd

from geomon.analyses.context import Context
from geomon.countries import EU27
from geomon.errors import DataError
from geomon.sources.ncses import field_slug, read_geographies

COUNTS = ("patent_families", "ai_articles")
EU = "EU27"
WORLD = "WORLD"


@dataclass(frozen=True)
class Knowledge:
    """One NCSES release: ``table`` (canonical rows plus ``aggregate_method``), ``tables`` (the
    index), ``provenance`` (release.json), ``geo`` (code -> name, kind), ``embedded``."""

    table: pd.DataFrame
    tables: pd.DataFrame
    provenance: dict
    geo: pd.DataFrame
    embedded: bool

    @property
    def fields(self) -> pd.DataFrame:
        """field, slug, indicator, table_number: one row per field, in index order."""
        t = self.tables[["field", "indicator", "table_number"]].copy()
        t.insert(1, "slug", t["field"].map(field_slug))
        return t.reset_index(drop=True)

    @cached_property
    def codes(self) -> list[str]:
        """Every geography code in the release, sorted."""
        return sorted(set(self.table["code"].tolist()))

    def name(self, code: str) -> str:
        return self.geo["name"].get(code, code)

    def meta(self) -> dict:
        p = self.provenance
        return {"knowledge_source": f"{p['source']} ({p['publisher']})", "knowledge_release": p["release"],
                "knowledge_years": p["years"], "knowledge_licence": p["licence"], "knowledge_citation": p["citation"],
                "knowledge_embedded": self.embedded}


def embedded_dir() -> Path:
    """Where the shipped release lives: ``geomon/data/knowledge/ncses/RELEASE``."""
    return Path(__file__).resolve().parents[2] / "data" / "knowledge"


def release_dirs(root: Path) -> list[Path]:
    return sorted(p.parent for p in (root / "ncses").glob("*/release.json"))


def find_release(store_root: Path, user_root: Path | None = None) -> tuple[Path, bool]:
    """The newest release (by ingest time) in ``store_root``, else in ``user_root`` (the per-user
    store, where ``geomon ingest ncses`` writes by default), else the shipped one."""
    roots = [(store_root, False)] + ([(user_root, False)] if user_root is not None else []) + [(embedded_dir(), True)]
    for root, embedded in roots:
        dirs = release_dirs(root)
        if dirs:
            newest = max(dirs, key=lambda d: json.loads((d / "release.json").read_text(encoding="utf-8"))["ingested_at"])
            return newest, embedded
    raise DataError("no NCSES data: the embedded release is missing; run 'geomon ingest ncses PATH'")


def load(ctx: Context) -> Knowledge:
    """The NCSES release for ``ctx``'s store (cached per folder)."""
    from geomon.store import default_store_dir

    folder, embedded = find_release(ctx.store.root, default_store_dir())
    return _load(str(folder), embedded)


@lru_cache(maxsize=4)
def _load(folder: str, embedded: bool) -> Knowledge:
    d = Path(folder)
    prov = json.loads((d / "release.json").read_text(encoding="utf-8"))
    table = pd.read_parquet(d / "indicators.parquet")
    table = table.astype({c: object for c in table.columns if not pd.api.types.is_numeric_dtype(table[c])})
    tables = pd.read_parquet(d / "tables.parquet")
    geo = read_geographies().drop_duplicates("code").set_index("code")
    geo.loc[EU, "name"] = "EU-27"
    return Knowledge(_with_eu27(table), tables, prov, geo, embedded)


def _with_eu27(table: pd.DataFrame) -> pd.DataFrame:
    """``aggregate_method`` per row: 'published' for NCSES's own EU-27 row; where a count
    table lacks it, an EU27 row summing the member countries it lists ('sum of N members')."""
    t = table.assign(aggregate_method="")
    t.loc[t["code"] == EU, "aggregate_method"] = "published NCSES EU-27 row"
    have = set(t.loc[t["code"] == EU, "table_id"])
    members = t[t["indicator"].isin(COUNTS) & t["code"].isin(EU27) & ~t["table_id"].isin(have)]
    if members.empty:
        return t
    keys = ["table_id", "table_number", "indicator", "field", "unit", "year"]
    s = members.groupby(keys, as_index=False).agg(value=("value", lambda v: v.sum(min_count=1)), n=("code", "size"))
    s = s.assign(geo_name="EU-27", code=EU, geo_kind="aggregate", income_group="", value_flag="",
                 aggregate_method=s["n"].map(lambda n: f"sum of {n} member countries listed by NCSES"))
    return pd.concat([t, s.drop(columns="n")[t.columns]], ignore_index=True)
