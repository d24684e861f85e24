"""The engine: indicators as backend-neutral Ibis expressions, and the backend.

Only this package knows which backend runs the expressions (DuckDB embedded by
default; any Ibis backend such as PySpark can be passed in).
"""

from geomon.engine.backend import Engine, default_engine

__all__ = ["Engine", "default_engine"]
