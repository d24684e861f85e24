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
from geomon.analyses.trade.codes import codes_in_store
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
    out = {rev: frozenset(g["code"].tolist()) for rev, g in c.groupby("revision")}
    out["HS1992"] = frozenset(c["hs1992"].tolist())
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
    """Products with at least one flow in the dataset: :func:`geomon.analyses.trade.codes.codes_in_store`,
    the one DISTINCT over every flow (about 0.3 CPU-s at full scale) that the report's diversification
    options also read."""
    key = str(ctx.dataset.root)
    if key not in _TRADED:
        _TRADED[key] = codes_in_store(ctx)
    return _TRADED[key]


def case_codes(ctx: Context, case: pd.Series) -> pd.DataFrame:
    """One row per code of the case: revision, code, how (exact / correlation / n:n only / unmatched /
    all goods / no products), store_codes, in_data and not_used_nn (lists of store codes).

    Every registry case is mapped at once, the first time one is asked for (:func:`_code_rows`)."""
    key = _case_key(ctx, case)
    if key not in _CODES:
        reg = registry(ctx)
        rows = _code_rows(ctx, reg)
        for (_, r), table in zip(reg.iterrows(), rows):
            _CODES[_case_key(ctx, r)] = table
        if key not in _CODES:  # a case that is not (or no longer) in the registry
            _CODES[key] = _code_rows(ctx, pd.DataFrame([case]))[0]
    return _CODES[key].copy()  # the cache outlives the caller: a change in place must not reach later events


_CODES: dict[tuple, pd.DataFrame] = {}


def _case_key(ctx: Context, case: pd.Series) -> tuple:
    return (str(ctx.dataset.root), ctx.dataset.hs, ctx.dataset.version, case.get("case_id", case.name),
            case["hs_codes"], case["hs_revision"], case["hs_basis"])


def _targets(ctx: Context, store_rev: str) -> pd.DataFrame:
    """What a case code can match: revision, prefix (2, 4 or 6 digits), target (a store code) and
    used (False for an n:n correlation): every store product under its prefixes in the store's
    revision, and, for an HS1992 store, the UNSD HS2017/HS2022 -> HS1992 pairs under the prefixes
    of the newer code."""
    prod = pd.DataFrame({"revision": store_rev, "code": sorted(ctx.descriptions), "target": sorted(ctx.descriptions),
                         "used": True})
    frames = [prod]
    if store_rev == "HS1992":
        c = correlation()
        frames.append(pd.DataFrame({"revision": c["revision"], "code": c["code"], "target": c["hs1992"],
                                    "used": c["relationship"] != "n:n"}))
    t = pd.concat(frames, ignore_index=True)
    return pd.concat([t.assign(prefix=t["code"].str[:n]) for n in (2, 4, 6)], ignore_index=True).drop(
        columns="code").drop_duplicates()


def _code_rows(ctx: Context, cases: pd.DataFrame) -> list[pd.DataFrame]:
    """:func:`case_codes` of every row of ``cases`` in one merge of all their codes with
    :func:`_targets`: a code matches the targets under its prefix; store_codes = the used
    targets, not_used_nn = the n:n targets not among them, in_data = the store codes with flows."""
    store_rev = normalise_revision(ctx.dataset.hs) or ctx.dataset.hs
    traded = traded_products(ctx)
    codes = pd.DataFrame([(i, pos, rev, code) for i, (text, rev0) in enumerate(zip(cases["hs_codes"], cases["hs_revision"]))
                          for pos, (rev, code) in enumerate(parse_codes(text, rev0) if text else [])],
                         columns=["case", "pos", "revision", "code"])
    hits = codes.merge(_targets(ctx, store_rev), left_on=["revision", "code"], right_on=["revision", "prefix"])
    hits = hits.sort_values(["case", "pos", "target"])
    key = ["case", "pos"]
    used = hits[hits["used"]].drop_duplicates(key + ["target"])
    nn = hits[~hits["used"]].merge(used[key + ["target"]], on=key + ["target"], how="left", indicator=True)
    nn = nn[nn["_merge"] == "left_only"].drop_duplicates(key + ["target"])
    mapped, partial = _lists(used), _lists(nn)
    rows: list[list[dict]] = [[] for _ in range(len(cases))]
    for r in codes.itertuples(index=False):
        m, p = mapped.get((r.case, r.pos), []), partial.get((r.case, r.pos), [])
        how = ("exact" if r.revision == store_rev else
               ("correlation" if m or not p else "n:n only") if store_rev == "HS1992" and r.revision in ("HS2017", "HS2022")
               else "unmatched")
        rows[r.case].append({"revision": r.revision, "code": r.code, "how": how, "store_codes": m,
                             "in_data": [c for c in m if c in traded], "not_used_nn": p if how in ("correlation", "n:n only") else []})
    out = []
    for (_, case), case_rows in zip(cases.iterrows(), rows):
        if not case["hs_codes"]:
            how = ALL_GOODS if case["hs_basis"] == ALL_GOODS else "no products"
            everything = sorted(traded) if how == ALL_GOODS else []
            case_rows = [{"revision": "", "code": "", "how": how, "store_codes": everything, "in_data": everything,
                          "not_used_nn": []}]
        out.append(pd.DataFrame(case_rows))
    return out


def _lists(hits: pd.DataFrame) -> dict[tuple[int, int], list[str]]:
    """(case, pos) -> its targets, in the rows' order."""
    out: dict[tuple[int, int], list[str]] = {}
    for case, pos, target in zip(hits["case"].tolist(), hits["pos"].tolist(), hits["target"].tolist()):
        out.setdefault((case, pos), []).append(target)
    return out


_STORE_CODES: dict[tuple, list[str]] = {}


def store_codes(ctx: Context, case: pd.Series) -> list[str]:
    """The store codes with data that the case's codes match (sorted, unique)."""
    key = _case_key(ctx, case)
    if key not in _STORE_CODES:
        _STORE_CODES[key] = sorted({c for codes in case_codes(ctx, case)["in_data"] for c in codes})
    return _STORE_CODES[key]


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
