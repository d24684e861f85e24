"""The registry of coercion cases, their codes in the store's HS revision, and the case list.

Sets of cases (column ``set``): ``curated`` (data/coercion/curated_cases.csv), ``section301``
and ``china_retaliation`` (the trade-war lists), ``user`` (``coercion.cases_file``) and
``gsdb`` (``coercion.gsdb_file``, not shipped). Checks on top of the readers': coercer and
target are ISO3 codes of the store's country list, a bloc or WORLD; HS codes exist in their
revision's code list (HS2017 and HS2022 from the shipped UNSD correlation tables, HS1992 from
the same tables and the store's product list); ids are unique across sets.

Matching a case code to the store (:func:`case_codes`): a code in the store's revision matches
the store codes it is a prefix of (``exact``); a code in HS2017 or HS2022 matches, when the
store is HS1992, the HS1992 codes the UNSD table correlates it with 1:1, 1:n or n:1
(``correlation``: the case product lies inside the HS1992 code, or the HS1992 code inside it);
``n:n`` correlates mix unrelated products and are listed but not used (``not_used_nn``); any
other code is ``unmatched``. A matched code is ``in data`` when the store has flows of it.

A case is *active since* year X when it ends in or after X or has no end: end year >= X.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.errors import InputError, choices
from geomon.sources import concordance
from geomon.sources.cases import WORLD, normalise_revision, parse_codes, parse_date, read_cases
from geomon.sources.gsdb import gsdb_cases
from geomon.sources.tradewar import retaliation_cases, section301_cases

DATA = Path(__file__).resolve().parents[2] / "data" / "coercion"
CURATED = DATA / "curated_cases.csv"
SECTION301 = DATA / "us_section301_lists_hts8.csv.gz"
RETALIATION = DATA / "china_retaliation_2018-04_hs8.csv"
ALL_GOODS = "all goods"


@lru_cache(maxsize=1)
def correlation() -> pd.DataFrame:
    """UNSD correlation pairs: revision (HS2017/HS2022), code, hs1992, relationship: the HS2017-HS1992
    and HS2022-HS1992 rows of the one shipped UNSD table (:func:`geomon.sources.concordance.table`)."""
    t = concordance.table()
    t = t[(t["hs_old"] == "HS92") & t["hs_new"].isin(["HS17", "HS22"])]
    return pd.DataFrame({"revision": t["hs_new"].map({"HS17": "HS2017", "HS22": "HS2022"}), "code": t["code_new"],
                         "hs1992": t["code_old"], "relationship": t["relationship"]}).reset_index(drop=True)


@lru_cache(maxsize=1)
def code_lists() -> dict[str, frozenset[str]]:
    """HS6 code list per revision that the shipped tables establish."""
    c = correlation()
    out = {rev: frozenset(g["code"]) for rev, g in c.groupby("revision")}
    out["HS1992"] = frozenset(c["hs1992"])
    return out


def _code_known(rev: str, code: str, lists: dict[str, frozenset[str]]) -> bool | None:
    """True/False when the revision's list is known, None when geomon has no list for it."""
    if rev not in lists:
        return None
    return code in lists[rev] if len(code) == 6 else any(c.startswith(code) for c in lists[rev])


def _check(ctx: Context, df: pd.DataFrame) -> None:
    """ISO3 and code-list checks (shipped, user and trade-war sets; GSDB names may stay unmapped)."""
    known = set(ctx.countries.column("iso3").to_pylist()) | set(ctx.config.blocs) | {"EU27", "TWN"}
    lists = dict(code_lists())
    if ctx.dataset.hs and normalise_revision(ctx.dataset.hs):
        lists[normalise_revision(ctx.dataset.hs)] = lists.get("HS1992", frozenset()) | frozenset(ctx.descriptions)
    for r in df[df["set"] != "gsdb"].itertuples():
        where = f"{Path(r.file).name} line {r.line}" if r.line else Path(r.file).name
        for col in ("coercer", "target"):
            v = getattr(r, col)
            if v not in known and not (col == "target" and v == WORLD):
                raise InputError(f"{where}: {col} '{v}' is not in the country list; give an ISO3 code (e.g. CHN), "
                                 f"a bloc ({choices(sorted(set(ctx.config.blocs) | {'EU27'}))}) or WORLD as target")
        for rev, code in parse_codes(r.hs_codes, r.hs_revision or "HS2017"):
            if _code_known(rev, code, lists) is False:
                raise InputError(f"{where}: HS code {code} is not in the {rev} code list; check the code and hs_revision")


def _years(df: pd.DataFrame) -> pd.DataFrame:
    start = [parse_date(s).year for s in df["start"]]
    end = [parse_date(e).year if e else pd.NA for e in df["end"]]
    return df.assign(start_year=pd.array(start, dtype="Int64"), end_year=pd.array(end, dtype="Int64"))


_CACHE: dict[tuple, pd.DataFrame] = {}


def registry(ctx: Context) -> pd.DataFrame:
    """Every case of every set, checked, with ``start_year`` / ``end_year`` (see the module docstring);
    ``attrs["counts"]`` holds cases per set and the trade-war list counts."""
    user, gsdb = ctx.config["coercion.cases_file"], ctx.config["coercion.gsdb_file"]
    key = (str(ctx.dataset.root), user, gsdb, tuple(sorted(ctx.config.blocs)))
    if key in _CACHE:
        return _CACHE[key]
    s301, cn = section301_cases(SECTION301), retaliation_cases(RETALIATION)
    frames = [read_cases(CURATED, "curated"), s301, cn]
    if user:
        frames.append(read_cases(Path(user).expanduser(), "user"))
    if gsdb:
        names = {name: iso3 for iso3, name in ctx.names.items()}
        frames.append(gsdb_cases(Path(gsdb).expanduser(), names))
    df = pd.concat(frames, ignore_index=True)
    dup = df[df["case_id"].duplicated()]
    if len(dup):
        r = dup.iloc[0]
        raise InputError(f"{Path(r['file']).name} line {r['line']}: case_id '{r['case_id']}' already exists in another "
                         "cases file; give the case its own id")
    _check(ctx, df)
    df = _years(df)
    df.attrs["counts"] = {"cases": df["set"].value_counts().to_dict(), "section301": s301.attrs["counts"],
                          "china_retaliation": cn.attrs["counts"],
                          **({"gsdb": frames[-1].attrs["counts"]} if gsdb else {})}
    _CACHE[key] = df
    return df


def get_case(ctx: Context, case_id: str) -> pd.Series:
    """The registry row of ``case_id`` (case-insensitive); InputError when unknown."""
    df = registry(ctx)
    hit = df[df["case_id"].str.upper() == str(case_id).strip().upper()]
    if hit.empty:
        raise InputError(f"unknown case '{case_id}'; see 'geomon coercion cases' for the ids (e.g. CHN-WLD-2023-GAGE)")
    return hit.iloc[0]


_TRADED: dict[str, frozenset[str]] = {}


def traded_products(ctx: Context) -> frozenset[str]:
    """Products with at least one flow in the dataset."""
    key = str(ctx.dataset.root)
    if key not in _TRADED:
        f = ctx.flows
        _TRADED[key] = frozenset(ctx.engine.execute(f.select("product").distinct())["product"])
    return _TRADED[key]


def case_codes(ctx: Context, case: pd.Series) -> pd.DataFrame:
    """One row per code of the case: revision, code, how (exact / correlation / n:n only / unmatched /
    all goods / no products), store_codes, in_data and not_used_nn (lists of store codes)."""
    store_rev = normalise_revision(ctx.dataset.hs) or ctx.dataset.hs
    traded = traded_products(ctx)
    if not case["hs_codes"]:
        how = ALL_GOODS if case["hs_basis"] == ALL_GOODS else "no products"
        codes = sorted(traded) if how == ALL_GOODS else []
        return pd.DataFrame([{"revision": "", "code": "", "how": how, "store_codes": codes, "in_data": codes,
                              "not_used_nn": []}])
    rows = []
    for rev, code in parse_codes(case["hs_codes"], case["hs_revision"]):
        partial: list[str] = []
        if rev == store_rev:
            mapped, how = sorted(c for c in ctx.descriptions if c.startswith(code)), "exact"
        elif store_rev == "HS1992" and rev in ("HS2017", "HS2022"):
            hit = _correlates(rev, code)
            used = hit["relationship"] != "n:n"
            mapped, how = sorted(set(hit.loc[used, "hs1992"])), "correlation"
            partial = sorted(set(hit.loc[~used, "hs1992"]) - set(mapped))
            how = how if mapped or not partial else "n:n only"
        else:
            mapped, how = [], "unmatched"
        rows.append({"revision": rev, "code": code, "how": how, "store_codes": mapped,
                     "in_data": [c for c in mapped if c in traded],
                     "not_used_nn": partial if how != "exact" and how != "unmatched" else []})
    return pd.DataFrame(rows)


@lru_cache(maxsize=None)
def _by_code(rev: str) -> dict[str, pd.DataFrame]:
    c = correlation()
    return {code: g for code, g in c[c["revision"] == rev].groupby("code")}


def _correlates(rev: str, code: str) -> pd.DataFrame:
    """Correlation rows of the HS6 codes of ``rev`` that start with ``code``."""
    table = _by_code(rev)
    if len(code) == 6:
        return table.get(code, correlation().iloc[:0])
    hits = [g for k, g in table.items() if k.startswith(code)]
    return pd.concat(hits) if hits else correlation().iloc[:0]


_CODES: dict[tuple, list[str]] = {}


def store_codes(ctx: Context, case: pd.Series) -> list[str]:
    """The store codes with data that the case's codes match (sorted, unique)."""
    key = (str(ctx.dataset.root), case.get("case_id", case.name), case["hs_codes"], case["hs_revision"])
    if key not in _CODES:
        _CODES[key] = sorted({c for codes in case_codes(ctx, case)["in_data"] for c in codes})
    return _CODES[key]


def active_since(df: pd.DataFrame, since: int, until: int | None = None) -> pd.Series:
    """Cases with end year >= ``since`` (or no end) and, with ``until``, start year <= ``until``."""
    keep = df["end_year"].isna() | (df["end_year"] >= since)
    if until is not None:
        keep &= df["start_year"] <= until
    return keep.fillna(False).astype(bool)


def _economy_filter(ctx: Context, text: str | None, role: str) -> str | None:
    if text is None:
        return None
    key = str(text).strip().upper()
    if key == WORLD and role == "target":
        return WORLD
    return ctx.economy(key, role=role).name


def cases(ctx: Context, coercer: str | None = None, target: str | None = None, product: str | None = None,
          since: int | None = None) -> Result:
    """The registry filtered: ``coercer`` / ``target`` (ISO3, bloc, WORLD), ``product`` (HS code in any
    revision; a case matches when one of its codes is a prefix of it or it of them, or its store
    codes contain it; all-goods cases match every product), ``since`` (active since that year)."""
    df = registry(ctx)
    c, t = _economy_filter(ctx, coercer, "coercer"), _economy_filter(ctx, target, "target")
    if c:
        df = df[df["coercer"] == c]
    if t:
        df = df[df["target"] == t]
    if since is not None:
        df = df[active_since(df, int(since))]
    if product:
        code = str(product).strip()
        if not (code.isdigit() and len(code) in (2, 4, 6)):
            raise InputError(f"product '{product}' is not an HS code; give 2, 4 or 6 digits (e.g. 250410)")
        df = df[[_covers(ctx, r, code) for _, r in df.iterrows()]]
    out = df.assign(n_codes=[len(str(h).split()) for h in df["hs_codes"]],
                    codes_in_data=[len(store_codes(ctx, r)) for _, r in df.iterrows()])
    cols = ["case_id", "set", "coercer", "target", "start", "end", "instrument", "direction", "hs_revision", "n_codes",
            "codes_in_data", "hs_codes", "hs_basis", "trigger", "uncertain", "note", "sources"]
    out = out[cols].sort_values(["start", "case_id"], kind="stable").reset_index(drop=True)
    counts = registry(ctx).attrs["counts"]
    return Result(out, ctx.meta(analysis="coercion_cases", rows=len(out), filters={
        "coercer": c, "target": t, "product": product, "since": since}, registry_counts=counts))


def _covers(ctx: Context, case: pd.Series, code: str) -> bool:
    if not case["hs_codes"]:
        return case["hs_basis"] == ALL_GOODS
    if any(code.startswith(c) or c.startswith(code) for _, c in parse_codes(case["hs_codes"], case["hs_revision"])):
        return True
    return code in store_codes(ctx, case)
