"""geomon: a geo-economic monitor of strategic trade dependencies.

The Python API (the CLI only wraps it)::

    import geomon
    res = geomon.screen("NLD", 2022)          # Result(table=DataFrame, meta=dict)
    res.table[res.table.dependent]
"""

from geomon._version import __version__  # noqa: F401

from geomon.api import *  # noqa: E402,F401,F403
from geomon.api import __all__  # noqa: E402,F401
