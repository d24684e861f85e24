"""The report as an Excel workbook to work further in.

Sheets (names fixed, in this order; columns keep the analysis names so they match
``geomon screen --format xlsx``): ``summary`` (small stacked tables), ``products``
(every screened product with its tier), ``suppliers`` and ``world_exporters`` (the
products with a report section), ``history`` (their indicators per year), ``trends``
(per year and tier), ``trend_suppliers``, ``durations``, ``changes`` (since the
previous year), ``since`` (with an edition), ``leverage``, the supply sections when
present, and ``provenance`` (every metadata key and setting). Data sheets have a
frozen header, an autofilter, number and percentage formats and fitted widths
(:mod:`geomon.outputs.excel`). Block titles in the summary follow the language.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomon.analyses.report_data import ReportData
from geomon.outputs.excel import close_workbook, write_blocks_sheet, write_meta_sheet, write_sheet
from geomon.outputs.report.labels import labels

#: Columns of the summary's 'largest dependencies' block.
LARGEST_COLUMNS = ["product", "description", "tier", "import_value_usd", "top_supplier", "top_supplier_name",
                   "top_supplier_share", "import_hhi", "world_export_hhi", "import_export_ratio", "criteria_met_years"]
#: Data sheets: sheet name -> table name in ReportData (written when present).
DATA_SHEETS = {
    "products": "products", "suppliers": "suppliers", "world_exporters": "world_exporters", "history": "history",
    "trends": "trend_by_tier", "trend_suppliers": "trend_suppliers", "durations": "durations", "changes": "changes",
    "since": "since", "leverage": "leverage", "diversification": "diversification", "chains": "chains", "risk": "risk", "scenario": "scenario",
}


def summary_blocks(data: ReportData) -> list[tuple[str, pd.DataFrame]]:
    """The summary sheet's tables, titled in the report's language."""
    m, L = data.meta, labels(data.meta["lang"])
    facts = [("reporter", m["reporter"]), ("reporter_name", m["reporter_name"]), ("year", m["year"]),
             ("products_screened", m["rows"]), ("dependent", m["dependent"])]
    facts += [(f"tier_{t}", n) for t, n in m["tier_totals"].items()]
    facts += [("window_years", m["window_years"]), ("persistence", m["persistence"]), ("source", m["source"]),
              ("data_version", m["data_version"]), ("hs_revision", m["hs_revision"]), ("config_hash", m["config_hash"]),
              ("generated_at", m["generated_at"])]
    blocks = [(L["title"].format(**m), pd.DataFrame(facts, columns=["key", "value"]).astype({"value": str})),
              (L["col_tier"], data["tier_counts"]),
              (L["largest"], data["largest"].reindex(columns=LARGEST_COLUMNS)),
              (L["supplier_countries"], data["supplier_countries"])]
    if m.get("previous_year"):
        blocks.append((L["changes_previous"].format(previous=m["previous_year"]), data["changes"]))
    if m.get("since"):
        s = m["since"]
        blocks.append((L["changes_since"].format(edition=s["edition"], created_at=s["created_at"], ed_year=s["year"]),
                       data["since"]))
    return blocks


def sheets(data: ReportData) -> dict[str, pd.DataFrame]:
    """Data sheet name -> table (descriptions added to the per-product tables)."""
    desc = data["products"].set_index("product")["description"]
    out = {}
    for sheet, table in DATA_SHEETS.items():
        df = data.get(table)
        if df is None:
            continue
        if "product" in df.columns and "description" not in df.columns:
            df = df.copy()
            df.insert(df.columns.get_loc("product") + 1, "description", df["product"].map(desc).fillna(""))
        out[sheet] = df
    for name, section in data.parts.items():
        for table, df in section.tables.items():
            out[f"{name}_{table}"[:31]] = df
    return out


def xlsx_to(data: ReportData, path: Path) -> None:
    """Write the workbook into ``path``, not atomically (for a temporary file of
    :func:`geomon.outputs.report.write_reports`, which writes it atomically)."""
    import xlsxwriter

    tables = sheets(data)
    wb = xlsxwriter.Workbook(str(path), {"nan_inf_to_errors": True})
    write_blocks_sheet(wb, "summary", summary_blocks(data))
    for name, df in tables.items():
        write_sheet(wb, name, df)
    write_meta_sheet(wb, data.meta)
    close_workbook(wb)
