"""What changed between two editions.

A diff ``A -> B`` keys rows by (reporter, product). A product changes when its final
tier differs; it then *left* its tier in A and *entered* its tier in B. A product
screened in only one edition counts as tier ``none`` in the other.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomon.analyses.results import TablesResult
from geomon.analyses.trade.editions import load_edition
from geomon.analyses.trade.trends import tier_order
from geomon.store import Store

#: Indicator columns whose before/after values a diff shows.
DIFF_INDICATORS = ["import_value_usd", "import_hhi", "world_export_hhi", "import_export_ratio", "criteria_met_years",
                   "top_supplier", "top_supplier_share", "alternative_suppliers", "window_years_missing"]
#: Yes/no evidence whose flip a diff names in ``flipped``, with a short label.
DIFF_FLAGS = {"c1_import_concentration": "c1", "c2_world_concentration": "c2", "c3_low_substitutability": "c3",
              "dependent": "dependent", "quantity_complete": "quantities complete"}
#: Counts whose change a diff names in ``flipped``, with a short label.
DIFF_COUNTS = {"criteria_met_years": "years met", "alternative_suppliers": "alternatives",
               "window_years_missing": "missing window years"}
#: Text evidence whose change a diff names in ``flipped``.
DIFF_TEXTS = {"interest_areas": "public-interest link changed", "interest_uncertain_areas": "uncertain link changed",
              "override_reason": "expert override changed"}
#: Metadata keys compared as data provenance in a diff.
PROVENANCE_KEYS = ["reporter", "year", "window_years", "dataset", "source", "hs_revision", "data_version",
                   "data_years", "data_fingerprint", "embedded_data", "engine", "geomon_version"]


# --- diff --------------------------------------------------------------------------------------

def diff_editions(a: str, b: str, editions: str | Path | None = None, store: Store | None = None) -> TablesResult:
    """What changed from edition ``a`` to edition ``b``.

    ``table`` (main name ``changes``): one row per (reporter, product) whose final tier
    differs, with ``tier_before``/``tier_after``, ``computed_tier_*``, ``left_tier``,
    ``entered_tier``, ``flipped`` (criteria, public-interest link or override that changed,
    e.g. "c1 yes->no; dependent yes->no; years met 2->0"), ``screened`` (both, or only in one
    edition) and ``<column>_before/_after`` for ``tier_reasons``, :data:`DIFF_INDICATORS`,
    :data:`DIFF_FLAGS` and :data:`DIFF_TEXTS`. Rows: by final tier after, then reporter, product.
    ``summaries``: ``tiers`` (per tier: products before, after, entered, left),
    ``config`` (settings that differ) and ``provenance`` (data and run keys that differ).
    """
    ea, eb = load_edition(a, editions, store), load_edition(b, editions, store)
    table, m, order = diff_rows(ea.table, eb.table, a, b)
    summaries = {"tiers": _tier_summary(m, order), "config": _config_diff(ea.meta, eb.meta),
                 "provenance": _provenance_diff(ea.meta, eb.meta)}
    meta = {"analysis": "edition diff", "before": _brief(ea.meta), "after": _brief(eb.meta),
            "changed_products": len(table), "config_changes": len(summaries["config"]),
            "provenance_changes": len(summaries["provenance"])}
    return TablesResult(table, meta, summaries, main="changes")


def diff_rows(ra: pd.DataFrame, rb: pd.DataFrame, a: str, b: str) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, int]]:
    """The changed rows of the diff from rows ``ra`` (named ``a``) to rows ``rb`` (``b``), as
    :func:`diff_editions` describes them; also the merged rows and the tier order (for the
    summaries). Used by the diff of two editions and by the report against a saved edition."""
    keys = ["reporter", "product"]
    carry = ["description", "tier", "computed_tier", "tier_reasons"]
    cols = [c for c in dict.fromkeys(carry + DIFF_INDICATORS + list(DIFF_FLAGS) + list(DIFF_TEXTS))
            if c in ra.columns or c in rb.columns]
    m = ra.reindex(columns=keys + cols).merge(rb.reindex(columns=keys + cols), on=keys, how="outer",
                                              suffixes=("_before", "_after"), indicator=True)
    for side in ("before", "after"):
        for t in ("tier", "computed_tier"):
            m[f"{t}_{side}"] = m[f"{t}_{side}"].astype(object).where(m[f"{t}_{side}"].notna(), "none")
    merge = m.pop("_merge").astype(str)
    m["_in_before"], m["_in_after"] = merge != "right_only", merge != "left_only"
    m["screened"] = merge.map({"both": "both", "left_only": f"only {a}", "right_only": f"only {b}"})
    m["description"] = m["description_after"].astype(object).where(m["description_after"].notna(),
                                                                    m["description_before"])
    m["flipped"] = _flipped(m, a, b)
    changed = m[m["tier_before"] != m["tier_after"]].copy()
    changed["left_tier"] = changed["tier_before"]
    changed["entered_tier"] = changed["tier_after"]
    order = {t: i for i, t in enumerate(tier_order(pd.concat([ra, rb], ignore_index=True)))}
    changed["_o"] = changed["tier_after"].map(order).fillna(len(order))
    changed = changed.sort_values(["_o", "reporter", "product"], kind="stable").drop(columns="_o")
    pairs = [f"{c}_{s}" for c in cols if c not in ("description", "tier", "computed_tier") for s in ("before", "after")]
    front = ["reporter", "product", "description", "tier_before", "tier_after", "left_tier", "entered_tier", "flipped",
             "computed_tier_before", "computed_tier_after", "screened"]
    table = changed[front + [p for p in pairs if p in changed.columns]].reset_index(drop=True)
    return table, m, order


def _brief(meta: dict[str, Any]) -> dict[str, Any]:
    keys = ["edition", "created_at", "note", "reporter", "year", "dataset", "data_version", "data_fingerprint",
            "config_hash", "rows", "dependent", "tiers", "path"]
    return {k: meta.get(k) for k in keys}


def _yn(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return "-"
    return "yes" if bool(v) else "no"


def _flipped(m: pd.DataFrame, a: str, b: str) -> pd.Series:
    """Readable list of what flipped per row: criteria, link, override, screened in one edition only."""
    parts = []
    for col, label in DIFF_FLAGS.items():
        if f"{col}_before" not in m:
            continue
        x = m[f"{col}_before"].astype("boolean")
        y = m[f"{col}_after"].astype("boolean")
        differ = (x != y).fillna(True) & ~(x.isna() & y.isna())
        text = label + " " + x.map(_yn, na_action=None).astype(str) + "->" + y.map(_yn, na_action=None).astype(str)
        parts.append(text.where(differ, ""))
    for col, label in DIFF_COUNTS.items():
        if f"{col}_before" not in m:
            continue
        x = m[f"{col}_before"].astype("Int64")
        y = m[f"{col}_after"].astype("Int64")
        text = label + " " + x.astype(str).str.replace("<NA>", "-") + "->" + y.astype(str).str.replace("<NA>", "-")
        parts.append(text.where((x != y).fillna(True) & ~(x.isna() & y.isna()), ""))
    for col, label in DIFF_TEXTS.items():
        if f"{col}_before" in m:
            x = m[f"{col}_before"].fillna("").astype(str)
            y = m[f"{col}_after"].fillna("").astype(str)
            parts.append(pd.Series(np.where(x != y, label, ""), index=m.index))
    only = pd.Series(np.select([m["screened"] == f"only {a}", m["screened"] == f"only {b}"],
                               [f"not imported in {b}", f"not imported in {a}"], ""), index=m.index)
    parts.append(only)
    return _join(pd.concat(parts, axis=1))


def _join(frame: pd.DataFrame) -> pd.Series:
    """Join the non-empty strings of each row with '; ' (column-wise concatenation)."""
    out = pd.Series("", index=frame.index, dtype=object)
    for col in frame.columns:
        s = frame[col].astype(str)
        sep = np.where((out != "") & (s != ""), "; ", "")
        out = out + sep + s
    return out


def _tier_summary(m: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Per tier: products in it before and after (screened in that edition), entered, left."""
    moved = m["tier_before"] != m["tier_after"]
    rows = [{"tier": t,
             "before": int(((m["tier_before"] == t) & m["_in_before"]).sum()),
             "after": int(((m["tier_after"] == t) & m["_in_after"]).sum()),
             "entered": int((moved & (m["tier_after"] == t)).sum()),
             "left": int((moved & (m["tier_before"] == t)).sum())}
            for t in sorted(order, key=order.get)]
    return pd.DataFrame(rows, columns=["tier", "before", "after", "entered", "left"])


def _flat(d: dict[str, Any]) -> dict[str, str]:
    return {k: json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else str(v) for k, v in d.items()}


def _config_diff(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    sa, sb = _flat(a.get("settings") or {}), _flat(b.get("settings") or {})
    fa = {f"file {k}": v.get("sha256", "")[:12] for k, v in (a.get("input_files") or {}).items()}
    fb = {f"file {k}": v.get("sha256", "")[:12] for k, v in (b.get("input_files") or {}).items()}
    fa["interest map"], fb["interest map"] = str(a.get("interest_map", "")), str(b.get("interest_map", ""))
    sa.update(fa)
    sb.update(fb)
    sa["config_hash"], sb["config_hash"] = str(a.get("config_hash", "")), str(b.get("config_hash", ""))
    rows = [{"setting": k, "before": sa.get(k, ""), "after": sb.get(k, "")}
            for k in list(dict.fromkeys(list(sa) + list(sb))) if sa.get(k, "") != sb.get(k, "")]
    return pd.DataFrame(rows, columns=["setting", "before", "after"])


def _provenance_diff(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    rows = [{"key": k, "before": str(a.get(k, "")), "after": str(b.get(k, ""))}
            for k in PROVENANCE_KEYS if str(a.get(k, "")) != str(b.get(k, ""))]
    return pd.DataFrame(rows, columns=["key", "before", "after"])
