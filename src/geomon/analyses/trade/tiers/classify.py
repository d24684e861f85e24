"""Classify screened rows into tiers: gather the evidence, apply the rules, apply overrides.

The rules are :mod:`.rules` (formulas and thresholds in its docstring); the evidence
(public-interest links, alternative suppliers, third-country view, quantity gap, world
supply concentration, missing window years) comes from :mod:`.evidence`,
:mod:`.alternatives` and :mod:`geomon.analyses.trade.interests`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Iterable, Sequence

import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.supply import crm
from geomon.analyses.trade.interests import InterestMap, link_products, load_map
from geomon.analyses.trade.screening import ALL, screen_years
from geomon.analyses.trade.tiers.alternatives import alternatives_frame
from geomon.analyses.trade.tiers.evidence import (KEY, OwnImports, quantity_gap_frame, third_country_frame,
                                                      world_supply_columns)
from geomon.analyses.trade.tiers.overrides import apply_overrides, resolve_overrides
from geomon.analyses.trade.tiers.rules import TIER_ORDER, TIERS, TierRules, apply_rules
from geomon.sources.groups import load_groups
from geomon.sources.overrides import Override

#: Columns :func:`classify` adds to screening rows, in this order.
TIER_COLUMNS = [
    "interest_areas", "interest_uncertain_areas", "interest_sources", "alternative_suppliers",
    "window_years_missing", "quantity_missing_share", "trusted_suppliers", "third_country_share",
    "third_country_import_hhi", "third_country_top_supplier", "third_country_top_supplier_share",
    "world_supply_hhi", "world_supply_basis", "computed_tier", "tier", "tier_reasons", "override_reason",
    "override_author", "override_date",
]


def window_missing(years: Iterable[int], data_years: Iterable[int], window: int) -> dict[int, int]:
    """Per year y: how many of the years y-n+1..y are absent from the data."""
    have = set(data_years)
    return {y: sum(1 for w in range(y - window + 1, y + 1) if w not in have) for y in set(years)}


def _split(text: str) -> set[str]:
    return {x.strip() for x in text.split(";") if x.strip()}


def group_links(imap: InterestMap, group_map: pd.DataFrame, uncertain_links: str) -> pd.DataFrame:
    """Interest links of substitute groups: the union of their members' areas; an area is
    uncertain for the group when no member links to it with certainty."""
    links = link_products(imap, group_map["product"], uncertain_links).set_index("product")
    rows = []
    for gid, members in group_map.groupby("group", sort=True)["product"]:
        areas, unsure, sources, certain = set(), set(), set(), set()
        for p in members:
            a, u = _split(links.at[p, "interest_areas"]), _split(links.at[p, "interest_uncertain_areas"])
            areas |= a
            unsure |= u
            certain |= a - u
            sources |= _split(links.at[p, "interest_sources"])
        rows.append((gid, "; ".join(sorted(areas)), "; ".join(sorted(areas - certain)), "; ".join(sorted(sources))))
    return pd.DataFrame(rows, columns=["product", "interest_areas", "interest_uncertain_areas",
                                       "interest_sources"]).set_index("product")


def _evidence(ctx: Context, df: pd.DataFrame, imap: InterestMap, rules: TierRules,
              group_map: pd.DataFrame | None) -> pd.DataFrame:
    """``df`` with every evidence column the rules read (same rows, same order)."""
    cfg = ctx.config
    if group_map is not None:
        links = group_links(imap, group_map, cfg["tiers.uncertain_links"])
    else:
        links = link_products(imap, df["product"].astype(str), cfg["tiers.uncertain_links"]).set_index("product")
    for c in ("interest_areas", "interest_uncertain_areas", "interest_sources"):
        df[c] = df["product"].map(links[c]).fillna("")
    own = OwnImports(ctx, sorted({int(y) for y in df["year"]}), sorted(set(df["product"].astype(str))), group_map)
    alts = alternatives_frame(ctx, df, rules.alternative_min_share, rules.margin, group_map, own)
    df = df.merge(alts, on=KEY, how="left", validate="many_to_one")
    miss = window_missing(df["year"], ctx.dataset.years, rules.window)
    df["window_years_missing"] = df["year"].map(miss).fillna(0).astype("int64")
    df = df.merge(quantity_gap_frame(ctx, df, group_map, own).drop_duplicates(KEY), on=KEY, how="left",
                  validate="many_to_one")
    df = df.merge(third_country_frame(ctx, df, group_map, own).drop_duplicates(KEY), on=KEY, how="left",
                  validate="many_to_one")
    for c, v in world_supply_columns(ctx, df, group_map is not None).items():
        df[c] = v
    return df


def classify(ctx: Context, screened: pd.DataFrame, *, interest_map: InterestMap | None = None,
             overrides: Sequence[Override] | str | Path | None = None,
             groups_of: dict[str, list[str]] | None = None, group_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows shaped like :func:`geomon.analyses.trade.screening.screen_years` output (any
    reporters and years) -> the same rows, in the same order, with :data:`TIER_COLUMNS` added.

    ``interest_map`` defaults to the configuration's map, ``overrides`` to the file in
    ``tiers.overrides`` (a path or a parsed :class:`Override` list also works). With
    ``group_map`` (product -> group) the rows are substitute groups (product = group id).
    ``groups_of`` maps a product to its substitute groups for group overrides.
    """
    rules = TierRules.from_config(ctx.config)
    imap = interest_map if interest_map is not None else load_map(ctx.config)
    df = _evidence(ctx, screened.reset_index(drop=True).copy(), imap, rules, group_map)
    df = apply_rules(df, rules)
    ovs = overrides
    if ovs is not None or ctx.config["tiers.overrides"]:
        groups = load_groups(ctx.config, set(ctx.descriptions))
        ovs = resolve_overrides(ctx, overrides, groups.ids)
        if groups_of is None and any(o.target not in ctx.descriptions for o in ovs):
            groups_of = groups.groups_of()
    df = apply_overrides(df, ovs or [], groups_of)
    df["alternative_suppliers"] = df["alternative_suppliers"].fillna(0).astype("int64")
    df = df.drop(columns=["alternative_suppliers_strict"])
    df.attrs = {}
    return df[[c for c in screened.columns] + TIER_COLUMNS]


def tiers(ctx: Context, reporter: str, year: int | None = None, *, interest_map: str | Path | None = None,
          replace_map: bool | None = None, overrides: str | Path | None = None,
          products: Sequence[str] | None = None) -> Result:
    """Screen ``reporter`` in ``year`` (default: latest) and classify every product into a tier.

    Rows are ordered strategic, possible, dependency, none, then by import value.
    """
    year = ctx.check_year(year if year is not None else ctx.default_year())
    imap = load_map(ctx.config, interest_map, replace_map)
    screened = screen_years(ctx, reporter, year, year, products)
    df = classify(ctx, screened, interest_map=imap, overrides=overrides)
    df = df.assign(_o=df["tier"].map(TIER_ORDER)).sort_values(
        ["reporter", "year", "_o", "import_value_usd", "product"], ascending=[True, True, True, False, True],
        kind="stable").drop(columns="_o").reset_index(drop=True)
    counts = {t: int((df["tier"] == t).sum()) for t in TIERS}
    computed = {t: int((df["computed_tier"] == t).sum()) for t in TIERS}
    label = ALL if reporter.upper() == ALL else ctx.economy(reporter).name
    n = ctx.config["screening.window"]
    return Result(df, ctx.meta(analysis="tiers", reporter=label, year=year, rows=len(df),
                               window_years=f"{year - n + 1}-{year}", tiers=counts, computed_tiers=computed,
                               overridden=int((df["override_reason"] != "").sum()),
                               world_supply_source=crm.CITATION, **tier_inputs(ctx, imap, overrides)))


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def tier_inputs(ctx: Context, interest_map: InterestMap | None = None,
                overrides: str | Path | None = None) -> dict[str, Any]:
    """Provenance of the curated files behind the tiers, for ``meta`` and editions:
    the interest-map files with their versions and content hashes, and the overrides and
    user groups files with their hashes (the configuration hash covers only their paths)."""
    imap = interest_map if interest_map is not None else load_map(ctx.config)
    ov = overrides or ctx.config["tiers.overrides"] or ""
    gs = load_groups(ctx.config, set(ctx.descriptions))
    return {
        "interest_map": imap.describe(),
        "interest_map_files": {f: {"version": v, "sha256": _sha(f)} for f, v in imap.versions.items()},
        "overrides": str(ov),
        "overrides_sha256": _sha(ov) if ov else "",
        "groups_files": {f: {"version": v, "sha256": _sha(f)} for f, v in gs.versions.items()},
    }
