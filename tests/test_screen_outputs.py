"""The screening's ``description`` column is a pandas Categorical (issue 15: the same 5,021
texts are not written again for each of 858,593 rows of ALL). Every output must be what the
same table with plain string descriptions gave: the same bytes in CSV, JSON and Parquet, the
same sheet XML in the workbook, the same terminal table and the same edition rows."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from rich.console import Console

from geomon.analyses.trade import screening as S
from geomon.outputs.files import write_table
from geomon.outputs.terminal import render


@pytest.fixture(scope="module")
def screened(ctx):
    """NLD 2022 and ALL 2022 as screen returns them (categorical) and with plain strings."""
    out = {}
    for reporter in ("NLD", "ALL"):
        res = S.screen(ctx, reporter, 2022)
        out[reporter] = (res, res.table.assign(description=res.table["description"].astype("str")))
    return out


def test_descriptions_are_a_categorical_of_the_same_texts(ctx, screened):
    res, plain = screened["ALL"]
    col = res.table["description"]
    assert isinstance(col.dtype, pd.CategoricalDtype)
    # categories: the distinct texts once, sorted (a sort by description sorts as the strings do)
    assert list(col.cat.categories) == sorted(set(plain["description"]))
    assert col.isna().sum() == 0
    assert list(col) == [ctx.descriptions.get(p) or "" for p in res.table["product"]]
    # screen_years, which trends, tiers and groups build on, keeps plain strings
    assert S.screen_years(ctx, "NLD", 2022, 2022)["description"].dtype == "str"


def _parts(path) -> dict[str, bytes]:
    """The parts of a workbook but its creation time (docProps/core.xml)."""
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}


@pytest.mark.parametrize("reporter", ["NLD", "ALL"])
@pytest.mark.parametrize("fmt", ["csv", "json", "parquet", "xlsx"])
def test_every_file_format_writes_the_same_bytes(tmp_path, screened, reporter, fmt):
    res, plain = screened[reporter]
    a, b = tmp_path / f"cat.{fmt}", tmp_path / f"str.{fmt}"
    write_table(res.table, res.meta, fmt, a)
    write_table(plain, res.meta, fmt, b)
    if fmt == "xlsx":
        assert _parts(a) == _parts(b)
    else:
        assert a.read_bytes() == b.read_bytes()
    if fmt == "csv":
        assert a.with_name(a.name + ".meta.json").read_text() != ""


def test_terminal_table_is_the_same(screened):
    res, plain = screened["NLD"]
    spec = [("product", "product", "text"), ("description", "description", "text"),
            ("import_value_usd", "imports", "usd")]
    shown = []
    for df in (res.table, plain):
        console = Console(record=True, width=140, file=io.StringIO())
        render(df.head(50), spec, "screen", console=console)
        shown.append(console.export_text())
    assert shown[0] == shown[1] and "description" in shown[0]
