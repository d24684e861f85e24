"""GeoPolRisk supply-risk scores (Koyamparambath et al. 2024; geopolrisk-py 2.x) per
reporter, commodity of the commodity map, and year.

    Score = HHI_production x WTA
    HHI_production = sum_k (P(k) / sum_k' P(k'))^2      world mine production by country (WMD)
    WTA   = sum_s q(s) g(s) / (sum_s q(s) + D)          q(s) tonnes imported from supplier s,
                                                        D the reporter's own production in tonnes
    g(s)  = clip((2.5 - WGI_PV(s, year)) / 5, 0, 1)     0 = stable, 1 = unstable; no WGI score -> 0.5
                                                        (risk.missing_instability); suppliers inside
                                                        the reporter's own bloc -> 0
    Price = sum_s v(s) / (1000 x sum_s q(s))            USD per kg (v in USD, q in tonnes)
    CF    = Score x Price / 0.409412948                 eq. kg-Cu/kg (risk.cf_reference, copper)

Flows are the reporter's imports of the commodity's HS codes in the commodity map
(main and complementary codes together). Flows whose quantity BACI does not know
are left out of the tonnes and of the priced value (so the price pairs value and
tonnes of the same flows); they stay in ``import_value_usd``.

Blocs (e.g. EU27): D is the members' summed production. With ``risk.intra_bloc =
count`` (default, as geopolrisk-py 2.x: its regional assessment keeps the members'
imports from each other and gives those partners a WGI of 0) imports between members
add to the denominator and the price with g = 0; with ``drop`` they are left out,
as in the screening's bloc view. Content units: WMD production of some commodities
is in content (Li2O, REO, P2O5, Co), trade in gross tonnes; the method adds them as
published.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import pandas as pd

from geomon.analyses.supply import reference as ref
from geomon.analyses.context import Context, Result, year_range
from geomon.engine import indicators as ind
from geomon.engine import supply

COLUMNS = [
    "reporter", "commodity", "year", "production_hhi", "wta", "score", "cf", "price_usd_per_kg", "import_tonnes",
    "domestic_production_tonnes", "import_value_usd", "weighted_import_tonnes", "inside_bloc_tonnes",
    "missing_instability_tonnes", "supplier_count", "quantity_complete", "wmd_commodity", "hs_codes",
    "supply_chain_stage", "eol_rir", "note",
]


def risk(ctx: Context, reporter: str, year: int | None = None, first: int | None = None, last: int | None = None,
         commodities: Sequence[str] | None = None) -> Result:
    """GeoPolRisk score and characterisation factor, with their components, per
    commodity of the map (or ``commodities``) for ``reporter`` (country or bloc) in
    ``year`` (default: the latest year with production, WGI and trade data) or in
    every year of ``first``..``last``.

    A commodity without HS codes, or whose codes have no trade data in the store,
    has no WTA, score, price or CF, and says why in ``note`` (never zero).
    """
    econ = ctx.economy(reporter)
    years = _years(ctx, year, first, last)
    rows = ref.resolve_commodities(commodities)
    members = list(econ.members) if econ.is_bloc else [econ.name]
    mode = ctx.config["risk.intra_bloc"]
    missing = float(ctx.config["risk.missing_instability"])
    groups = pd.DataFrame([(c, w) for w, codes in zip(rows["wmd_commodity"], rows["hs_codes"]) for c in codes],
                          columns=["product", "group"])
    res = _scores(ctx, rows, years, members, _imports(ctx, econ.name, members, econ.is_bloc, mode, groups, years,
                                                         missing))
    present = ref.codes_with_flows(ctx, sorted(set(groups["product"])), years)
    out = [_record(ctx, econ.name, r, y, res, present[y]) for _, r in rows.iterrows() for y in years]
    return _result(ctx, out, econ, years, members, mode, missing)


def _result(ctx: Context, out: list[dict], econ, years: list[int], members: list[str], mode: str,
            missing: float) -> Result:
    """The rows typed and ordered (year, then score, largest first), with the method in ``meta``."""
    df = pd.DataFrame(out).reindex(columns=COLUMNS)
    df["supplier_count"] = df["supplier_count"].astype("Int64")
    df["quantity_complete"] = df["quantity_complete"].astype("boolean")
    df["note"] = df["note"].fillna("")
    df = df.sort_values(["year", "score", "commodity", "wmd_commodity"], ascending=[True, False, True, True],
                        na_position="last", kind="stable").reset_index(drop=True)
    meta = ctx.meta(analysis="risk", reporter=econ.name, years=ref.years_label(years),
                    bloc_members=members if econ.is_bloc else [], intra_bloc=mode if econ.is_bloc else "",
                    missing_instability=missing, cf_reference=float(ctx.config["risk.cf_reference"]),
                    method="GeoPolRisk (Koyamparambath et al. 2024): Score = HHI_production x WTA; "
                           "WTA = sum(imported t x instability) / (imported t + domestic production t); "
                           "CF = Score x price (USD/kg) / 0.409412948",
                    scored=int(df["score"].notna().sum()), rows=len(df), **ref.reference_meta(), **ref.wgi_meta())
    return Result(df, meta)


def _years(ctx: Context, year: int | None, first: int | None, last: int | None) -> list[int]:
    """The years asked for, each with production and WGI data (else a one-line error)."""
    if first is not None or last is not None:
        years = year_range(ctx, first if first is not None else (year or last), last if last is not None else (year or first))
    else:
        years = [ctx.check_year(year) if year is not None else ref.default_production_year(ctx)]
    for y in years:
        ref.check_production_year(y)
        ref.check_wgi_year(y)
    return years


def _scores(ctx: Context, rows: pd.DataFrame, years: list[int], members: list[str], imports) -> pd.DataFrame:
    """Score, WTA, CF and their components per (commodity, year), from the engine's GeoPolRisk expression."""
    prod = ref.production_table()
    prod = prod[prod["commodity"].isin(rows["wmd_commodity"]) & prod["year"].isin(years)]
    pt = ctx.engine.table(prod[["commodity", "year", "iso3", "production", "production_t"]], name="geomon_wmd_prod")
    keys = supply.production_concentration(pt).select("commodity", "year", "production_hhi")
    expr = supply.geopolrisk(keys, imports, supply.domestic_production(pt, members), float(ctx.config["risk.cf_reference"]))
    res = ctx.engine.execute(expr)
    res["year"] = res["year"].astype("int64")
    return res


def _record(ctx: Context, reporter: str, r: pd.Series, y: int, res: pd.DataFrame, present: set[str]) -> dict:
    """One output row: the components where there is data, and a note saying why where there is not."""
    hit = res[(res["commodity"] == r["wmd_commodity"]) & (res["year"] == y)]
    rec = {"reporter": reporter, "commodity": r["commodity"], "wmd_commodity": r["wmd_commodity"], "year": y,
           "hs_codes": ";".join(r["hs_codes"]), "supply_chain_stage": r["stage"], "eol_rir": r["eol_rir"]}
    if hit.empty:
        return {**rec, "note": f"no production data for {r['wmd_commodity']} in {y}"}
    h = hit.iloc[0].to_dict()
    rec.update(production_hhi=h["production_hhi"], domestic_production_tonnes=h["domestic_production_tonnes"])
    codes = r["hs_codes"]
    gap = "no HS code in the commodity map" if not codes else ref.missing_codes_note(ctx, codes, present, y)
    if not codes or not (set(codes) & present):
        return {**rec, "note": gap}  # trade-based values stay empty: no data, not zero
    complete = h["quantity_complete"]
    rec.update(wta=h["wta"], score=h["score"], cf=h["cf"], price_usd_per_kg=h["price_usd_per_kg"],
               import_tonnes=h["import_tonnes"], import_value_usd=h["import_value_usd"],
               weighted_import_tonnes=h["weighted_tonnes"], inside_bloc_tonnes=h["inside_bloc_tonnes"],
               missing_instability_tonnes=h["missing_instability_tonnes"], supplier_count=int(h["supplier_count"]),
               quantity_complete=bool(complete) if complete is not None and not pd.isna(complete) else None)
    return {**rec, "note": "; ".join(_notes(reporter, rec, h, gap, y))}


def _notes(reporter: str, rec: dict, h: dict, gap: str, y: int) -> list[str]:
    notes = [gap] if gap else []
    if h["import_value_usd"] == 0:
        notes.append(f"{reporter} imported none of HS {rec['hs_codes']} in {y}")
    elif h["import_tonnes"] == 0:
        notes.append("import quantities unknown: no tonnes, no price")
    elif rec["quantity_complete"] is False:
        notes.append("some import quantities unknown (left out of tonnes and price)")
    if pd.isna(h["wta"]):
        notes.append("no imports and no domestic production: WTA undefined")
    return notes


def _imports(ctx: Context, name: str, members: list[str], is_bloc: bool, mode: str, groups: pd.DataFrame,
             years: list[int], missing: float):
    """Weighted imports per (year, commodity) as an Ibis expression (see module docstring)."""
    f = ctx.flows
    f = f.filter(f.year.isin(years), f["product"].isin(sorted(set(groups["product"])) or ["------"]))
    ef = ind.economy_flows(f, ctx.econ_table())  # country level: members stay apart
    ef = ef.filter(ef.importer.isin(members))
    if is_bloc and mode == "drop":
        ef = ef.filter(~ef.exporter.isin(members))
    ef = ef.mutate(importer=ibis.literal(name))  # a bloc's members import as one reporter
    flows = supply.relabel_products(ef, ctx.engine.table(groups, name="geomon_commodity_groups"))
    w = ref.wgi_table()
    w = w[w["year"].isin(years)][["iso3", "year", "estimate"]]
    instab = supply.instability(ctx.engine.table(w, name="geomon_wgi"))
    inside = members if (is_bloc and mode == "count") else []
    return supply.weighted_imports(flows, instab, inside, missing)
