"""NCSES Science and Engineering Indicators tables (US National Science Foundation, public domain).

Two files, as ``shared/data/staging/ncses_sei`` holds them and a later release of the same
shape does:

- the tables index (``ncses_sei_tables_index.csv``): ``table_id``, ``title`` (required),
  ``table_number``, ``units``, ``source``;
- the long table (``ncses_sei_tech_tables_long.csv``): ``table_id``, ``geo``, ``year``,
  ``value`` (required), ``geo_path``, ``income_group``; ``value`` is a number, or ``na`` / ``ne``
  (not available / not estimated) which become null with the flag kept in ``value_flag``.

Which indicator a table holds is read from its *title*, never from its id or position:

- ``top 1% most-cited journal articles in FIELD, fractional count`` -> ``top1_share`` (percent
  of the country's articles among the world's top 1 %; world = 1.0); "in the Scopus database"
  is the overall table, field ``all fields``;
- ``International patent families granted in FIELD, by region`` -> ``patent_families`` (count);
- ``AI-related S&E articles`` -> ``ai_articles`` (count, whole counting), field
  ``artificial intelligence``.

A table of another kind is skipped and named in the notes. Geography names (HTML entities
decoded) are mapped to ISO3 codes or named aggregates by ``geomon/data/knowledge/
ncses_geographies.csv``; NCSES appends a footnote letter to some names (``EU-27b``), so a
name not in the map is looked up again without one trailing letter a-h.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geomon.errors import DataError

INDEX_REQUIRED = ["table_id", "title"]
LONG_REQUIRED = ["table_id", "geo", "year", "value"]
MISSING_MARKS = ("na", "ne", "")
#: indicator -> (title pattern, unit)
KINDS = {
    "top1_share": (re.compile(r"top 1% most-cited journal articles in (?P<field>.+?), fractional count", re.I),
                   "percent of the country's articles in the world's top 1% (world = 1.0)"),
    "patent_families": (re.compile(r"international patent families granted in (?P<field>.+?), by region", re.I),
                        "international patent families granted (count)"),
    "ai_articles": (re.compile(r"^AI-related S&E articles", re.I), "AI-related articles (count, whole counting)"),
}
COLUMNS = ["table_id", "table_number", "indicator", "field", "unit", "geo_name", "code", "geo_kind",
           "income_group", "year", "value", "value_flag"]


def geographies_path() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "knowledge" / "ncses_geographies.csv"


def read_geographies(path: str | Path | None = None) -> pd.DataFrame:
    """The geography map: name, code, kind (country, aggregate, territory, unassigned), note."""
    path = Path(path or geographies_path())
    df = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    bad = df[~df["kind"].isin(["country", "aggregate", "territory", "unassigned"])]
    if len(bad):
        raise DataError(f"{path.name}: kind '{bad['kind'].iloc[0]}' for {bad['name'].iloc[0]} is not allowed; "
                        "choose country, aggregate, territory or unassigned")
    return df


def field_slug(name: str) -> str:
    """'electrical machinery, apparatus, energy' -> 'electrical-machinery-apparatus-energy'."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def classify_title(title: str) -> tuple[str, str] | None:
    """(indicator, field) of a table title, or None for a table of another kind."""
    for kind, (pattern, _) in KINDS.items():
        m = pattern.search(title)
        if m:
            if kind == "ai_articles":
                return kind, "artificial intelligence"
            name = m.group("field").strip()
            return kind, "all fields" if name.lower() == "the scopus database" else name
    return None


def _read(path: Path, what: str, required: list[str]) -> pd.DataFrame:
    if not path.is_file():
        raise DataError(f"the NCSES {what} {path} does not exist; give the folder with the long CSV and the tables index")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read the NCSES {what} {path}: {' '.join(str(exc).split())}") from None
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise DataError(f"{path.name}: missing columns {', '.join(missing)}; the NCSES {what} needs {', '.join(required)}")
    return df


def read_index(path: str | Path) -> tuple[pd.DataFrame, list[str]]:
    """The tables index with ``indicator``, ``field`` and ``unit`` per recognised table, and
    the titles of the tables that were skipped."""
    df = _read(Path(path), "tables index", INDEX_REQUIRED)
    rows, skipped = [], []
    for rec in df.to_dict("records"):
        kind = classify_title(rec["title"])
        if kind is None:
            skipped.append(f"{rec['table_id']}: {rec['title']}")
            continue
        rows.append({"table_id": int(rec["table_id"]), "table_number": rec.get("table_number", ""),
                     "title": rec["title"], "units": rec.get("units", ""), "source": rec.get("source", ""),
                     "indicator": kind[0], "field": kind[1], "unit": KINDS[kind[0]][1]})
    out = pd.DataFrame(rows, columns=["table_id", "table_number", "title", "units", "source", "indicator", "field", "unit"])
    dup = out[out.duplicated(["indicator", "field"], keep=False)]
    if len(dup):
        raise DataError(f"tables index: {', '.join(map(str, dup['table_id']))} hold the same indicator and field "
                        f"({dup['indicator'].iloc[0]}, {dup['field'].iloc[0]}); keep one table per field")
    return out, skipped


def resolve_names(names: pd.Series, geo: pd.DataFrame) -> pd.DataFrame:
    """Per decoded NCSES name: code, kind (None when the name is not in the map)."""
    by_name = geo.set_index("name")[["code", "kind"]].to_dict("index")
    out = []
    for name in names:
        hit = by_name.get(name)
        if hit is None and len(name) > 1 and name[-1] in "abcdefgh" and name[:-1] in by_name:
            hit = by_name[name[:-1]]
        out.append({"geo_name": name, "code": hit["code"] if hit else None, "geo_kind": hit["kind"] if hit else None})
    return pd.DataFrame(out, columns=["geo_name", "code", "geo_kind"])


def _values(raw: pd.Series, path: Path) -> tuple[pd.Series, pd.Series]:
    text = raw.str.strip()
    num = pd.to_numeric(text.str.replace(",", "", regex=False), errors="coerce")
    bad = num.isna() & ~text.str.lower().isin(MISSING_MARKS)
    if bad.any():
        i = int(bad.idxmax())
        raise DataError(f"{path.name} line {i + 2}: value '{raw[i]}' is not a number, na or ne")
    return num.astype("float64"), text.where(num.isna(), "").str.lower()


@dataclass
class Release:
    """One NCSES release read from its files: the canonical table, the index and what was left out."""

    table: pd.DataFrame
    index: pd.DataFrame
    skipped_tables: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)


def read_release(long_path: str | Path, index_path: str | Path, geo_path: str | Path | None = None) -> Release:
    """Canonical table (:data:`COLUMNS`), one row per (table, geography, year)."""
    long_path = Path(long_path)
    index, skipped = read_index(index_path)
    df = _read(long_path, "long table", LONG_REQUIRED)
    try:
        df["table_id"] = df["table_id"].astype("int64")
        df["year"] = df["year"].astype("int64")
    except ValueError:
        raise DataError(f"{long_path.name}: table_id and year must be whole numbers") from None
    unknown = sorted(set(df["table_id"]) - set(index["table_id"]) - {int(s.split(":")[0]) for s in skipped})
    if unknown:
        raise DataError(f"{long_path.name}: table_id {', '.join(map(str, unknown[:5]))} is not in the tables index; "
                        "give the index of the same release")
    df["value"], df["value_flag"] = _values(df["value"], long_path)
    df = df[df["table_id"].isin(index["table_id"])].copy()
    df["geo_name"] = df["geo"].map(html.unescape).str.strip()
    names = resolve_names(pd.Series(sorted(df["geo_name"].unique())), read_geographies(geo_path))
    unmapped = names.loc[names["code"].isna(), "geo_name"].tolist()
    df = df.merge(names, on="geo_name").dropna(subset=["code"])
    df = df.merge(index[["table_id", "table_number", "indicator", "field", "unit"]], on="table_id")
    df["income_group"] = df.get("income_group", pd.Series("", index=df.index)).replace("na", "")
    dup = df[df.duplicated(["table_id", "code", "year"], keep=False)]
    if len(dup):
        r = dup.iloc[0]
        raise DataError(f"{long_path.name}: table {r['table_id']} has several rows for {r['code']} in {r['year']} "
                        f"({', '.join(sorted(set(dup['geo_name'])))}); fix ncses_geographies.csv")
    out = df[COLUMNS].sort_values(["indicator", "field", "code", "year"]).reset_index(drop=True)
    return Release(out, index, skipped, unmapped)
