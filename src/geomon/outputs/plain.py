"""Plain columns for the file writers: a categorical column of texts (the screening's
``description``, issue 15) written as the strings it holds, so that Parquet, the workbook and
the editions write the same bytes as from a column of strings."""

from __future__ import annotations

import pandas as pd


def plain_text(df: pd.DataFrame) -> pd.DataFrame:
    """``df`` with each categorical column of texts as plain strings (``str``); ``df`` itself
    when it has none."""
    cats = [c for c in df.columns if isinstance(df[c].dtype, pd.CategoricalDtype)
            and pd.api.types.is_string_dtype(df[c].cat.categories)]
    return df.assign(**{c: df[c].astype("str") for c in cats}) if cats else df
