"""One rule for a missing cell value, shared by the page and the workbook writers."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def is_missing(v: Any) -> bool:
    """True for None, pd.NA, pd.NaT and a float NaN: the cell is left empty (page: an en dash)."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and math.isnan(v))
