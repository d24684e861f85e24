"""Tiers: from screened dependencies to the monitor's verdicts, with their reasons.

Every screened row gets one tier (Dutch pilot 'Geo-economische monitor', 2022):

- ``strategic``: a dependency (c1, c2, c3 with persistence), linked to a public
  interest, with limited short-term room to diversify:
  world-export HHI > ``tiers.strategic_world_hhi`` **or** fewer than
  ``tiers.min_alternative_suppliers`` alternative suppliers, an alternative being
  an exporter other than the top supplier and the reporter whose exports to the
  rest of the world are >= ``tiers.alternative_min_share`` x the reporter's import
  value (:mod:`geomon.engine.alternatives`).
- ``possible``: linked to a public interest and
  (a) the criteria met in at least one but fewer than k window years, or
  (b) in the screened year every criterion holds or is within ``tiers.margin``
      (relative) of its threshold, or a dependency within the margin of the
      strategic rule (world HHI > (1 - margin) x threshold, or fewer than N
      alternatives at (1 + margin) x the share), or
  (c) the verdict rests on incomplete data: window years missing from the data,
      import flows with missing quantities (``tiers.incomplete_quantities``), or
      a public-interest link marked uncertain (``tiers.uncertain_links``).
- ``dependency``: a dependency without a public-interest link, or linked but with
  room to diversify.
- ``none``: everything else.

An expert override (product or substitute group, tier, reason, author, date,
optional reporter) replaces the computed tier; precedence: product + reporter,
product, group + reporter, group. Outputs keep ``computed_tier`` beside ``tier``.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.trade.interests import InterestMap, link_products, load_map
from geomon.sources.userfiles import read_csv, read_text
from geomon.config import Config
from geomon.engine import indicators as ind
from geomon.engine.alternatives import alternative_suppliers
from geomon.errors import DataError, GeomonError

TIERS = ("strategic", "possible", "dependency", "none")
#: Columns :func:`classify` adds to screening rows, in this order.
TIER_COLUMNS = [
    "interest_areas", "interest_uncertain_areas", "interest_sources", "alternative_suppliers",
    "window_years_missing", "computed_tier", "tier", "tier_reasons", "override_reason", "override_author",
    "override_date",
]
TIER_ORDER = {t: i for i, t in enumerate(TIERS)}


@dataclass(frozen=True)
class TierRules:
    """The thresholds the tier rules use (all from the configuration)."""

    import_hhi: float = 0.4
    world_hhi: float = 0.4
    ratio: float = 1.0
    window: int = 3
    min_years: int = 2
    strategic_world_hhi: float = 0.5
    min_alternative_suppliers: int = 3
    alternative_min_share: float = 0.5
    margin: float = 0.1
    incomplete_quantities: bool = True

    @classmethod
    def from_config(cls, cfg: Config) -> "TierRules":
        return cls(cfg["screening.import_hhi"], cfg["screening.world_hhi"], cfg["screening.ratio"],
                   cfg["screening.window"], cfg["screening.min_years"], cfg["tiers.strategic_world_hhi"],
                   cfg["tiers.min_alternative_suppliers"], cfg["tiers.alternative_min_share"], cfg["tiers.margin"],
                   bool(cfg["tiers.incomplete_quantities"]))


# ---------------------------------------------------------------------------------------------
# The rules: a pure function over a DataFrame


def _num(value: Any) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return None if v != v else v


def _fmt(v: float | None, kind: str = "hhi") -> str:
    if v is None:
        return "n/a"
    if kind == "ratio":
        return "no exports" if v >= ind.ZERO_EXPORT_RATIO else f"{v:.2f}"
    return f"{v:.3f}"


def _text(value: Any) -> str:
    """A text cell: '' for a missing (None, NaN) or empty value, else ``str(value)``."""
    try:
        missing = bool(pd.isna(value))
    except (TypeError, ValueError):
        missing = False
    return "" if missing or not value else str(value)


def _near(value: float | None, threshold: float, margin: float) -> bool:
    """Not above the threshold but within the relative margin below it."""
    return value is not None and value <= threshold and value > threshold * (1.0 - margin)


def tier_row(row: dict[str, Any], rules: TierRules) -> tuple[str, str]:
    """(computed tier, reasons) for one row; see the module docstring for the rules."""
    r = rules
    met = int(row.get("criteria_met_years") or 0)
    dependent = bool(row.get("dependent"))
    areas = _text(row.get("interest_areas"))
    unsure = _text(row.get("interest_uncertain_areas"))
    linked = bool(areas)
    missing = int(row.get("window_years_missing") or 0)
    q_complete = row.get("quantity_complete")
    q_complete = True if q_complete is None or q_complete != q_complete else bool(q_complete)
    imp_hhi, w_hhi = _num(row.get("import_hhi")), _num(row.get("world_export_hhi"))
    ratio = _num(row.get("import_export_ratio"))
    alts = row.get("alternative_suppliers")
    alts = None if alts is None or alts != alts else int(alts)
    alts_strict = row.get("alternative_suppliers_strict")
    alts_strict = alts if alts_strict is None or alts_strict != alts_strict else int(alts_strict)

    reasons: list[str] = []
    if dependent:
        reasons.append(f"a dependency: c1, c2 and c3 all met in {met} of the last {r.window} years "
                       f"({r.min_years} needed)")
    elif met > 0:
        reasons.append(f"not a dependency: c1, c2 and c3 all met in {met} of the last {r.window} years "
                       f"({r.min_years} needed)")
    else:
        reasons.append(f"not a dependency: c1, c2 and c3 not all met in any of the last {r.window} years")
    reasons.append(f"public interest: {areas}" if linked else "no public-interest link")

    if not linked:
        return ("dependency" if dependent else "none"), "; ".join(reasons)

    caveats: list[str] = []
    certain_areas = {a.strip() for a in areas.split(";")} - {a.strip() for a in unsure.split(";")}
    if unsure and not certain_areas:
        caveats.append(f"public-interest link uncertain ({unsure})")
    if missing:
        caveats.append(f"{missing} window year(s) missing from the data")
    if r.incomplete_quantities and not q_complete:
        caveats.append("quantities missing in some import flows")

    if dependent:
        limited = []
        if w_hhi is not None and w_hhi > r.strategic_world_hhi:
            limited.append(f"world-export HHI {_fmt(w_hhi)} > {r.strategic_world_hhi}")
        if alts is not None and alts < r.min_alternative_suppliers:
            limited.append(f"{alts} alternative supplier(s) exporting >= {r.alternative_min_share:g} x the imports "
                           f"elsewhere, fewer than {r.min_alternative_suppliers}")
        if limited:
            reasons.append("limited room to diversify: " + " and ".join(limited))
            if caveats:
                reasons.append("possible rather than strategic: " + ", ".join(caveats))
                return "possible", "; ".join(reasons)
            return "strategic", "; ".join(reasons)
        room = (f"room to diversify: world-export HHI {_fmt(w_hhi)} <= {r.strategic_world_hhi} and {alts} "
                f"alternative supplier(s) >= {r.min_alternative_suppliers}")
        reasons.append(room)
        near = []
        if _near(w_hhi, r.strategic_world_hhi, r.margin):
            near.append(f"world-export HHI within {r.margin:.0%} of {r.strategic_world_hhi}")
        if alts_strict is not None and alts_strict < r.min_alternative_suppliers:
            near.append(f"only {alts_strict} alternative(s) at {1 + r.margin:g} x the share")
        if near:
            reasons.append("possible: near the strategic rule (" + ", ".join(near) + ")")
            return "possible", "; ".join(reasons)
        return "dependency", "; ".join(reasons)

    why: list[str] = []
    if met > 0:
        why.append("criteria met in fewer years than required")
    checks = [("c1 import HHI", imp_hhi, r.import_hhi, bool(row.get("c1_import_concentration")), "hhi"),
              ("c2 world HHI", w_hhi, r.world_hhi, bool(row.get("c2_world_concentration")), "hhi"),
              ("c3 imports/exports", ratio, r.ratio, bool(row.get("c3_low_substitutability")), "ratio")]
    failing = [c for c in checks if not c[3]]
    if failing and all(_near(v, t, r.margin) for _, v, t, _, _ in failing):
        why.append("within " + f"{r.margin:.0%} of " + ", ".join(f"{n} {t:g} ({_fmt(v, k)})" for n, v, t, _, k in failing))
    if missing and met + missing >= r.min_years:
        why.append(f"{missing} window year(s) missing from the data could complete the {r.min_years} required")
    if why:
        reasons.append("possible: " + ", ".join(why))
        return "possible", "; ".join(reasons)
    return "none", "; ".join(reasons)


def apply_rules(df: pd.DataFrame, rules: TierRules) -> pd.DataFrame:
    """Add ``computed_tier`` and ``tier_reasons`` to screening-shaped rows (a copy).

    Needs the screening columns plus ``interest_areas`` (and optionally
    ``interest_uncertain_areas``, ``alternative_suppliers``,
    ``alternative_suppliers_strict``, ``window_years_missing``). Pure: no data access.

    Column-wise: every rule of :func:`tier_row` is a boolean column, the tier is an
    ``np.select`` over them and each reason fragment is a column of texts (empty where
    its condition fails) joined in :func:`tier_row`'s order, so each row gets exactly
    ``tier_row(row, rules)``. Only the numbers a reason shows are formatted one by one
    (with the same :func:`_fmt`), and the set logic of uncertain links runs once per
    distinct pair of area lists.
    """
    out = df.copy()
    tiers_, reasons = _rules_columns(out, rules)
    out["computed_tier"] = tiers_
    out["tier_reasons"] = reasons
    return out


def _col(df: pd.DataFrame, name: str) -> pd.Series | None:
    return df[name] if name in df.columns else None


def _flags(s: pd.Series | None, n: int, missing_as: bool | None = None) -> np.ndarray:
    """``bool(value)`` per row (False for an absent column); with ``missing_as`` a missing
    value (None, NaN) or an absent column gives that instead."""
    if s is None:
        return np.full(n, bool(missing_as), dtype=bool)
    if s.dtype == bool:
        return s.to_numpy()
    values = s.to_numpy(dtype=object)
    if missing_as is None:
        return values.astype(bool)
    flags = np.full(n, missing_as, dtype=bool)
    present = ~s.isna().to_numpy()
    flags[present] = values[present].astype(bool)
    return flags


def _numbers(s: pd.Series | None, n: int) -> np.ndarray:
    """float per row, NaN where the value is missing or not a number (as :func:`_num`)."""
    if s is None:
        return np.full(n, np.nan)
    if pd.api.types.is_numeric_dtype(s.dtype):
        return s.to_numpy(dtype="float64", na_value=np.nan)
    return pd.to_numeric(s.astype(object), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def _counts(s: pd.Series | None, n: int) -> np.ndarray:
    """``int(value or 0)`` per row (0 for an absent column or a missing value)."""
    if s is None:
        return np.zeros(n, dtype="int64")
    return np.trunc(np.nan_to_num(_numbers(s, n), nan=0.0)).astype("int64")


def _texts(s: pd.Series | None, n: int) -> np.ndarray:
    """:func:`_text` per row, as an object array."""
    out = np.full(n, "", dtype=object)
    if s is None:
        return out
    values = s.to_numpy(dtype=object)
    keep = ~s.isna().to_numpy()
    keep[keep] = values[keep].astype(bool)
    kept = values[keep]
    out[keep] = kept if pd.api.types.infer_dtype(kept) in ("string", "empty") else [str(v) for v in kept]
    return out


def _pick(cond: np.ndarray, *pieces: str | np.ndarray) -> np.ndarray:
    """The concatenated ``pieces`` (texts, or object arrays taken row by row) where
    ``cond`` holds, '' elsewhere (object array); only those rows are assembled."""
    out = np.full(len(cond), "", dtype=object)
    idx = np.flatnonzero(cond)
    if len(idx):
        text: Any = ""
        for piece in pieces:
            text = text + (piece if isinstance(piece, str) else piece[idx])
        out[idx] = text
    return out


def _join(parts: Sequence[np.ndarray], sep: str) -> np.ndarray:
    """Row-wise ``sep.join`` of the non-empty parts, in order."""
    out = parts[0].copy()
    for p in parts[1:]:
        idx = np.flatnonzero(p != "")
        if len(idx):
            head = out[idx]
            out[idx] = head + _pick(head != "", sep) + p[idx]
    return out


def _shown(values: np.ndarray, cond: np.ndarray, kind: str = "hhi") -> np.ndarray:
    """:func:`_fmt` of ``values`` on the rows where ``cond`` holds ('' elsewhere)."""
    out = np.full(len(values), "", dtype=object)
    idx = np.flatnonzero(cond)
    out[idx] = [_fmt(None if v != v else float(v), kind) for v in values[idx]]
    return out


def _ints_shown(values: np.ndarray, cond: np.ndarray) -> np.ndarray:
    """str(int) of ``values`` where ``cond`` holds, 'None' for a missing value there."""
    out = np.full(len(values), "", dtype=object)
    ok = cond & ~np.isnan(values)
    out[cond & np.isnan(values)] = "None"
    out[ok] = values[ok].astype("int64").astype(str).astype(object)
    return out


def _near_col(values: np.ndarray, threshold: float, margin: float) -> np.ndarray:
    """:func:`_near` per row (False where the value is missing)."""
    with np.errstate(invalid="ignore"):
        return (values <= threshold) & (values > threshold * (1.0 - margin))


def _only_uncertain(areas: np.ndarray, unsure: np.ndarray) -> np.ndarray:
    """Rows whose uncertain areas leave no certain one (as in :func:`tier_row`), decided
    once per distinct (areas, uncertain areas) pair."""
    a_codes, a_values = pd.factorize(areas)
    u_codes, u_values = pd.factorize(unsure)
    width = max(len(u_values), 1)
    codes, pairs = pd.factorize(a_codes.astype("int64") * width + u_codes)

    def only(pair: int) -> bool:
        a, u = a_values[pair // width], u_values[pair % width]
        certain = {x.strip() for x in a.split(";")} - {x.strip() for x in u.split(";")}
        return bool(u) and not certain

    return np.array([only(p) for p in pairs], dtype=bool)[codes]


def _lookup(values: np.ndarray, text) -> np.ndarray:
    """``text(v)`` per row, computed once per distinct value (object array)."""
    codes, uniques = pd.factorize(values)
    return np.array([text(v) for v in uniques] + [""], dtype=object)[codes]


def _rules_columns(df: pd.DataFrame, rules: TierRules) -> tuple[np.ndarray, np.ndarray]:
    """(computed tiers, reasons) as object arrays: :func:`tier_row` on every row at once."""
    r = rules
    n = len(df)
    met = _counts(_col(df, "criteria_met_years"), n)
    dependent = _flags(_col(df, "dependent"), n)
    areas = _texts(_col(df, "interest_areas"), n)
    linked = areas != ""

    # every row: the quantitative verdict and the public-interest link (texts per distinct value)
    suffix = f" of the last {r.window} years ({r.min_years} needed)"

    def verdict(code: int) -> str:
        m, dep = divmod(int(code), 2)
        if dep:
            return f"a dependency: c1, c2 and c3 all met in {m}" + suffix
        if m > 0:
            return f"not a dependency: c1, c2 and c3 all met in {m}" + suffix
        return f"not a dependency: c1, c2 and c3 not all met in any of the last {r.window} years"

    reasons = (_lookup(met * 2 + dependent, verdict) + "; "
               + _lookup(areas, lambda a: f"public interest: {a}" if a else "no public-interest link"))
    tiers_ = np.where(dependent, "dependency", "none").astype(object)

    # linked rows only from here on (a sub-frame); without a link the verdict is the tier
    rows = np.flatnonzero(linked)
    if len(rows) == 0:
        return tiers_, reasons
    sub = df.iloc[rows]
    k = len(rows)
    met, dependent, areas = met[rows], dependent[rows], areas[rows]
    unsure = _texts(_col(sub, "interest_uncertain_areas"), k)
    missing = _counts(_col(sub, "window_years_missing"), k)
    q_complete = _flags(_col(sub, "quantity_complete"), k, missing_as=True)
    imp_hhi, w_hhi = _numbers(_col(sub, "import_hhi"), k), _numbers(_col(sub, "world_export_hhi"), k)
    ratio = _numbers(_col(sub, "import_export_ratio"), k)
    alts = np.trunc(_numbers(_col(sub, "alternative_suppliers"), k))
    strict = np.trunc(_numbers(_col(sub, "alternative_suppliers_strict"), k))
    strict = np.where(np.isnan(strict), alts, strict)
    missing_s = missing.astype(str).astype(object)

    # caveats: incomplete data or an uncertain link (they turn strategic into possible)
    caveats = _join([
        _pick(_only_uncertain(areas, unsure), "public-interest link uncertain (", unsure, ")"),
        _pick(missing != 0, missing_s, " window year(s) missing from the data"),
        _pick(~q_complete if r.incomplete_quantities else np.zeros(k, dtype=bool),
              "quantities missing in some import flows"),
    ], ", ")
    has_caveat = caveats != ""

    # a linked dependency: limited room to diversify, or near the strategic rule
    with np.errstate(invalid="ignore"):
        w_over = w_hhi > r.strategic_world_hhi
        few = alts < r.min_alternative_suppliers
        few_strict = strict < r.min_alternative_suppliers
    w_s = _shown(w_hhi, dependent)
    alts_s = _ints_shown(alts, dependent)
    limited = dependent & (w_over | few)
    limited_txt = _join([
        _pick(w_over, "world-export HHI ", w_s, f" > {r.strategic_world_hhi}"),
        _pick(few, alts_s, f" alternative supplier(s) exporting >= {r.alternative_min_share:g} x the imports "
                            f"elsewhere, fewer than {r.min_alternative_suppliers}"),
    ], " and ")
    roomy = dependent & ~limited
    near_w = _near_col(w_hhi, r.strategic_world_hhi, r.margin)
    near_txt = _join([
        _pick(near_w, f"world-export HHI within {r.margin:.0%} of {r.strategic_world_hhi}"),
        _pick(few_strict, "only ", _ints_shown(strict, roomy & few_strict),
              f" alternative(s) at {1 + r.margin:g} x the share"),
    ], ", ")
    near = roomy & (near_w | few_strict)

    # linked, not a dependency: why it may be possible
    checks = [("c1 import HHI", imp_hhi, r.import_hhi, _flags(_col(sub, "c1_import_concentration"), k), "hhi"),
              ("c2 world HHI", w_hhi, r.world_hhi, _flags(_col(sub, "c2_world_concentration"), k), "hhi"),
              ("c3 imports/exports", ratio, r.ratio, _flags(_col(sub, "c3_low_substitutability"), k), "ratio")]
    some_fail = np.zeros(k, dtype=bool)
    fails_near = np.ones(k, dtype=bool)
    for _, v, t, ok, _ in checks:
        some_fail |= ~ok
        fails_near &= ok | _near_col(v, t, r.margin)
    within = ~dependent & some_fail & fails_near
    within_txt = _join([_pick(within & ~ok, f"{name} {t:g} (", _shown(v, within & ~ok, kind), ")")
                        for name, v, t, ok, kind in checks], ", ")
    why = _join([
        _pick(met > 0, "criteria met in fewer years than required"),
        _pick(within, f"within {r.margin:.0%} of ", within_txt),
        _pick((missing != 0) & (met + missing >= r.min_years),
              missing_s, f" window year(s) missing from the data could complete the {r.min_years} required"),
    ], ", ")
    maybe = ~dependent & (why != "")

    tiers_[rows] = np.select([limited & has_caveat, limited, near, dependent, maybe],
                             ["possible", "strategic", "possible", "dependency", "possible"], "none")
    more = _join([
        _pick(limited, "limited room to diversify: ", limited_txt),
        _pick(limited & has_caveat, "possible rather than strategic: ", caveats),
        _pick(roomy, "room to diversify: world-export HHI ", w_s, f" <= {r.strategic_world_hhi} and ", alts_s,
              f" alternative supplier(s) >= {r.min_alternative_suppliers}"),
        _pick(near, "possible: near the strategic rule (", near_txt, ")"),
        _pick(maybe, "possible: ", why),
    ], "; ")
    reasons[rows] = _join([reasons[rows], more], "; ")
    return tiers_, reasons


# ---------------------------------------------------------------------------------------------
# Expert overrides


@dataclass(frozen=True)
class Override:
    """An expert judgement: ``target`` is an HS6 code or a substitute-group id."""

    target: str
    tier: str
    reason: str
    author: str
    date: str
    reporter: str = ""
    file: str = ""
    line: int = 0


OVERRIDE_REQUIRED = ["tier", "reason", "author", "date"]
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _check_override(raw: dict[str, Any], where: str, known: set[str]) -> Override:
    def bad(msg: str) -> DataError:
        return DataError(f"{where}: {msg}")

    target = str(raw.get("product") or raw.get("group") or "").strip()
    if raw.get("product") and raw.get("group"):
        raise bad("give either product or group, not both")
    if not target:
        raise bad("no product or group; name an HS6 code (e.g. 283691) or a substitute group id")
    if target.isdigit() and len(target) < 6:
        target = target.zfill(6)
    if known and target not in known:
        raise bad(f"'{target}' is neither an HS6 product code of the data nor a substitute group id")
    tier = str(raw.get("tier") or "").strip().lower()
    if tier not in TIERS:
        raise bad(f"tier '{raw.get('tier', '')}' is not allowed; choose one of {', '.join(TIERS)}")
    for field in ("reason", "author"):
        if not str(raw.get(field) or "").strip():
            raise bad(f"{field} is empty; every override states its reason and author")
    when = str(raw.get("date") or "").strip()
    try:
        if not _ISO_DATE.match(when):
            raise ValueError
        date.fromisoformat(when)
    except ValueError:
        raise bad(f"date '{when}' is not a date like 2024-05-31") from None
    return Override(target, tier, str(raw["reason"]).strip(), str(raw["author"]).strip(), when,
                    str(raw.get("reporter") or "").strip().upper())


def read_overrides(path: str | Path, known: Iterable[str] = ()) -> list[Override]:
    """Read an override file (CSV with columns product or group, tier, reason, author, date
    and optional reporter; or TOML with ``[[override]]`` tables of the same keys).

    ``known``: the allowed targets (HS6 codes and group ids); empty = not checked.
    Errors name the file and the line. A (target, reporter) pair may appear once.
    """
    p = Path(path)
    known = set(known)
    items: list[Override] = []
    if p.suffix.lower() == ".toml":
        text = read_text(p, "overrides")
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise DataError(f"{p}: not valid TOML: {exc}") from None
        entries = data.get("override", [])
        extra = [k for k in data if k != "override"]
        if extra or not isinstance(entries, list):
            raise DataError(f"{p}, line 1: expected only [[override]] tables, found {', '.join(extra) or 'override'}")
        lines = [i for i, ln in enumerate(text.splitlines(), start=1) if ln.strip().startswith("[[override]]")]
        for n, entry in enumerate(entries):
            line = lines[n] if n < len(lines) else 0
            bad_keys = [k for k in entry if k not in ("product", "group", "reporter", *OVERRIDE_REQUIRED)]
            if bad_keys:
                raise DataError(f"{p}, line {line}: unknown key {', '.join(bad_keys)}; allowed: product or group, "
                                f"tier, reason, author, date, reporter")
            o = _check_override(entry, f"{p}, line {line}", known)
            items.append(Override(**{**o.__dict__, "file": str(p), "line": line}))
    else:
        f = read_csv(p, "overrides", OVERRIDE_REQUIRED, ["product", "group", "reporter"])
        if f.rows and "product" not in f.rows[0].cells and "group" not in f.rows[0].cells:
            raise DataError(f"{p}, line 1: header lacks a product or group column")
        for row in f.rows:
            o = _check_override(row.cells, f"{p}, line {row.line}", known)
            items.append(Override(**{**o.__dict__, "file": str(p), "line": row.line}))
    seen: dict[tuple[str, str], int] = {}
    for o in items:
        key = (o.target, o.reporter)
        if key in seen:
            raise DataError(f"{p}, line {o.line}: a second override for {o.target}"
                            f"{' and ' + o.reporter if o.reporter else ''} (first on line {seen[key]}); keep one")
        seen[key] = o.line
    return items


def apply_overrides(df: pd.DataFrame, overrides: Sequence[Override], groups_of: dict[str, list[str]] | None = None,
                    key: str = "product") -> pd.DataFrame:
    """Set ``tier`` (= ``computed_tier`` unless overridden) and the override columns.

    ``groups_of`` maps a product to the substitute groups it belongs to, so a group's
    override also applies to its members (after product overrides). Pure.

    Precedence, per row: product + reporter, product (any reporter), then for each of the
    product's groups in the order of ``groups_of``: group + reporter, group. Merges of the
    rows with the overrides give every candidate its rank; the lowest rank wins. A group's
    override says so in ``override_reason`` ("... (group ID)").
    """
    out = df.copy()
    n = len(out)
    tier = out["computed_tier"].to_numpy(dtype=object).copy()
    reason, author, when = (np.full(n, "", dtype=object) for _ in range(3))
    if overrides and n:
        ov = pd.DataFrame([(o.target, o.reporter, o.tier, o.reason, o.author, o.date) for o in overrides],
                          columns=["target", "o_reporter", "o_tier", "o_reason", "o_author", "o_date"], dtype=object)
        ov = ov.drop_duplicates(["target", "o_reporter"], keep="last")  # as a dict keyed by (target, reporter)
        anyone = ov[ov["o_reporter"] == ""].drop(columns="o_reporter")
        rows = pd.DataFrame({"_row": np.arange(n), "_key": out[key].to_numpy(dtype=object),
                             "o_reporter": out["reporter"].to_numpy(dtype=object)})
        rows["target"] = rows["_key"]
        candidates = [rows.merge(ov, on=["target", "o_reporter"]).assign(_rank=0),
                      rows.drop(columns="o_reporter").merge(anyone, on="target").assign(_rank=1)]
        member = [(p, g, i) for p, gs in (groups_of or {}).items() for i, g in enumerate(gs)]
        if member:
            gm = pd.DataFrame(member, columns=["_key", "target", "_gi"]).astype({"_key": object, "target": object})
            in_group = rows.drop(columns="target").merge(gm, on="_key")
            by_reporter = in_group.merge(ov, on=["target", "o_reporter"])
            for_anyone = in_group.drop(columns="o_reporter").merge(anyone, on="target")
            for rank, hit in ((2, by_reporter), (3, for_anyone)):  # group i: 2 + 2i with the reporter, 3 + 2i without
                candidates.append(hit.assign(_rank=rank + 2 * hit["_gi"]).drop(columns="_gi"))
        found = pd.concat(candidates, ignore_index=True)
        if len(found):
            found = found.sort_values(["_row", "_rank"], kind="stable").drop_duplicates("_row")
            idx = found["_row"].to_numpy()
            via = found["target"].to_numpy(dtype=object) != found["_key"].to_numpy(dtype=object)
            tier[idx] = found["o_tier"].to_numpy(dtype=object)
            reason[idx] = found["o_reason"].to_numpy(dtype=object) + _pick(
                via, " (group ", found["target"].to_numpy(dtype=object), ")")
            author[idx] = found["o_author"].to_numpy(dtype=object)
            when[idx] = found["o_date"].to_numpy(dtype=object)
    out["tier"] = tier
    out["override_reason"] = reason
    out["override_author"] = author
    out["override_date"] = when
    return out


# ---------------------------------------------------------------------------------------------
# The engine part and the analysis


def window_missing(years: Iterable[int], data_years: Iterable[int], window: int) -> dict[int, int]:
    """Per year y: how many of the years y-n+1..y are absent from the data."""
    have = set(data_years)
    return {y: sum(1 for w in range(y - window + 1, y + 1) if w not in have) for y in set(years)}


def group_links(imap: InterestMap, group_map: pd.DataFrame, uncertain_links: str) -> pd.DataFrame:
    """Interest links of substitute groups: the union of their members' areas; an area is
    uncertain for the group when no member links to it with certainty."""
    links = link_products(imap, group_map["product"], uncertain_links).set_index("product")
    rows = []
    for gid, members in group_map.groupby("group", sort=True)["product"]:
        areas: set[str] = set()
        unsure: set[str] = set()
        sources: set[str] = set()
        for p in members:
            a = {x.strip() for x in links.at[p, "interest_areas"].split(";") if x.strip()}
            u = {x.strip() for x in links.at[p, "interest_uncertain_areas"].split(";") if x.strip()}
            areas |= a
            unsure |= u
            sources |= {x.strip() for x in links.at[p, "interest_sources"].split(";") if x.strip()}
        certain = set()
        for p in members:
            a = {x.strip() for x in links.at[p, "interest_areas"].split(";") if x.strip()}
            u = {x.strip() for x in links.at[p, "interest_uncertain_areas"].split(";") if x.strip()}
            certain |= a - u
        rows.append((gid, "; ".join(sorted(areas)), "; ".join(sorted(areas - certain)), "; ".join(sorted(sources))))
    return pd.DataFrame(rows, columns=["product", "interest_areas", "interest_uncertain_areas",
                                       "interest_sources"]).set_index("product")


def alternatives_frame(ctx: Context, screened: pd.DataFrame, share: float, margin: float,
                       group_map: pd.DataFrame | None = None) -> pd.DataFrame:
    """Alternative-supplier counts for the (reporter, product, year) rows of ``screened``.

    Countries share one query; each bloc runs with its own economy map. With
    ``group_map`` (product -> group), ``product`` holds group ids and the counts are
    computed on the groups' summed flows.
    """
    cols = ["reporter", "product", "year", "alternative_suppliers", "alternative_suppliers_strict"]
    if screened.empty:
        return pd.DataFrame(columns=cols)
    years = sorted({int(y) for y in screened["year"]})
    parts = []
    reporters = sorted(set(screened["reporter"]))
    economies = [ctx.economy(r) for r in reporters]
    batches: list[tuple[list[Any], list[str]]] = []
    plain = [e for e in economies if not e.is_bloc]
    if plain:
        batches.append(([], [e.name for e in plain]))
    for e in economies:
        if e.is_bloc:
            batches.append(([e], [e.name]))
    for blocs, names in batches:
        rows = screened[screened["reporter"].isin(names)]
        keys = pd.DataFrame({"year": rows["year"].astype("int32"), "importer": rows["reporter"].astype(str),
                             "product": rows["product"].astype(str),
                             "import_value_usd": rows["import_value_usd"].astype("float64"),
                             "top_supplier": rows["top_supplier"].astype(object).where(rows["top_supplier"].notna(), None)})
        keys = keys.drop_duplicates(["year", "importer", "product"])  # one count per key, whatever the input
        flows = ctx.flows.filter(ctx.flows.year.isin(years))
        if group_map is not None:
            from geomon.engine.groups import map_products

            flows = map_products(flows, ctx.engine.table(group_map, name="geomon_group_map"))
        else:
            flows = flows.filter(flows["product"].isin(sorted(set(keys["product"]))))
        ef = ind.economy_flows(flows, ctx.econ_table(*blocs))
        expr = alternative_suppliers(ef, ctx.engine.table(keys, name="geomon_alt_keys"), share, margin)
        res = ctx.engine.execute(expr).rename(columns={"importer": "reporter"})
        parts.append(res[cols])
    out = pd.concat(parts, ignore_index=True)
    out["year"] = out["year"].astype("int64")
    return out


def known_targets(ctx: Context, groups: Iterable[str] = ()) -> set[str]:
    return set(ctx.descriptions) | set(groups)


def classify(ctx: Context, screened: pd.DataFrame, *, interest_map: InterestMap | None = None,
             overrides: Sequence[Override] | str | Path | None = None,
             groups_of: dict[str, list[str]] | None = None) -> pd.DataFrame:
    """Take rows shaped like :func:`geomon.analyses.trade.screening.screen_years` output (any
    number of reporters and years; SCREEN_COLUMNS + EXTRA_COLUMNS) and return the same
    rows, in the same order, with the columns :data:`TIER_COLUMNS` added:
    interest_areas ('; '-joined, '' if none), computed_tier, tier (final, after
    overrides), tier_reasons ('; '-joined), override_reason / override_author /
    override_date ('' when not overridden), plus the evidence used
    (interest_uncertain_areas, interest_sources, alternative_suppliers,
    window_years_missing).

    ``interest_map`` defaults to :func:`load_map` of the configuration, ``overrides`` to
    the file in ``tiers.overrides`` (a path or parsed :class:`Override` list also works).
    """
    cfg = ctx.config
    rules = TierRules.from_config(cfg)
    imap = interest_map if interest_map is not None else load_map(cfg)
    group_map = screened.attrs.get("group_map")
    df = screened.reset_index(drop=True).copy()
    if group_map is not None:
        links = group_links(imap, group_map, cfg["tiers.uncertain_links"])
    else:
        links = link_products(imap, df["product"].astype(str), cfg["tiers.uncertain_links"]).set_index("product")
    for col in ("interest_areas", "interest_uncertain_areas", "interest_sources"):
        df[col] = df["product"].map(links[col]).fillna("")
    alts = alternatives_frame(ctx, df, rules.alternative_min_share, rules.margin, group_map)
    df = df.merge(alts, on=["reporter", "product", "year"], how="left", validate="many_to_one")
    miss = window_missing(df["year"], ctx.dataset.years, rules.window)
    df["window_years_missing"] = df["year"].map(miss).fillna(0).astype("int64")
    df = apply_rules(df, rules)
    ovs = _resolve_overrides(ctx, overrides, groups_of)
    if groups_of is None and any(o.target not in ctx.descriptions for o in ovs):
        from geomon.analyses.trade.groups import load_groups

        groups_of = load_groups(ctx).groups_of()
    df = apply_overrides(df, ovs, groups_of)
    df["alternative_suppliers"] = df["alternative_suppliers"].fillna(0).astype("int64")
    df = df.drop(columns=["alternative_suppliers_strict"])
    df.attrs = {}
    return df[[c for c in screened.columns] + TIER_COLUMNS]


def _resolve_overrides(ctx: Context, overrides: Sequence[Override] | str | Path | None,
                       groups_of: dict[str, list[str]] | None) -> list[Override]:
    if overrides is None:
        overrides = ctx.config["tiers.overrides"] or None
    if overrides is None:
        return []
    if isinstance(overrides, (str, Path)):
        from geomon.analyses.trade.groups import load_groups

        items = read_overrides(overrides, known_targets(ctx, load_groups(ctx).ids))
        for o in items:
            if o.reporter:
                try:
                    name = ctx.economy(o.reporter).name
                except GeomonError as exc:
                    raise DataError(f"{o.file}, line {o.line}: {exc}") from None
                if name != o.reporter:
                    raise DataError(f"{o.file}, line {o.line}: write the reporter as {name}, not {o.reporter}")
        return items
    return list(overrides)


def tiers(ctx: Context, reporter: str, year: int | None = None, *, interest_map: str | Path | None = None,
          replace_map: bool | None = None, overrides: str | Path | None = None,
          products: Sequence[str] | None = None) -> Result:
    """Screen ``reporter`` in ``year`` (default: latest) and classify every product into a tier.

    Rows are ordered strategic, possible, dependency, none, then by import value.
    """
    from geomon.analyses.trade.screening import ALL, screen_years

    year = ctx.check_year(year if year is not None else ctx.default_year())
    imap = load_map(ctx.config, interest_map, replace_map)
    screened = screen_years(ctx, reporter, year, year, products)
    df = classify(ctx, screened, interest_map=imap, overrides=overrides)
    df = df.assign(_o=df["tier"].map(TIER_ORDER)).sort_values(
        ["reporter", "year", "_o", "import_value_usd", "product"], ascending=[True, True, True, False, True],
        kind="stable").drop(columns="_o").reset_index(drop=True)
    counts = {t: int((df["tier"] == t).sum()) for t in TIERS}
    computed = {t: int((df["computed_tier"] == t).sum()) for t in TIERS}
    label = ALL if reporter.upper() == ALL else ctx.economy(reporter).name
    n = ctx.config["screening.window"]
    return Result(df, ctx.meta(analysis="tiers", reporter=label, year=year, rows=len(df),
                               window_years=f"{year - n + 1}-{year}", tiers=counts, computed_tiers=computed,
                               overridden=int((df["override_reason"] != "").sum()),
                               **tier_inputs(ctx, imap, overrides)))


def _sha(path: str | Path) -> str:
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def tier_inputs(ctx: Context, interest_map: InterestMap | None = None,
                overrides: str | Path | None = None) -> dict[str, Any]:
    """Provenance of the curated files behind the tiers, for ``meta`` and editions:
    the interest-map files with their versions and content hashes, and the overrides and
    user groups files with their hashes (the configuration hash covers only their paths)."""
    from geomon.analyses.trade.groups import load_groups

    imap = interest_map if interest_map is not None else load_map(ctx.config)
    ov = overrides or ctx.config["tiers.overrides"] or ""
    gs = load_groups(ctx)
    return {
        "interest_map": imap.describe(),
        "interest_map_files": {f: {"version": v, "sha256": _sha(f)} for f, v in imap.versions.items()},
        "overrides": str(ov),
        "overrides_sha256": _sha(ov) if ov else "",
        "groups_files": {f: {"version": v, "sha256": _sha(f)} for f, v in gs.versions.items()},
    }


__all__ = ["TIERS", "TIER_COLUMNS", "TierRules", "Override", "apply_rules", "apply_overrides", "classify",
           "read_overrides", "tier_inputs", "tier_row", "tiers"]
