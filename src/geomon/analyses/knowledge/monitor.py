"""``geomon knowledge``: a country's position per science and technology field over time.

One row per (geography, field, year) for the country and the compared geographies, with the
NCSES value, the rank among countries, the world and group shares, the relative index, the
changes over 5 and 10 years and the verdict (formulas in :mod:`.position`); ``latest`` marks, per
geography and field, the row of the view year (or the latest year before it with a value). The EU27 is NCSES's
published EU-27 row wherever NCSES gives one (every table of the current release); a count
table without it gets the sum of the member countries NCSES lists (``aggregate_method`` says
which). Patent families are not summed over members here because NCSES lists only some members
in the patent tables, and AI articles are whole counts (a co-authored article counts once per
country), so a sum would count it twice.
"""

from __future__ import annotations

import pandas as pd

from geomon.analyses.context import Context, Result
from geomon.analyses.knowledge import position as pos
from geomon.analyses.knowledge.data import Knowledge, load
from geomon.errors import InputError

COLUMNS = ["code", "name", "field", "indicator", "year", "value", "value_flag", "rank", "countries_ranked",
           "world_value", "world_share", "group_share", "index", "index_name", "change_5y", "change_10y", "verdict",
           "position", "aggregate_method", "table_number"]


def settings(ctx: Context) -> tuple[float, float, int]:
    c = ctx.config
    return float(c["knowledge.trend_tolerance"]), float(c["knowledge.strong_index"]), int(c["knowledge.verdict_years"])


def rules(ctx: Context) -> dict[str, str]:
    """The stated rules (meta, captions, report)."""
    tol, strong, years = settings(ctx)
    return {
        "trend_rule": (f"change of the position measure (top-1% index; world share for counts) over {years} years: "
                       f"improving above +{tol:.0%}, declining below -{tol:.0%}, stable in between"),
        "position_rule": f"strong when the field's relative index (RTA for patents, top-1% index) is at least {strong:g}",
        "group_rule": ("group share = value / the sum over the country and the compared geographies "
                       "(counts only; a bloc and its members both count when both are listed)"),
        "eu27_rule": ("EU27 = the published NCSES EU-27 row (top-1% shares, patent families, AI articles); "
                      "a count table without it: the sum of the member countries NCSES lists"),
    }


def resolve_geo(kn: Knowledge, text: str, role: str = "country") -> str:
    """An NCSES code (ISO3 or aggregate, e.g. NLD, CHN, EU27) from a code or name, case-insensitive."""
    key = str(text).strip()
    codes = kn.codes
    by_upper = {c.upper(): c for c in codes}
    alias = {"EU-27": "EU27", "EU": "EU27"}
    hit = by_upper.get(alias.get(key.upper(), key.upper()))
    if hit is None:
        names = {n.lower(): c for c, n in kn.geo["name"].items() if c in by_upper.values()}
        hit = names.get(key.lower())
    if hit is None:
        raise InputError(f"unknown {role} '{text}' in the NCSES tables; give one of {', '.join(codes)}")
    return hit


def resolve_fields(kn: Knowledge, field: str | list[str] | None) -> list[str]:
    """Field names from names or slugs (comma-separated or a list); None = every field."""
    f = kn.fields
    if field is None:
        return f["field"].tolist()
    items = [x.strip() for part in ([field] if isinstance(field, str) else field) for x in str(part).split(",") if x.strip()]
    lookup = {**{s: n for s, n in zip(f["slug"], f["field"])}, **{n.lower(): n for n in f["field"]}}
    out = []
    for item in items:
        name = lookup.get(item.lower()) or lookup.get(item.lower().replace(" ", "-"))
        if name is None:
            raise InputError(f"unknown field '{item}'; give one of {', '.join(f['slug'])}")
        out.append(name)
    if not out:
        raise InputError(f"no field given; give one of {', '.join(f['slug'])}")
    return list(dict.fromkeys(out))


def table_for(ctx: Context, kn: Knowledge, codes: list[str], fields: list[str]) -> pd.DataFrame:
    """Enriched rows of ``codes`` in ``fields`` (every year), in :data:`COLUMNS` order."""
    tol, strong, years = settings(ctx)
    full = pos.enrich(kn.table[kn.table["field"].isin(fields) | (kn.table["indicator"] == "patent_families")],
                      tol, strong, years, codes)
    full["group_share"] = pos.group_share(full, codes) if len(codes) > 1 else float("nan")
    out = full[full["code"].isin(codes) & full["field"].isin(fields)].copy()
    out["name"] = out["code"].map({c: kn.name(c) for c in out["code"].unique()})
    order = {c: i for i, c in enumerate(codes)}
    forder = {f: i for i, f in enumerate(kn.fields["field"])}
    out = out.assign(_f=out["field"].map(forder), _c=out["code"].map(order)).sort_values(["_f", "_c", "year"])
    return out[COLUMNS].reset_index(drop=True)


def latest(table: pd.DataFrame, year: int | None) -> pd.DataFrame:
    """Per (geography, field): the row of ``year``, or of the latest year <= it with a value."""
    t = table[table["value"].notna()]
    if year is not None:
        t = t[t["year"] <= year]
    return t.sort_values("year").groupby(["code", "field"], sort=False).tail(1).sort_index()


def knowledge(ctx: Context, country: str, field: str | list[str] | None = None,
              compare: str | list[str] | None = None, year: int | None = None) -> Result:
    """The knowledge position of ``country`` (and ``compare``) per field and year (see the module doc)."""
    kn = load(ctx)
    code = resolve_geo(kn, country)
    comp = [x for part in ([compare] if isinstance(compare, str) else compare or []) for x in str(part).split(",") if x.strip()]
    codes = list(dict.fromkeys([code] + [resolve_geo(kn, c, "compared geography") for c in comp]))
    fields = resolve_fields(kn, field)
    years = sorted(kn.table["year"].unique())
    if year is not None and not years[0] <= int(year):
        raise InputError(f"year {year} is before the NCSES data ({years[0]}-{years[-1]}); choose a year from {years[0]}")
    table = table_for(ctx, kn, codes, fields)
    table["latest"] = table.index.isin(latest(table, year).index)
    p = kn.provenance
    meta = ctx.meta(analysis="knowledge", country=code, country_name=kn.name(code), compare=codes[1:],
                    fields=fields, view_year=year, rows=len(table), **rules(ctx), **kn.meta(),
                    source=f"{p['source']}", licence=p["licence"], citation=p["citation"],
                    dataset=p["release"], data_version=p["release"], data_years=p["years"],
                    hs_revision="", data_note="", embedded_data=kn.embedded)
    return Result(table, meta)
