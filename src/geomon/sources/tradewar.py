"""Readers of the US-China trade-war product lists shipped in ``data/coercion`` as coercion cases.

- :func:`section301_cases`: the USTR Section 301 lists on Chinese goods (CSV, optionally gzip:
  list, effective, additional_duty, tranche, hts8). Chapter 98 and 99 headings (special
  provisions, not goods) are dropped; the HTS 2018/2019 codes are cut to six digits, which
  follow HS2017. One case per list that took effect (List 4B was suspended before its date and
  is counted as skipped, not as a case).
- :func:`retaliation_cases`: China's April 2018 suspension of concessions (CSV: measure, seq,
  hs8_cn, product_zh, additional_tariff_pct), six digits of China's 2018 tariff = HS2017.

Both return rows in the columns of :func:`geomon.sources.cases.read_cases` and the counts
(lines read, dropped, HS6 codes) in ``frame.attrs["counts"]``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomon.errors import InputError
from geomon.sources.cases import CASE_COLUMNS

_S301_SOURCE = ("USTR Announces Opportunity To Comment On The Future Of Section 301 Tariffs On Imports From China "
                "(Lists 1, 2, 3 and 4A) - Mondaq, 2023-03-23, https://www.mondaq.com/unitedstates/"
                "international-trade-investment/1296944/ustr-announces-opportunity-to-comment-on-the-future-of-"
                "section-301-tariffs-on-imports-from-china")
_CN2018_SOURCE = ("China imposes tariffs on 128 US imports in response to White House actions - CGTN America, "
                  "2018-04-01, https://america.cgtn.com/2018/04/01/china-imposes-tariffs-on-128-us-imports-in-"
                  "response-to-white-house-actions")
#: Lists that never took effect (suspended before their date).
SUSPENDED = ("List 4B",)


def _read(path: str | Path, columns: list[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"trade-war list {path} does not exist")
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise InputError(f"{path.name}: missing column(s) {', '.join(missing)}; expected {', '.join(columns)}")
    return df


def _case(case_id: str, coercer: str, target: str, start: str, codes: list[str], trigger: str, note: str,
          sources: str, set_name: str, file: str) -> dict:
    row = dict.fromkeys(CASE_COLUMNS, "")
    row.update(case_id=case_id, coercer=coercer, target=target, start=start, instrument="tariff", direction="imports",
               hs_revision="HS2017", hs_codes=" ".join(codes), hs_basis="source", trigger=trigger, note=note)
    return {**row, "sources": sources, "source_url": sources.rsplit(", ", 1)[-1], "line": 0, "set": set_name,
            "file": file}


def section301_cases(path: str | Path) -> pd.DataFrame:
    """One tariff case (USA -> CHN, the USA's imports) per Section 301 list that took effect."""
    df = _read(path, ["list", "effective", "additional_duty", "tranche", "hts8"])
    bad = df[~df["hts8"].str.fullmatch(r"\d{8}")]
    if len(bad):
        raise InputError(f"{Path(path).name} line {bad.index[0] + 2}: hts8 '{bad['hts8'].iloc[0]}' is not 8 digits")
    special = df["hts8"].str[:2].isin(["98", "99"])
    goods = df[~special].assign(hs6=lambda d: d["hts8"].str[:6])
    rows, counts = [], {"lines": len(df), "dropped_98_99": int(special.sum()), "lists": {}}
    for name, g in goods.groupby("list", sort=True):
        codes = sorted(g["hs6"].unique())
        counts["lists"][name] = {"lines": len(g), "hs6": len(codes), "case": name not in SUSPENDED}
        if name in SUSPENDED:
            continue
        first = g.iloc[0]
        rows.append(_case(f"USA-CHN-S301-{name.replace('List ', 'L')}", "USA", "CHN", first["effective"], codes,
                          "Section 301 investigation of China's technology transfer and intellectual property practices",
                          f"{name} ({first['tranche']}), additional duty {first['additional_duty']}; {len(g)} HTS8 lines, "
                          f"{len(codes)} HS6 codes (HTS8 cut to six digits).", _S301_SOURCE, "section301", str(path)))
    out = pd.DataFrame(rows, columns=CASE_COLUMNS + ["sources", "source_url", "line", "set", "file"])
    out.attrs["counts"] = counts
    return out


def retaliation_cases(path: str | Path) -> pd.DataFrame:
    """China's April 2018 retaliation (CHN -> USA, China's imports) as one tariff case."""
    df = _read(path, ["measure", "seq", "hs8_cn", "additional_tariff_pct"])
    bad = df[~df["hs8_cn"].str.fullmatch(r"\d{8}")]
    if len(bad):
        raise InputError(f"{Path(path).name} line {bad.index[0] + 2}: hs8_cn '{bad['hs8_cn'].iloc[0]}' is not 8 digits")
    codes = sorted(df["hs8_cn"].str[:6].unique())
    rates = df["additional_tariff_pct"].value_counts().sort_index()
    note = (f"Suspension of tariff concessions: {len(df)} tariff lines ("
            + ", ".join(f"{n} at +{r}%" for r, n in rates.items()) + f"), {len(codes)} HS6 codes.")
    row = _case("CHN-USA-2018-S232", "CHN", "USA", "2018-04-02", codes,
                "US Section 232 tariffs on steel and aluminium (March 2018)", note, _CN2018_SOURCE,
                "china_retaliation", str(path))
    out = pd.DataFrame([row])
    out.attrs["counts"] = {"lines": len(df), "hs6": len(codes)}
    return out
