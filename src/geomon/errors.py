"""Domain errors.

Every error a user can cause is a :class:`GeomonError` whose message is one line
that names the bad value and what is allowed. The CLI prints that line and exits
non-zero; the Python API lets it propagate.
"""

from __future__ import annotations


class GeomonError(Exception):
    """Base class: a one-line, user-facing message."""

    exit_code = 2

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class InputError(GeomonError):
    """A value given by the user is not allowed (reporter, year, threshold, ...)."""


class DataError(GeomonError):
    """A data file or store cannot be read or is malformed."""


class ConfigError(GeomonError):
    """A configuration file or setting is invalid."""


class OutputError(GeomonError):
    """An output cannot be written."""


class GeomonWarning(UserWarning):
    """An input that changes nothing (or not what it seems to): one line naming it. The CLI
    prints it as 'warning: ...' on stderr; the Python API issues it as a normal warning."""


def warn(message: str) -> None:
    """Issue a :class:`GeomonWarning` (one line)."""
    import warnings

    warnings.warn(" ".join(message.split()), GeomonWarning, stacklevel=2)


def choices(values, limit: int = 12) -> str:
    """Render allowed values for an error message, shortened when long."""
    values = [str(v) for v in values]
    if len(values) <= limit:
        return ", ".join(values)
    return ", ".join(values[:limit]) + f", ... ({len(values)} in all)"


#: What DuckDB 2.0 raises when Ctrl-C (SIGINT) stopped a statement: a plain RuntimeError with this
#: text (a statement stopped by ``connection.interrupt()`` raises ``duckdb.InterruptException``).
DUCKDB_INTERRUPTED = "Query interrupted"


def is_interrupt(exc: BaseException) -> bool:
    """Whether ``exc`` is Ctrl-C: KeyboardInterrupt, or DuckDB's statement stopped by it (either
    form above; told by name so that this module needs no DuckDB)."""
    return (isinstance(exc, KeyboardInterrupt) or type(exc).__name__ == "InterruptException"
            or (type(exc) is RuntimeError and str(exc) == DUCKDB_INTERRUPTED))
