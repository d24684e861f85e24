"""``geomon tiers`` and ``geomon groups``: verdicts with reasons, and substitute groups."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Optional

import typer
from rich.console import Console

from geomon import api
from geomon.cli.app import command, emit, provenance_caption
from geomon.cli.options import (ReporterOpt, YearOpt)
from geomon.cli.settings_options import Run, with_options

#: The registry sections behind the tier verdicts (tiers, groups, trends, editions, report).
TIER_SECTIONS = ("screening", "tiers", "groups")


def _rules_caption(s: dict) -> str:
    return (f"Strategic: dependency + public interest + (world-export HHI > {s['tiers.strategic_world_hhi']} or "
            f"< {s['tiers.min_alternative_suppliers']} alternative suppliers with >= "
            f"{s['tiers.alternative_min_share']:g} x the imports); margin {s['tiers.margin']:.0%}. ")


TIER_SPEC = [
    ("product", "product", "text"), ("tier", "tier", "text"), ("computed_tier", "computed", "text"),
    ("dependent", "dep.", "flag"), ("import_value_usd", "imports USD", "usd"), ("top_supplier", "top", "text"),
    ("top_supplier_share", "share", "share"), ("world_export_hhi", "world HHI", "hhi"),
    ("alternative_suppliers", "alt.", "int"), ("criteria_met_years", "years", "int"),
    ("knowledge_position", "knowledge", "text"), ("supplier_stronger", "sup. stronger", "flag"),
    ("interest_areas", "public interest", "text"), ("description", "description", "text"),
]


@command("tiers")
@with_options(*TIER_SECTIONS)
def tiers_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    tier: Annotated[Optional[list[str]], typer.Option("--tier", "-t", help="Only rows with this final tier (repeatable): strategic, possible, dependency, none.", show_default=False)] = None,
    run: Run = Run(),
) -> None:
    """Tier every imported product: strategic, possible, dependency or none, with the reasons.

    Shows the screening columns plus the public-interest areas, the computed tier,
    the final tier after expert overrides, and why.
    """
    from geomon.errors import InputError
    from geomon.outputs.terminal import render

    bad = [t for t in (tier or []) if t not in api.TIERS]
    if bad:
        raise InputError(f"unknown tier '{bad[0]}'; choose one of {', '.join(api.TIERS)}")
    res = api.tiers(reporter, year, **run.api)
    if tier:
        shown = res.table[res.table["tier"].isin(tier)].reset_index(drop=True)
        res = replace(res, table=shown, meta={**res.meta, "rows": len(shown), "tier_filter": list(tier)})
    m = res.meta
    s = m["settings"]

    def show() -> None:
        counts = ", ".join(f"{m['tiers'][t]} {t}" for t in api.TIERS)
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

    emit(res, run.fmt, run.output, show)


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
@with_options(*TIER_SECTIONS)
def groups_cmd(
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    group: Annotated[Optional[list[str]], typer.Option("--group", "-g", help="Only this group id (repeatable).", show_default=False)] = None,
    members: Annotated[bool, typer.Option("--members", help="One row per group member (its own verdict beside the group's) instead of one per group.")] = False,
    run: Run = Run(),
) -> None:
    """Screen substitute groups (flows summed over their HS codes) beside their members' HS6 verdicts.

    Shows which members had data, which are absent from the data (never counted as
    zero), and where grouping changes the verdict.
    """
    from geomon.outputs.terminal import render

    res = api.groups(reporter, year, group=group, members=members, **run.api)
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

    emit(res, run.fmt, run.output, show)
