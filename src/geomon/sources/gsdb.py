"""Reader of the Global Sanctions Data Base (GSDB, release 3) as coercion cases.

GSDB is not shipped (see ``data/coercion/README.md``); users download ``GSDB_V3.csv``. Layout
(release 3): case_id, sanctioned_state, sanctioning_state, begin, end, trade, descr_trade,
arms, military, financial, travel, other, target_mult, sender_mult, objective, success.
A row may list several states separated by commas.

Contract of :func:`gsdb_cases`: one case per (GSDB case, sanctioning state, sanctioned state),
``case_id`` ``GSDB-<case>`` (with ``-<n>`` for the 2nd, 3rd ... pair), years only (``start`` =
begin, ``end`` = end year, empty when the end year is the last year of the release and
``success`` says ongoing), instrument ``sanctions``, direction ``exports`` unless
``descr_trade`` names only import measures, no HS codes (GSDB has no products). State names
map to ISO3 through ``names`` (lower-cased name -> ISO3, from the store's country list plus
:data:`ALIASES`); unmapped names keep an empty code and are counted in ``attrs["counts"]``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from geomon.errors import InputError
from geomon.sources.cases import CASE_COLUMNS

COLUMNS = ["case_id", "sanctioned_state", "sanctioning_state", "begin", "end", "trade", "descr_trade", "objective",
           "success"]
#: GSDB spellings that differ from BACI's country names.
ALIASES = {"united states": "USA", "russia": "RUS", "eu": "EU27", "european union": "EU27", "south korea": "KOR",
           "north korea": "PRK", "iran": "IRN", "syria": "SYR", "vietnam": "VNM", "taiwan": "TWN", "laos": "LAO",
           "bolivia": "BOL", "venezuela": "VEN", "tanzania": "TZA", "moldova": "MDA", "czech republic": "CZE",
           "turkey": "TUR", "ivory coast": "CIV", "cote d'ivoire": "CIV", "macedonia": "MKD", "north macedonia": "MKD",
           "united kingdom": "GBR", "uk": "GBR", "china": "CHN", "democratic republic of the congo": "COD",
           "congo": "COG", "myanmar": "MMR", "burma": "MMR", "bosnia and herzegovina": "BIH",
           "egypt, arab rep.": "EGY", "korea, north": "PRK", "korea, south": "KOR", "congo, democratic republic of the": "COD",
           "congo (brazzaville)": "COG", "bahamas, the": "BHS", "gambia, the": "GMB", "iran, islamic rep.": "IRN",
           "yemen, rep.": "YEM", "central african republic": "CAF", "dominican republic": "DOM", "hong kong": "HKG",
           "palestine": "PSE", "ceylon": "LKA", "malagasy republic": "MDG", "rhodesia": "ZWE"}
_SOURCE = ("The Global Sanctions Data Base, release 3 - Felbermayr, Kirilakha, Syropoulos, Yalcin and Yotov, n.d., "
           "https://www.globalsanctionsdatabase.com/")


#: Comma-separated tails of World-Bank-style names ("Egypt, Arab Rep.", "Korea, North"): joined back to
#: the name before them, since GSDB also separates several states by commas.
SUFFIXES = {"Arab Rep.", "North", "South", "The", "Democratic Republic of the", "Rep.", "Islamic Rep.", "Dem. Rep.",
            "Fed. Sts.", "RB", "Dem. People's Rep."}


def _states(text: str) -> list[str]:
    """State names of a GSDB cell: split on commas, World-Bank tails (:data:`SUFFIXES`) kept with their name."""
    out: list[str] = []
    for token in (t.strip() for t in str(text).split(",")):
        if not token:
            continue
        if token in SUFFIXES and out:
            out[-1] = f"{out[-1]}, {token}"
        else:
            out.append(token)
    return out


def gsdb_cases(path: str | Path, names: dict[str, str]) -> pd.DataFrame:
    """Read ``GSDB_V3.csv`` into case rows (see the module docstring)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"GSDB file {path} does not exist; download GSDB_V3.csv from globalsanctionsdatabase.com")
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise InputError(f"GSDB file {path} is not a readable CSV ({type(exc).__name__}); save it as UTF-8 CSV") from None
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path.name} line 1: missing column(s) {', '.join(missing)}; expected the GSDB release 3 layout")
    lookup = {**{k.lower(): v for k, v in names.items()}, **ALIASES}
    last_year = max(int(y) for y in df["end"] if y.isdigit())
    rows, unmapped = [], set()
    for i, r in enumerate(df.to_dict("records"), start=2):
        if not (r["begin"].isdigit() and r["end"].isdigit()):
            raise InputError(f"{path.name} line {i}: begin '{r['begin']}' / end '{r['end']}' must be years")
        imports_only = r["descr_trade"] and "exp" not in r["descr_trade"]
        pairs = [(s, t) for s in _states(r["sanctioning_state"]) for t in _states(r["sanctioned_state"])]
        for n, (sender, target) in enumerate(pairs, start=1):
            codes = [lookup.get(x.lower(), "") for x in (sender, target)]
            unmapped.update(x for x, c in zip((sender, target), codes) if not c)
            row = dict.fromkeys(CASE_COLUMNS, "")
            ongoing = "ongoing" in r["success"] and int(r["end"]) == last_year
            row.update(case_id=f"GSDB-{r['case_id']}" + (f"-{n}" if n > 1 else ""), coercer=codes[0] or sender,
                       target=codes[1] or target, start=r["begin"], end="" if ongoing else r["end"],
                       instrument="sanctions", direction="imports" if imports_only else "exports",
                       hs_basis="no products (GSDB)", trigger=r["objective"],
                       note=f"GSDB case {r['case_id']}: {sender} vs {target}; trade {r['trade']} ({r['descr_trade'] or '-'}); "
                            f"success {r['success']}")
            rows.append({**row, "sources": _SOURCE, "source_url": "https://www.globalsanctionsdatabase.com/", "line": i,
                         "set": "gsdb", "file": str(path)})
    out = pd.DataFrame(rows, columns=CASE_COLUMNS + ["sources", "source_url", "line", "set", "file"])
    out.attrs["counts"] = {"rows": len(df), "cases": len(out), "unmapped_names": sorted(unmapped)}
    return out
