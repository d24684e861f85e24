"""Economies: ISO3 countries and blocs, resolved from what a user types.

An economy is the set of BACI country codes sharing an ISO3 code (BACI keeps
historical codes such as 58 Belgium-Luxembourg (...1998) beside 56 Belgium, both
BEL). A bloc is a named set of ISO3 members; EU27 (the 27 current members, the
same set for every year) is built in, users add blocs in the config.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from geomon.errors import InputError, choices, warn

EU27 = ("AUT", "BEL", "BGR", "HRV", "CYP", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL",
        "ITA", "LVA", "LTU", "LUX", "MLT", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE")
BUILTIN_BLOCS: dict[str, tuple[str, ...]] = {"EU27": EU27}
# ISO3 codes users type that BACI files under another code.
ALIASES = {"TWN": "S19"}


@dataclass(frozen=True)
class Economy:
    """A reporter or supplier: one country (ISO3) or a bloc of ISO3 members."""

    name: str
    members: tuple[str, ...]
    is_bloc: bool

    @property
    def label(self) -> str:
        return self.name


def all_blocs(user_blocs: dict[str, tuple[str, ...]] | None = None) -> dict[str, tuple[str, ...]]:
    blocs = dict(BUILTIN_BLOCS)
    blocs.update(user_blocs or {})
    return blocs


def resolve_economy(text: str, countries: pa.Table, blocs: dict[str, tuple[str, ...]] | None = None,
                    role: str = "reporter") -> Economy:
    """Turn 'NLD', 'nld', '528' or 'EU27' into an :class:`Economy`.

    Raises :class:`InputError` naming the value and what is allowed.
    """
    raw = str(text).strip()
    key = raw.upper()
    iso3s = set(countries.column("iso3").to_pylist())
    blocs = all_blocs(blocs)
    if key in blocs:
        if key in iso3s and key not in BUILTIN_BLOCS:
            warn(f"the bloc {key} from the config has the name of the economy {key}; '{raw}' means the bloc "
                 f"({', '.join(blocs[key])}) here, never the economy alone: rename the bloc to tell them apart")
        unknown = [m for m in blocs[key] if ALIASES.get(m, m) not in iso3s]
        if unknown:
            raise InputError(f"bloc {key} has members not in the data: {', '.join(unknown)}; use ISO3 codes from the BACI country list")
        return Economy(key, tuple(ALIASES.get(m, m) for m in blocs[key]), True)
    if key.isdigit():
        codes = dict(zip(countries.column("code").to_pylist(), countries.column("iso3").to_pylist()))
        if int(key) in codes:
            return Economy(codes[int(key)], (codes[int(key)],), False)
    key = ALIASES.get(key, key)
    if key in iso3s:
        return Economy(key, (key,), False)
    raise InputError(f"unknown {role} '{raw}'; give an ISO3 code (e.g. NLD), a BACI numeric code (e.g. 528) or a bloc ({choices(sorted(blocs))})")


def economy_map(countries: pa.Table, blocs: list[Economy] = ()) -> pa.Table:
    """BACI code -> economy key: the ISO3 code, or the bloc name for bloc members."""
    to_bloc = {m: b.name for b in blocs if b.is_bloc for m in b.members}
    iso3 = countries.column("iso3").to_pylist()
    return pa.table({
        "code": countries.column("code").cast(pa.int16()),
        "economy": [to_bloc.get(c, c) for c in iso3],
    })


def country_names(countries: pa.Table) -> dict[str, str]:
    """ISO3 -> a readable name (the current code's name when an ISO3 has several codes)."""
    names: dict[str, str] = {}
    for iso3, name in zip(countries.column("iso3").to_pylist(), countries.column("name").to_pylist()):
        if iso3 not in names or "(..." not in name:
            names[iso3] = name
    return names


def iso2_by_iso3() -> dict[str, str]:
    """ISO3 -> ISO 3166 alpha-2 code, from the BACI country list shipped with geomon (CEPII
    gives both codes; BACI's 'NA' of Namibia, read as missing by some readers, is restored)."""
    import pyarrow.parquet as pq
    from pathlib import Path

    data = Path(__file__).resolve().parent / "data" / "store" / "baci"
    out: dict[str, str] = {"NAM": "NA"}
    for path in sorted(data.glob("*/countries.parquet")):
        t = pq.read_table(path, columns=["iso2", "iso3"])
        out.update({i3: i2 for i2, i3 in zip(t.column("iso2").to_pylist(), t.column("iso3").to_pylist())
                    if i2 and len(i2) == 2 and i2.isalpha()})
    return out
