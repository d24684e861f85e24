"""Production concentration (World Mining Data) beside trade concentration (BACI).

Per commodity c and year y: production shares P(c, k) / sum_k P(c, k) by country k,
production HHI = sum_k share^2 (in [1/n, 1]), top producers; and, for the
commodity's HS codes in the commodity map (main and complementary, summed), the
world-export HHI = sum_e x(e)^2 / (sum_e x(e))^2 by exporter value and the top
exporters. Where extraction and trade concentrate in different countries, the two
HHIs and top lists differ. Beside them, both stages of the EU CRM study 2023 where the
study has the material (:mod:`geomon.analyses.supply.crm`): extraction and processing
HHI = sum of squared shares of world supply, with the top countries (lithium: extraction
AUS 53.0 %, processing CHN 56.2 %).
"""

from __future__ import annotations

from typing import Sequence

import ibis.expr.types as ir
import pandas as pd

from geomon.analyses.supply import crm
from geomon.analyses.supply import reference as ref
from geomon.analyses.context import Context, Result
from geomon.engine import indicators as ind
from geomon.engine import supply
from geomon.errors import InputError

COLUMNS = [
    "commodity", "wmd_commodity", "year", "unit", "world_production", "producer_count", "production_hhi",
    "top_producer", "top_producer_name", "top_producer_share", "top_producers", "hs_codes", "world_export_value_usd",
    "exporter_count", "world_export_hhi", "top_exporter", "top_exporter_share", "top_exporters", "crm_material",
    "crm_extraction_hhi", "crm_extraction_top", "crm_processing_hhi", "crm_processing_top", "trade_note",
]
COUNTRY_COLUMNS = ["commodity", "wmd_commodity", "year", "rank", "iso3", "country", "production", "unit",
                   "production_t", "share", "data_source"]


def _years(ctx: Context, year: int | None, first: int | None, last: int | None) -> list[int]:
    if first is not None or last is not None:
        lo = first if first is not None else (year if year is not None else ref.production_years()[0])
        hi = last if last is not None else (year if year is not None else ref.production_years()[-1])
        if lo > hi:
            raise InputError(f"year range {lo}-{hi} is empty; the first year must not be after the last")
        years = list(range(int(lo), int(hi) + 1))
    else:
        years = [int(year) if year is not None else ref.default_production_year(ctx)]
    for y in years:
        ref.check_production_year(y)
    return years


def concentration_table(ctx: Context, rows: pd.DataFrame, years: Sequence[int]) -> pd.DataFrame:
    """Production concentration per (WMD commodity, year) for the map ``rows``:
    world_production (unit of the commodity), producer_count, production_hhi,
    top_producer, top_producer_share, top_producers (text, ``supply.top_n``)."""
    prod = ref.production_table()
    prod = prod[prod["commodity"].isin(rows["wmd_commodity"]) & prod["year"].isin(list(years))]
    t = ctx.engine.table(prod[["commodity", "year", "iso3", "production", "production_t"]], name="geomon_wmd_prod")
    conc = ctx.engine.execute(supply.production_concentration(t))
    top = ctx.engine.execute(supply.top_shares(t, ["commodity", "year"], "iso3", "production", ctx.config["supply.top_n"]))
    texts = ref.top_texts(top, ["commodity", "year"])
    conc["year"] = conc["year"].astype("int64")
    conc["top_producers"] = [texts.get((c, y), "") for c, y in zip(conc["commodity"], conc["year"])]
    return conc


def export_concentration(ctx: Context, groups: pd.DataFrame, years: Sequence[int], econ=None,
                         flows: ir.Table | None = None) -> pd.DataFrame:
    """World-export concentration per (group, year) over the group's codes summed.

    ``groups`` has columns product, group; ``flows`` the flows to sum (default the store's;
    else every flow of those codes in ``years``, e.g. :func:`reference.code_flows`). Returns
    group, year, world_export_value_usd, exporter_count, world_export_hhi, top_exporter,
    top_exporter_share, top_exporters."""
    years = [y for y in years if y in ctx.dataset.years]
    cols = ["group", "year", "world_export_value_usd", "exporter_count", "world_export_hhi", "top_exporter",
            "top_exporter_share", "top_exporters"]
    if groups.empty or not years:
        return pd.DataFrame(columns=cols)
    f = flows if flows is not None else ctx.flows
    f = f.filter(f.year.isin(list(years)), f["product"].isin(sorted(set(groups["product"]))))
    ef = ind.economy_flows(f, econ if econ is not None else ctx.econ_table())
    gf = supply.group_flows(ef, ctx.engine.table(groups[["product", "group"]].drop_duplicates(), name="geomon_groups"))
    exports = ind.export_totals(gf)
    world = ctx.engine.execute(ind.world_indicators(exports))
    top = ctx.engine.execute(supply.top_shares(exports, ["year", "product"], "exporter", "export_value_usd",
                                               ctx.config["supply.top_n"]))
    texts = ref.top_texts(top, ["product", "year"], key="exporter")
    world = world.rename(columns={"product": "group"})
    world["year"] = world["year"].astype("int64")
    world["top_exporters"] = [texts.get((g, y), "") for g, y in zip(world["group"], world["year"])]
    return world[cols]


def production(ctx: Context, commodity: str | Sequence[str] | None = None, year: int | None = None,
               first: int | None = None, last: int | None = None, by_country: bool = False) -> Result:
    """Production concentration per commodity and year, beside the world-export
    concentration of the commodity's HS codes (main + complementary, summed).

    ``commodity``: reference name(s) of the commodity map (``Lithium``) or WMD names
    (``Lithium (Li2O)``); default every commodity. ``year`` default: the latest year
    with production and trade data; ``first``/``last`` give a range. With
    ``by_country`` one row per producing country (rank, production, share).
    A commodity whose HS codes have no trade data says so in ``trade_note``.
    """
    names = [commodity] if isinstance(commodity, str) else commodity
    rows = ref.resolve_commodities(names)
    years = _years(ctx, year, first, last)
    meta_extra = dict(ref.reference_meta(), years=ref.years_label(years), commodities=len(rows))
    if by_country:
        return _by_country(ctx, rows, years, meta_extra)
    conc = concentration_table(ctx, rows, years)
    groups = pd.DataFrame([(c, w) for w, codes in zip(rows["wmd_commodity"], rows["hs_codes"]) for c in codes],
                          columns=["product", "group"])
    world = export_concentration(ctx, groups, years)
    present = ref.codes_with_flows(ctx, sorted(set(groups["product"])), [y for y in years if y in ctx.dataset.years])
    units = ref.production_table().groupby("commodity")["unit"].first()
    out = []
    for _, r in rows.iterrows():
        for y in years:
            c = conc[(conc["commodity"] == r["wmd_commodity"]) & (conc["year"] == y)]
            w = world[(world["group"] == r["wmd_commodity"]) & (world["year"] == y)]
            codes = r["hs_codes"]
            if not codes:
                note = "no HS code in the commodity map"
            elif y not in ctx.dataset.years:
                note = f"no trade data for {y} in {ctx.dataset.id}"
            else:
                note = ref.missing_codes_note(ctx, codes, present.get(y, set()), y)
            rec = {
                "commodity": r["commodity"], "wmd_commodity": r["wmd_commodity"], "year": y,
                "unit": units.get(r["wmd_commodity"], ""), "hs_codes": ";".join(codes), "trade_note": note,
            }
            if not c.empty:
                c0 = c.iloc[0]
                rec.update(world_production=c0["world_production"], producer_count=int(c0["producer_count"]),
                           production_hhi=c0["production_hhi"], top_producer=c0["top_producer"],
                           top_producer_name=ctx.names.get(c0["top_producer"], c0["top_producer"]),
                           top_producer_share=c0["top_producer_share"], top_producers=c0["top_producers"])
            if not w.empty:
                w0 = w.iloc[0]
                rec.update({k: w0[k] for k in ("world_export_value_usd", "exporter_count", "world_export_hhi",
                                               "top_exporter", "top_exporter_share", "top_exporters")})
            out.append(rec)
    df = pd.DataFrame(out)
    df = df.merge(crm.commodity_stages(df["commodity"], ctx.config["supply.top_n"]), on="commodity", how="left")
    df = df.reindex(columns=COLUMNS)
    df["producer_count"] = df["producer_count"].astype("Int64")
    df["exporter_count"] = df["exporter_count"].astype("Int64")
    df = df.sort_values(["year", "commodity", "wmd_commodity"]).reset_index(drop=True)
    return Result(df, ctx.meta(analysis="production", **meta_extra))


def _by_country(ctx: Context, rows: pd.DataFrame, years: list[int], meta_extra: dict) -> Result:
    prod = ref.production_table()
    p = prod[prod["commodity"].isin(rows["wmd_commodity"]) & prod["year"].isin(years) & (prod["production"] > 0)].copy()
    p["share"] = p["production"] / p.groupby(["commodity", "year"])["production"].transform("sum")
    p = p.sort_values(["commodity", "year", "production", "iso3"], ascending=[True, True, False, True])
    p["rank"] = p.groupby(["commodity", "year"]).cumcount() + 1
    names = dict(zip(rows["wmd_commodity"], rows["commodity"]))
    p["wmd_commodity"] = p["commodity"]
    p["commodity"] = p["wmd_commodity"].map(names)
    p["country"] = [ctx.names.get(i, c) for i, c in zip(p["iso3"], p["country"])]
    df = p.reindex(columns=COUNTRY_COLUMNS).reset_index(drop=True)
    return Result(df, ctx.meta(analysis="production_by_country", **meta_extra))
