"""Supply-stop scenarios: what if some suppliers stop delivering to the reporter?

For reporter r, stopping suppliers S, year y and product (or chain stage) p, with
v(s, r) the value of r's imports from s and V(r) = sum_s v(s, r):

- imports at risk          A = sum_{s in S} v(s, r) (and the same in tonnes)
- at-risk share            A / V(r), in [0, 1]
- alternatives             every exporter e not in S and not r, ranked by its exports
                           to the rest of the world X_rest(e) = sum_{r' != r} v(e, r')
- covering share           min(1, sum_e X_rest(e) / A): the share of the lost imports the
                           other exporters could replace from their current exports
                           (undefined when nothing is at risk); also in tonnes where
                           the quantities are known; an upper bound (see below)

World shortage (a dominant supplier's stop hits every importer, who then compete):
with W the world exports of p (all economy flows) and X_S the stopped suppliers'
exports to everyone,

- world shortfall share    sigma = X_S / W
- rule                     the remaining exports W - X_S are shared among all importers
                           in proportion to their demand (their current imports M_i, which
                           sum to W): importer i keeps M_i (1 - sigma)
- expected shortfall       sigma x V(r) in USD, sigma as a share of r's imports
- shortage covering share  1 - min(1, sigma V(r) / A): the share of the lost imports r
                           gets back under that rule (beside the bilateral upper bound)

Assumptions (stated in every output): no new capacity (alternatives can only
redirect what they export today); trade patterns of the year as recorded (BACI,
country of consignment); no price response, no stocks, no substitution between
products; all of an alternative's exports to third countries could go to the
reporter, and other importers who also lose the stopped supply do not compete for
them, so the covering share is an upper bound.

The sums come from the stored statistics and the reporter's own flows where the store has
them (:mod:`geomon.analyses.supply.scenario_inputs`), else from every flow: same numbers.
"""

from __future__ import annotations

from typing import Sequence

import ibis
import pandas as pd

from geomon.analyses.supply import reference as ref
from geomon.analyses.supply.scenario_inputs import Setup, inputs
from geomon.analyses.context import Context, Result
from geomon.countries import Economy
from geomon.engine import indicators as ind
from geomon.engine import supply
from geomon.errors import InputError, choices

ASSUMPTIONS = [
    "no new capacity: alternative suppliers can only redirect what they export today",
    "current trade patterns: flows of the chosen year as recorded by BACI (country of consignment)",
    "no price response, no stocks and no substitution between products",
    "all of an alternative's exports to other countries could go to the reporter, and other importers "
    "losing the same supply do not compete for them: the covering share is an upper bound",
    "world shortage: the stopped suppliers stop exporting to everyone; the remaining world exports are shared "
    "among all importers in proportion to their current imports (expected shortfall = world shortfall share x "
    "the reporter's imports)",
]
#: The rule of the world-shortage columns, stated in every scenario's metadata.
SHORTAGE_RULE = ("sigma = stopped suppliers' exports to all importers / world exports; every importer keeps "
                 "(1 - sigma) of its imports; expected_shortfall_usd = sigma x import_value_usd; "
                 "shortage_covering_share = 1 - min(1, expected_shortfall_usd / at_risk_value_usd)")

COLUMNS = [
    "reporter", "stopped", "year", "product", "description", "stage_order", "hs_codes", "import_value_usd",
    "import_tonnes", "at_risk_value_usd", "at_risk_tonnes", "at_risk_share", "remaining_value_usd",
    "alternative_supplier_count", "alternative_export_value_usd", "alternative_export_tonnes", "covering_share",
    "covering_share_tonnes", "uncovered_value_usd", "top_alternatives", "world_export_value_usd",
    "stopped_world_export_value_usd", "world_shortfall_share", "expected_shortfall_usd", "expected_shortfall_share",
    "shortage_covering_share", "note",
]
ALT_COLUMNS = [
    "reporter", "stopped", "year", "product", "description", "rank", "supplier", "supplier_name",
    "rest_of_world_export_value_usd", "rest_of_world_export_tonnes", "current_to_reporter_value_usd",
    "at_risk_value_usd", "multiple_of_at_risk", "cumulative_covering_share",
]


def _setup(ctx: Context, reporter: str, stop: str | Sequence[str], year: int | None,
           products: Sequence[str] | str | None, chain: str | None) -> Setup:
    econ = ctx.economy(reporter)
    year = ctx.check_year(year if year is not None else ctx.default_year())
    if products is not None and chain is not None:
        raise InputError("give products or a chain, not both")
    names = [s for part in ([stop] if isinstance(stop, str) else list(stop)) for s in str(part).split(",") if s.strip()]
    if not names:
        raise InputError(f"no stopping country given; name one or more suppliers of {econ.name}, e.g. CHN or CHN,RUS")
    stops = []
    for n in names:
        s = ctx.economy(n, role="stopping country")
        inside = set(s.members) & set(econ.members)
        if s.name == econ.name or inside:
            what = "is the reporter" if s.name == econ.name else f"is inside the reporter {econ.name}"
            raise InputError(f"stopping country {s.name} {what}; choose suppliers of {econ.name} in {year}: "
                             f"{choices(_supplier_names(ctx, econ, year), limit=15)}")
        if s.name not in {x.name for x in stops}:
            stops.append(s)
    groups, codes, ch = None, None, None
    if chain is not None:
        ch = ref.get_chain(ctx, chain)
        groups = pd.DataFrame([(c, st.id) for st in ch.stages for c in st.codes(ctx.dataset.hs)], columns=["product", "group"])
    elif products is not None:
        items = [p for part in ([products] if isinstance(products, str) else list(products)) for p in str(part).split(",") if p.strip()]
        if not items:
            raise InputError("no product given; give HS6 codes such as 283691,282520")
        codes = list(dict.fromkeys(ctx.check_product(p) for p in items))
    return Setup(econ, stops, year, groups, codes, ch)


def _supplier_names(ctx: Context, econ: Economy, year: int) -> list[str]:
    """The reporter's suppliers in ``year``, largest first (for error messages)."""
    f = ctx.flows.filter(ctx.flows.year == year)
    ef = ind.economy_flows(f, ctx.econ_table(econ))
    ef = ef.filter(ef.importer == econ.name)
    df = ctx.engine.execute(ef.group_by("exporter").aggregate(v=ef.value.sum()).order_by([ibis.desc("v"), "exporter"]))
    return df["exporter"].tolist()


def _keys(ctx: Context, s: Setup, found) -> list[tuple[str, str, int | None, list[str]]]:
    """(key, description, stage order, HS codes) per output row: chain stages, the products
    asked for, or every product the reporter imports (``found``)."""
    if s.chain is not None:
        return [(st.id, st.name, i, list(st.codes(ctx.dataset.hs))) for i, st in enumerate(s.chain.stages, start=1)]
    codes = s.codes if s.codes is not None else list(found)
    return [(c, ctx.descriptions.get(c, ""), None, [c]) for c in codes]


_COVERAGE = ("import_value_usd", "import_tonnes", "at_risk_value_usd", "at_risk_tonnes", "at_risk_share",
             "alternative_supplier_count", "alternative_export_value_usd", "alternative_export_tonnes",
             "covering_share", "covering_share_tonnes")
_SHORTAGE = ("world_export_value_usd", "stopped_world_export_value_usd", "world_shortfall_share")


def _row(s: Setup, c, w, notes: list[str], text: str) -> dict:
    """The numbers of one product (or stage) with imports: bilateral coverage ``c`` and the
    world shortage ``w`` (None when the product has no world exports)."""
    rec = {k: c[k] for k in _COVERAGE}
    rec["remaining_value_usd"] = c["import_value_usd"] - c["at_risk_value_usd"]
    if w is not None:
        rec.update({k: w[k] for k in _SHORTAGE})
        sigma = w["world_shortfall_share"]
        rec["expected_shortfall_usd"] = sigma * c["import_value_usd"]
        rec["expected_shortfall_share"] = sigma
    if c["at_risk_value_usd"] > 0:
        rec["uncovered_value_usd"] = c["at_risk_value_usd"] * (1.0 - c["covering_share"])
        rec["top_alternatives"] = text
        if w is not None:
            rec["shortage_covering_share"] = 1.0 - min(1.0, rec["expected_shortfall_usd"] / c["at_risk_value_usd"])
        if not c["at_risk_quantity_complete"]:
            notes.append("some at-risk quantities unknown: tonnes are a lower bound")
    else:
        notes.append(f"{s.stopped} supplied none of it to {s.econ.name} in {s.year}: nothing at risk")
    return rec


def scenario(ctx: Context, reporter: str, stop: str | Sequence[str], year: int | None = None,
             products: Sequence[str] | str | None = None, chain: str | None = None) -> Result:
    """Imports at risk when ``stop`` (one or more suppliers, e.g. ``"CHN,RUS"``) stops
    delivering to ``reporter`` in ``year``, with the alternatives' capacity to cover
    them (bilateral, an upper bound) and the world-shortage view (the stop hits every
    importer); per product (``products``, default every product the reporter imports) or
    per stage of ``chain``. Formulas and assumptions: see the module docstring."""
    s = _setup(ctx, reporter, stop, year, products, chain)
    stopped = [x.name for x in s.stops]
    exposure, alts, shortage = inputs(ctx, s)
    alts = ctx.engine.table(ctx.engine.to_arrow(alts))  # computed once for the two queries that read it
    cov = ctx.engine.execute(supply.coverage(exposure, alts)).set_index("product")
    world = ctx.engine.execute(shortage).set_index("product")
    top = ctx.engine.execute(supply.top_shares(alts, ["product"], "exporter", "rest_value_usd", ctx.config["supply.top_n"]))
    texts = ref.top_texts(top, ["product"], key="exporter")
    keys = _keys(ctx, s, cov.index)
    all_codes = sorted({c for k in keys for c in k[3]})
    asked = s.chain is not None or s.codes is not None
    present = ref.codes_with_flows(ctx, all_codes, [s.year])[s.year] if asked else set(all_codes)
    cov_rows, world_rows = cov.to_dict("index"), world.to_dict("index")  # dict look-ups, not .loc per row
    out = []
    for key, desc, order, codes in keys:
        rec = {"reporter": s.econ.name, "stopped": s.stopped, "year": s.year, "product": key, "description": desc,
               "stage_order": order, "hs_codes": ";".join(codes)}
        notes = [n for n in [ref.missing_codes_note(ctx, codes, present, s.year)] if n]
        if set(codes) & present:
            if key in cov_rows:
                rec.update(_row(s, cov_rows[key], world_rows.get(key), notes, texts.get(key, "")))
            else:
                rec.update(import_value_usd=0.0, at_risk_value_usd=0.0, remaining_value_usd=0.0)
                notes.append(f"{s.econ.name} imported none of it in {s.year}")
        rec["note"] = "; ".join(notes)
        out.append(rec)
    return Result(*_finish(ctx, s, out, stopped))


def _finish(ctx: Context, s: Setup, out: list[dict], stopped: list[str]) -> tuple[pd.DataFrame, dict]:
    """The table (typed, sorted by value at risk unless a chain) and its metadata."""
    df = pd.DataFrame(out).reindex(columns=COLUMNS)
    df["alternative_supplier_count"] = df["alternative_supplier_count"].astype("Int64")
    df["stage_order"] = df["stage_order"].astype("Int64")
    if s.chain is None:
        df = df.sort_values(["at_risk_value_usd", "import_value_usd", "product"], ascending=[False, False, True],
                            na_position="last").reset_index(drop=True)
    at_risk = float(df["at_risk_value_usd"].fillna(0).sum())
    view = f"chain {s.chain.name}" if s.chain is not None else ("products" if s.codes else "all imported products")
    meta = ctx.meta(analysis="scenario", reporter=s.econ.name, stopped=stopped, year=s.year, view=view,
                    chain=s.chain.name if s.chain is not None else "", assumptions=ASSUMPTIONS,
                    shortage_rule=SHORTAGE_RULE, rows=len(df), at_risk_value_usd=at_risk,
                    expected_shortfall_usd=float(df["expected_shortfall_usd"].fillna(0).sum()),
                    products_at_risk=int((df["at_risk_value_usd"].fillna(0) > 0).sum()))
    return df, meta


def scenario_alternatives(ctx: Context, reporter: str, stop: str | Sequence[str], year: int | None = None,
                          products: Sequence[str] | str | None = None, chain: str | None = None) -> Result:
    """The alternative suppliers of every product (or chain stage) with imports at
    risk, ranked by their exports to the rest of the world X_rest(e); with
    multiple_of_at_risk = X_rest(e) / A and cumulative_covering_share =
    min(1, running sum of X_rest / A)."""
    s = _setup(ctx, reporter, stop, year, products, chain)
    stopped = [x.name for x in s.stops]
    exposure, alts, _ = inputs(ctx, s)
    exposure = exposure.filter(exposure.at_risk_value_usd > 0).select("product", "at_risk_value_usd")
    alts = alts.filter(alts.rest_value_usd > 0)
    df = ctx.engine.execute(alts.join(exposure, "product"))
    df = df.sort_values(["product", "rest_value_usd", "exporter"], ascending=[True, False, True])
    df["rank"] = df.groupby("product").cumcount() + 1
    df["multiple_of_at_risk"] = df["rest_value_usd"] / df["at_risk_value_usd"]
    df["cumulative_covering_share"] = (df.groupby("product")["rest_value_usd"].cumsum() / df["at_risk_value_usd"]).clip(upper=1.0)
    if s.chain is not None:
        names = {st.id: st.name for st in s.chain.stages}
        df["description"] = df["product"].map(names)
    else:
        df["description"] = df["product"].map(ctx.descriptions).fillna("")
    df = df.rename(columns={"exporter": "supplier", "rest_value_usd": "rest_of_world_export_value_usd",
                            "rest_tonnes": "rest_of_world_export_tonnes",
                            "to_reporter_value_usd": "current_to_reporter_value_usd"})
    df["supplier_name"] = df["supplier"].map(ctx.names).fillna(df["supplier"])
    df["reporter"], df["stopped"], df["year"] = s.econ.name, s.stopped, s.year
    df = df.reindex(columns=ALT_COLUMNS).reset_index(drop=True)
    meta = ctx.meta(analysis="scenario_alternatives", reporter=s.econ.name, stopped=stopped, year=s.year,
                    chain=s.chain.name if s.chain is not None else "", assumptions=ASSUMPTIONS, rows=len(df))
    return Result(df, meta)
