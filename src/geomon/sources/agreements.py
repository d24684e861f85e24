"""The shipped table of EU trade agreements in force (``geomon/data/agreements/``).

CSV (UTF-8, ``#`` comment lines): partner (ISO3), partner_name, agreement, kind, since
(YYYY or YYYY-MM-DD), source_title, source_publisher, source_date, source_url, note.
Every row must name its source (title, publisher, URL); a partner appears once.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from geomon.sources.userfiles import read_csv

COLUMNS = ["partner", "partner_name", "agreement", "kind", "since", "source_title", "source_publisher",
           "source_date", "source_url", "note"]
_SINCE = re.compile(r"^\d{4}(-\d{2}-\d{2})?$")


def shipped_path() -> Path:
    return Path(str(resources.files("geomon") / "data" / "agreements" / "eu_trade_agreements.csv"))


def read_agreements(path: str | Path) -> pd.DataFrame:
    """Read and check an agreements file; errors name the file and the line."""
    f = read_csv(path, "trade agreements", COLUMNS[:9], ["note"])
    rows, seen = [], {}
    for row in f.rows:
        partner = row["partner"].upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9]{2}", partner):
            raise f.error(row, f"partner '{row['partner']}' is not an ISO3 code")
        if partner in seen:
            raise f.error(row, f"partner {partner} appears twice (first on line {seen[partner]}); keep one row")
        seen[partner] = row.line
        if not _SINCE.match(row["since"]):
            raise f.error(row, f"since '{row['since']}' is not a year or a date like 2019-02-01")
        for c in ("agreement", "source_title", "source_publisher", "source_url"):
            if not row[c]:
                raise f.error(row, f"{c} is empty for {partner}; every agreement names its source")
        rows.append({c: (partner if c == "partner" else row[c]) for c in COLUMNS})
    return pd.DataFrame(rows, columns=COLUMNS)


@lru_cache(maxsize=1)
def load_eu_agreements() -> pd.DataFrame:
    """The shipped EU agreements (callers must not change the frame)."""
    return read_agreements(shipped_path())
