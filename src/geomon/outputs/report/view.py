"""The report's view model: what the page and the workbook show beyond the analyses' tables.

:func:`geomon.analyses.report_data.build_report_data` computes every table once;
:func:`report_view` adds what only the report needs, computing no indicator:

- the report's language (``meta["lang"]``, one of :data:`LANGUAGES`, the languages of
  :mod:`geomon.outputs.report.labels`) and the caveats every reader must know
  (``meta["caveats"]``, keys the labels translate);
- the chart grouping of suppliers: in ``suppliers`` and ``world_exporters`` ``shown_as`` is the
  supplier's name for the ``top`` largest (``rank <= top``) and :data:`OTHER` for the rest;
  in ``trend_suppliers`` the ``top`` suppliers that lead the most product-years (sum of
  ``dependencies`` over the years; ties by name) keep their name in ``shown_as`` with
  ``shown_order`` 0, 1, ..., the others are :data:`OTHER` with ``shown_order`` = ``top``-count
  (last). The charts sum the rows of each group. ``top`` is the setting
  ``report.top_suppliers`` (``meta["top_suppliers"]``).

The renderers (:func:`geomon.outputs.report.write_report`) take such a view; ``geomon.api.report_data``
returns one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd

from geomon.analyses.report_data import ReportData
from geomon.outputs.report.labels import LABELS, labels

#: Report languages: those the labels are written in.
LANGUAGES = tuple(LABELS)
#: Caveats every reader must know; the labels translate the keys (``caveat_KEY``).
CAVEATS = ("consignment", "reexports", "hs_revisions", "ratio_no_exports", "persistence")
#: The group of the suppliers a chart does not name.
OTHER = "other"


def check_lang(lang: str) -> str:
    """``lang`` if the report is written in it, else an :class:`~geomon.errors.InputError` naming the choices."""
    labels(lang)
    return lang


def report_view(data: ReportData, lang: str = "en") -> ReportData:
    """``data`` as the report shows it in ``lang`` (see the module docstring); ``data`` itself is unchanged."""
    check_lang(lang)
    top = int(data.meta["top_suppliers"])
    tables = dict(data.tables)
    for name in ("suppliers", "world_exporters"):
        tables[name] = supplier_groups(tables[name], top)
    tables["trend_suppliers"] = leading_supplier_groups(tables["trend_suppliers"], top)
    return replace(data, tables=tables, meta=_meta(data.meta, lang))


def supplier_groups(shares: pd.DataFrame, top: int) -> pd.DataFrame:
    """``shares`` plus ``shown_as``: ``supplier_name`` where ``rank <= top``, else :data:`OTHER`."""
    out = shares.copy()
    out["shown_as"] = out["supplier_name"].where(out["rank"] <= top, OTHER)
    return out


def leading_supplier_groups(by_supplier: pd.DataFrame, top: int) -> pd.DataFrame:
    """``by_supplier`` plus ``shown_as`` and ``shown_order``: the ``top`` suppliers with the most
    dependencies over all years (ties by name) by name in that order, the rest :data:`OTHER`, last."""
    out = by_supplier.copy()
    rank = (out.groupby("supplier_name")["dependencies"].sum()
            .reset_index().sort_values(["dependencies", "supplier_name"], ascending=[False, True]))
    keep = rank["supplier_name"].head(top).tolist()
    out["shown_as"] = out["supplier_name"].where(out["supplier_name"].isin(keep), OTHER)
    out["shown_order"] = out["shown_as"].map({n: i for i, n in enumerate(keep)}).fillna(len(keep)).astype("int64")
    return out


def _meta(meta: dict[str, Any], lang: str) -> dict[str, Any]:
    """``meta`` with ``caveats`` and ``lang``, placed where the provenance sheet has always listed
    them (after ``top_products`` and ``history_years``; at the end when those are missing)."""
    out: dict[str, Any] = {}
    for key, value in meta.items():
        if key in ("caveats", "lang"):
            continue
        out[key] = value
        if key == "top_products":
            out["caveats"] = list(CAVEATS)
        elif key == "history_years":
            out["lang"] = lang
    out.setdefault("caveats", list(CAVEATS))
    out.setdefault("lang", lang)
    return out
