"""Event: what happened to the trade a case affected.

For the case's store codes with data (:func:`registry.store_codes`), per year from
``coercion.pre_years`` years before the start year to the last data year:

- the affected flow: coercer -> target for export measures (coercer -> every other economy
  when the target is WORLD), target -> coercer for import measures (the coercer's purchases);
- with ``reporter``: coercer -> reporter (export measures); for import measures reporter -> coercer,
  or target -> reporter when the reporter is the coercer or one of its bloc's members (its own
  purchases from the target, e.g. NLD's coal from Russia under the EU ban).

Each series: value (USD), quantity (t, null when a flow lacks it) and the change against the
pre-case average: change = value(y) / mean(value over the pre-case years) - 1, the pre-case
years being the ``pre_years`` years before the start year that are in the data (a year without
flows counts as 0).

Replacement suppliers of the affected buyer (the target of an export measure, the coercer of an
import measure; the world's importers for WORLD): every other exporter of the codes to that buyer,
value in the pre-case average and in the last data year and the change between them, ordered by
that change; for WORLD, the other exporters' exports to all economies except the coercer.
With ``reporter`` the same for the reporter's other suppliers (export measures).

Every flow used goes into the buyers above, so only those are read (:mod:`.flows`); :func:`plan`
checks a case, :func:`events` reads the flows of many plans in one query (the report's events).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd

from geomon.analyses.coercion.flows import case_flows, economy_sums, without_flows
from geomon.analyses.coercion.registry import case_codes, get_case, store_codes
from geomon.analyses.context import Context
from geomon.analyses.results import TablesResult
from geomon.countries import Economy
from geomon.errors import DataError
from geomon.sources.cases import WORLD

SERIES_COLUMNS = ["series", "exporter", "importer", "year", "value_usd", "quantity_t", "pre_case_average_usd",
                  "change_vs_pre"]
REPLACEMENT_COLUMNS = ["buyer", "supplier", "supplier_name", "pre_case_average_usd", "last_year_usd", "change_usd",
                       "share_pre", "share_last"]


def _series(flows: pd.DataFrame, exporter: str, importer: str, years: list[int], pre: list[int]) -> pd.DataFrame:
    sel = flows[flows["exporter"] == exporter]
    sel = sel[sel["importer"] != exporter] if importer == WORLD else sel[sel["importer"] == importer]
    # one grouped sum: a year's quantity is known when none of its flows lacks one (no flows: known)
    g = sel[["year", "value", "quantity"]].assign(unknown=~sel["quantity_known"].to_numpy(dtype=bool))
    g = g.groupby("year").sum().reindex(years)
    value = g["value"].fillna(0.0)
    avg = float(value.loc[pre].mean()) if pre else float("nan")
    known = g["unknown"].fillna(0).to_numpy() == 0
    qty = g["quantity"].where(known).where(g["value"].notna(), 0.0)  # no flows: 0 t; a missing quantity: null
    return pd.DataFrame({"series": f"{exporter} -> {importer}", "exporter": exporter, "importer": importer, "year": years,
                         "value_usd": value.to_numpy(), "quantity_t": qty.to_numpy(dtype=float),
                         "pre_case_average_usd": avg,
                         "change_vs_pre": (value / avg - 1).to_numpy() if avg > 0 else float("nan")})


def _replacements(ctx: Context, flows: pd.DataFrame, coercer: str, buyer: str, pre: list[int],
                  last: int) -> pd.DataFrame:
    sel = flows[flows["exporter"] != coercer]
    sel = sel[sel["importer"] != coercer] if buyer == WORLD else sel[sel["importer"] == buyer]
    by = sel.groupby(["exporter", "year"])["value"].sum().unstack(fill_value=0.0)
    pre_avg = by.reindex(columns=pre, fill_value=0.0).mean(axis=1) if pre else by.iloc[:, :0].sum(axis=1)
    last_v = by[last] if last in by.columns else pre_avg * 0
    out = pd.DataFrame({"buyer": buyer, "supplier": by.index, "supplier_name": [ctx.names.get(s, s) for s in by.index],
                        "pre_case_average_usd": pre_avg.to_numpy(), "last_year_usd": last_v.to_numpy()})
    out["change_usd"] = out["last_year_usd"] - out["pre_case_average_usd"]
    tot_pre = flows_total(flows, coercer, buyer, pre, include_coercer=True)
    tot_last = flows_total(flows, coercer, buyer, [last], include_coercer=True)
    out["share_pre"] = out["pre_case_average_usd"] / tot_pre if tot_pre > 0 else float("nan")
    out["share_last"] = out["last_year_usd"] / tot_last if tot_last > 0 else float("nan")
    out = out[(out["pre_case_average_usd"] > 0) | (out["last_year_usd"] > 0)]
    return out.sort_values(["change_usd", "supplier"], ascending=[False, True]).reset_index(drop=True)[REPLACEMENT_COLUMNS]


def flows_total(flows: pd.DataFrame, coercer: str, buyer: str, years: list[int], include_coercer: bool) -> float:
    """The buyer's purchases of the codes (average over ``years``), the coercer's included or not."""
    sel = flows[flows["year"].isin(years)]
    sel = sel[sel["importer"] != coercer] if buyer == WORLD else sel[sel["importer"] == buyer]
    if not include_coercer:
        sel = sel[sel["exporter"] != coercer]
    return float(sel["value"].sum()) / max(len(years), 1)


@dataclass(frozen=True, eq=False)
class Plan:
    """What one event reads, checked before any flow is read (:func:`plan`)."""

    case: pd.Series
    codes_table: pd.DataFrame
    codes: list[str]
    coercer: Economy
    target: Economy | None
    reporter: Economy | None
    years: list[int]
    pre: list[int]

    @property
    def exports(self) -> bool:
        return self.case["direction"] == "exports"

    @property
    def tgt(self) -> str:
        return WORLD if self.target is None else self.target.name

    @property
    def inside(self) -> bool:
        """The reporter is the coercer or one of its bloc's members."""
        return self.reporter is not None and set(self.reporter.members) <= set(self.coercer.members)

    @property
    def importers(self) -> list[Economy] | None:
        """The importers of every flow the event uses (None: every importer, for an export measure
        against WORLD): the buyer of the affected flow and, with a reporter, of its series."""
        if self.exports:
            return None if self.target is None else [self.target] + ([self.reporter] if self.reporter else [])
        return [self.coercer] + ([self.reporter] if self.inside else [])


def plan(ctx: Context, case_id: str, reporter: str | Economy | None = None) -> Plan:
    """The checked :class:`Plan` of ``case_id``'s event; DataError when the case has no codes with
    data in the store or starts after its last year."""
    case = get_case(ctx, case_id)
    codes_table = case_codes(ctx, case)
    codes = store_codes(ctx, case)
    if not codes:
        given = [f"{r.revision}:{r.code}" for r in codes_table.itertuples() if r.code]
        listed = (", ".join(given[:8]) + (f" ... ({len(given)} codes)" if len(given) > 8 else "")) or "none"
        raise DataError(f"case {case['case_id']} has no codes with data in the store {ctx.dataset.id} (case codes: "
                        f"{listed}); ingest a full BACI release with 'geomon ingest baci PATH'")
    rep = ctx.economy(reporter) if reporter else None
    coercer = ctx.economy(case["coercer"], role="coercer")
    target = None if case["target"] == WORLD else ctx.economy(case["target"], role="target")
    years_all = ctx.dataset.years
    start = int(case["start_year"])
    pre_n = int(ctx.config["coercion.pre_years"])
    years = [y for y in years_all if start - pre_n <= y]
    if not years:
        raise DataError(f"case {case['case_id']} starts in {start}, after the store's last year {years_all[-1]}")
    return Plan(case, codes_table, codes, coercer, target, rep, years, [y for y in years if y < start])


def event(ctx: Context, case_id: str, reporter: str | Economy | None = None) -> TablesResult:
    """The event of ``case_id`` (see the module docstring): main table ``series``, summaries
    ``replacements`` and ``codes`` (how each case code matched the store)."""
    return events(ctx, [plan(ctx, case_id, reporter)])[0]


def events(ctx: Context, plans: list[Plan]) -> list[TablesResult]:
    """The events of ``plans``, their flows read in one query (:func:`case_flows`)."""
    return [_event(ctx, p, flows) for p, flows in zip(plans, case_flows(ctx, plans))]


def _economy_sums(ctx: Context, code_flows: pd.DataFrame) -> Callable[[list[Economy | None]], pd.DataFrame]:
    """:func:`economy_sums` of ``code_flows`` for a list of economies, summed once per set of blocs
    among them (without a bloc every list maps the codes alike: one sum serves the whole event)."""
    done: dict[tuple[str, ...], pd.DataFrame] = {}

    def sums(economies: list[Economy | None]) -> pd.DataFrame:
        key = tuple(sorted(e.name for e in economies if e is not None and e.is_bloc))
        if key not in done:
            done[key] = economy_sums(ctx, code_flows, economies)
        return done[key]

    return sums


def _event(ctx: Context, p: Plan, code_flows: pd.DataFrame) -> TablesResult:
    """The event of ``p`` from its flows per BACI code pair (see the module docstring)."""
    case, coercer, rep, tgt, years, pre = p.case, p.coercer, p.reporter, p.tgt, p.years, p.pre
    exports = p.exports
    sums = _economy_sums(ctx, code_flows)
    flows = sums([coercer, p.target])
    parts = [_series(flows, *((coercer.name, tgt) if exports else (tgt, coercer.name)), years, pre)]
    if rep is not None:
        pair = (coercer.name, rep.name) if exports else (tgt, rep.name) if p.inside else (rep.name, coercer.name)
        rep_flows = sums([rep, p.target] if p.inside else [coercer, rep])
        parts.append(_series(rep_flows, *pair, years, pre))
    series = pd.concat(parts, ignore_index=True)
    last = years[-1]
    buyer = tgt if exports else coercer.name
    repl = [_replacements(ctx, flows, coercer.name if exports else tgt, buyer, pre, last)]
    if rep is not None and exports:
        repl.append(_replacements(ctx, sums([coercer, rep]), coercer.name, rep.name, pre, last))
    not_in = sorted({f"{r.revision}:{r.code}" for r in p.codes_table.itertuples() if r.code and not r.in_data})
    meta = ctx.meta(analysis="coercion_event", case_id=case["case_id"], coercer=coercer.name, target=tgt,
                    reporter=rep.name if rep else None, direction=case["direction"], instrument=case["instrument"],
                    start=case["start"], end=case["end"], pre_case_years=pre, years=f"{years[0]}-{last}",
                    store_codes=p.codes, codes_not_in_data=not_in,
                    codes_without_flows_in_years=without_flows(ctx, p.codes, years), trigger=case["trigger"],
                    sources=case["sources"], uncertain=case["uncertain"], note=case["note"])
    codes_out = p.codes_table.assign(**{c: p.codes_table[c].map(" ".join) for c in ("store_codes", "in_data", "not_used_nn")})
    return TablesResult(series, meta, summaries={"replacements": pd.concat(repl, ignore_index=True), "codes": codes_out},
                        main="series")
