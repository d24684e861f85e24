"""Diversification options: which suppliers could replace a dependency, and on what terms.

For reporter r, product p, year y, with x(e) the exports of e to every importer, W = sum_e x(e),
v(e, r) the imports of r from e and V = sum_e v(e, r):

- rest_of_world_export_value_usd X_rest(e) = x(e) - v(e, r): what e sells elsewhere today
- multiple_of_imports   X_rest(e) / V;  qualifies  X_rest(e) >= ``tiers.alternative_min_share`` x V
                        (the tiers' definition of an alternative supplier)
- world_export_share    x(e) / W
- crm_share             e's share of world supply at the product's stage (EU CRM study 2023),
                        where the product maps to a material and stage
- wgi_political_stability  WGI Political Stability estimate of e (about -2.5 .. 2.5, higher is
                        more stable) in y, else the latest year before y
- trusted               e is in r's trust circle (``tiers.trusted_suppliers``)
- trade_agreement       an EU trade agreement in force with e in y (shipped table with sources),
                        for an EU member state or the EU27; EU members count as the single market;
                        None (unknown) for other reporters

Rank: suppliers that qualify first, then by X_rest(e) (capacity today), then by code. Every
exporter but the reporter is listed; the current top supplier is flagged.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np
import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.supply import crm
from geomon.analyses.supply import reference as ref
from geomon.analyses.trade.codes import check_code, codes_in_store, require_in_store
from geomon.analyses.trade.screening import exporter_totals
from geomon.analyses.trade.tiers.evidence import raw_flows, trusted_economies, trusted_of
from geomon.countries import EU27, Economy
from geomon.engine import indicators as ind
from geomon.sources.agreements import load_eu_agreements

COLUMNS = [
    "reporter", "product", "description", "year", "rank", "supplier", "supplier_name", "qualifies",
    "rest_of_world_export_value_usd", "multiple_of_imports", "world_export_value_usd", "world_export_share",
    "current_to_reporter_value_usd", "current_share", "is_top_supplier", "crm_stage", "crm_share",
    "wgi_year", "wgi_political_stability", "trusted", "trade_agreement", "agreement", "agreement_since",
    "agreement_source", "terms",
]


def _exporters(ctx: Context, econ: Economy, codes: Sequence[str], year: int) -> pd.DataFrame:
    """Per product p of ``codes`` and exporter e != r: x(e), x(e) / W and v(e, r) (economy flows;
    a bloc reporter's members merged), in one query for all the products.

    x(e) comes from the statistics stored at ingest (``stats/exports``; a built-in bloc's
    extra-bloc exports from ``stats/bloc_exports``, :func:`~geomon.analyses.trade.screening.exporter_totals`)
    and v(e, r) from r's own import flows; without statistics both are summed from the flows."""
    totals = exporter_totals(ctx, econ if econ.is_bloc else None, [year], codes)
    if totals is None:
        f = ctx.engine.keep(ctx.flows.filter(ctx.flows.year == year), "product", codes)
        ef = ind.economy_flows(f, ctx.econ_table(econ))
        to_r = ef.importer == econ.name
        g = ef.group_by(["product", "exporter"]).aggregate(
            world_export_value_usd=ef.value.sum(), current_to_reporter_value_usd=to_r.ifelse(ef.value, 0.0).sum())
    else:
        ef = ind.economy_flows(raw_flows(ctx, [year], list(codes), None, importers=[econ.name]), ctx.econ_table(econ))
        v = ef.group_by(v_product=ef["product"], v_exporter=ef.exporter).aggregate(v=ef.value.sum())
        x = totals.filter(totals.export_value_usd.notnull())
        j = x.left_join(v, [x["product"] == v.v_product, x.exporter == v.v_exporter])
        g = j.select(product=j["product"], exporter=j.exporter, world_export_value_usd=j.export_value_usd,
                     current_to_reporter_value_usd=j.v.fill_null(0.0))
    df = ctx.engine.execute(g)
    w = df.groupby("product")["world_export_value_usd"].transform("sum")  # W: every exporter of the product
    df["world_export_share"] = df["world_export_value_usd"] / w
    return df[df["exporter"] != econ.name].rename(columns={"exporter": "supplier"}).reset_index(drop=True)


@lru_cache(maxsize=8)
def _wgi_latest(year: int) -> pd.DataFrame:
    """Per ISO3: the WGI year used (y, else the latest before y) and its estimate (read-only)."""
    w = ref.wgi_table()
    w = w[(w["year"] <= year) & w["estimate"].notna()].sort_values("year").drop_duplicates("iso3", keep="last")
    return w.set_index("iso3")


def _wgi(suppliers: pd.Series, year: int) -> tuple[np.ndarray, np.ndarray]:
    """(year used, estimate) per supplier: the WGI year y, else the latest year before y."""
    w = _wgi_latest(int(year))
    yrs = suppliers.map(w["year"]).astype("Int64").to_numpy()
    return yrs, suppliers.map(w["estimate"]).astype("float64").to_numpy()


def _agreements(econ: Economy, suppliers: pd.Series, year: int) -> pd.DataFrame:
    """trade_agreement, agreement, agreement_since, agreement_source per supplier: True with
    "EU single market" for an EU member, True with the agreement for a partner whose agreement
    is in force by ``year``, else False; all None / '' for a reporter outside the EU."""
    eu_reporter = econ.name == "EU27" or set(econ.members) <= set(EU27)
    out = pd.DataFrame({"trade_agreement": None, "agreement": "", "agreement_since": "", "agreement_source": ""},
                       index=suppliers.index).astype({"trade_agreement": object})
    if not eu_reporter:
        return out
    a = load_eu_agreements().set_index("partner")  # one row per partner, 'since' a year or date (the reader checks)
    member = suppliers.isin(EU27)
    since = suppliers.map(a["since"]).astype(object)
    partner = ~member & (pd.to_numeric(since.str[:4]) <= year)  # NaN (no agreement) compares False
    source = a["source_title"] + " (" + a["source_publisher"] + "), " + a["source_url"]
    out["trade_agreement"] = pd.Series([bool(m or p) for m, p in zip(member, partner)], index=out.index,
                                       dtype=object)  # Python bools, None where unknown
    out["agreement"] = np.where(member, "EU single market", np.where(partner, suppliers.map(a["agreement"]), ""))
    out["agreement_since"] = np.where(partner, since, "")
    out["agreement_source"] = np.where(partner, suppliers.map(source), "")
    return out


def _terms(df: pd.DataFrame) -> list[str]:
    """One line per supplier: agreement, stability, stage share."""
    out = []
    cols = ["agreement", "agreement_since", "trade_agreement", "wgi_political_stability", "wgi_year", "crm_share",
            "crm_stage"]
    for agr, since, ta, wgi, wy, share, stage in zip(*(df[c].tolist() for c in cols)):
        bits = [agr + (f" (since {since})" if since else "") if ta else ("no EU trade agreement" if ta is False else "")]
        if not pd.isna(wgi):
            bits.append(f"WGI stability {wgi:+.2f} ({int(wy)})")
        if not pd.isna(share) and share > 0:
            bits.append(f"{share:.1%} of world {stage}")
        out.append("; ".join(b for b in bits if b))
    return out


def _ranked(ctx: Context, econ: Economy, df: pd.DataFrame, year: int) -> pd.DataFrame:
    """:func:`_exporters` rows of one or more products, with per product (V = sum_e v(e, r)):
    rest_of_world_export_value_usd, multiple_of_imports, current_share, qualifies,
    is_top_supplier (the largest v(e, r), ties to the smallest code; none when V = 0) and rank
    (qualifying first, then by X_rest(e), then by code); sorted by product and rank."""
    df = df.reset_index(drop=True)
    v_total = df.groupby("product")["current_to_reporter_value_usd"].transform("sum").to_numpy(dtype="float64")
    df["rest_of_world_export_value_usd"] = df["world_export_value_usd"] - df["current_to_reporter_value_usd"]
    share = ctx.config["tiers.alternative_min_share"]
    with np.errstate(divide="ignore", invalid="ignore"):
        df["multiple_of_imports"] = np.where(v_total > 0, df["rest_of_world_export_value_usd"] / v_total, np.nan)
        df["current_share"] = np.where(v_total > 0, df["current_to_reporter_value_usd"] / v_total, np.nan)
    df["qualifies"] = df["rest_of_world_export_value_usd"] >= share * v_total
    by_v = df.sort_values(["product", "current_to_reporter_value_usd", "supplier"], ascending=[True, False, True],
                          kind="stable")
    top = by_v.drop_duplicates("product").set_index("product")["supplier"]
    df["is_top_supplier"] = (df["supplier"] == df["product"].map(top)) & (v_total > 0)
    df = df.sort_values(["product", "qualifies", "rest_of_world_export_value_usd", "supplier"],
                        ascending=[True, False, False, True], kind="stable").reset_index(drop=True)
    df["rank"] = df.groupby("product").cumcount().to_numpy() + 1
    df["reporter"], df["year"] = econ.name, year
    df["description"] = df["product"].map(ctx.descriptions).fillna("")
    df["supplier_name"] = df["supplier"].map(ctx.names).fillna(df["supplier"])
    return df


def alternatives(ctx: Context, reporter: str, product: str, year: int | None = None) -> Result:
    """Diversification options for ``reporter``'s imports of ``product`` in ``year``; see the module docstring."""
    econ = ctx.economy(reporter)
    code = check_code(ctx, product)
    require_in_store(ctx, code)
    year = ctx.check_year(year if year is not None else ctx.default_year())
    df = _add_terms(ctx, _ranked(ctx, econ, _exporters(ctx, econ, [code], year), year), econ, year)
    v_total = float(df["current_to_reporter_value_usd"].sum())
    share = ctx.config["tiers.alternative_min_share"]
    note = "" if v_total > 0 else f"{econ.name} imported none of it in {year}"
    return Result(df.reindex(columns=COLUMNS), ctx.meta(
        analysis="alternatives", reporter=econ.name, product=code, description=ctx.descriptions.get(code, ""),
        year=year, import_value_usd=v_total, alternative_min_share=share, rows=len(df),
        qualifying=int(df["qualifies"].sum()), note=note, stage_source=crm.CITATION,
        agreements_source="geomon/data/agreements/eu_trade_agreements.csv (a source per row)",
        agreements_scope="EU trade agreements, for EU member states and the EU27"))


def _add_terms(ctx: Context, df: pd.DataFrame, econ: Economy, year: int) -> pd.DataFrame:
    """CRM stage share, WGI stability, trust and agreement columns, and the ``terms`` text, for
    rows of any products (each product's CRM stage and its stage shares looked up once)."""
    df = df.reset_index(drop=True)
    stage = crm.product_stage(sorted(set(df["product"]))).set_index("product")
    df["crm_stage"] = df["product"].map({p: f"{m} {crm.STAGE_NAMES[g]}" for p, m, g in
                                         zip(stage.index, stage["material"], stage["stage"])}).fillna("")
    df["crm_share"] = np.nan
    for (m, g), prods in stage.groupby(["material", "stage"]).groups.items():
        rows = df["product"].isin(prods)
        df.loc[rows, "crm_share"] = df.loc[rows, "supplier"].map(crm.stage_shares(m, g)).fillna(0.0).to_numpy()
    df["wgi_year"], df["wgi_political_stability"] = _wgi(df["supplier"], year)
    _, trusted = trusted_of(econ, trusted_economies(ctx))
    df["trusted"] = df["supplier"].isin(trusted)
    df = pd.concat([df, _agreements(econ, df["supplier"], year)], axis=1)
    df["terms"] = _terms(df)
    return df


def options(ctx: Context, reporter: str, products: Sequence[str], year: int | None = None,
            top: int = 5) -> pd.DataFrame:
    """The report's per-product section: the ``top`` ranked options of each product (one table,
    :data:`COLUMNS`, products in the order given); products without trade data in the store
    are left out. One query and one ranking for every product; terms only for the rows kept."""
    have = codes_in_store(ctx)
    codes = [p for p in products if p in have]
    if not codes:
        return pd.DataFrame(columns=COLUMNS)
    y = ctx.check_year(year if year is not None else ctx.default_year())
    econ = ctx.economy(reporter)
    df = _ranked(ctx, econ, _exporters(ctx, econ, codes, y), y)
    df = df[df["rank"] <= top]
    order = {c: i for i, c in enumerate(dict.fromkeys(codes))}
    df = df.assign(_o=df["product"].map(order)).sort_values(["_o", "rank"], kind="stable").drop(columns="_o")
    return _add_terms(ctx, df, econ, y).reindex(columns=COLUMNS)


def dependency_options(ctx: Context, reporter: str, year: int, detail: pd.DataFrame) -> pd.DataFrame:
    """For every dependency in ``detail`` (rows with ``dependent``): its ``supply.top_n`` ranked
    alternative suppliers (:func:`options`)."""
    dependencies = detail.loc[detail["dependent"].astype(bool), "product"].tolist()
    return options(ctx, reporter, dependencies, year, top=int(ctx.config["supply.top_n"]))
