"""``geomon tiers`` and ``geomon groups``: verdicts with reasons, and substitute groups."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from geomon.cli.app import (open_cli_context, ConfigOpt, Format, FormatOpt, HsOpt, OutputOpt, StoreOpt, VersionOpt, command, emit,
                            provenance_caption)

ReporterOpt = Annotated[str, typer.Option("--reporter", "-r", help="ISO3 code (NLD), BACI numeric code (528), bloc (EU27 or one from the config), or ALL.")]
YearOpt = Annotated[Optional[int], typer.Option("--year", "-y", help="Year to screen (default: the latest in the data).", show_default=False)]
ImportHhiOpt = Annotated[Optional[float], typer.Option("--import-hhi", help="c1 threshold on import HHI [default 0.4].", show_default=False)]
WorldHhiOpt = Annotated[Optional[float], typer.Option("--world-hhi", help="c2 threshold on world-export HHI [default 0.4].", show_default=False)]
RatioOpt = Annotated[Optional[float], typer.Option("--ratio", help="c3 threshold on imports/exports [default 1].", show_default=False)]
WindowOpt = Annotated[Optional[int], typer.Option("--window", help="Persistence window n in years [default 3].", show_default=False)]
MinYearsOpt = Annotated[Optional[int], typer.Option("--min-years", help="Persistence k [default 2].", show_default=False)]
StrategicHhiOpt = Annotated[Optional[float], typer.Option("--strategic-world-hhi", help="Strategic when world-export HHI exceeds this [default 0.5] (tiers.strategic_world_hhi).", show_default=False)]
MinAltOpt = Annotated[Optional[int], typer.Option("--min-alternatives", help="... or fewer than this many alternative suppliers [default 3] (tiers.min_alternative_suppliers).", show_default=False)]
AltShareOpt = Annotated[Optional[float], typer.Option("--alternative-share", help="An alternative exports at least this share of the reporter's imports to the rest of the world [default 0.5] (tiers.alternative_min_share).", show_default=False)]
MarginOpt = Annotated[Optional[float], typer.Option("--margin", help="Relative margin to a threshold that makes a linked product 'possible' [default 0.1] (tiers.margin).", show_default=False)]
InterestMapOpt = Annotated[Optional[Path], typer.Option("--interest-map", help="Your public-interest map (CSV: hs_prefix,area,subarea,source,certainty,note), added to the shipped map (tiers.interest_map).", show_default=False)]
ReplaceMapOpt = Annotated[bool, typer.Option("--replace-interest-map", "--replace-map", help="Use only --interest-map, not the shipped map (tiers.interest_map_mode = replace).")]
OverridesOpt = Annotated[Optional[Path], typer.Option("--overrides", help="Expert overrides (CSV or TOML: product or group, tier, reason, author, date, optional reporter) (tiers.overrides).", show_default=False)]
GroupsOpt = Annotated[Optional[Path], typer.Option("--groups", help="Your substitute groups (CSV: group,label,product,note,source), added to the shipped groups (groups.file).", show_default=False)]
ReplaceGroupsOpt = Annotated[bool, typer.Option("--replace-groups", help="Use only --groups, not the shipped groups (groups.mode = replace).")]


def tier_settings(import_hhi=None, world_hhi=None, ratio=None, window=None, min_years=None,
                  strategic_world_hhi=None, min_alternatives=None, alternative_share=None, margin=None,
                  interest_map=None, replace_map=False, overrides=None, groups=None, replace_groups=False) -> dict:
    """The options shared by ``geomon tiers``, ``groups``, ``trends``, ``edition save`` and ``report``
    (the ``*Opt`` definitions above), as configuration settings ``{"section.key": value}``.

    An option left at its default gives None (the configuration's value stays); a flag
    (``replace_map``, ``replace_groups``) gives ``"replace"`` or None.
    """
    return {"screening.import_hhi": import_hhi, "screening.world_hhi": world_hhi, "screening.ratio": ratio,
            "screening.window": window, "screening.min_years": min_years,
            "tiers.strategic_world_hhi": strategic_world_hhi, "tiers.min_alternative_suppliers": min_alternatives,
            "tiers.alternative_min_share": alternative_share, "tiers.margin": margin,
            "tiers.interest_map": str(interest_map) if interest_map is not None else None,
            "tiers.interest_map_mode": "replace" if replace_map else None,
            "tiers.overrides": str(overrides) if overrides is not None else None,
            "groups.file": str(groups) if groups is not None else None,
            "groups.mode": "replace" if replace_groups else None}






def _rules_caption(s: dict) -> str:
    return (f"Strategic: dependency + public interest + (world-export HHI > {s['tiers.strategic_world_hhi']} or "
            f"< {s['tiers.min_alternative_suppliers']} alternative suppliers with >= "
            f"{s['tiers.alternative_min_share']:g} x the imports); margin {s['tiers.margin']:.0%}. ")


TIER_SPEC = [
    ("product", "product", "text"), ("tier", "tier", "text"), ("computed_tier", "computed", "text"),
    ("dependent", "dep.", "flag"), ("import_value_usd", "imports USD", "usd"), ("top_supplier", "top", "text"),
    ("top_supplier_share", "share", "share"), ("world_export_hhi", "world HHI", "hhi"),
    ("alternative_suppliers", "alt.", "int"), ("criteria_met_years", "years", "int"),
    ("interest_areas", "public interest", "text"), ("description", "description", "text"),
]


@command("tiers")
def tiers_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    tier: Annotated[Optional[list[str]], typer.Option("--tier", "-t", help="Only rows with this final tier (repeatable): strategic, possible, dependency, none.", show_default=False)] = None,
    interest_map: InterestMapOpt = None,
    replace_map: ReplaceMapOpt = False,
    overrides: OverridesOpt = None,
    groups: GroupsOpt = None,
    strategic_world_hhi: StrategicHhiOpt = None,
    min_alternatives: MinAltOpt = None,
    alternative_share: AltShareOpt = None,
    margin: MarginOpt = None,
    import_hhi: ImportHhiOpt = None,
    world_hhi: WorldHhiOpt = None,
    ratio: RatioOpt = None,
    window: WindowOpt = None,
    min_years: MinYearsOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    hs: HsOpt = None,
    data_version: VersionOpt = None,
) -> None:
    """Tier every imported product: strategic, possible, dependency or none, with the reasons.

    Shows the screening columns plus the public-interest areas, the computed tier,
    the final tier after expert overrides, and why.
    """
    from geomon.analyses.trade.tiers import TIERS, tiers
    from geomon.errors import InputError
    from geomon.outputs.terminal import render

    bad = [t for t in (tier or []) if t not in TIERS]
    if bad:
        raise InputError(f"unknown tier '{bad[0]}'; choose one of {', '.join(TIERS)}")
    ctx = open_cli_context(store, config, hs, data_version, tier_settings(
        import_hhi, world_hhi, ratio, window, min_years, strategic_world_hhi, min_alternatives, alternative_share,
        margin, interest_map, replace_map, overrides, groups))
    res = tiers(ctx, reporter, year)
    if tier:
        res.table = res.table[res.table["tier"].isin(tier)].reset_index(drop=True)
        res.meta["rows"] = len(res.table)
        res.meta["tier_filter"] = list(tier)
    m = res.meta
    s = m["settings"]

    def show() -> None:
        counts = ", ".join(f"{m['tiers'][t]} {t}" for t in TIERS)
        title = f"{m['reporter']} {m['year']}: {counts} ({m['overridden']} overridden)"
        caption = (_rules_caption(s) + f"Interest map: {m['interest_map']}. Reasons in --format csv/json/xlsx. "
                   + provenance_caption(m))
        render(res.table, TIER_SPEC, title, caption, highlight="dependent",
               drop_order=["top_supplier_share", "criteria_met_years", "top_supplier", "alternative_suppliers",
                           "world_export_hhi", "interest_areas"])
        con = Console()
        shown = res.table[res.table["tier"] != "none"]
        for r in shown.itertuples():
            over = f" [override by {r.override_author} {r.override_date}: {r.override_reason}]" if r.override_reason else ""
            con.print(f"[bold]{r.product}[/] {r.tier}{over}: {r.tier_reasons}", highlight=False, soft_wrap=True)

    emit(res, fmt, output, show)


GROUP_SPEC = [
    ("group", "group", "text"), ("dependent", "dep.", "flag"), ("tier", "tier", "text"),
    ("verdict_changed", "changed", "flag"), ("import_value_usd", "imports USD", "usd"), ("top_supplier", "top", "text"),
    ("import_hhi", "import HHI", "hhi"), ("world_export_hhi", "world HHI", "hhi"), ("criteria_met_years", "years", "int"),
    ("members_imported", "members imported", "text"), ("members_dependent", "members dep.", "text"),
    ("description", "label", "text"),
]
MEMBER_SPEC = [
    ("group", "group", "text"), ("member", "member", "text"), ("member_status", "status", "text"),
    ("member_import_value_usd", "imports USD", "usd"), ("member_dependent", "dep.", "flag"),
    ("member_tier", "tier", "text"), ("group_dependent", "group dep.", "flag"), ("group_tier", "group tier", "text"),
    ("verdict_changed", "changed", "flag"), ("description", "description", "text"),
]


@command("groups")
def groups_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    fmt: FormatOpt = Format.table,
    output: OutputOpt = None,
    group: Annotated[Optional[list[str]], typer.Option("--group", "-g", help="Only this group id (repeatable).", show_default=False)] = None,
    members: Annotated[bool, typer.Option("--members", help="One row per group member (its own verdict beside the group's) instead of one per group.")] = False,
    groups: GroupsOpt = None,
    replace_groups: ReplaceGroupsOpt = False,
    interest_map: InterestMapOpt = None,
    replace_map: ReplaceMapOpt = False,
    overrides: OverridesOpt = None,
    strategic_world_hhi: StrategicHhiOpt = None,
    min_alternatives: MinAltOpt = None,
    alternative_share: AltShareOpt = None,
    margin: MarginOpt = None,
    import_hhi: ImportHhiOpt = None,
    world_hhi: WorldHhiOpt = None,
    ratio: RatioOpt = None,
    window: WindowOpt = None,
    min_years: MinYearsOpt = None,
    store: StoreOpt = None,
    config: ConfigOpt = None,
    hs: HsOpt = None,
    data_version: VersionOpt = None,
) -> None:
    """Screen substitute groups (flows summed over their HS codes) beside their members' HS6 verdicts.

    Shows which members had data, which are absent from the data (never counted as
    zero), and where grouping changes the verdict.
    """
    from geomon.analyses.trade.groups import groups as run_groups
    from geomon.outputs.terminal import render

    ctx = open_cli_context(store, config, hs, data_version, tier_settings(
        import_hhi, world_hhi, ratio, window, min_years, strategic_world_hhi, min_alternatives, alternative_share,
        margin, interest_map, replace_map, overrides, groups, replace_groups))
    res = run_groups(ctx, reporter, year, ids=group, members=members)
    m = res.meta
    s = m["settings"]

    def show() -> None:
        if members:
            title = f"{m['reporter']} {m['year']}: members of {m['groups']} substitute groups ({m['verdicts_changed']} verdicts changed by grouping)"
            shown = res.table.rename(columns={"member_description": "description"})
            render(shown, MEMBER_SPEC, title, f"Groups: {m['groups_source']}. " + provenance_caption(m),
                   highlight="verdict_changed", drop_order=["member_import_value_usd", "group_tier", "member_tier"])
            return
        title = f"{m['reporter']} {m['year']}: {m['groups']} substitute groups, {m['verdicts_changed']} where grouping changes the verdict"
        caption = (f"Group flows are summed over the members' HS codes; same criteria (c1 > {s['screening.import_hhi']}, "
                   f"c2 > {s['screening.world_hhi']}, c3 > {s['screening.ratio']}) and persistence. "
                   f"Groups: {m['groups_source']}. " + provenance_caption(m))
        render(res.table.rename(columns={"label": "description"}), GROUP_SPEC, title, caption, highlight="verdict_changed",
               drop_order=["top_supplier", "criteria_met_years", "world_export_hhi", "import_hhi", "members_dependent",
                           "members_imported"])
        con = Console()
        for r in res.table.itertuples():
            absent = f"; absent from the data: {r.members_absent}" if r.members_absent else ""
            con.print(f"[bold]{r.group}[/] ({r.label}): {r.change}{absent}"
                      + (f"; members: {r.member_verdicts}" if r.member_verdicts else ""), highlight=False, soft_wrap=True)

    emit(res, fmt, output, show)
