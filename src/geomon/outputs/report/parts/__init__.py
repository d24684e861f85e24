"""Renderers of the report sections of the monitor's other parts.

A part named ``NAME`` (see :mod:`geomon.analyses.report_parts`) has:

- a module here registered in :data:`RENDERERS` with
  ``LABELS = part_file_labels("NAME")`` (:func:`geomon.outputs.report.labels.part_file_labels`:
  language -> key -> text from ``templates/parts/NAME.labels.toml``, one table per key with a
  text per language; keys prefixed ``NAME_``; ``NAME_nav`` is the navigation link) and
  ``charts(section, L, validate) -> dict[element id, Vega-Lite spec]``;
- a template ``templates/parts/NAME.html.j2``, included in the page inside
  ``<section id="NAME">`` with ``part`` (the :class:`PartSection`), ``L`` (all labels,
  the part's merged in), ``F`` and the page's filters and macros-free helpers;
- its tables as workbook sheets ``NAME_TABLE`` (written by the workbook renderer).
"""

from __future__ import annotations

from types import ModuleType

#: part name -> renderer module (LABELS, charts)
RENDERERS: dict[str, ModuleType] = {}


def part_labels(lang: str) -> dict[str, str]:
    """The labels of every registered part in ``lang``."""
    out: dict[str, str] = {}
    for mod in RENDERERS.values():
        out.update(mod.LABELS[lang])
    return out


# issue 13: infrastructure nodes
from geomon.outputs.report.parts import infrastructure as _infrastructure  # noqa: E402
RENDERERS["infrastructure"] = _infrastructure


# issue 12: knowledge position
from geomon.outputs.report.parts import knowledge as _knowledge  # noqa: E402
RENDERERS["knowledge"] = _knowledge


# issue 11: economic coercion and export controls
from geomon.outputs.report.parts import coercion as _coercion  # noqa: E402
RENDERERS["coercion"] = _coercion
