"""Inputs that change nothing say so: one :class:`geomon.errors.GeomonWarning` line each.

- an expert override of a product the reporter does not import in the year (no row to
  override), named by its file and line;
- a member of a user substitute group (``groups.file``) that is absent from the data
  (it adds nothing to the group's sums).

(A config bloc named like an economy is warned about where economies are resolved,
:func:`geomon.countries.resolve_economy`.)
"""

from __future__ import annotations

from geomon.analyses.context import Context, Result
from geomon.errors import warn


def unused_overrides(ctx: Context, res: Result) -> Result:
    """Warn for each product override (for this reporter or any) whose product has no row in
    ``res``; returns ``res`` unchanged."""
    path = ctx.config["tiers.overrides"]
    if not path or "product" not in res.table.columns:
        return res
    from geomon.analyses.trade.tiers import read_overrides

    products = set(res.table["product"])
    reporter, year = res.meta.get("reporter", ""), res.meta.get("year", "")
    for o in read_overrides(path):
        is_product = o.target.isdigit() and len(o.target) == 6
        if is_product and o.reporter in ("", reporter) and o.target not in products:
            where = f"{o.file}, line {o.line}" if o.file else str(path)
            warn(f"{where}: the override of {o.target} changes nothing: {reporter} does not import it in {year}")
    return res


def absent_group_members(ctx: Context, res: Result) -> Result:
    """Warn for each group of the user groups file with members absent from the data."""
    path = ctx.config["groups.file"]
    if not path or "members_absent" not in res.table.columns:
        return res
    from geomon.sources.groups import read_groups

    user_ids = set(read_groups(path, set(ctx.descriptions)).ids)
    rows = res.table.drop_duplicates("group")
    for group, absent in zip(rows["group"], rows["members_absent"]):
        if group in user_ids and isinstance(absent, str) and absent.strip():
            warn(f"{path}: group {group}: member(s) {absent} are absent from the data ({ctx.dataset.id}) and add nothing")
    return res
