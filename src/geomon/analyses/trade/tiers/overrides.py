"""Expert overrides applied to computed tiers (files are read by :mod:`geomon.sources.overrides`).

Precedence per row: product + reporter, product (any reporter), then for each substitute
group of the product, in order: group + reporter, group. ``tier`` = the override's tier,
else ``computed_tier``; ``override_reason`` / ``override_author`` / ``override_date`` say who
and why ('' when not overridden).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from geomon.analyses.context import Context
from geomon.analyses.trade.tiers.columns import pick
from geomon.analyses.trade.tiers.rules import TIERS
from geomon.errors import DataError, GeomonError
from geomon.sources import overrides as _source
from geomon.sources.overrides import Override


def apply_overrides(df: pd.DataFrame, overrides: Sequence[Override], groups_of: dict[str, list[str]] | None = None,
                    key: str = "product") -> pd.DataFrame:
    """Set ``tier`` (= ``computed_tier`` unless overridden) and the override columns.

    ``groups_of`` maps a product to the substitute groups it belongs to, so a group's
    override also applies to its members (after product overrides). Pure.

    Precedence, per row: product + reporter, product (any reporter), then for each of the
    product's groups in the order of ``groups_of``: group + reporter, group. Merges of the
    rows with the overrides give every candidate its rank; the lowest rank wins. A group's
    override says so in ``override_reason`` ("... (group ID)").
    """
    out = df.copy()
    n = len(out)
    tier = out["computed_tier"].to_numpy(dtype=object).copy()
    reason, author, when = (np.full(n, "", dtype=object) for _ in range(3))
    if overrides and n:
        ov = pd.DataFrame([(o.target, o.reporter, o.tier, o.reason, o.author, o.date) for o in overrides],
                          columns=["target", "o_reporter", "o_tier", "o_reason", "o_author", "o_date"], dtype=object)
        ov = ov.drop_duplicates(["target", "o_reporter"], keep="last")  # as a dict keyed by (target, reporter)
        anyone = ov[ov["o_reporter"] == ""].drop(columns="o_reporter")
        rows = pd.DataFrame({"_row": np.arange(n), "_key": out[key].to_numpy(dtype=object),
                             "o_reporter": out["reporter"].to_numpy(dtype=object)})
        rows["target"] = rows["_key"]
        candidates = [rows.merge(ov, on=["target", "o_reporter"]).assign(_rank=0),
                      rows.drop(columns="o_reporter").merge(anyone, on="target").assign(_rank=1)]
        member = [(p, g, i) for p, gs in (groups_of or {}).items() for i, g in enumerate(gs)]
        if member:
            gm = pd.DataFrame(member, columns=["_key", "target", "_gi"]).astype({"_key": object, "target": object})
            in_group = rows.drop(columns="target").merge(gm, on="_key")
            by_reporter = in_group.merge(ov, on=["target", "o_reporter"])
            for_anyone = in_group.drop(columns="o_reporter").merge(anyone, on="target")
            for rank, hit in ((2, by_reporter), (3, for_anyone)):  # group i: 2 + 2i with the reporter, 3 + 2i without
                candidates.append(hit.assign(_rank=rank + 2 * hit["_gi"]).drop(columns="_gi"))
        found = pd.concat(candidates, ignore_index=True)
        if len(found):
            found = found.sort_values(["_row", "_rank"], kind="stable").drop_duplicates("_row")
            idx = found["_row"].to_numpy()
            via = found["target"].to_numpy(dtype=object) != found["_key"].to_numpy(dtype=object)
            tier[idx] = found["o_tier"].to_numpy(dtype=object)
            reason[idx] = found["o_reason"].to_numpy(dtype=object) + pick(
                via, " (group ", found["target"].to_numpy(dtype=object), ")")
            author[idx] = found["o_author"].to_numpy(dtype=object)
            when[idx] = found["o_date"].to_numpy(dtype=object)
    out["tier"] = tier
    out["override_reason"] = reason
    out["override_author"] = author
    out["override_date"] = when
    return out


def read_overrides(path: str | Path, known: Iterable[str] = ()) -> list[Override]:
    """An override file (:func:`geomon.sources.overrides.read_overrides`) with the tiers of :data:`TIERS`."""
    return _source.read_overrides(path, known, TIERS)


def resolve_overrides(ctx: Context, overrides: Sequence[Override] | str | Path | None,
                      known_groups: Sequence[str]) -> list[Override]:
    """The overrides to apply: ``overrides`` (a parsed list, or a file path), else the file in
    ``tiers.overrides``, else none. A file's targets must be HS6 codes of the data or the
    ids in ``known_groups``; a reporter must be written as geomon resolves it (NLD, EU27)."""
    if overrides is None:
        overrides = ctx.config["tiers.overrides"] or None
    if overrides is None:
        return []
    if not isinstance(overrides, (str, Path)):
        return list(overrides)
    items = read_overrides(overrides, set(ctx.descriptions) | set(known_groups))
    for o in items:
        if o.reporter:
            try:
                name = ctx.economy(o.reporter).name
            except GeomonError as exc:
                raise DataError(f"{o.file}, line {o.line}: {exc}") from None
            if name != o.reporter:
                raise DataError(f"{o.file}, line {o.line}: write the reporter as {name}, not {o.reporter}")
    return items
