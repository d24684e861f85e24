"""What analyses return: frozen results that carry their provenance.

- :class:`Result`: one table plus ``meta`` (provenance, settings, what was asked);
- :class:`TablesResult`: a result with named side tables (``summaries``), e.g. trends;
- :class:`PartSection`: one part's section of the report (named tables plus metadata).

Results are frozen: a view that filters a result builds a new one with
:func:`dataclasses.replace` instead of changing it in place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from geomon.errors import InputError, choices


@dataclass(frozen=True)
class Result:
    """An analysis result: a table plus the metadata that must travel with it."""

    table: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TablesResult(Result):
    """A :class:`Result` with named side tables.

    ``table`` holds the main rows (named :attr:`main` in workbooks and JSON),
    ``summaries`` maps a name to a further table; ``meta`` is shared by all tables.
    """

    summaries: dict[str, pd.DataFrame] = field(default_factory=dict)
    main: str = "rows"

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table, main rows first: name -> DataFrame."""
        return {self.main: self.table, **self.summaries}

    def pick(self, name: str | None) -> pd.DataFrame:
        """The table called ``name`` (None or the main name gives the rows)."""
        tables = self.tables()
        if name is None:
            return self.table
        if name not in tables:
            raise InputError(f"unknown table '{name}'; choose one of {choices(tables)}")
        return tables[name]


@dataclass(frozen=True)
class TrendsResult(TablesResult):
    """Trend rows (``table``) plus ``summaries`` by_tier, by_supplier, changes, durations."""

    main: str = "trends"


@dataclass(frozen=True)
class PartSection:
    """One part's section of the report: ``name`` is its id (section anchor, template and
    sheet prefix); ``tables`` its tables; ``meta`` what the renderer needs besides."""

    name: str
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
