"""The report's sections from the monitor's other parts (coercion, knowledge, infrastructure ...).

Each part registers one builder in :data:`BUILDERS`: ``builder(ctx, econ, year, products)``
returns a :class:`PartSection` (named tables plus metadata) or None when the part has nothing
to say for that reporter and year; ``econ`` is the report's reporter, resolved once (an
:class:`~geomon.countries.Economy`; ``ctx.economy(econ)`` returns it as is), ``products`` the
report's tiered product table (screening columns plus ``tier``). A :class:`~geomon.errors.GeomonError` from a builder
leaves the section out and its message goes to the report's notes, as for the supply
sections. Renderers live in :mod:`geomon.outputs.report.parts` under the same name.
"""

from __future__ import annotations

from typing import Callable

import pandas as pd

from geomon.analyses.context import Context, Job, Worker
from geomon.analyses.results import PartSection
from geomon.countries import Economy
from geomon.errors import GeomonError


Builder = Callable[[Context, Economy, int, pd.DataFrame], "PartSection | None"]

#: (part name, builder), in the order the sections appear in the report.
BUILDERS: list[tuple[str, Builder]] = []


#: The order the parts are handed to the report's second thread: costliest first (at full scale,
#: 2026-12-01: coercion about 1.3 s, infrastructure 0.4, knowledge 0.3); a part not named goes last.
COST_ORDER = ["coercion", "infrastructure", "knowledge"]


#: Flows a part will read, asked before the report starts so that the context reads them in one
#: scan with the reporter's own (:meth:`Context.hold_flows`): ``reads(ctx, econ, year)`` ->
#: [(side, BACI codes, years)].
READS: list[Callable[[Context, Economy, int], list[tuple[str, list[int], list[int]]]]] = []


def part_reads(ctx: Context, econ: Economy, year: int) -> list[tuple[str, list[int], list[int]]]:
    """Every registered part's :data:`READS` for ``econ`` and ``year``."""
    return [r for reads in READS for r in reads(ctx, econ, year)]


def _built(ctx: Context, name: str, builder: Builder, econ: Economy, year: int,
           products: pd.DataFrame) -> tuple[str, PartSection | None, str | None]:
    """(name, the part's section or None, why it was left out or None)."""
    try:
        return name, builder(ctx, econ, year, products), None
    except GeomonError as exc:
        return name, None, str(exc)


def submit_parts(worker: Worker, econ: Economy, year: int, products: pd.DataFrame) -> list[Job]:
    """Hand every registered part's builder to ``worker`` (a second thread, see
    :func:`~geomon.analyses.context.beside`), the costliest first (:data:`COST_ORDER`), each with
    its own copy of ``products``; :func:`parts_built` collects them."""
    rank = {n: i for i, n in enumerate(COST_ORDER)}
    ordered = sorted(BUILDERS, key=lambda nb: rank.get(nb[0], len(rank)))
    return [worker.submit(_built, name, builder, econ, year, products.copy()) for name, builder in ordered]


def parts_built(jobs: list[Job]) -> tuple[dict[str, PartSection], dict[str, str]]:
    """The sections of :func:`submit_parts`' jobs in the report's order (:data:`BUILDERS`), and why
    a part was left out (name -> message). The jobs are asked for from the last handed in: the
    caller builds those the worker has not started (:meth:`Job.result`) while it finishes its own."""
    done = {name: (section, note) for name, section, note in (job.result() for job in reversed(jobs))}
    sections = {n: done[n][0] for n, _ in BUILDERS if done[n][0] is not None}
    notes = {n: done[n][1] for n, _ in BUILDERS if done[n][1] is not None}
    return sections, notes


# issue 13: infrastructure nodes (imported here, after PartSection exists: the builder module uses it)
from geomon.analyses.infrastructure.report import build as _infrastructure  # noqa: E402
BUILDERS.append(("infrastructure", _infrastructure))


# issue 12: knowledge position (imported here, after PartSection exists: the builder module uses it)
from geomon.analyses.knowledge.report import build as _knowledge  # noqa: E402
BUILDERS.append(("knowledge", _knowledge))


# issue 11: economic coercion and export controls (imported here, after PartSection exists)
from geomon.analyses.coercion.report import build as _coercion, reads as _coercion_reads  # noqa: E402
BUILDERS.append(("coercion", _coercion))
READS.append(_coercion_reads)
