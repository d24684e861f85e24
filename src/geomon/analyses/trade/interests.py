"""The public-interest map: HS prefixes (2, 4 or 6 digits) -> public-interest areas.

The shipped, versioned map is ``geomon/data/public_interest.csv`` (columns
hs_prefix, area, subarea, source, certainty, note). A user map in the same format
(setting ``tiers.interest_map``) extends it, or replaces it when
``tiers.interest_map_mode = "replace"``.

A product is linked to every area whose prefix starts its code (a product can be
linked to several areas). A link is *certain* when at least one matching row for
that area is marked ``certain``; otherwise the link is ``uncertain``.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterable

import pandas as pd

from geomon.sources.userfiles import read_csv
from geomon.config import Config
from geomon.errors import DataError

COLUMNS = ["hs_prefix", "area", "subarea", "source", "certainty", "note"]
REQUIRED = ["hs_prefix", "area", "source", "certainty"]
CERTAINTY = ("certain", "uncertain")
#: The areas of the shipped map (a user map may name others).
AREAS = ("critical raw materials", "energy", "health", "food security", "semiconductors and electronics",
         "defence and dual-use", "digital infrastructure")


def shipped_map_path() -> Path:
    return Path(str(resources.files("geomon") / "data" / "public_interest.csv"))


@dataclass(frozen=True)
class InterestMap:
    """Rows of one or more map files (``table`` has COLUMNS + file, line) and their versions."""

    table: pd.DataFrame
    versions: dict[str, str]

    def describe(self) -> str:
        return "; ".join(f"{Path(f).name} {v or '(no version)'}" for f, v in self.versions.items())


def read_map(path: str | Path) -> InterestMap:
    """Read and validate one map file; errors name the file and the line."""
    f = read_csv(path, "public-interest map", REQUIRED, [c for c in COLUMNS if c not in REQUIRED])
    rows = []
    for row in f.rows:
        prefix = row["hs_prefix"]
        if not (prefix.isdigit() and len(prefix) in (2, 4, 6)):
            raise f.error(row, f"hs_prefix '{prefix}' must be an HS code of 2, 4 or 6 digits (leading zeros kept)")
        if not row["area"]:
            raise f.error(row, "area is empty; name a public-interest area, e.g. " + AREAS[0])
        if not row["source"]:
            raise f.error(row, f"source is empty for {prefix}; name the public list or document the link comes from")
        certainty = row["certainty"].lower()
        if certainty not in CERTAINTY:
            raise f.error(row, f"certainty '{row['certainty']}' is not allowed; choose certain or uncertain")
        rows.append({"hs_prefix": prefix, "area": row["area"], "subarea": row["subarea"], "source": row["source"],
                     "certainty": certainty, "note": row["note"], "file": str(f.path), "line": row.line})
    table = pd.DataFrame(rows, columns=COLUMNS + ["file", "line"])
    return InterestMap(table, {str(f.path): f.version})


def load_map(config: Config, extra: str | Path | None = None, replace: bool | None = None) -> InterestMap:
    """The effective map: the shipped map plus the user map (``extra`` or ``tiers.interest_map``),
    or the user map alone when ``replace`` (or ``tiers.interest_map_mode = "replace"``)."""
    user = extra if extra not in (None, "") else config["tiers.interest_map"]
    replace = (config["tiers.interest_map_mode"] == "replace") if replace is None else replace
    if replace and not user:
        raise DataError("tiers.interest_map_mode = replace needs a user map; give --interest-map FILE "
                        "or set tiers.interest_map")
    maps = [] if replace else [read_map(shipped_map_path())]
    if user:
        maps.append(read_map(user))
    return InterestMap(pd.concat([m.table for m in maps], ignore_index=True),
                       {k: v for m in maps for k, v in m.versions.items()})


def link_products(imap: InterestMap, products: Iterable[str], uncertain_links: str = "possible") -> pd.DataFrame:
    """Per product: ``interest_areas`` ('; '-joined, '' if none), ``interest_certain``
    (every linked area has a certain row), ``interest_uncertain_areas`` and
    ``interest_sources``. With ``uncertain_links = "ignore"`` uncertain rows are dropped;
    with ``"link"`` they count as certain.

    One row per distinct product, sorted. A map row matches a product whose code starts
    with its prefix: the products' 2-, 4- and 6-character prefixes are joined with the map
    (a merge, not a scan of the map per product); areas and sources are sorted and unique.
    """
    t = imap.table
    if uncertain_links == "ignore":
        t = t[t["certainty"] == "certain"]
    names = sorted(set(products))
    columns = ["product", "interest_areas", "interest_certain", "interest_uncertain_areas", "interest_sources"]
    if not names:
        return pd.DataFrame([], columns=columns)
    # product[:n] for every prefix length n of the map; a product shorter than n gives itself,
    # which can only equal a prefix it starts with, so the merge finds exactly the startswith matches
    keys = pd.DataFrame({"product": pd.Series(names, dtype=object)})
    keys = pd.concat([keys.assign(hs_prefix=keys["product"].str[:n]) for n in sorted({len(p) for p in t["hs_prefix"]})]
                     or [keys.assign(hs_prefix=keys["product"])], ignore_index=True).drop_duplicates()
    hit = keys.merge(t[["hs_prefix", "area", "certainty", "source"]].astype(object), on="hs_prefix")

    def joined(frame: pd.DataFrame, column: str) -> list[str]:
        """Per product (in ``names`` order): its sorted, distinct values of ``column``, '; '-joined."""
        per = frame.groupby("product")[column].agg(lambda v: "; ".join(sorted(set(v))))
        return pd.Series(names, dtype=object).map(per).astype(object).fillna("").tolist()

    by_area = hit.assign(certain=hit["certainty"] == "certain").groupby(["product", "area"])["certain"].any()
    unsure = by_area[~by_area] if uncertain_links == "possible" else by_area.iloc[:0]
    unsure_areas = joined(unsure.reset_index(), "area")
    return pd.DataFrame({"product": names, "interest_areas": joined(hit, "area"),
                         "interest_certain": [not u for u in unsure_areas], "interest_uncertain_areas": unsure_areas,
                         "interest_sources": joined(hit, "source")}, columns=columns)
