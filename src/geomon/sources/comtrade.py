"""UN Comtrade readers: API v1/v2 JSON and CSV results, the bulk CSV, and the legacy CSV.

Every layout is read by column *meaning*: names are reduced to lower-case letters and digits
(``reporterISO``, ``reporter_iso`` and ``Reporter ISO`` are all ``reporteriso``), then
looked up in :data:`FIELDS`. Values are US dollars (``primaryValue``; legacy ``Trade Value
(US$)``), quantities net weight in kg (``netWgt``; legacy ``Netweight (kg)``).

Only HS6 rows between a reporter and one partner country with flow M (import) or X (export)
become rows; everything else is kept apart in ``aggregates`` with its reason and never summed
with them: commodity TOTAL or 2/4-digit codes, partner World (code 0 / W00), breakdowns by
second partner, mode of transport or customs procedure, re-imports and re-exports (RM, RX).
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from geomon.errors import DataError
from geomon.sources.reported import COLUMNS, Reported, finish, key, read_text

#: canonical field -> accepted column keys (first found wins)
FIELDS = {
    "reporter_iso": ("reporteriso",),
    "reporter_code": ("reportercode",),
    "reporter_desc": ("reporterdesc", "reporter"),
    "partner_iso": ("partneriso",),
    "partner_code": ("partnercode",),
    "partner_desc": ("partnerdesc", "partner"),
    "flow": ("flowcode", "tradeflowcode", "flowdesc", "tradeflow"),
    "cmd": ("cmdcode", "commoditycode"),
    "cmd_desc": ("cmddesc", "commodity"),
    "year": ("refyear", "year"),
    "period": ("period", "refperiodid"),
    "freq": ("freqcode",),
    "value": ("primaryvalue", "tradevalueus"),
    "net_kg": ("netwgt", "netweightkg"),
    "classification": ("classificationcode", "classification"),
    "partner2": ("partner2code",),
    "mot": ("motcode",),
    "customs": ("customscode",),
}
REQUIRED = ("reporter_iso", "partner_iso", "flow", "cmd", "year", "value")
FLOWS = {"m": "M", "x": "X", "1": "M", "2": "X", "import": "M", "export": "X", "rm": "RM", "rx": "RX",
         "3": "RX", "4": "RM", "re-import": "RM", "re-export": "RX"}
#: Comtrade classification codes -> HS revision
HS_CODES = {"H0": "HS92", "H1": "HS96", "H2": "HS02", "H3": "HS07", "H4": "HS12", "H5": "HS17", "H6": "HS22"}
PUBLISHER = "UN Statistics Division"
LICENCE = "UN Comtrade terms of use (free data reusable with attribution 'UN Comtrade')"
CITATION = "United Nations Statistics Division, UN Comtrade Database, https://comtradeplus.un.org"


def read(path: str | Path) -> Reported:
    """Read one Comtrade result (.json, .csv, .txt/.tsv, also .gz/.zip) into reported rows."""
    path = Path(path)
    text = read_text(path)
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path.name} is not valid JSON ({exc.msg} at line {exc.lineno}); give the API response as saved") from None
        if not isinstance(doc.get("data"), list):
            raise DataError(f"{path.name} has no 'data' list; give a Comtrade API v1/v2 response")
        df = pd.DataFrame(doc["data"]).astype(str).replace({"None": "", "nan": ""})
    else:
        sep = "\t" if "\t" in text.split("\n", 1)[0] else ","
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, sep=sep)
    return _normalise(path, df)


def _columns(path: Path, df: pd.DataFrame) -> pd.DataFrame:
    keys = {key(c): c for c in df.columns}
    out = pd.DataFrame(index=df.index)
    for field, aliases in FIELDS.items():
        col = next((keys[a] for a in aliases if a in keys), None)
        if col is not None:
            out[field] = df[col].astype(str).str.strip()
    missing = [f for f in REQUIRED if f not in out.columns]
    if missing:
        raise DataError(f"{path.name} is not a Comtrade result: no {', '.join(missing)} column "
                        f"(columns: {', '.join(list(df.columns)[:8])}...); give an API v1/v2 or bulk CSV/JSON")
    return out


def _normalise(path: Path, df: pd.DataFrame) -> Reported:
    if df.empty:
        raise DataError(f"{path.name} has no rows; give a Comtrade result with data")
    d = _columns(path, df)
    d["flow"] = d["flow"].str.lower().map(FLOWS)
    if d["flow"].isna().any():
        raise DataError(f"{path.name}: unknown flow code; allowed M, X, RM, RX (or 1-4 in the legacy layout)")
    freq, year, month = _periods(path, d)
    d["year"], d["month"] = year, month
    d["value"] = pd.to_numeric(d["value"], errors="coerce")
    d["quantity_kg"] = pd.to_numeric(d["net_kg"], errors="coerce") if "net_kg" in d else np.nan
    d["reporter"] = d["reporter_iso"]
    d["partner"] = d["partner_iso"]
    d["product"] = d["cmd"]
    reason = pd.Series("", index=d.index, dtype=object)
    world = d["partner_iso"].isin(["W00", "WLD", ""]) | d.get("partner_code", pd.Series("", index=d.index)).eq("0")
    reason[world] = "partner World"
    reason[(reason == "") & ~d["cmd"].str.fullmatch(r"\d{6}")] = "commodity aggregate " + d["cmd"]
    reason[(reason == "") & d["flow"].isin(["RM", "RX"])] = "re-import/re-export " + d["flow"]
    for field, total in (("partner2", "0"), ("mot", "0"), ("customs", "C00")):
        if field in d:
            reason[(reason == "") & ~d[field].isin([total, ""])] = f"breakdown by {field}"
    reason[(reason == "") & d["value"].isna()] = "no value reported"
    rows, agg = d[reason == ""], d[reason != ""].assign(reason=reason[reason != ""])
    return Reported("Comtrade", PUBLISHER, path.name, "USD", freq, _version(rows, freq),
                    finish(rows[COLUMNS], path.name, "HS6"), agg[COLUMNS + ["reason"]].reset_index(drop=True),
                    names=_names(d), descriptions=_descriptions(rows), numeric=_numeric(d),
                    classification=_classification(path, d))


def _periods(path: Path, d: pd.DataFrame) -> tuple[str, pd.Series, pd.Series]:
    """Frequency (A or M), year and month (0 for annual) of every row."""
    period = d["period"] if "period" in d else d["year"]
    period = period.str.replace(r"01$", "", regex=True).where(period.str.len() == 8, period)  # refPeriodId YYYYMM01
    if "freq" in d:
        freqs = set(d["freq"])
    else:
        freqs = {"M" if len(p) == 6 else "A" for p in period.unique()}
    if len(freqs) != 1 or not freqs <= {"A", "M"}:
        raise DataError(f"{path.name} mixes frequencies ({'/'.join(sorted(freqs))}); give annual and monthly results as separate files")
    freq = freqs.pop()
    year = pd.to_numeric(d["year"], errors="coerce")
    if year.isna().any():
        raise DataError(f"{path.name}: year {d.loc[year.isna(), 'year'].iloc[0]!r} is not a number")
    month = pd.to_numeric(period.str[4:6], errors="coerce").fillna(0).astype(int) if freq == "M" else 0
    return freq, year.astype(int), month


def _version(rows: pd.DataFrame, freq: str) -> str:
    """V + the last period in the file (V2022, V202406): a file-content label, not a download date."""
    if rows.empty:
        return "V0"
    last = rows.sort_values(["year", "month"]).iloc[-1]
    return f"V{int(last['year'])}" + (f"{int(last['month']):02d}" if freq == "M" else "")


def _classification(path: Path, d: pd.DataFrame) -> str:
    if "classification" not in d:
        return ""
    found = sorted(set(d["classification"]) - {""})
    if len(found) > 1:
        raise DataError(f"{path.name} mixes HS revisions ({', '.join(found)}); give one classification per file")
    return HS_CODES.get(found[0], found[0]) if found else ""


def _names(d: pd.DataFrame) -> dict[str, str]:
    out = {}
    for iso, desc in (("reporter_iso", "reporter_desc"), ("partner_iso", "partner_desc")):
        if desc in d:
            out.update(dict(zip(d[iso], d[desc])))
    return out


def _numeric(d: pd.DataFrame) -> dict[str, int]:
    out = {}
    for iso, code in (("reporter_iso", "reporter_code"), ("partner_iso", "partner_code")):
        if code in d:
            ok = d[code].str.fullmatch(r"\d+")
            out.update({i: int(c) for i, c in zip(d.loc[ok, iso], d.loc[ok, code])})
    return out


def _descriptions(rows: pd.DataFrame) -> dict[str, str]:
    return dict(zip(rows["cmd"], rows["cmd_desc"])) if "cmd_desc" in rows else {}
