"""Eurostat Comext (DS-045409, "EU trade since 1988 by HS2-4-6 and CN8") readers.

Two layouts, both giving :class:`geomon.sources.reported.Reported` rows in EUR and kg:

- SDMX-CSV of Eurostat's dissemination API, e.g.
  ``DATAFLOW,LAST UPDATE,freq,reporter,partner,product,flow,indicators,TIME_PERIOD,OBS_VALUE``
  with one row per indicator (``VALUE_IN_EUROS``; ``QUANTITY_IN_100KG`` x 100 = kg, or
  ``QUANTITY_IN_KG``), TIME_PERIOD ``2024-06`` (freq M) or ``2024`` (freq A).
- The bulk files ("full" files), one row per declaration line:
  ``DECLARANT`` or ``REPORTER`` (or ``DECLARANT_ISO``), ``PARTNER`` (or ``PARTNER_ISO``),
  ``PRODUCT_NC``, ``FLOW``, ``STAT_PROCEDURE``, ``PERIOD`` (YYYYMM; YYYY52 = the year),
  ``VALUE_IN_EUROS``, ``QUANTITY_IN_KG``; rows of the statistical procedures are summed.

FLOW 1 = import (M), 2 = export (X). Reporter and partner codes are Eurostat
geonomenclature (ISO 3166 alpha-2 with EL/UK/XS/XK...), mapped to ISO3 by the shipped
``geonom_iso3.csv``. CN8 codes are kept; partner aggregates (WORLD, EU27_2020, EXTRA_...),
product aggregates (TOTAL, HS2/HS4/HS6 levels) and confidential codes (``48XXXXXX``) go to
``aggregates``. Imports are valued CIF and declared by country of origin, exports FOB by
country of destination (Eurostat's ITGS methodology).
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from geomon.errors import DataError, InputError
from geomon.sources.reported import COLUMNS, Reported, finish, geonom_map, header_of, key, read_text

DATAFLOW = "DS-045409"
SDMX_REQUIRED = {"freq", "reporter", "partner", "product", "flow", "indicators", "timeperiod", "obsvalue"}
BULK_ALIASES = {
    "reporter": ("reporter", "declarantiso", "declarant"),
    "partner": ("partneriso", "partner"),
    "product": ("productnc",),
    "flow": ("flow",),
    "period": ("period",),
    "value": ("valueineuros", "valueeur"),
    "quantity_kg": ("quantityinkg", "quantitykg"),
}
PUBLISHER = "Eurostat"
LICENCE = "Eurostat copyright notice: reuse authorised, source acknowledged (Commission Decision 2011/833/EU)"
CITATION = "Eurostat, International trade in goods - detailed data: EU trade since 1988 by HS2-4-6 and CN8 (DS-045409), Comext, https://ec.europa.eu/eurostat/comext/newxtweb/"


def read(path: str | Path) -> Reported:
    """Read one Comext file (SDMX-CSV API extract or bulk file; .csv/.dat/.txt, also .gz/.zip)."""
    path = Path(path)
    text = read_text(path)
    cols = {key(c) for c in header_of(text)}
    if SDMX_REQUIRED <= cols:
        return _read_sdmx(path, text)
    if all(any(a in cols for a in aliases) for aliases in BULK_ALIASES.values()):
        return _read_bulk(path, text)
    raise DataError(f"{path.name} is not a Comext extract (columns {', '.join(sorted(cols)[:8])}...); give a DS-045409 "
                    "SDMX-CSV extract (freq, reporter, partner, product, flow, indicators, TIME_PERIOD, OBS_VALUE) "
                    "or a Comext bulk file (REPORTER, PARTNER, PRODUCT_NC, FLOW, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG)")


def _read_sdmx(path: Path, text: str) -> Reported:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.columns = [key(c) for c in df.columns]
    if "dataflow" in df.columns:
        other = sorted({d for d in df["dataflow"].unique() if DATAFLOW not in d})
        if other:
            raise DataError(f"{path.name} is dataflow {other[0]}, not Comext {DATAFLOW}; extract DS-045409 from Eurostat")
    freqs = sorted(df["freq"].unique())
    if len(freqs) != 1 or freqs[0] not in ("M", "A"):
        raise DataError(f"{path.name} has frequency {'/'.join(freqs)}; give one file per frequency, M (monthly) or A (annual)")
    indicators = set(df["indicators"].unique())
    if "VALUE_IN_EUROS" not in indicators:
        raise DataError(f"{path.name} has no VALUE_IN_EUROS rows (indicators: {', '.join(sorted(indicators))}); "
                        "extract the indicator VALUE_IN_EUROS")
    other_values = sorted(i for i in indicators if i.startswith("VALUE_") and i != "VALUE_IN_EUROS")
    if other_values:
        raise DataError(f"{path.name} mixes currencies (VALUE_IN_EUROS and {other_values[0]}); extract one currency per file")
    obs = pd.to_numeric(df["obsvalue"].str.strip().replace({":": "", "": None}), errors="coerce")
    scale = df["indicators"].map({"VALUE_IN_EUROS": 1.0, "QUANTITY_IN_100KG": 100.0, "QUANTITY_IN_KG": 1.0})
    df["measure"] = df["indicators"].map({"VALUE_IN_EUROS": "value", "QUANTITY_IN_100KG": "quantity_kg",
                                          "QUANTITY_IN_KG": "quantity_kg"})
    df["obs"] = obs * scale
    df = df[df["measure"].notna()]
    keys = ["reporter", "partner", "product", "flow", "timeperiod"]
    wide = df.groupby(keys + ["measure"])["obs"].sum(min_count=1).unstack("measure").reset_index()
    wide.columns.name = None
    for col in ("value", "quantity_kg"):
        if col not in wide.columns:
            wide[col] = np.nan
    period = wide["timeperiod"].str.extract(r"^(\d{4})(?:-(\d{2}))?$")
    if period[0].isna().any():
        bad = wide.loc[period[0].isna(), "timeperiod"].iloc[0]
        raise DataError(f"{path.name}: TIME_PERIOD {bad!r} is not YYYY or YYYY-MM")
    wide["year"] = period[0].astype(int)
    wide["month"] = period[1].fillna("0").astype(int)
    version = _sdmx_version(df)
    return _build(path, wide, freqs[0], version)


def _sdmx_version(df: pd.DataFrame) -> str:
    """V + the extract's LAST UPDATE date (dd/mm/yy) as YYYYMMDD, else V + the last period."""
    if "lastupdate" in df.columns and df["lastupdate"].str.match(r"^\d{2}/\d{2}/\d{2}").all():
        d = max(pd.to_datetime(df["lastupdate"].str[:8], format="%d/%m/%y"))
        return f"V{d:%Y%m%d}"
    return "V" + max(df["timeperiod"]).replace("-", "")


def _read_bulk(path: Path, text: str) -> Reported:
    df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    df.columns = [key(c) for c in df.columns]
    pick = {}
    for canon, aliases in BULK_ALIASES.items():
        for a in aliases:
            if a in df.columns and (canon not in ("reporter", "partner") or df[a].str.match(r"^[A-Z]").all()):
                pick[canon] = a
                break
        else:
            raise DataError(f"{path.name}: no alphabetic {canon} column (looked for {', '.join(aliases)}); "
                            "give a Comext bulk file with ISO2/geonomenclature country codes")
    out = df[list(pick.values())].set_axis(list(pick), axis=1)
    per = out["period"].str.strip()
    if not per.str.match(r"^\d{6}$").all():
        bad = per[~per.str.match(r"^\d{6}$")].iloc[0]
        raise DataError(f"{path.name}: PERIOD {bad!r} is not YYYYMM (YYYY52 for a year)")
    out["year"] = per.str[:4].astype(int)
    month = per.str[4:].astype(int)
    annual = month == 52
    if annual.any() and not annual.all():
        raise DataError(f"{path.name} mixes monthly and annual (YYYY52) periods; give one frequency per file")
    out["month"] = np.where(annual, 0, month)
    out["value"] = pd.to_numeric(out["value"], errors="coerce")
    out["quantity_kg"] = pd.to_numeric(out["quantity_kg"], errors="coerce")
    out["timeperiod"] = per
    keys = ["reporter", "partner", "product", "flow", "year", "month"]
    # one row per statistical procedure in the bulk files: summed (min_count keeps unknown as NaN)
    out = out.groupby(keys, as_index=False).agg(value=("value", lambda s: s.sum(min_count=1)),
                                                quantity_kg=("quantity_kg", lambda s: s.sum(min_count=1)))
    version = "V" + (per.max()[:4] if annual.all() else per.max())
    return _build(path, out, "A" if annual.all() else "M", version)


def _build(path: Path, wide: pd.DataFrame, freq: str, version: str) -> Reported:
    """Map codes, split detailed rows from aggregates."""
    geo = geonom_map().set_index("geonom")
    wide["flow"] = wide["flow"].astype(str).str.strip().map({"1": "M", "2": "X"})
    if wide["flow"].isna().any():
        raise DataError(f"{path.name}: FLOW must be 1 (import) or 2 (export)")
    rep = wide["reporter"].str.strip()
    par = wide["partner"].str.strip()
    reason = pd.Series("", index=wide.index, dtype=object)
    reason[~rep.isin(geo.index)] = "reporter aggregate " + rep
    reason[(reason == "") & ~par.isin(geo.index)] = "partner aggregate " + par
    prod = wide["product"].astype(str).str.strip()
    reason[(reason == "") & ~prod.str.fullmatch(r"\d{8}")] = "product aggregate or confidential " + prod
    reason[(reason == "") & wide["value"].isna()] = "no value reported"
    unknown = sorted({c for c in pd.concat([rep, par]) if len(c) == 2 and c not in geo.index})
    if unknown:
        raise DataError(f"{path.name}: country code {unknown[0]} is not in the Eurostat geonomenclature map "
                        "(data/sources/geonom_iso3.csv); check the file is a Comext extract")
    wide["reporter"] = rep.map(geo["iso3"]).fillna(rep)
    wide["partner"] = par.map(geo["iso3"]).fillna(par)
    wide["product"] = prod
    rows = wide[reason == ""]
    agg = wide[reason != ""].assign(reason=reason[reason != ""])[COLUMNS + ["reason"]]
    # several geonom codes of one ISO3 (XI + XU = GBR) are summed
    rows = rows.groupby(["reporter", "partner", "flow", "product", "year", "month"], as_index=False)[
        ["value", "quantity_kg"]].sum(min_count=1)
    names = dict(zip(geo["iso3"], geo["name"]))
    return Reported("Comext", PUBLISHER, path.name, "EUR", freq, version, finish(rows, path.name, "CN8"),
                    agg.reset_index(drop=True), names=names, classification="CN",
                    descriptions={})


def check_header(path: str | Path) -> None:
    """Raise InputError when ``path`` does not exist (before any reading)."""
    if not Path(path).exists():
        raise InputError(f"{path} does not exist; give a Comext extract (.csv, .dat, .gz, .zip) or a folder of them")
