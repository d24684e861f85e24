"""HS revision concordance: UNSD correlation tables, and the rule that converts values between revisions.

The shipped table ``data/sources/unsd_hs_correlations.csv.gz`` holds UNSD's HS correlation tables
(one row per linked pair of 6-digit codes, relationship 1:1, n:1, 1:n or n:n): the direct tables
HS2017 and HS2022 to every earlier revision, and the adjacent pairs HS96-92, HS02-96, HS07-02,
HS12-07 (see the README there). Revisions without a direct table are linked through the chain of
adjacent tables (the links composed).

Conversion of a value v declared under source code a to the target revision, with T(a) the
target codes linked to a:

- |T(a)| = 1 (1:1 and n:1): all of v goes to that code;
- |T(a)| > 1 (1:n and n:n), rule ``trade``: v is split as v * w(b) / sum_{b' in T(a)} w(b'), where
  w(b) is the world trade in target code b in the first year both revisions exist (the later of the
  two revisions' first years; the weights the Harvard Growth Lab's conversion uses are of the
  same kind). The weights cover a set of codes (the codes the weighting data hold; w(b) may be 0
  for a covered code not traded that year). Only when EVERY code of T(a) is covered and the sum
  is > 0 is a split; otherwise (no world trade in the target revision, a target code outside the
  weighting data, or all zero) a's group is kept as one synthetic code instead: a share is never
  guessed;
- rule ``synthetic``: every linked group (connected component of the links) in which some code
  has several targets becomes one synthetic code ``<smallest target code>+<n>`` (n further codes),
  so nothing is split.

Quantities are divided by the same shares. Codes missing from the table are kept unchanged.
"""

from __future__ import annotations

from functools import lru_cache

import pandas as pd

from geomon.errors import InputError
from geomon.sources.reported import DATA_DIR

REVISIONS = ("HS92", "HS96", "HS02", "HS07", "HS12", "HS17", "HS22")
FIRST_YEAR = {"HS92": 1992, "HS96": 1996, "HS02": 2002, "HS07": 2007, "HS12": 2012, "HS17": 2017, "HS22": 2022}
RULES = ("trade", "synthetic")


def revision(text: str) -> str:
    """'17', 'HS17', 'hs2017' -> 'HS17'; anything else is a one-line InputError."""
    t = str(text).strip().upper().removeprefix("HS")
    t = t[2:] if len(t) == 4 else t
    rev = f"HS{t}"
    if rev not in REVISIONS:
        raise InputError(f"HS revision {text!r} is not known; give one of {', '.join(r[2:] for r in REVISIONS)}")
    return rev


@lru_cache(maxsize=1)
def table() -> pd.DataFrame:
    """The shipped UNSD correlation rows: hs_new, hs_old, code_new, code_old, relationship."""
    return pd.read_csv(DATA_DIR / "unsd_hs_correlations.csv.gz", dtype=str)


@lru_cache(maxsize=64)
def links(source: str, target: str) -> pd.DataFrame:
    """Linked (src, dst) code pairs from revision ``source`` to ``target`` (direct table, else the chain)."""
    source, target = revision(source), revision(target)
    if source == target:
        raise InputError(f"the data are already in {source}; give another --hs-target")
    t = table()
    for new, old, a, b in ((target, source, "code_old", "code_new"), (source, target, "code_new", "code_old")):
        direct = t[(t["hs_new"] == new) & (t["hs_old"] == old)]
        if not direct.empty:
            return direct[[a, b]].set_axis(["src", "dst"], axis=1).drop_duplicates().reset_index(drop=True)
    i, j = REVISIONS.index(source), REVISIONS.index(target)
    step = 1 if j > i else -1
    out = links(source, REVISIONS[i + step])
    for k in range(i + step, j, step):
        nxt = links(REVISIONS[k], REVISIONS[k + step]).rename(columns={"src": "dst", "dst": "next"})
        out = out.merge(nxt, on="dst")[["src", "next"]].rename(columns={"next": "dst"}).drop_duplicates()
    return out.reset_index(drop=True)


def groups(pairs: pd.DataFrame) -> dict[str, int]:
    """Connected components of the links: code (prefixed 's:' source / 'd:' target) -> group number."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s, d in zip(pairs["src"], pairs["dst"]):
        a, b = find("s:" + s), find("d:" + d)
        if a != b:
            parent[a] = b
    roots = sorted({find(x) for x in list(parent)})
    number = {r: i for i, r in enumerate(roots)}
    return {x: number[find(x)] for x in parent}


def mapping(source: str, target: str, rule: str = "trade", weights: dict[str, float] | None = None) -> pd.DataFrame:
    """Per source code the target codes and shares: columns src, dst, share, note (see the module
    docstring). ``weights``: world trade per target code, its keys the codes the weighting data
    cover. Shares of each src sum to 1."""
    if rule not in RULES:
        raise InputError(f"HS split rule {rule!r} is not allowed; choose one of {', '.join(RULES)}")
    pairs = links(source, target)
    comp = groups(pairs)
    pairs = pairs.assign(group=[comp["s:" + s] for s in pairs["src"]])
    fan = pairs.groupby("src")["dst"].transform("size")
    multi_groups = set(pairs.loc[fan > 1, "group"])
    w = weights or {}
    pairs["w"] = pairs["dst"].map(lambda c: float(w.get(c, 0.0)))
    wsum = pairs.groupby("src")["w"].transform("sum")
    covered = pairs["dst"].isin(set(w)).groupby(pairs["src"]).transform("all")   # every target code weighed
    unweighed = (fan > 1) & ((wsum <= 0) | ~covered)
    synthetic = pairs["group"].isin(multi_groups) & ((rule == "synthetic") | unweighed)
    # a group is synthetic as a whole when any of its split codes lacks weights
    synthetic = pairs["group"].isin(set(pairs.loc[synthetic, "group"]))
    out = pairs.copy()
    out["share"] = 1.0
    split = (fan > 1) & ~synthetic
    out.loc[split, "share"] = out.loc[split, "w"] / wsum[split]
    out.loc[synthetic, "share"] = 1.0 / fan[synthetic]  # each link of a src to its group: shares sum to 1
    names = out[synthetic].groupby("group")["dst"].agg(lambda s: f"{min(s)}+{s.nunique() - 1}")
    out.loc[synthetic, "dst"] = out.loc[synthetic, "group"].map(names)
    src_n = pairs.groupby("dst")["src"].transform("size")
    out["note"] = "1:1"
    out.loc[(fan == 1) & (src_n > 1), "note"] = "n:1 merged"
    out.loc[split, "note"] = "split by world trade"
    out.loc[synthetic, "note"] = "synthetic group"
    out = out.groupby(["src", "dst", "note"], as_index=False)["share"].sum()
    return out[["src", "dst", "share", "note"]]


def convert(flows: pd.DataFrame, table_: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """``flows`` (``keys`` + product, value, quantity) re-coded by a :func:`mapping`: value and quantity
    times the share, summed per ``keys`` + target product. Codes not in the mapping keep their code."""
    m = table_.rename(columns={"src": "product"})
    known = flows["product"].isin(set(m["product"]))
    j = flows[known].merge(m, on="product")
    j = j.assign(product=j["dst"], value=j["value"] * j["share"], quantity=j["quantity"] * j["share"])
    out = pd.concat([j[keys + ["product", "value", "quantity"]], flows.loc[~known, keys + ["product", "value", "quantity"]]])
    g = out.assign(_qnull=out["quantity"].isna()).groupby(keys + ["product"], as_index=False)
    res = g.agg(value=("value", "sum"), quantity=("quantity", "sum"), _qnull=("_qnull", "any"))
    res.loc[res["_qnull"], "quantity"] = float("nan")
    return res.drop(columns="_qnull")
