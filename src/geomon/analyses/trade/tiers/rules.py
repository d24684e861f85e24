"""The tier rules: one column-wise implementation, a pure function over a DataFrame.

Every screened row gets one tier (Dutch pilot 'Geo-economische monitor', 2022, with the
corrections of issue 10):

- ``none`` when the product is not material: import value < ``tiers.min_import_usd``
  (the reason says so, whatever the indicators).
- ``strategic``: a dependency (c1, c2, c3 with persistence), linked to a public interest,
  resting on third countries, with limited short-term room to diversify: world supply
  HHI > ``tiers.strategic_world_hhi`` **or** fewer than ``tiers.min_alternative_suppliers``
  alternative suppliers (:mod:`geomon.engine.alternatives`). World supply HHI =
  max(world-export HHI, the product's stage HHI from the EU CRM study 2023) where the
  product maps to a material and stage (``world_supply_hhi`` / ``world_supply_basis``).
- ``dependency``: a dependency without a public-interest link; linked but with room to
  diversify; or linked but resting on trusted suppliers: third-country import HHI
  HHI_3 = sum over suppliers s not trusted of (v_s / V)^2 <= ``screening.import_hhi``
  (``tiers.trusted_suppliers``; e.g. intra-EU supply of a member state).
- ``possible``: linked and (a) criteria met in some but fewer than k window years, or
  (b) every criterion within ``tiers.margin`` of its threshold, or a dependency within the
  margin of the strategic rule, or (c) a strategic verdict resting on incomplete data:
  window years missing, an uncertain public-interest link, or import flows without a
  quantity worth >= ``tiers.quantity_gap_share`` of the import value (only when
  ``tiers.incomplete_quantities``; a smaller gap is named in the reasons and changes nothing).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geomon.analyses.trade.tiers.columns import (col, counts, flags, fmt, ints_shown, join, lookup, near_col,
                                                     numbers, only_uncertain, pick, shown, texts)
from geomon.config import Config

TIERS = ("strategic", "possible", "dependency", "none")
TIER_ORDER = {t: i for i, t in enumerate(TIERS)}
#: ``world_supply_basis`` of a row whose world supply HHI is its world-export HHI.
EXPORTS_BASIS = "world exports"


@dataclass(frozen=True)
class TierRules:
    """The thresholds the tier rules use (all from the configuration)."""

    import_hhi: float = 0.4
    world_hhi: float = 0.4
    ratio: float = 1.0
    window: int = 3
    min_years: int = 2
    strategic_world_hhi: float = 0.5
    min_alternative_suppliers: int = 3
    alternative_min_share: float = 0.5
    margin: float = 0.1
    incomplete_quantities: bool = True
    min_import_usd: float = 1_000_000.0
    quantity_gap_share: float = 0.05

    @classmethod
    def from_config(cls, cfg: Config) -> "TierRules":
        return cls(cfg["screening.import_hhi"], cfg["screening.world_hhi"], cfg["screening.ratio"],
                   cfg["screening.window"], cfg["screening.min_years"], cfg["tiers.strategic_world_hhi"],
                   cfg["tiers.min_alternative_suppliers"], cfg["tiers.alternative_min_share"], cfg["tiers.margin"],
                   bool(cfg["tiers.incomplete_quantities"]), float(cfg["tiers.min_import_usd"]),
                   float(cfg["tiers.quantity_gap_share"]))


def apply_rules(df: pd.DataFrame, rules: TierRules) -> pd.DataFrame:
    """Add ``computed_tier`` and ``tier_reasons`` to screening-shaped rows (a copy). Pure.

    Needs the screening columns plus ``interest_areas``; optional evidence columns:
    ``interest_uncertain_areas``, ``alternative_suppliers``, ``alternative_suppliers_strict``,
    ``window_years_missing``, ``quantity_missing_share``, ``trusted_suppliers``,
    ``third_country_import_hhi``, ``third_country_top_supplier``,
    ``third_country_top_supplier_share``, ``world_supply_hhi``, ``world_supply_basis``
    (absent = no such evidence; a missing import value counts as material). Every rule is a
    boolean column, the tier an ``np.select`` over them, each reason a column of texts.
    """
    out = df.copy()
    tiers_, reasons = rules_columns(out, rules)
    out["computed_tier"] = tiers_
    out["tier_reasons"] = reasons
    return out


def rules_columns(df: pd.DataFrame, r: TierRules) -> tuple[np.ndarray, np.ndarray]:
    """(computed tiers, reasons) as object arrays, one per row of ``df``."""
    n = len(df)
    met = counts(col(df, "criteria_met_years"), n)
    dependent = flags(col(df, "dependent"), n)
    areas = texts(col(df, "interest_areas"), n)
    suffix = f" of the last {r.window} years ({r.min_years} needed)"

    def verdict(code: int) -> str:
        m, dep = divmod(int(code), 2)
        if dep:
            return f"a dependency: c1, c2 and c3 all met in {m}" + suffix
        if m > 0:
            return f"not a dependency: c1, c2 and c3 all met in {m}" + suffix
        return f"not a dependency: c1, c2 and c3 not all met in any of the last {r.window} years"

    reasons = (lookup(met * 2 + dependent, verdict) + "; "
               + lookup(areas, lambda a: f"public interest: {a}" if a else "no public-interest link"))
    tiers_ = np.where(dependent, "dependency", "none").astype(object)
    value = numbers(col(df, "import_value_usd"), n)
    small = value < r.min_import_usd  # False where the value is missing
    tiers_[small] = "none"
    reasons = join([reasons, pick(small, "not tiered: imports of ", usd_shown(value, small),
                                  f" USD are below the materiality threshold of {r.min_import_usd:,.0f} USD "
                                  "(tiers.min_import_usd)")], "; ")
    rows = np.flatnonzero((areas != "") & ~small)
    if len(rows):
        sub = df.iloc[rows]
        tiers_[rows], more = linked_rules(sub, met[rows], dependent[rows], areas[rows], r)
        reasons[rows] = join([reasons[rows], more], "; ")
    return tiers_, reasons


def usd_shown(values: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """'1,234,567' for the values where ``cond`` holds ('' elsewhere)."""
    out = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(cond)
    out[idx] = [f"{v:,.0f}" for v in values[idx]]
    return out


def share_shown(values: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """'12.3%' ('<0.1%' below 0.05 %) for the values where ``cond`` holds ('' elsewhere)."""
    out = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(cond)
    out[idx] = ["<0.1%" if v < 0.0005 else f"{v:.1%}" for v in values[idx]]
    return out


def quantity_gap(sub: pd.DataFrame, r: TierRules) -> tuple[np.ndarray, np.ndarray]:
    """(a material quantity gap, its text as a caveat or as a note that it changes nothing).

    The gap is ``quantity_missing_share`` (value of the import flows without a quantity /
    import value); a row without that column but with ``quantity_complete`` False counts as
    a material gap of unknown size."""
    k = len(sub)
    share = numbers(col(sub, "quantity_missing_share"), k)
    complete = flags(col(sub, "quantity_complete"), k, missing_as=True)
    unknown = np.isnan(share) & ~complete
    with np.errstate(invalid="ignore"):
        material = (share >= r.quantity_gap_share) | unknown
        minor = (share > 0) & ~material
    s = share_shown(share, material | minor)
    gap = r.quantity_gap_share
    if not r.incomplete_quantities:
        return np.zeros(k, dtype=bool), pick(material | minor, "quantities missing for ", s,
                                             " of the import value (tiers.incomplete_quantities off: no effect)")
    text = join([pick(material & ~unknown, "quantities missing for ", s, f" of the import value (>= {gap:.0%})"),
                 pick(unknown, "quantities missing in some import flows")], "")
    note = pick(minor, "quantities missing for ", s, f" of the import value, below {gap:.0%}: no effect")
    return material, join([text, note], "")


def linked_rules(sub: pd.DataFrame, met: np.ndarray, dependent: np.ndarray, areas: np.ndarray,
                 r: TierRules) -> tuple[np.ndarray, np.ndarray]:
    """(tiers, more reasons) of material rows with a public-interest link."""
    k = len(sub)
    unsure = texts(col(sub, "interest_uncertain_areas"), k)
    missing = counts(col(sub, "window_years_missing"), k)
    q_gap, q_text = quantity_gap(sub, r)
    caveats = join([
        pick(only_uncertain(areas, unsure), "public-interest link uncertain (", unsure, ")"),
        pick(missing != 0, missing.astype(str).astype(object), " window year(s) missing from the data"),
        pick(q_gap, q_text),
    ], ", ")
    dep_tier, dep_text = dependent_rules(sub, dependent, caveats, r)
    why = not_dependent_why(sub, met, dependent, missing, r)
    on_trusted, trusted_text = trusted_rule(sub, ~dependent & (why != ""), r)
    maybe = ~dependent & (why != "") & ~on_trusted
    tiers_ = np.where(dependent, dep_tier, np.where(maybe, "possible", "none")).astype(object)
    more = join([dep_text, pick(maybe, "possible: ", why),
                 pick(on_trusted, "not possible: ", why, ", but ", trusted_text), pick(~q_gap, q_text)], "; ")
    return tiers_, more


def world_supply(sub: pd.DataFrame, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(world supply HHI, its label per row): ``world_supply_hhi`` where present (label
    'world supply HHI (basis)' unless the basis is world exports), else the world-export HHI."""
    w_exp = numbers(col(sub, "world_export_hhi"), k)
    w_sup = numbers(col(sub, "world_supply_hhi"), k)
    basis = texts(col(sub, "world_supply_basis"), k)
    w = np.where(np.isnan(w_sup), w_exp, w_sup)
    crm = (basis != "") & (basis != EXPORTS_BASIS) & ~np.isnan(w_sup)
    label = np.where(crm, "world supply HHI", "world-export HHI").astype(object)
    suffix = pick(crm, " (", basis, ")")
    return w, (label, suffix)


def trusted_rule(sub: pd.DataFrame, dependent: np.ndarray, r: TierRules) -> tuple[np.ndarray, np.ndarray]:
    """(rests on trusted suppliers, its reason) for the rows where ``dependent`` holds:
    the reporter trusts someone and its third-country import HHI <= screening.import_hhi."""
    k = len(sub)
    trusted = texts(col(sub, "trusted_suppliers"), k)
    hhi3 = numbers(col(sub, "third_country_import_hhi"), k)
    top3 = texts(col(sub, "third_country_top_supplier"), k)
    top3_share = numbers(col(sub, "third_country_top_supplier_share"), k)
    with np.errstate(invalid="ignore"):
        on_trusted = dependent & (trusted != "") & (hhi3 <= r.import_hhi)
    text = join([pick(on_trusted, "resting on trusted suppliers (", trusted, "): third-country import HHI ",
                      shown(hhi3, on_trusted), f" <= {r.import_hhi:g}"),
                 pick(on_trusted & (top3 != ""), "largest third-country supplier ", top3, " ",
                      share_shown(top3_share, on_trusted & (top3 != "")))], ", ")
    return on_trusted, text


def dependent_rules(sub: pd.DataFrame, dependent: np.ndarray, caveats: np.ndarray,
                    r: TierRules) -> tuple[np.ndarray, np.ndarray]:
    """(tier, reasons) of linked material dependencies: trusted, strategic, near, or room."""
    k = len(sub)
    on_trusted, trusted_text = trusted_rule(sub, dependent, r)
    w, (w_label, w_basis) = world_supply(sub, k)
    alts = np.trunc(numbers(col(sub, "alternative_suppliers"), k))
    strict = np.trunc(numbers(col(sub, "alternative_suppliers_strict"), k))
    strict = np.where(np.isnan(strict), alts, strict)
    third = dependent & ~on_trusted
    with np.errstate(invalid="ignore"):
        w_over, few, few_strict = w > r.strategic_world_hhi, alts < r.min_alternative_suppliers, \
            strict < r.min_alternative_suppliers
    w_s, alts_s = shown(w, third), ints_shown(alts, third)
    limited = third & (w_over | few)
    limited_txt = join([
        pick(w_over, w_label, " ", w_s, w_basis, f" > {r.strategic_world_hhi}"),
        pick(few, alts_s, f" alternative supplier(s) exporting >= {r.alternative_min_share:g} x the imports "
                          f"elsewhere, fewer than {r.min_alternative_suppliers}"),
    ], " and ")
    roomy = third & ~limited
    near_w = near_col(w, r.strategic_world_hhi, r.margin)
    near_txt = join([pick(near_w, w_label, f" within {r.margin:.0%} of {r.strategic_world_hhi}"),
                     pick(few_strict, "only ", ints_shown(strict, roomy & few_strict),
                          f" alternative(s) at {1 + r.margin:g} x the share")], ", ")
    near = roomy & (near_w | few_strict)
    has_caveat = caveats != ""
    tier = np.select([on_trusted, limited & has_caveat, limited, near], ["dependency", "possible", "strategic",
                                                                         "possible"], "dependency").astype(object)
    text = join([pick(on_trusted, trusted_text), pick(limited, "limited room to diversify: ", limited_txt),
                 pick(limited & has_caveat, "possible rather than strategic: ", caveats),
                 pick(roomy, "room to diversify: ", w_label, " ", w_s, w_basis, f" <= {r.strategic_world_hhi} and ",
                      alts_s, f" alternative supplier(s) >= {r.min_alternative_suppliers}"),
                 pick(near, "possible: near the strategic rule (", near_txt, ")")], "; ")
    return tier, text


def not_dependent_why(sub: pd.DataFrame, met: np.ndarray, dependent: np.ndarray, missing: np.ndarray,
                      r: TierRules) -> np.ndarray:
    """Why a linked, material row that is not a dependency may be possible ('' = it is not)."""
    k = len(sub)
    checks = [("c1 import HHI", numbers(col(sub, "import_hhi"), k), r.import_hhi,
               flags(col(sub, "c1_import_concentration"), k), "hhi"),
              ("c2 world HHI", numbers(col(sub, "world_export_hhi"), k), r.world_hhi,
               flags(col(sub, "c2_world_concentration"), k), "hhi"),
              ("c3 imports/exports", numbers(col(sub, "import_export_ratio"), k), r.ratio,
               flags(col(sub, "c3_low_substitutability"), k), "ratio")]
    some_fail = np.zeros(k, dtype=bool)
    fails_near = np.ones(k, dtype=bool)
    for _, v, t, ok, _ in checks:
        some_fail |= ~ok
        fails_near &= ok | near_col(v, t, r.margin)
    within = ~dependent & some_fail & fails_near
    within_txt = join([pick(within & ~ok, f"{name} {t:g} (", shown(v, within & ~ok, kind), ")")
                       for name, v, t, ok, kind in checks], ", ")
    return join([
        pick(~dependent & (met > 0), "criteria met in fewer years than required"),
        pick(within, f"within {r.margin:.0%} of ", within_txt),
        pick(~dependent & (missing != 0) & (met + missing >= r.min_years), missing.astype(str).astype(object),
             f" window year(s) missing from the data could complete the {r.min_years} required"),
    ], ", ")


__all__ = ["TIERS", "TIER_ORDER", "EXPORTS_BASIS", "TierRules", "apply_rules", "rules_columns", "fmt"]
