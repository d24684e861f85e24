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

from geomon.analyses.context import Context
from geomon.analyses.results import PartSection
from geomon.countries import Economy
from geomon.errors import GeomonError


Builder = Callable[[Context, Economy, int, pd.DataFrame], "PartSection | None"]

#: (part name, builder), in the order the sections appear in the report.
BUILDERS: list[tuple[str, Builder]] = []


#: Flows a part will read, asked before the report starts so that the context reads them in one
#: scan with the reporter's own (:meth:`Context.hold_flows`): ``reads(ctx, econ, year)`` ->
#: [(side, BACI codes, years)].
READS: list[Callable[[Context, Economy, int], list[tuple[str, list[int], list[int]]]]] = []


def part_reads(ctx: Context, econ: Economy, year: int) -> list[tuple[str, list[int], list[int]]]:
    """Every registered part's :data:`READS` for ``econ`` and ``year``."""
    return [r for reads in READS for r in reads(ctx, econ, year)]


def build_parts(ctx: Context, econ: Economy, year: int, products: pd.DataFrame) -> tuple[dict[str, PartSection], dict[str, str]]:
    """Every registered part's section for ``econ``, and why a part was left out (name -> message)."""
    sections: dict[str, PartSection] = {}
    notes: dict[str, str] = {}
    for name, builder in BUILDERS:
        try:
            section = builder(ctx, econ, year, products)
        except GeomonError as exc:
            notes[name] = str(exc)
            continue
        if section is not None:
            sections[name] = section
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
