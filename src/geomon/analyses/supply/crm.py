"""Stage concentration from the EU CRM study 2023: who extracts and who processes.

Per material m and stage g (E extraction, P processing), with s_c the study's share of
global supply of country c (``<0.1%`` counted as 0):

    HHI_stage(m, g) = sum_c s_c^2     (shares as published, not rescaled to sum to 1)

For an HS6 code mapped to one or more (material, stage) pairs
(:func:`geomon.sources.crm.load_hs_map`), the product's stage HHI is the largest of
its pairs' HHIs, and ``basis`` names the pair: "EU CRM 2023: Lithium processing".
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from geomon.countries import ALIASES
from geomon.sources import crm

CITATION = crm.SOURCE


def basis_text(material: str, stage: str) -> str:
    """'EU CRM 2023: Lithium processing'."""
    return f"EU CRM 2023: {material} {crm.STAGES[stage]}"


def top_text(rows: pd.DataFrame, n: int) -> str:
    """'CHN 56.2%, CHL 32.1%' for the ``n`` largest shares (ties by ISO3)."""
    r = rows[rows["share"] > 0].sort_values(["share", "iso3"], ascending=[False, True]).head(n)
    return ", ".join(f"{i} {s * 100:.1f}%" for i, s in zip(r["iso3"], r["share"]))


def stage_concentration(top_n: int = 3) -> pd.DataFrame:
    """One row per (material, stage): crm_hhi, crm_top_country (ISO3 as BACI writes it),
    crm_top_share, crm_top (text of the ``top_n`` largest), crm_share_total (sum of shares)."""
    s = crm.load_supply_shares().copy()
    s["iso3"] = s["iso3"].map(lambda c: ALIASES.get(c, c))
    rows = []
    for (m, g), part in s.groupby(["material", "stage"], sort=True):
        top = part.sort_values(["share", "iso3"], ascending=[False, True]).iloc[0]
        rows.append({"material": m, "stage": g, "crm_hhi": float((part["share"] ** 2).sum()),
                     "crm_top_country": top["iso3"], "crm_top_share": float(top["share"]),
                     "crm_top": top_text(part, top_n), "crm_share_total": float(part["share"].sum())})
    return pd.DataFrame(rows)


def product_stage(products: Iterable[str], top_n: int = 3) -> pd.DataFrame:
    """Per HS6 code of ``products`` that the map covers: material, stage, crm_hhi (the
    largest over the code's pairs), crm_top, crm_top_country, crm_top_share, basis.
    Codes without a mapping have no row."""
    want = set(products)
    m = crm.load_hs_map()
    m = m[m["hs6"].isin(want)]
    cols = ["product", "material", "stage", "crm_hhi", "crm_top", "crm_top_country", "crm_top_share", "basis"]
    if m.empty:
        return pd.DataFrame(columns=cols)
    j = m.merge(stage_concentration(top_n), on=["material", "stage"], how="inner")
    j = j.sort_values(["hs6", "crm_hhi", "material"], ascending=[True, False, True]).drop_duplicates("hs6")
    j["basis"] = [basis_text(a, b) for a, b in zip(j["material"], j["stage"])]
    return j.rename(columns={"hs6": "product"})[cols].reset_index(drop=True)


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
