"""Substitute groups: products that can replace one another, screened together.

The shipped groups are ``geomon/data/substitute_groups.csv`` (columns group,
label, product, note, source; one row per member). A user file in the same
format (``groups.file``) adds groups, or replaces the shipped ones with
``groups.mode = "replace"``. A member may be an HS6 code or a 4-digit heading
(expanded to every HS6 code of the dataset under it); a code that is not in the
dataset's product list is an error naming the file and line.

Group screening maps member codes to the group id in the engine
(:func:`geomon.engine.groups.map_products`) and then runs the same indicators,
criteria and persistence as HS6 screening on the summed flows: for group g,
v(e, r, g) = sum over members p of v(e, r, p). Members absent from the data are
reported as absent, never as zero.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from geomon.analyses.context import Context, Result, year_range
from geomon.analyses.trade.screening import ALL, EXTRA_COLUMNS, SCREEN_COLUMNS, _finish, criteria_from_flows, screen_years
from geomon.analyses.trade.tiers import TIER_COLUMNS, classify, tier_inputs
from geomon.engine import indicators as ind
from geomon.engine.groups import map_products, member_presence
from geomon.errors import InputError
from geomon.sources.groups import Group, Groups, read_groups, shipped_groups_path
from geomon.sources.groups import load_groups as _load_groups

__all__ = ["Group", "Groups", "read_groups", "shipped_groups_path", "load_groups", "screen_groups", "group_members",
           "groups", "MEMBER_COLUMNS", "DETAIL_COLUMNS"]

def load_groups(ctx: Context, extra: str | Path | None = None, replace: bool | None = None) -> Groups:
    """The effective groups for the dataset of ``ctx`` (:func:`geomon.sources.groups.load_groups`)."""
    return _load_groups(ctx.config, set(ctx.descriptions), extra, replace)


# ---------------------------------------------------------------------------------------------
# Group screening

#: Columns of the per-group summary, after the screening and tier columns of the group itself.
MEMBER_COLUMNS = ["members", "members_with_data", "members_absent", "members_imported", "members_dependent",
                  "member_verdicts", "verdict_changed", "tier_changed", "change"]


def _group_yearly_expr(ctx: Context, economy, years: Sequence[int], mapping: pd.DataFrame):
    """:func:`geomon.analyses.trade.screening.yearly_expr` on flows summed per group."""
    flows = ctx.flows.filter(ctx.flows.year.isin(list(years)))
    flows = map_products(flows, ctx.engine.table(mapping, name="geomon_group_map"))
    return criteria_from_flows(ctx, economy, flows)


def screen_groups(ctx: Context, reporter: str, first: int, last: int, groups: Groups,
                  ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Screening rows per (reporter, group, year), shaped like
    :func:`geomon.analyses.trade.screening.screen_years` output with ``product`` = group id and
    ``description`` = group label (classify them with ``group_map=groups.mapping(ids)``)."""
    years = year_range(ctx, first, last)
    n, k = ctx.config["screening.window"], ctx.config["screening.min_years"]
    economy = None if reporter.upper() == ALL else ctx.economy(reporter)
    lookback = [y for y in range(first - n + 1, first) if y in ctx.dataset.years]
    mapping = groups.mapping(ids)
    expr = ind.persistence(_group_yearly_expr(ctx, economy, lookback + years, mapping), n, k)
    expr = expr.filter(expr.year >= first)
    df = ctx.engine.execute(expr).rename(columns={"importer": "reporter"})
    df = _finish(ctx, df)
    labels = {g.id: g.label for g in groups.groups.values()}
    df["description"] = df["product"].map(labels).fillna("")
    return df


def _presence(ctx: Context, years: Sequence[int], mapping: pd.DataFrame) -> pd.DataFrame:
    """(year, group, product) for members with any flow in the data that year."""
    flows = ctx.flows.filter(ctx.flows.year.isin(list(years)))
    df = ctx.engine.execute(member_presence(flows, ctx.engine.table(mapping, name="geomon_group_map")))
    df["year"] = df["year"].astype("int64")
    return df


def _sha(path: str | Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def group_members(ctx: Context, reporter: str, year: int | None = None, *, groups: Groups | None = None,
                  ids: Sequence[str] | None = None,
                  overrides: str | Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(group rows, member rows) for ``reporter`` in ``year``.

    Group rows: screening + tier columns of each group (product = group id). Member
    rows: one per (group, member) with ``member_status`` (imported / not imported / absent
    from data), the member's own dependent and tier, the group's, and ``verdict_changed``
    (member dependent != group dependent) and ``tier_changed``; absent members have no
    indicators (never zeros).
    """
    year = ctx.check_year(year if year is not None else ctx.default_year())
    groups = groups or load_groups(ctx)
    ids = list(ids) if ids else groups.ids
    unknown = [g for g in ids if g not in groups.groups]
    if unknown:
        raise InputError(f"unknown substitute group '{unknown[0]}'; choose one of {', '.join(groups.ids)}")
    mapping = groups.mapping(ids)
    gscreen = screen_groups(ctx, reporter, year, year, groups, ids)
    g_df = classify(ctx, gscreen, overrides=overrides, groups_of={}, group_map=mapping) if len(gscreen) else gscreen
    members = sorted(set(mapping["product"]))
    mscreen = screen_years(ctx, reporter, year, year, members)
    m_df = classify(ctx, mscreen, overrides=overrides, groups_of=groups.groups_of()) if len(mscreen) else mscreen
    present = _presence(ctx, [year], mapping)
    found = (set(g_df["reporter"]) | set(m_df["reporter"])) if len(g_df) or len(m_df) else set()
    reporters = sorted(found) if reporter.upper() == ALL else [ctx.economy(reporter).name]
    return g_df, _member_rows(ctx, reporters, [groups.groups[g] for g in ids], year, g_df, m_df, present)


#: Columns of :func:`group_members`' member rows.
DETAIL_COLUMNS = ["reporter", "group", "label", "year", "member", "member_description", "member_status",
                  "member_import_value_usd", "member_top_supplier", "member_import_hhi", "member_criteria_met_years",
                  "member_dependent", "member_tier", "group_import_value_usd", "group_top_supplier", "group_import_hhi",
                  "group_criteria_met_years", "group_dependent", "group_tier", "verdict_changed", "tier_changed"]


def _member_rows(ctx: Context, reporters: Sequence[str], chosen: Sequence[Group], year: int, g_df: pd.DataFrame,
                 m_df: pd.DataFrame, present: pd.DataFrame) -> pd.DataFrame:
    """One row per (reporter, group, member), reporters then groups then members in order,
    joined column-wise with the members' and the groups' classified rows. A value that does
    not exist (a member or group without imports) is None, never zero."""
    skel = pd.DataFrame([(g.id, g.label, p, ctx.descriptions.get(p, "")) for g in chosen for p in g.members],
                        columns=["group", "label", "member", "member_description"])
    skel = pd.DataFrame({"reporter": list(reporters)}).merge(skel, how="cross")
    if skel.empty:
        return pd.DataFrame()
    take = ["import_value_usd", "top_supplier", "import_hhi", "criteria_met_years", "dependent", "tier"]

    def side(df: pd.DataFrame, on: str) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """Columns of ``df`` for each skeleton row (None where it has no row) and where it has one."""
        if not len(df):
            return {c: np.full(len(skel), None, dtype=object) for c in take}, np.zeros(len(skel), dtype=bool)
        right = df[["reporter", "product", *take]].rename(columns={"product": on})
        hit = skel[["reporter", on]].merge(right, on=["reporter", on], how="left", validate="many_to_one",
                                           indicator="_hit")
        matched = (hit["_hit"] == "both").to_numpy()
        cols = {}
        for c in take:
            values = hit[c].to_numpy(dtype=object, copy=True)
            values[~matched] = None
            cols[c] = values
        return cols, matched

    m, m_hit = side(m_df, "member")
    g, g_hit = side(g_df, "group")
    seen = present[["group", "product"]].drop_duplicates().rename(columns={"product": "member"})
    in_data = skel[["group", "member"]].merge(seen, on=["group", "member"], how="left", indicator="_in")
    status = np.where(m_hit, "imported", np.where((in_data["_in"] == "both").to_numpy(), "not imported",
                                                  "absent from data"))
    m_dep = np.full(len(skel), None, dtype=object)
    m_dep[m_hit] = m["dependent"][m_hit].astype(bool)
    g_dep = np.zeros(len(skel), dtype=bool)
    g_dep[g_hit] = g["dependent"][g_hit].astype(bool)
    g_tier = g["tier"].copy()
    g_tier[~g_hit] = "none"
    columns = {
        "reporter": skel["reporter"], "group": skel["group"], "label": skel["label"], "year": year,
        "member": skel["member"], "member_description": skel["member_description"], "member_status": status,
        "member_import_value_usd": m["import_value_usd"], "member_top_supplier": m["top_supplier"],
        "member_import_hhi": m["import_hhi"], "member_criteria_met_years": m["criteria_met_years"],
        "member_dependent": m_dep, "member_tier": m["tier"],
        "group_import_value_usd": g["import_value_usd"], "group_top_supplier": g["top_supplier"],
        "group_import_hhi": g["import_hhi"], "group_criteria_met_years": g["criteria_met_years"],
        "group_dependent": g_dep, "group_tier": g_tier,
        "verdict_changed": m_hit & (m_dep != g_dep), "tier_changed": m_hit & (m["tier"] != g_tier),
    }
    return _frame(columns, DETAIL_COLUMNS)


def _frame(columns: dict, order: list[str]) -> pd.DataFrame:
    """A frame whose column types are inferred from the values (Python lists, None for a
    missing value), exactly as for a frame built row by row."""
    def values(v):
        if isinstance(v, pd.Series):
            v = v.to_numpy(dtype=object)
        return v.tolist() if isinstance(v, np.ndarray) else v

    return pd.DataFrame({c: values(v) for c, v in columns.items()}, columns=order)


def _summary(detail: pd.DataFrame) -> pd.DataFrame:
    """Per (reporter, group) of the member rows: which members had data, were imported and
    dependent, their verdicts, and whether grouping changes the verdict (column-wise; the
    member lists are '; '-joined in member order)."""
    if not len(detail):
        return pd.DataFrame([], columns=["reporter", "group"] + MEMBER_COLUMNS)
    d = detail.sort_values("reporter", kind="stable").reset_index(drop=True)  # groups stay in their order
    keys = d[["reporter", "group"]].drop_duplicates()
    index = pd.MultiIndex.from_frame(keys)
    status = d["member_status"].to_numpy(dtype=object)
    imported = status == "imported"
    dependent = imported & (d["member_dependent"] == True).to_numpy()  # noqa: E712
    member = d["member"].to_numpy(dtype=object)
    verdicts = np.full(len(d), "", dtype=object)
    verdicts[imported] = (member[imported] + np.where(dependent[imported], " dependent (", " not dependent (")
                          .astype(object) + d["member_tier"].to_numpy(dtype=object)[imported] + ")")

    def joined(mask: np.ndarray, texts: np.ndarray = member) -> list[str]:
        rows = d.loc[mask, ["reporter", "group"]].assign(_t=texts[mask])
        parts = rows.groupby(["reporter", "group"], sort=False)["_t"].agg("; ".join)
        return parts.reindex(index, fill_value="").tolist()

    flags = pd.DataFrame({"reporter": d["reporter"], "group": d["group"], "n_imported": imported,
                          "n_dependent": dependent, "verdict_changed": d["verdict_changed"].to_numpy(dtype=bool),
                          "tier_changed": d["tier_changed"].to_numpy(dtype=bool),
                          "group_dependent": d["group_dependent"].to_numpy(dtype=bool)})
    agg = flags.groupby(["reporter", "group"], sort=False).agg(
        n_imported=("n_imported", "sum"), n_dependent=("n_dependent", "sum"), verdict_changed=("verdict_changed", "any"),
        tier_changed=("tier_changed", "any"), group_dependent=("group_dependent", "first")).reindex(index)
    n_imp = agg["n_imported"].to_numpy().astype(str).astype(object)
    n_dep = agg["n_dependent"].to_numpy().astype(str).astype(object)
    none_imported = agg["n_imported"].to_numpy() == 0
    changed = agg["verdict_changed"].to_numpy(dtype=bool)
    gdep = np.where(agg["group_dependent"].to_numpy(dtype=bool), "group dependent, ", "group not dependent, ")
    change = np.where(none_imported, "no member imported", np.where(
        changed, gdep.astype(object) + n_dep + " of " + n_imp + " imported members dependent",
        "same verdict as its " + n_imp + " imported member(s)"))
    return _frame({
        "reporter": keys["reporter"], "group": keys["group"], "members": joined(np.ones(len(d), dtype=bool)),
        "members_with_data": joined(status != "absent from data"),
        "members_absent": joined(status == "absent from data"),
        "members_imported": joined(imported), "members_dependent": joined(dependent),
        "member_verdicts": joined(imported, verdicts), "verdict_changed": changed,
        "tier_changed": agg["tier_changed"].to_numpy(dtype=bool), "change": change.astype(object),
    }, ["reporter", "group"] + MEMBER_COLUMNS)


def groups(ctx: Context, reporter: str, year: int | None = None, *, groups_file: str | Path | None = None,
           replace_groups: bool | None = None, ids: Sequence[str] | None = None, members: bool = False,
           overrides: str | Path | None = None) -> Result:
    """Screen every substitute group for ``reporter`` in ``year`` beside its members' HS6 verdicts.

    One row per (reporter, group): the group's screening and tier columns, then
    :data:`MEMBER_COLUMNS` saying which members had data and where grouping changes the
    verdict. With ``members=True`` one row per (group, member) instead.
    """
    year = ctx.check_year(year if year is not None else ctx.default_year())
    gs = load_groups(ctx, groups_file, replace_groups)
    g_df, detail = group_members(ctx, reporter, year, groups=gs, ids=ids, overrides=overrides)
    label = ALL if reporter.upper() == ALL else ctx.economy(reporter).name
    n = ctx.config["screening.window"]
    inputs = tier_inputs(ctx, overrides=overrides)
    inputs["groups_files"] = {f: {"version": v, "sha256": _sha(f)} for f, v in gs.versions.items()}
    meta_common = dict(reporter=label, year=year, window_years=f"{year - n + 1}-{year}", groups_source=gs.describe(),
                       **inputs,
                       groups=len(ids or gs.ids))
    if members:
        return Result(detail, ctx.meta(analysis="group_members", rows=len(detail),
                                       verdicts_changed=int(detail["verdict_changed"].sum()) if len(detail) else 0,
                                       **meta_common))
    summary = _summary(detail)
    cols = SCREEN_COLUMNS + EXTRA_COLUMNS + TIER_COLUMNS
    g = g_df.rename(columns={"product": "group", "description": "label"}) if len(g_df) else \
        pd.DataFrame(columns=[{"product": "group", "description": "label"}.get(c, c) for c in cols])
    out = summary.merge(g, on=["reporter", "group"], how="left")
    labels = {k: v.label for k, v in gs.groups.items()}
    out["label"] = out["group"].map(labels)
    out["year"] = year
    out["dependent"] = out["dependent"].fillna(False).astype(bool)
    out["computed_tier"] = out["computed_tier"].fillna("none")
    out["tier"] = out["tier"].fillna("none")
    out["tier_reasons"] = out["tier_reasons"].where(out["tier_reasons"].notna(), f"no imports of any member in {year}")
    for c in ("override_reason", "override_author", "override_date", "interest_areas", "trusted_suppliers",
              "third_country_top_supplier", "world_supply_basis"):
        out[c] = out[c].fillna("")
    front = ["reporter", "group", "label", "year", "import_value_usd", "top_supplier", "top_supplier_share",
             "import_hhi", "world_export_hhi", "import_export_ratio", "c1_import_concentration",
             "c2_world_concentration", "c3_low_substitutability", "criteria_met_years", "dependent",
             "computed_tier", "tier"]
    rest = [c for c in out.columns if c not in front and c not in MEMBER_COLUMNS]
    out = out[front + MEMBER_COLUMNS + rest]
    out = out.sort_values(["reporter", "verdict_changed", "group"], ascending=[True, False, True],
                          kind="stable").reset_index(drop=True)
    return Result(out, ctx.meta(analysis="groups", rows=len(out), verdicts_changed=int(out["verdict_changed"].sum()),
                                **meta_common))
