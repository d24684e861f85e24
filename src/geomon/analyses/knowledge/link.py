"""Knowledge position beside trade dependencies: for each tiered product linked to a technology field,
the reporter's position in that field and whether its main supplier is stronger.

Products are linked to the patent fields of the NCSES tables by ``geomon/data/knowledge/
field_links.csv`` (an HS prefix, or a subarea or area of the public-interest map; the most specific
link wins: the longest HS prefix, then a subarea (written 'AREA / SUBAREA'), then an area; ties go to the first row of the file).

For a product of field f traded in year y, with k = the latest patent year <= y:

- ``knowledge_rta``: the reporter's revealed technological advantage in f in year k
  (:func:`geomon.analyses.knowledge.position.rta`); ``knowledge_position`` is *strong* when it is at
  least ``knowledge.strong_index``, else *weak* (*no data* when NCSES lists no patents for it);
- ``supplier_knowledge_rta``: the same for the product's top supplier; ``supplier_stronger`` is
  True when the supplier's RTA is larger than the reporter's (missing when either is missing).

The reporter and supplier are BACI economies: ISO3 codes (BACI's S19 is NCSES's Taiwan) or the EU27
bloc (NCSES's EU-27 row); other blocs have no NCSES geography.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.knowledge import position as pos
from geomon.analyses.knowledge.data import Knowledge, load
from geomon.analyses.trade.interests import load_map
from geomon.errors import DataError

COLUMNS = ["knowledge_field", "knowledge_link", "knowledge_link_certainty", "knowledge_year", "knowledge_rta",
           "knowledge_position", "supplier_knowledge_rta", "supplier_stronger"]
BACI_TO_NCSES = {"S19": "TWN"}
KIND_RANK = {"hs": 100, "subarea": 50, "area": 10}


def links_path() -> Path:
    return Path(__file__).resolve().parents[2] / "data" / "knowledge" / "field_links.csv"


@lru_cache(maxsize=2)
def read_links(path: str | None = None) -> pd.DataFrame:
    """The field-link file; each row needs field, link_kind (hs, subarea, area), link, certainty, source."""
    p = Path(path or links_path())
    df = pd.read_csv(p, comment="#", dtype=str, keep_default_na=False)
    bad = df[~df["link_kind"].isin(list(KIND_RANK)) | (df["source"] == "") | ~df["certainty"].isin(["certain", "uncertain"])]
    if len(bad):
        raise DataError(f"{p.name} line for {bad['field'].iloc[0]} {bad['link'].iloc[0]}: needs link_kind hs, subarea or "
                        "area, a source and certainty certain or uncertain")
    return df.reset_index(drop=True)


def product_fields(ctx: Context, products: list[str]) -> pd.DataFrame:
    """Per product: knowledge_field, knowledge_link, knowledge_link_certainty (the most specific link)."""
    links = read_links().to_dict("records")
    imap = load_map(ctx.config).table
    entries = list(zip(imap["hs_prefix"].tolist(), imap["area"].tolist(), imap["subarea"].tolist()))
    rows = []
    for code in products:
        mine = [(a, b) for p, a, b in entries if code.startswith(p)]
        named = {"subarea": {f"{a} / {b}" for a, b in mine}, "area": {a for a, _ in mine}}
        best = None
        for i, r in enumerate(links):
            if r["link_kind"] == "hs":
                ok, score = code.startswith(r["link"]), KIND_RANK["hs"] + len(r["link"])
            else:
                ok, score = r["link"] in named[r["link_kind"]], KIND_RANK[r["link_kind"]]
            if ok and (best is None or score > best[0]):
                best = (score, r)
        if best is not None:
            r = best[1]
            label = f"HS {r['link']}" if r["link_kind"] == "hs" else f"{r['link_kind']}: {r['link']}"
            rows.append({"product": code, "knowledge_field": r["field"], "knowledge_link": label,
                         "knowledge_link_certainty": r["certainty"]})
    return pd.DataFrame(rows, columns=["product", "knowledge_field", "knowledge_link", "knowledge_link_certainty"])


def knowledge_year(kn: Knowledge, year: int) -> int | None:
    """The latest patent year <= ``year`` (None when the trade year is before the patent data)."""
    years = sorted(kn.table.loc[kn.table["indicator"] == "patent_families", "year"].unique())
    before = [y for y in years if y <= int(year)]
    return int(before[-1]) if before else None


def rta_at(ctx: Context, kn: Knowledge, year: int, codes: list[str]) -> dict[tuple[str, str], float]:
    """(code, field) -> RTA in ``year`` for the NCSES ``codes``."""
    patents = kn.table[(kn.table["indicator"] == "patent_families") & (kn.table["year"] == year)]
    tol, strong, horizon = (float(ctx.config[k]) for k in ("knowledge.trend_tolerance", "knowledge.strong_index",
                                                           "knowledge.verdict_years"))
    e = pos.enrich(patents, tol, strong, int(horizon), codes)
    return {(c, f): v for c, f, v in zip(e["code"], e["field"], e["index"]) if c in codes}


def annotate(ctx: Context, reporter: str, year: int, tiered_table: pd.DataFrame) -> pd.DataFrame:
    """``tiered_table`` with :data:`COLUMNS` added (see the module docstring). A ``reporter`` or
    ``year`` column in the table wins over the arguments, row by row."""
    out = tiered_table.copy()
    if out.empty or "product" not in out:
        return out.assign(**{c: pd.Series(dtype=object) for c in COLUMNS})
    kn = load(ctx)
    fields = out[["product"]].merge(product_fields(ctx, sorted(set(out["product"]))), how="left", on="product")
    rep = out["reporter"] if "reporter" in out else pd.Series(reporter, index=out.index)
    yrs = out["year"] if "year" in out else pd.Series(year, index=out.index)
    kyear = {y: knowledge_year(kn, y) for y in set(yrs.tolist())}
    ncses = lambda c: BACI_TO_NCSES.get(str(c), str(c))  # noqa: E731
    sup = out["top_supplier"] if "top_supplier" in out else pd.Series(None, index=out.index)
    codes = sorted({ncses(c) for c in list(rep) + list(sup) if c is not None} & set(kn.codes))
    rtas = {ky: rta_at(ctx, kn, ky, codes) for ky in set(kyear.values()) if ky is not None}
    strong = float(ctx.config["knowledge.strong_index"])
    r_rta, s_rta, ky_col = [], [], []
    for f, r, s, y in zip(fields["knowledge_field"].tolist(), rep.tolist(), sup.tolist(), yrs.tolist()):
        ky = kyear[y] if isinstance(f, str) else None
        ky_col.append(ky)
        table = rtas.get(ky, {})
        r_rta.append(table.get((ncses(r), f), np.nan))
        s_rta.append(table.get((ncses(s), f), np.nan) if s is not None else np.nan)
    r_arr, s_arr = np.array(r_rta, dtype="float64"), np.array(s_rta, dtype="float64")
    has_field = fields["knowledge_field"].notna().to_numpy()
    out["knowledge_field"] = fields["knowledge_field"].fillna("").to_numpy()
    out["knowledge_link"] = fields["knowledge_link"].fillna("").to_numpy()
    out["knowledge_link_certainty"] = fields["knowledge_link_certainty"].fillna("").to_numpy()
    out["knowledge_year"] = pd.array(ky_col, dtype="Int64")
    out["knowledge_rta"] = r_arr
    out["knowledge_position"] = np.where(~has_field, "", np.where(np.isnan(r_arr), "no data",
                                                                  np.where(r_arr >= strong, "strong", "weak")))
    both = ~np.isnan(r_arr) & ~np.isnan(s_arr)
    out["supplier_knowledge_rta"] = s_arr
    out["supplier_stronger"] = pd.array(np.where(both, s_arr > r_arr, False), dtype="boolean")
    out.loc[~both, "supplier_stronger"] = pd.NA
    return out


def link_meta(ctx: Context, year: int) -> dict:
    """What the knowledge columns rest on (meta of every output that carries them)."""
    kn = load(ctx)
    ky = knowledge_year(kn, year)
    return {"knowledge_year": ky, "knowledge_year_rule": "the latest NCSES patent year <= the trade year",
            "knowledge_position_rule": (f"strong when the reporter's revealed technological advantage (RTA) in the "
                                        f"product's field is at least {float(ctx.config['knowledge.strong_index']):g}; "
                                        "supplier stronger when the top supplier's RTA is larger"),
            "knowledge_links": f"{links_path().name} ({len(read_links())} links)", **kn.meta()}


def annotated(ctx: Context, result: Result) -> Result:
    """``result`` (tiers) with the knowledge columns and their meta."""
    year = int(result.meta.get("year") or ctx.default_year())
    table = annotate(ctx, str(result.meta.get("reporter", "")), year, result.table)
    return Result(table, {**result.meta, **link_meta(ctx, year)})
