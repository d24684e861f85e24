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

import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.interests import InterestMap, link_products, load_map
from geomon.analyses.userfiles import read_csv, read_text
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


def _near(value: float | None, threshold: float, margin: float) -> bool:
    """Not above the threshold but within the relative margin below it."""
    return value is not None and value <= threshold and value > threshold * (1.0 - margin)


def tier_row(row: dict[str, Any], rules: TierRules) -> tuple[str, str]:
    """(computed tier, reasons) for one row; see the module docstring for the rules."""
    r = rules
    met = int(row.get("criteria_met_years") or 0)
    dependent = bool(row.get("dependent"))
    areas = str(row.get("interest_areas") or "")
    unsure = str(row.get("interest_uncertain_areas") or "")
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
    """
    out = df.copy()
    results = [tier_row(rec, rules) for rec in out.to_dict("records")]
    out["computed_tier"] = [t for t, _ in results]
    out["tier_reasons"] = [why for _, why in results]
    return out


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
    """
    out = df.copy()
    by = {(o.target, o.reporter): o for o in overrides}
    groups_of = groups_of or {}
    tiers, reasons, authors, dates = [], [], [], []
    for rec in out[[key, "reporter", "computed_tier"]].itertuples(index=False):
        target, reporter, computed = rec
        found = by.get((target, reporter)) or by.get((target, ""))
        if found is None:
            for g in groups_of.get(target, []):
                found = by.get((g, reporter)) or by.get((g, ""))
                if found:
                    break
        if found is None:
            tiers.append(computed)
            reasons.append("")
            authors.append("")
            dates.append("")
        else:
            via = f" (group {found.target})" if found.target != target else ""
            tiers.append(found.tier)
            reasons.append(found.reason + via)
            authors.append(found.author)
            dates.append(found.date)
    out["tier"] = tiers
    out["override_reason"] = reasons
    out["override_author"] = authors
    out["override_date"] = dates
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
    """Take rows shaped like :func:`geomon.analyses.screening.screen_years` output (any
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
        from geomon.analyses.groups import load_groups

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
        from geomon.analyses.groups import load_groups

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
    from geomon.analyses.screening import ALL, screen_years

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
    from geomon.analyses.groups import load_groups

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
