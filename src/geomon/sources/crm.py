"""EU Critical Raw Materials study 2023: global supply shares per country and stage, and
geomon's map from HS6 codes to (material, stage).

Files (``geomon/data/crm/``, see its README for producer, licence and citation):

- ``global_supply_shares.csv``: the transcription of Appendix 7 of the study, byte for
  byte (Latin-1, CRLF): Material, Stage (``E`` extraction, ``P`` processing), Country
  (English name), Share (text: ``56.2%``, ``<0.1%``), t (trade variable of the supply-risk
  formula). Read by :func:`load_supply_shares` into material, stage, country, iso3, share
  (a fraction; ``<0.1%`` -> 0.0 with ``below_0_1pct`` True), t.
- ``hs_material_stage.csv``: hs6, material, stage, source, note: the HS 1992 codes whose
  goods are a material at one stage (e.g. 283691 lithium carbonate -> Lithium, P).

Country names become ISO3 codes with :data:`COUNTRY_ISO3` (every name of the file; a
test checks it); ``Brasilia`` (the transcription's name for Brazil in one row) is Brazil.
"""

from __future__ import annotations

import io
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pandas as pd

from geomon.errors import DataError
from geomon.sources.userfiles import read_csv

STAGES = {"E": "extraction", "P": "processing"}
SOURCE = ("European Commission (2023), Study on the Critical Raw Materials for the EU 2023 - Final Report "
          "(Grohol & Veeh), doi:10.2873/725585, Appendix 7; transcription "
          "github.com/erikemilsson/EU-Critical-Raw-Materials-CRM-Reports-Datasets (CC BY 4.0)")

#: English country names of the study -> ISO3 (standard codes; BACI's aliases are applied by callers).
COUNTRY_ISO3 = {
    "Afghanistan": "AFG", "Albania": "ALB", "Algeria": "DZA", "Angola": "AGO", "Argentina": "ARG", "Armenia": "ARM",
    "Australia": "AUS", "Austria": "AUT", "Azerbaijan": "AZE", "Bahrain": "BHR", "Bangladesh": "BGD",
    "Barbados": "BRB", "Belarus": "BLR", "Belgium": "BEL", "Bhutan": "BTN", "Bolivia": "BOL",
    "Bosnia and Herzegovina": "BIH", "Botswana": "BWA", "Brasilia": "BRA", "Brazil": "BRA",
    "Brunei Darussalam": "BRN", "Bulgaria": "BGR", "Burkina Faso": "BFA", "Burundi": "BDI", "Cambodia": "KHM",
    "Cameroon": "CMR", "Canada": "CAN", "Cape Verde": "CPV", "Central African Republic": "CAF", "Chile": "CHL",
    "China": "CHN", "Colombia": "COL", "Congo": "COG", "Congo, D.R.": "COD", "Costa Rica": "CRI",
    "Cote d'Ivoire": "CIV", "Croatia": "HRV", "Cuba": "CUB", "Cyprus": "CYP", "Czechia": "CZE", "Denmark": "DNK",
    "Dominican Republic": "DOM", "Ecuador": "ECU", "Egypt": "EGY", "El Salvador": "SLV", "Equatorial Guinea": "GNQ",
    "Eritrea": "ERI", "Estonia": "EST", "Ethiopia": "ETH", "Fiji": "FJI", "Finland": "FIN", "France": "FRA",
    "French Guiana": "GUF", "Gabon": "GAB", "Georgia": "GEO", "Germany": "DEU", "Ghana": "GHA", "Greece": "GRC",
    "Guatemala": "GTM", "Guinea": "GIN", "Guyana": "GUY", "Honduras": "HND", "Hong Kong": "HKG", "Hungary": "HUN",
    "Iceland": "ISL", "India": "IND", "Indonesia": "IDN", "Iran": "IRN", "Iraq": "IRQ", "Ireland": "IRL",
    "Israel": "ISR", "Italy": "ITA", "Jamaica": "JAM", "Japan": "JPN", "Jordan": "JOR", "Kazakhstan": "KAZ",
    "Kenya": "KEN", "Korea, North": "PRK", "Korea, South": "KOR", "Kosovo": "XKX", "Kuwait": "KWT",
    "Kyrgyzstan": "KGZ", "Laos": "LAO", "Latvia": "LVA", "Lebanon": "LBN", "Liberia": "LBR", "Libya": "LBY",
    "Lithuania": "LTU", "Luxembourg": "LUX", "Madagascar": "MDG", "Malawi": "MWI", "Malaysia": "MYS", "Mali": "MLI",
    "Mauritania": "MRT", "Mexico": "MEX", "Moldova": "MDA", "Mongolia": "MNG", "Montenegro": "MNE",
    "Morocco": "MAR", "Mozambique": "MOZ", "Myanmar": "MMR", "Namibia": "NAM", "Nauru": "NRU", "Nepal": "NPL",
    "Netherlands": "NLD", "New Zealand": "NZL", "Nicaragua": "NIC", "Niger": "NER", "Nigeria": "NGA",
    "North Macedonia": "MKD", "Norway": "NOR", "Oman": "OMN", "Pakistan": "PAK", "Panama": "PAN",
    "Papua New Guinea": "PNG", "Paraguay": "PRY", "Peru": "PER", "Philippines": "PHL", "Poland": "POL",
    "Portugal": "PRT", "Qatar": "QAT", "Romania": "ROU", "Russia": "RUS", "Rwanda": "RWA", "San Marino": "SMR",
    "Saudi Arabia": "SAU", "Senegal": "SEN", "Serbia": "SRB", "Sierra Leone": "SLE", "Singapore": "SGP",
    "Slovakia": "SVK", "Slovenia": "SVN", "Solomon Islands": "SLB", "South Africa": "ZAF", "Spain": "ESP",
    "Sri Lanka": "LKA", "Sudan": "SDN", "Suriname": "SUR", "Sweden": "SWE", "Switzerland": "CHE", "Syria": "SYR",
    "Taiwan": "TWN", "Tajikistan": "TJK", "Tanzania": "TZA", "Thailand": "THA", "Togo": "TGO",
    "Trinidad and Tobago": "TTO", "Tunisia": "TUN", "Turkmenistan": "TKM", "Turkyie": "TUR", "T\u00fcrkiye": "TUR",
    "Uganda": "UGA", "Ukraine": "UKR", "United Arab Emirates": "ARE", "United Kingdom": "GBR",
    "United States": "USA", "Uruguay": "URY", "Uzbekistan": "UZB", "Venezuela": "VEN", "Vietnam": "VNM",
    "Yemen": "YEM", "Zambia": "ZMB", "Zimbabwe": "ZWE",
}


def data_dir() -> Path:
    return Path(str(resources.files("geomon") / "data" / "crm"))


def parse_share(text: str) -> tuple[float, bool]:
    """'56.2%' -> (0.562, False); '<0.1%' -> (0.0, True): below the study's reporting
    precision, counted as 0 (its square adds less than 1e-6 to an HHI)."""
    t = str(text).strip()
    if t.startswith("<"):
        return 0.0, True
    if not t.endswith("%"):
        raise DataError(f"CRM supply share '{text}' is not a percentage like 56.2%")
    return float(t[:-1]) / 100.0, False


def read_supply_shares(path: str | Path) -> pd.DataFrame:
    """The study's global supply shares file -> material, stage, country, iso3, share,
    below_0_1pct, t. Unknown country names and stages are errors naming the value."""
    p = Path(path)
    try:
        raw = pd.read_csv(io.StringIO(p.read_bytes().decode("latin-1")), dtype=str, keep_default_na=False)
    except OSError as exc:
        raise DataError(f"cannot read the CRM supply-shares file {p}: {exc}") from None
    need = ["Material", "Stage", "Country", "Share", "t"]
    if list(raw.columns) != need:
        raise DataError(f"{p.name}: columns {', '.join(raw.columns)}; expected {', '.join(need)}")
    bad = sorted(set(raw["Country"]) - set(COUNTRY_ISO3))
    if bad:
        raise DataError(f"{p.name}: country '{bad[0]}' has no ISO3 code in geomon.sources.crm.COUNTRY_ISO3; add it")
    stages = sorted(set(raw["Stage"]) - set(STAGES))
    if stages:
        raise DataError(f"{p.name}: stage '{stages[0]}' is not E (extraction) or P (processing)")
    parsed = [parse_share(s) for s in raw["Share"]]
    return pd.DataFrame({"material": raw["Material"].str.strip(), "stage": raw["Stage"],
                         "country": raw["Country"], "iso3": raw["Country"].map(COUNTRY_ISO3),
                         "share": [v for v, _ in parsed], "below_0_1pct": [b for _, b in parsed],
                         "t": pd.to_numeric(raw["t"], errors="coerce")})


@lru_cache(maxsize=1)
def load_supply_shares() -> pd.DataFrame:
    """The shipped supply shares (see :func:`read_supply_shares`); callers get a copy."""
    return read_supply_shares(data_dir() / "global_supply_shares.csv")


def read_hs_map(path: str | Path, materials: set[str]) -> pd.DataFrame:
    """The HS6 -> (material, stage) map: hs6, material, stage, source, note. Every material
    must be one of the study's, every stage E or P, every row must name its source."""
    f = read_csv(path, "HS-to-material map", ["hs6", "material", "stage", "source"], ["note"])
    rows = []
    for row in f.rows:
        code = row["hs6"]
        if not (code.isdigit() and len(code) == 6):
            raise f.error(row, f"hs6 '{code}' is not a six-digit HS code (keep leading zeros)")
        if row["material"] not in materials:
            raise f.error(row, f"material '{row['material']}' is not a material of the CRM study 2023")
        if row["stage"] not in STAGES:
            raise f.error(row, f"stage '{row['stage']}' is not E (extraction) or P (processing)")
        if not row["source"]:
            raise f.error(row, f"source is empty for {code}; name the document that makes the link")
        rows.append({"hs6": code, "material": row["material"], "stage": row["stage"], "source": row["source"],
                     "note": row["note"]})
    return pd.DataFrame(rows, columns=["hs6", "material", "stage", "source", "note"])


@lru_cache(maxsize=1)
def load_hs_map() -> pd.DataFrame:
    """The shipped HS6 -> (material, stage) map."""
    materials = set(load_supply_shares()["material"])
    return read_hs_map(data_dir() / "hs_material_stage.csv", materials)
