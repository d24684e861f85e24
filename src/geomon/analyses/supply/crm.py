"""Stage concentration from the EU CRM study 2023: who extracts and who processes.

Per material m and stage g (E extraction, P processing), with s_c the study's share of
global supply of country c (``<0.1%`` counted as 0):

    HHI_stage(m, g) = sum_c s_c^2     (shares as published, not rescaled to sum to 1)

For an HS6 code mapped to one or more (material, stage) pairs
(:func:`geomon.sources.crm.load_hs_map`), the product's stage HHI is the largest of
its pairs' HHIs, and ``basis`` names the pair: "EU CRM 2023: Lithium processing".
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterable

import pandas as pd

from geomon.countries import ALIASES
from geomon.sources import crm

CITATION = crm.SOURCE


def basis_text(material: str, stage: str) -> str:
    """'EU CRM 2023: Lithium processing'."""
    return f"EU CRM 2023: {material} {crm.STAGES[stage]}"


def stage_concentration(top_n: int = 3) -> pd.DataFrame:
    """One row per (material, stage): crm_hhi, crm_top_country (ISO3 as BACI writes it),
    crm_top_share, crm_top (text of the ``top_n`` largest), crm_share_total (sum of shares).
    Computed once per ``top_n`` (the study is shipped data); callers get a copy."""
    return _stage_concentration(int(top_n)).copy()


@lru_cache(maxsize=8)
def _stage_concentration(top_n: int) -> pd.DataFrame:
    """:func:`stage_concentration`, all groups at once: sorted by share (largest first, ties
    by ISO3), the first row of a group is its top country, its first ``top_n`` rows with a
    share > 0 make the text ('CHN 56.2%, CHL 32.1%')."""
    s = crm.load_supply_shares()[["material", "stage", "iso3", "share"]].copy()
    s["iso3"] = s["iso3"].map(lambda c: ALIASES.get(c, c))
    # sums in the file's order within each group (the same float additions as one group at a time)
    out = s.groupby(["material", "stage"], sort=True)["share"].agg(
        crm_hhi=lambda v: float((v ** 2).sum()), crm_share_total=lambda v: float(v.sum()))
    s = s.sort_values(["material", "stage", "share", "iso3"], ascending=[True, True, False, True], kind="stable")
    first = s.groupby(["material", "stage"], sort=True).head(1).set_index(["material", "stage"])
    out["crm_top_country"], out["crm_top_share"] = first["iso3"], first["share"]
    pos = s[s["share"] > 0]
    pos = pos[pos.groupby(["material", "stage"]).cumcount() < top_n]
    text = (pos["iso3"] + " " + (pos["share"] * 100).map("{:.1f}%".format)).groupby(
        [pos["material"], pos["stage"]]).agg(", ".join)
    out["crm_top"] = text.reindex(out.index).fillna("")
    out = out.reset_index().astype({"crm_hhi": "float64", "crm_top_share": "float64", "crm_share_total": "float64"})
    return out[["material", "stage", "crm_hhi", "crm_top_country", "crm_top_share", "crm_top", "crm_share_total"]]


@lru_cache(maxsize=8)
def _stage_table(top_n: int) -> pd.DataFrame:
    """:func:`product_stage` for every code of the map, indexed by product (computed once per ``top_n``)."""
    m = crm.load_hs_map()
    j = m.merge(_stage_concentration(top_n), on=["material", "stage"], how="inner")
    j = j.sort_values(["hs6", "crm_hhi", "material"], ascending=[True, False, True]).drop_duplicates("hs6")
    j["basis"] = [basis_text(a, b) for a, b in zip(j["material"], j["stage"])]
    return j.rename(columns={"hs6": "product"})[_STAGE_COLUMNS].set_index("product", drop=False)


_STAGE_COLUMNS = ["product", "material", "stage", "crm_hhi", "crm_top", "crm_top_country", "crm_top_share", "basis"]


def product_stage(products: Iterable[str], top_n: int = 3) -> pd.DataFrame:
    """Per HS6 code of ``products`` that the map covers: material, stage, crm_hhi (the
    largest over the code's pairs), crm_top, crm_top_country, crm_top_share, basis.
    Codes without a mapping have no row; rows in code order."""
    table = _stage_table(int(top_n))
    want = table.index.intersection(pd.Index(sorted(set(map(str, products))), dtype=object))
    if not len(want):
        return pd.DataFrame(columns=_STAGE_COLUMNS)
    return table.loc[want].reset_index(drop=True)


def material_stages(material: str, top_n: int = 3) -> dict[str, dict]:
    """{'E': {...}, 'P': {...}} for one material (case-insensitive name of the study);
    only the stages the study covers."""
    conc = stage_concentration(top_n)
    rows = conc[conc["material"].str.lower() == str(material).strip().lower()]
    return {g: r.to_dict() for g, r in zip(rows["stage"], rows.to_dict("records"))}


#: 'E' -> 'extraction', 'P' -> 'processing'.
STAGE_NAMES = crm.STAGES


def stage_shares(material: str, stage: str) -> pd.Series:
    """ISO3 (as BACI writes it) -> share of world supply of ``material`` at ``stage``."""
    s = crm.load_supply_shares()
    s = s[(s["material"] == material) & (s["stage"] == stage)]
    return pd.Series(s["share"].to_numpy(), index=[ALIASES.get(c, c) for c in s["iso3"]]).groupby(level=0).sum()


#: World Mining Data reference names whose CRM study material has another name.
MATERIAL_ALIASES = {"Baryte": "Barytes", "Bauxite": "Aluminium", "Boron": "Borate", "Chromite": "Chromium",
                    "Graphite": "Natural Graphite", "Iron": "Iron ore", "Phosphate": "Phosphate Rock",
                    "Sulfur": "Sulphur", "Rare earth": "Neodymium", "Zircon": "Zirconium"}


def material_for(commodity: str) -> str:
    """The CRM study material of a commodity-map reference name ('' when the study has none).
    'Rare earth' -> Neodymium: the study gives shares per element; the light rare earths
    (La, Ce, Pr, Nd, Sm) share one set of figures."""
    materials = {m.lower(): m for m in crm.load_supply_shares()["material"]}
    name = MATERIAL_ALIASES.get(commodity, commodity)
    return materials.get(name.lower(), "")


def commodity_stages(commodities: Iterable[str], top_n: int = 3) -> pd.DataFrame:
    """Per commodity name: crm_material and, for each stage the study has,
    crm_extraction_hhi / crm_extraction_top and crm_processing_hhi / crm_processing_top."""
    conc = stage_concentration(top_n).set_index(["material", "stage"])
    rows = []
    for c in dict.fromkeys(commodities):
        m = material_for(c)
        rec = {"commodity": c, "crm_material": m}
        for g, label in crm.STAGES.items():
            if (m, g) in conc.index:
                rec[f"crm_{label}_hhi"] = conc.at[(m, g), "crm_hhi"]
                rec[f"crm_{label}_top"] = conc.at[(m, g), "crm_top"]
        rows.append(rec)
    cols = ["commodity", "crm_material", "crm_extraction_hhi", "crm_extraction_top", "crm_processing_hhi",
            "crm_processing_top"]
    return pd.DataFrame(rows).reindex(columns=cols)
