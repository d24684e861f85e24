"""Who owns the operators: operator names -> operator group -> ultimate parent and home economy.

Shipped data (``geomon/data/infrastructure``, a public source per row, see its README):

- ``operator_aliases.csv``: ``pattern, operator_group``; a pattern is a sequence of name tokens;
- ``ownership.csv``: per operator group its parent, home economy (ISO3), state ownership,
  source (title, publisher, date, URL) and certainty;
- ``stakes.csv``: equity stakes in specific terminals (``smdg_terminals`` as ``UNLOCODE:code``
  separated by ``;``) or in an operator group, with owner, owner economy, percent, year, source.

Matching rule (:func:`match_operator`): the operator name and every pattern are normalised by
:func:`normalise` (upper case, any character other than A-Z/0-9 a separator, legal-form tokens
and single letters dropped); a pattern matches when its tokens occur as a contiguous run in the
name's tokens; the longest matching pattern (most tokens) wins, ties go to the first in the file.
So ``HUTCHISON PORTS ECT ROTTERDAM``, ``GDYNIA CONTAINER TERMINAL S.A. / HUTCHISON PORTS GDYNIA``
and ``Hutchison Ports Delta II`` all map to Hutchison Ports, and ``MSC PSA EUROPEAN TERMINAL``
to its own group rather than MSC's or PSA's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from geomon.sources.userfiles import read_csv

DATA = Path(__file__).resolve().parents[2] / "data" / "infrastructure"
#: Legal-form tokens left out before matching (after splitting "S.P.A." into single letters, which go too).
LEGAL_FORMS = frozenset({"BV", "NV", "SA", "SPA", "SRL", "SL", "SLU", "GMBH", "CO", "KG", "AG", "AB", "OY", "LTD",
                         "INC", "DOO", "DD", "AIE", "EAD", "JSC", "PLC", "LLC", "AS", "KGAA", "SAS", "SARL"})
SOURCE_COLUMNS = ("source_title", "publisher", "date", "url")
OWNERSHIP_COLUMNS = ("operator_group", "parent", "home_economy", "state_owned", *SOURCE_COLUMNS, "certainty", "note")
STAKE_COLUMNS = ("asset", "smdg_terminals", "operator_group", "country", "owner", "owner_economy", "percent", "year",
                 *SOURCE_COLUMNS, "certainty", "note")
CERTAINTY = ("certain", "uncertain")


def normalise(name: str) -> tuple[str, ...]:
    """Name tokens for matching: 'Hutchison Ports B.V.' -> ('HUTCHISON', 'PORTS')."""
    tokens = re.split(r"[^A-Z0-9]+", str(name).upper().replace("&", " AND "))
    return tuple(t for t in tokens if len(t) > 1 and t not in LEGAL_FORMS)


@dataclass(frozen=True)
class OwnershipMap:
    """The alias patterns, the ownership table (one row per operator group) and the stakes."""

    patterns: tuple[tuple[tuple[str, ...], str], ...]
    owners: pd.DataFrame
    stakes: pd.DataFrame

    def match_operator(self, name: str) -> str:
        """The operator group of an operator name ('' when no pattern matches); see the module docstring."""
        tokens = normalise(name)
        best, best_len = "", 0
        for pattern, group in self.patterns:
            n = len(pattern)
            if n > best_len and any(tokens[i:i + n] == pattern for i in range(len(tokens) - n + 1)):
                best, best_len = group, n
        return best


def match_operator(name: str) -> str:
    """The operator group of ``name`` under the shipped alias patterns."""
    return load_ownership().match_operator(name)


@lru_cache(maxsize=1)
def load_ownership(folder: str | None = None) -> OwnershipMap:
    """Read and check the shipped (or ``folder``'s) aliases, ownership map and stakes.

    Every ownership row and every stake must have a source title, publisher, date (or 'n.d.')
    and an http(s) URL, a certainty of 'certain' or 'uncertain', and an ISO3 economy; a stake
    a percent in (0, 100] and a year; a :class:`~geomon.errors.DataError` names the line otherwise.
    """
    base = Path(folder) if folder else DATA
    aliases = read_csv(base / "operator_aliases.csv", "operator alias", ("pattern", "operator_group"), ("note",))
    owners = read_csv(base / "ownership.csv", "ownership map", OWNERSHIP_COLUMNS)
    stakes = read_csv(base / "stakes.csv", "stakes", STAKE_COLUMNS)
    groups = set()
    for row in owners.rows:
        _check_source(owners, row, "home_economy")
        groups.add(row["operator_group"])
    for row in stakes.rows:
        _check_source(stakes, row, "owner_economy")
        try:
            pct, year = float(row["percent"]), int(row["year"])
        except ValueError:
            raise stakes.error(row, f"percent '{row['percent']}' or year '{row['year']}' is not a number") from None
        if not 0 < pct <= 100 or not 1990 <= year <= 2100:
            raise stakes.error(row, f"percent {pct} must be in (0, 100] and year {year} a year")
        if not row["smdg_terminals"] and not row["operator_group"]:
            raise stakes.error(row, "a stake names smdg_terminals (UNLOCODE:code;...) or an operator_group")
    patterns = tuple((normalise(r["pattern"]), r["operator_group"]) for r in aliases.rows)
    own = pd.DataFrame([r.cells for r in owners.rows], columns=list(OWNERSHIP_COLUMNS))
    stk = pd.DataFrame([r.cells for r in stakes.rows], columns=list(STAKE_COLUMNS))
    stk["percent"] = stk["percent"].astype(float)
    stk["year"] = stk["year"].astype(int)
    return OwnershipMap(patterns, own, stk)


def _check_source(f, row, economy_column: str) -> None:
    for col in SOURCE_COLUMNS:
        if not row[col].strip():
            raise f.error(row, f"{col} is blank; every row needs a public source (title, publisher, date, URL)")
    if not re.match(r"^https?://\S+$", row["url"].strip()):
        raise f.error(row, f"url '{row['url']}' is not an http(s) address")
    if row["date"] != "n.d." and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", row["date"]):
        raise f.error(row, f"date '{row['date']}' is not YYYY, YYYY-MM, YYYY-MM-DD or n.d.")
    if row["certainty"] not in CERTAINTY:
        raise f.error(row, f"certainty '{row['certainty']}' is not allowed; choose one of {', '.join(CERTAINTY)}")
    if not re.match(r"^[A-Z]{3}$", row[economy_column]):
        raise f.error(row, f"{economy_column} '{row[economy_column]}' is not an ISO3 code")
