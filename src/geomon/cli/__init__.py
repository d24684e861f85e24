"""The ``geomon`` command: a thin layer over :mod:`geomon.api`.

Each command lives in its own module and registers itself on :data:`app`.
"""

from geomon.cli.app import app
from geomon.cli import core  # noqa: F401  (registers ingest, screen, suppliers, leverage, settings, data)
from geomon.cli import tiers as _tiers  # noqa: F401  (registers tiers, groups)
from geomon.cli import trends, edition  # noqa: F401,E401  (registers trends; edition save/list/show/diff)
from geomon.cli import supply as _supply  # noqa: F401  (registers production, chain, risk, scenario)
from geomon.cli import alternatives as _alternatives  # noqa: F401  (registers alternatives)
from geomon.cli import report as _report  # noqa: F401  (registers report)
from geomon.cli import knowledge as _knowledge  # noqa: F401  (registers knowledge, ingest ncses)
from geomon.cli import infrastructure as _infrastructure  # noqa: F401  (registers infrastructure, ingest smdg/cgit)
from geomon.cli import coercion as _coercion  # noqa: F401  (registers coercion cases/exposure/event)
from geomon.cli import sources as _sources  # noqa: F401  (registers ingest comext/comtrade, sources, compare-sources, trends-monthly)


def main() -> None:
    app()
