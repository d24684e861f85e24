"""The evidence the tier rules weigh beside the screening columns, per (reporter, product, year):

- third-country view (``tiers.trusted_suppliers``): with V the import value, v_s the
  imports from s and T(r) the trusted suppliers of reporter r,
  ``third_country_share`` = sum_{s not in T} v_s / V,
  ``third_country_import_hhi`` = sum_{s not in T} (v_s / V)^2 and the largest
  third-country supplier with its share v_s / V (:func:`geomon.engine.verdicts.third_country_sums`).
  Trust circle: the setting lists economies (ISO3 codes, EU27 or blocs of the config); a
  reporter that is one of them or inside one of them trusts every member of all of them
  (itself excluded); other reporters trust no one.
- ``quantity_missing_share`` = value of the import flows without a quantity / V.
- world supply concentration ``world_supply_hhi`` = max(world-export HHI, the product's
  stage HHI from the EU CRM study 2023) and ``world_supply_basis`` naming the source that
  gave the larger number (:mod:`geomon.analyses.supply.crm`).

The third-country view and the quantity gaps read only the reporters' own import flows (their
BACI codes, filtered before the joins); for one reporter or a bloc they are read once per
classification and shared with the alternative-supplier counts (:class:`OwnImports`).
"""

from __future__ import annotations

from typing import Any, Iterator, Sequence

import ibis.expr.types as ir
import numpy as np
import pandas as pd
import pyarrow.compute as pc

from geomon.analyses.context import Context, importer_codes, merge_needed
from geomon.analyses.supply import crm
from geomon.analyses.trade.tiers.rules import EXPORTS_BASIS
from geomon.countries import Economy
from geomon.engine import indicators as ind
from geomon.engine import verdicts
from geomon.engine.groups import map_products

KEY = ["reporter", "product", "year"]
#: Largest batch of importers whose import flows :class:`OwnImports` holds in memory.
FEW_IMPORTERS = 8
THIRD_COLUMNS = ["trusted_suppliers", "third_country_share", "third_country_import_hhi",
                 "third_country_top_supplier", "third_country_top_supplier_share"]


def trusted_economies(ctx: Context) -> list[Economy]:
    """The economies listed in ``tiers.trusted_suppliers`` ('' = none)."""
    items = [x.strip() for x in str(ctx.config["tiers.trusted_suppliers"]).split(",") if x.strip()]
    return [ctx.economy(x, role="trusted supplier (tiers.trusted_suppliers)") for x in items]


def trusted_of(reporter: Economy, circle: Sequence[Economy]) -> tuple[str, list[str]]:
    """(label, trusted ISO3 codes) of ``reporter``: the whole circle when the reporter is in it."""
    inside = any(reporter.name == e.name or set(reporter.members) <= set(e.members) for e in circle)
    if not inside:
        return "", []
    members = sorted({m for e in circle for m in e.members} - set(reporter.members))
    return ", ".join(e.name for e in circle), members


def batches(ctx: Context, reporters: Sequence[str]) -> Iterator[tuple[list[Economy], list[str]]]:
    """(blocs whose members merge, reporter names) per query: countries together, each bloc alone."""
    economies = [ctx.economy(r) for r in reporters]
    plain = [e.name for e in economies if not e.is_bloc]
    if plain:
        yield [], plain
    for e in economies:
        if e.is_bloc:
            yield [e], [e.name]


def keys_of(rows: pd.DataFrame) -> pd.DataFrame:
    """(year, importer, product, import_value_usd) per distinct key of screening rows."""
    k = pd.DataFrame({"year": rows["year"].astype("int32"), "importer": rows["reporter"].astype(str),
                      "product": rows["product"].astype(str),
                      "import_value_usd": rows["import_value_usd"].astype("float64")})
    return k.drop_duplicates(["year", "importer", "product"])


def raw_flows(ctx: Context, years: list[int], products: list[str], group_map: pd.DataFrame | None,
              importers: Sequence[str] | None = None):
    """The flows of ``years`` for ``products`` (group ids mapped from their members); with
    ``importers`` (economy names: countries or blocs), only the import flows of those economies
    (of every member of a bloc), filtered on the BACI codes before any join or group-by: the
    flows the context holds for those codes (:meth:`~geomon.analyses.context.Context.held_flows`,
    read once and shared by every part)."""
    if importers is not None:
        flows = ctx.held_flows("importer", importer_codes(ctx, [ctx.economy(n) for n in importers]), years)
    else:
        flows = ctx.flows.filter(ctx.flows.year.isin(years))
    if group_map is not None:
        return map_products(flows, ctx.engine.table(group_map, name="geomon_group_map"))
    return ctx.engine.keep(flows, "product", products)


class OwnImports:
    """The reporters' own import flows of ``years`` for ``products``, read once and shared by the
    tier evidence (alternative suppliers, third-country view, quantity gaps) of one classification.

    A batch of at most :data:`FEW_IMPORTERS` importers (one reporter, a bloc) is read from the
    store once and kept in memory: its raw flows with a null quantity (the quantity gaps) and its
    economy flows (:func:`geomon.engine.indicators.economy_flows`; alternatives, third-country
    view). A bloc of more than :data:`FEW_IMPORTERS` member countries holds only its economy
    flows (its members' raw flows are many; the gaps read them again). A larger batch (every
    reporter) stays a lazy expression: holding all flows in memory would cost more than reading
    them twice. Same rows either way, so the same numbers.
    """

    def __init__(self, ctx: Context, years: list[int], products: list[str], group_map: pd.DataFrame | None) -> None:
        self.ctx, self.years, self.products, self.group_map = ctx, years, products, group_map
        self._held: dict[tuple[str, ...], tuple[ir.Table, ir.Table]] = {}

    def raw(self, names: Sequence[str]) -> ir.Table:
        """Import flows of the economies ``names`` (raw_flows); only null quantities when held."""
        return self._get(names)[0] if few(names) else self._lazy(names)

    def economy(self, names: Sequence[str], blocs: Sequence[Economy]) -> ir.Table:
        """Economy flows of the import flows of ``names`` (blocs merged as in ``blocs``)."""
        if few(names):
            return self._get(names)[1]
        return ind.economy_flows(self._lazy(names), self.ctx.econ_table(*blocs))

    def _lazy(self, names: Sequence[str]) -> ir.Table:
        return raw_flows(self.ctx, self.years, self.products, self.group_map, importers=names)

    def _get(self, names: Sequence[str]) -> tuple[ir.Table, ir.Table]:
        key = tuple(sorted(names))
        if key not in self._held:
            eng = self.ctx.engine
            blocs = [e for e in (self.ctx.economy(n) for n in names) if e.is_bloc]
            econ = self.ctx.econ_table(*blocs)
            lazy = self._lazy(names)
            if sum(len(self.ctx.economy(n).members) for n in names) > FEW_IMPORTERS:
                # a large bloc: its members' raw flows are too many to hold; hold the (far fewer)
                # economy flows and let the quantity gaps read the null quantities again
                self._held[key] = (lazy.filter(lazy.quantity.isnull()), eng.table(eng.to_arrow(
                    ind.economy_flows(lazy, econ))))
                return self._held[key]
            raw = eng.to_arrow(lazy)
            merge = merge_needed(self.ctx, *blocs)
            eflows = eng.to_arrow(ind.economy_flows(eng.table(raw), econ, merge=merge))
            self._held[key] = (eng.table(raw.filter(pc.is_null(raw["quantity"]))), eng.table(eflows))
        return self._held[key]


def few(names: Sequence[str]) -> bool:
    """True when a batch of importers is small enough to hold its flows (:data:`FEW_IMPORTERS`)."""
    return len(names) <= FEW_IMPORTERS


def third_country_frame(ctx: Context, screened: pd.DataFrame, group_map: pd.DataFrame | None = None,
                        own: OwnImports | None = None) -> pd.DataFrame:
    """:data:`THIRD_COLUMNS` per (reporter, product, year) of ``screened``; see the module docstring."""
    if screened.empty:
        return pd.DataFrame(columns=KEY + THIRD_COLUMNS)
    circle = trusted_economies(ctx)
    years = sorted({int(y) for y in screened["year"]})
    parts = []
    for blocs, names in batches(ctx, sorted(set(screened["reporter"]))):
        rows = screened[screened["reporter"].isin(names)]
        keys = keys_of(rows)
        labels, pairs = {}, []
        for name in names:
            labels[name], members = trusted_of(ctx.economy(name), circle)
            pairs += [(name, m) for m in members]
        trusted = pd.DataFrame(pairs or [("", "")], columns=["importer", "exporter"], dtype=object)
        own = own or OwnImports(ctx, years, sorted(set(screened["product"].astype(str))), group_map)
        ef = own.economy(names, blocs)
        expr = verdicts.third_country_sums(ef, ctx.engine.table(keys, name="geomon_tier_keys"),
                                           ctx.engine.table(trusted, name="geomon_trusted"))
        res = ctx.engine.execute(expr).merge(keys, on=["year", "importer", "product"], how="left")
        parts.append(_third_columns(res, labels))
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    return out[KEY + THIRD_COLUMNS]


def _third_columns(res: pd.DataFrame, labels: dict[str, str]) -> pd.DataFrame:
    """Shares of the import value V from the engine's sums (NaN where V is 0)."""
    v = res["import_value_usd"].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(v > 0, res["third_value"] / v, np.nan)
        hhi = np.where(v > 0, res["third_sumsq"] / (v * v), np.nan)
        top_share = np.where(v > 0, res["third_max"] / v, np.nan)
    top = res["third_top"].astype(object).where(res["third_top"].notna(), "").astype("str")
    return pd.DataFrame({"reporter": res["importer"], "product": res["product"], "year": res["year"],
                         "trusted_suppliers": res["importer"].map(labels).fillna(""),
                         "third_country_share": share, "third_country_import_hhi": hhi,
                         "third_country_top_supplier": top, "third_country_top_supplier_share": top_share})


def quantity_gap_frame(ctx: Context, screened: pd.DataFrame, group_map: pd.DataFrame | None = None,
                       own: OwnImports | None = None) -> pd.DataFrame:
    """``quantity_missing_share`` per (reporter, product, year): 0 where every quantity is known."""
    out = screened[KEY].copy()
    out["quantity_missing_share"] = 0.0
    gaps = screened[~screened["quantity_complete"].astype(bool)] if "quantity_complete" in screened else screened
    if gaps.empty:
        return out
    years = sorted({int(y) for y in gaps["year"]})
    parts = []
    for blocs, names in batches(ctx, sorted(set(gaps["reporter"]))):
        keys = keys_of(gaps[gaps["reporter"].isin(names)])
        flows = (own or OwnImports(ctx, years, sorted(set(keys["product"])), group_map)).raw(names)
        expr = verdicts.quantity_gap(flows, ctx.econ_table(*blocs), ctx.engine.table(keys, name="geomon_gap_keys"))
        parts.append(ctx.engine.execute(expr).merge(keys, on=["year", "importer", "product"]))
    g = pd.concat(parts, ignore_index=True)
    g["quantity_missing_share"] = g["no_quantity_value"] / g["import_value_usd"]
    g = g.rename(columns={"importer": "reporter"}).astype({"year": "int64"})[KEY + ["quantity_missing_share"]]
    merged = out.drop(columns="quantity_missing_share").merge(g, on=KEY, how="left")
    merged["quantity_missing_share"] = merged["quantity_missing_share"].fillna(0.0)
    return merged


def world_supply_columns(ctx: Context, df: pd.DataFrame, grouped: bool) -> dict[str, Any]:
    """``world_supply_hhi`` and ``world_supply_basis`` for the rows of ``df`` (no CRM stage
    for substitute groups: their world supply is the world-export HHI)."""
    w = df["world_export_hhi"].astype("float64").to_numpy()
    stage = crm.product_stage([] if grouped else sorted(set(df["product"].astype(str))),
                              ctx.config["supply.top_n"]).set_index("product")
    s = df["product"].astype(str).map(stage["crm_hhi"]).astype("float64").to_numpy()
    basis = df["product"].astype(str).map(stage["basis"]).astype(object).to_numpy()
    use_crm = ~np.isnan(s) & (np.isnan(w) | (s > w))
    return {"world_supply_hhi": np.where(use_crm, s, w),
            "world_supply_basis": np.where(use_crm, basis, np.where(np.isnan(w), "", EXPORTS_BASIS))}
