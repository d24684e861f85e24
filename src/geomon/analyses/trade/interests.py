"""The public-interest map: HS prefixes (2, 4 or 6 digits) -> public-interest areas.

The shipped, versioned map is ``geomon/data/public_interest.csv`` (columns
hs_prefix, area, subarea, source, certainty, note). A user map in the same format
(setting ``tiers.interest_map``) extends it, or replaces it when
``tiers.interest_map_mode = "replace"``.

A product is linked to every area whose prefix starts its code (a product can be
linked to several areas). A link is *certain* when at least one matching row for
that area is marked ``certain``; otherwise the link is ``uncertain``.
"""

from __future__ import annotations

from typing import Iterable

import pandas as pd

from geomon.sources.interests import (AREAS, CERTAINTY, COLUMNS, REQUIRED, InterestMap, load_map, read_map,
                                      shipped_map_path)

__all__ = ["AREAS", "CERTAINTY", "COLUMNS", "REQUIRED", "InterestMap", "link_products", "load_map", "read_map",
           "shipped_map_path"]


def link_products(imap: InterestMap, products: Iterable[str], uncertain_links: str = "possible") -> pd.DataFrame:
    """Per product: ``interest_areas`` ('; '-joined, '' if none), ``interest_certain``
    (every linked area has a certain row), ``interest_uncertain_areas`` and
    ``interest_sources``. With ``uncertain_links = "ignore"`` uncertain rows are dropped;
    with ``"link"`` they count as certain.

    One row per distinct product, sorted. A map row matches a product whose code starts
    with its prefix: the products' 2-, 4- and 6-character prefixes are joined with the map
    (a merge, not a scan of the map per product); areas and sources are sorted and unique.
    """
    t = imap.table
    if uncertain_links == "ignore":
        t = t[t["certainty"] == "certain"]
    names = sorted(set(products))
    columns = ["product", "interest_areas", "interest_certain", "interest_uncertain_areas", "interest_sources"]
    if not names:
        return pd.DataFrame([], columns=columns)
    # product[:n] for every prefix length n of the map; a product shorter than n gives itself,
    # which can only equal a prefix it starts with, so the merge finds exactly the startswith matches
    keys = pd.DataFrame({"product": pd.Series(names, dtype=object)})
    keys = pd.concat([keys.assign(hs_prefix=keys["product"].str[:n]) for n in sorted({len(p) for p in t["hs_prefix"]})]
                     or [keys.assign(hs_prefix=keys["product"])], ignore_index=True).drop_duplicates()
    hit = keys.merge(t[["hs_prefix", "area", "certainty", "source"]].astype(object), on="hs_prefix")

    def joined(frame: pd.DataFrame, column: str) -> list[str]:
        """Per product (in ``names`` order): its sorted, distinct values of ``column``, '; '-joined."""
        per = frame.groupby("product")[column].agg(lambda v: "; ".join(sorted(set(v))))
        return pd.Series(names, dtype=object).map(per).astype(object).fillna("").tolist()

    by_area = hit.assign(certain=hit["certainty"] == "certain").groupby(["product", "area"])["certain"].any()
    unsure = by_area[~by_area] if uncertain_links == "possible" else by_area.iloc[:0]
    unsure_areas = joined(unsure.reset_index(), "area")
    return pd.DataFrame({"product": names, "interest_areas": joined(hit, "area"),
                         "interest_certain": [not u for u in unsure_areas], "interest_uncertain_areas": unsure_areas,
                         "interest_sources": joined(hit, "source")}, columns=columns)
