"""The report's data in the reader's language: country names, public-interest areas and the
tier reasons (verdicts) of :mod:`geomon.analyses.trade.tiers`.

Country names come from the Unicode CLDR (via Babel, ``Locale(lang).territories``, keyed by
ISO 3166 alpha-2); the ISO3 -> ISO2 link from the BACI country list shipped with geomon
(:func:`geomon.countries.iso2_by_iso3`). Codes CLDR does not name (BACI's historical economies
such as USSR (...1990) and 'nes' aggregates) keep BACI's English name. Areas and reasons are
translated phrase by phrase (:data:`AREAS_NL`, :data:`REASONS_NL`); numbers, codes and names
inside a reason are kept.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import pandas as pd

from geomon.countries import iso2_by_iso3

#: name column -> the ISO3 columns it may name, first present wins.
NAME_COLUMNS = {"top_supplier_name": ("top_supplier",), "supplier_name": ("supplier", "top_supplier"),
                "partner_name": ("partner",), "home_name": ("home_economy",),
                "name": ("code",)}  # knowledge tables: geography code and name
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![\w])")

AREAS_NL = {
    "critical raw materials": "kritieke grondstoffen",
    "energy": "energie",
    "food security": "voedselzekerheid",
    "semiconductors and electronics": "halfgeleiders en elektronica",
    "defence and dual-use": "defensie en tweeërlei gebruik",
    "health": "gezondheid",
    "digital infrastructure": "digitale infrastructuur",
}

#: (English pattern, Dutch replacement), applied in order to each '; '-separated part of a reason.
REASONS_NL: list[tuple[str, str]] = [
    (r"^not a dependency: c1, c2 and c3 not all met in any of the last (\d+) years$",
     r"geen afhankelijkheid: c1, c2 en c3 in geen van de laatste \1 jaren alle voldaan"),
    (r"^(not )?a dependency: c1, c2 and c3 all met in (\d+) of the last (\d+) years \((\d+) needed\)$",
     lambda m: f"{'geen ' if m[1] else 'een '}afhankelijkheid: c1, c2 en c3 alle voldaan in {m[2]} van de laatste "
               f"{m[3]} jaren ({m[4]} nodig)"),
    (r"^no public-interest link$", "geen publiek belang"),
    (r"^public interest: ", "publiek belang: "),
    (r"^public-interest link uncertain \(", "publiek belang onzeker ("),
    (r"^not tiered: imports of ([\d,]+) USD are below the materiality threshold of ([\d,]+) USD",
     r"geen niveau: invoer van \1 USD ligt onder de materialiteitsdrempel van \2 USD"),
    (r"^quantities missing for (\S+) of the import value, below (\S+): no effect$",
     r"hoeveelheden ontbreken voor \1 van de invoerwaarde, onder \2: geen effect"),
    (r"^quantities missing for (\S+) of the import value \(>= (\S+)\)$",
     r"hoeveelheden ontbreken voor \1 van de invoerwaarde (>= \2)"),
    (r"^quantities missing for (\S+) of the import value \(tiers.incomplete_quantities off: no effect\)$",
     r"hoeveelheden ontbreken voor \1 van de invoerwaarde (tiers.incomplete_quantities uit: geen effect)"),
    (r"^quantities missing in some import flows$", "hoeveelheden ontbreken in sommige invoerstromen"),
    (r"^not possible: ", "niet mogelijk: "),
    (r"^possible rather than strategic: ", "mogelijk in plaats van strategisch: "),
    (r"^possible: near the strategic rule \(", "mogelijk: dicht bij de strategische regel ("),
    (r"^limited room to diversify: ", "weinig ruimte om te spreiden: "),
    (r"^room to diversify: ", "ruimte om te spreiden: "),
    (r"criteria met in fewer years than required", "criteria in minder jaren voldaan dan nodig"),
    (r", but resting on trusted suppliers \(", ", maar steunend op vertrouwde leveranciers ("),
    (r"^resting on trusted suppliers \(", "steunend op vertrouwde leveranciers ("),
    (r"third-country import HHI", "invoer-HHI uit derde landen"),
    (r"largest third-country supplier", "grootste leverancier uit een derde land"),
    (r"world supply HHI", "HHI wereldaanbod"),
    (r"world-export HHI", "wereldexport-HHI"),
    (r" alternative supplier\(s\) exporting >= (\S+) x the imports elsewhere, fewer than (\d+)",
     r" alternatieve leverancier(s) met elders een uitvoer >= \1 x de invoer, minder dan \2"),
    (r" alternative supplier\(s\) >= (\d+)", r" alternatieve leverancier(s) >= \1"),
    (r" alternative\(s\) at (\S+) x the share", r" alternatief/alternatieven bij \1 x het aandeel"),
    (r" window year\(s\) missing from the data could complete the (\d+) required",
     r" vensterja(a)r(en) ontbreken in de data en zouden de \1 vereiste jaren kunnen aanvullen"),
    (r" window year\(s\) missing from the data", r" vensterja(a)r(en) ontbreken in de data"),
    (r"^no imports of any member in (\d+)$", r"geen invoer van enig lid in \1"),
    (r" and (\d)", r" en \1"),
]
_COMPILED = [(re.compile(p), r) for p, r in REASONS_NL]
_AREAS_COMPILED = [(re.compile(rf"(?<![\w-]){re.escape(en)}(?![\w-])"), nl) for en, nl in AREAS_NL.items()]


@lru_cache(maxsize=4)
def country_names(lang: str) -> dict[str, str]:
    """ISO3 -> the country's name in ``lang`` from CLDR (only codes CLDR names)."""
    from babel import Locale

    territories = Locale.parse(lang).territories
    return {iso3: territories[iso2] for iso3, iso2 in iso2_by_iso3().items() if iso2 in territories}


def dutch_number(m: re.Match) -> str:
    """'1,000,000' -> '1.000.000', '0.801' -> '0,801' (Dutch marks)."""
    return m[1].replace(",", ".") + (m[2].replace(".", ",") if m[2] else "")


@lru_cache(maxsize=65536)
def translate_reason(text: str) -> str:
    """A tier reason ('; '-separated parts) in Dutch (:data:`REASONS_NL`), with Dutch number
    marks; areas named in it too. Cached: a full-scale report repeats the same reasons thousands of times."""
    parts = []
    for part in text.split("; "):
        for pattern, repl in _COMPILED:
            part = pattern.sub(repl, part)
        parts.append(_NUMBER.sub(dutch_number, translate_areas(part)))
    return "; ".join(parts)


@lru_cache(maxsize=65536)
def translate_areas(text: str) -> str:
    """'critical raw materials; energy' -> 'kritieke grondstoffen; energie' (also inside a reason)."""
    for pattern, nl in _AREAS_COMPILED:
        text = pattern.sub(nl, text)
    return text


def _table(df: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    out = df.copy()
    for name, codes in NAME_COLUMNS.items():
        code = next((c for c in codes if c in out.columns), None)
        if code is None or name not in out.columns:
            continue
        english = out[name]
        out[name] = out[code].map(names).fillna(english)
        if "shown_as" in out.columns:  # chart labels: the supplier's name, or 'other'
            out["shown_as"] = out[name].where(out["shown_as"] == english, out["shown_as"])
    for col in ("interest_areas", "interest_uncertain_areas"):
        if col in out.columns:
            out[col] = out[col].map(lambda v: translate_areas(v) if isinstance(v, str) else v)
    if "tier_reasons" in out.columns:
        out["tier_reasons"] = out["tier_reasons"].map(lambda v: translate_reason(v) if isinstance(v, str) else v)
    return out


def localize(data, lang: str):
    """``data`` (a ReportData) with names, areas and reasons in ``lang`` (English: unchanged)."""
    if lang == "en":
        return data
    names = country_names(lang)
    meta = dict(data.meta)
    meta["reporter_name"] = names.get(meta.get("reporter", ""), meta.get("reporter_name", ""))
    parts = {k: replace(p, tables={t: _table(df, names) for t, df in p.tables.items()}) for k, p in data.parts.items()}
    return replace(data, tables={k: _table(v, names) if isinstance(v, pd.DataFrame) else v
                                 for k, v in data.tables.items()}, meta=meta, parts=parts)
