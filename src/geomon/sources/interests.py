"""Public-interest map files: HS prefixes (2, 4 or 6 digits) -> public-interest areas.

The shipped, versioned map is ``geomon/data/public_interest.csv`` (columns
hs_prefix, area, subarea, source, certainty, note). A user map in the same format
(setting ``tiers.interest_map``) extends it, or replaces it when
``tiers.interest_map_mode = "replace"``. Reading and validation only; linking
products to areas is :func:`geomon.analyses.trade.interests.link_products`.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pandas as pd

from geomon.config import Config
from geomon.errors import DataError
from geomon.sources.userfiles import read_csv

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
