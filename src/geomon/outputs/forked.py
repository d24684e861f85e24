"""Run a writer in a forked child process, beside the parent's own work (Linux).

Two writers in threads share one interpreter lock: only zlib and file I/O overlap. A forked child
has the parent's memory as it is (copy on write, nothing pickled) and its own interpreter, so the
report's page and workbook are written on two cores at once. :func:`start` forks, runs
``fn(*args)`` in the child and returns a function that waits for the child and raises its error
in the parent (the exception itself when it pickles, else an :class:`OutputError` naming it).

The child touches nothing it did not make: the cyclic garbage collector is off (it would run
finalizers of the parent's objects, e.g. DuckDB connections whose locks other threads may hold),
it prints nothing, and it ends with ``os._exit`` (no atexit handlers, no flushing of the parent's
buffers). Where fork is not available (:data:`AVAILABLE` False) callers use a thread.
"""

from __future__ import annotations

import gc
import os
import pickle
import signal
import sys
import warnings
from typing import Any, Callable

from geomon.errors import OutputError

#: Fork is used only on Linux (macOS' system frameworks are not fork-safe; Windows has none).
AVAILABLE = sys.platform.startswith("linux") and hasattr(os, "fork")


def _error_bytes(exc: BaseException) -> bytes:
    """``exc`` pickled, or an OutputError with its type and message when it does not pickle."""
    try:
        return pickle.dumps(exc)
    except Exception:  # noqa: BLE001 - any unpicklable exception is reported by name
        return pickle.dumps(OutputError(f"{type(exc).__name__}: {exc}"))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(fn: Callable[..., Any], args: tuple, read: int, write: int) -> None:
    """In the child: ``fn(*args)``, then exit 0, or hand its exception to the parent and exit 1."""
    gc.disable()
    os.close(read)
    try:
        fn(*args)
    except BaseException as exc:  # noqa: BLE001 - handed to the parent
        _write_all(write, _error_bytes(exc))
        os._exit(1)
    os._exit(0)


def start(fn: Callable[..., Any], *args: Any) -> Callable[[bool], None]:
    """Fork; the child runs ``fn(*args)`` and exits (0 on success). Returns ``wait(cancel=False)``:
    waits for the child (with ``cancel``, stops it first) and raises the child's exception, or an
    OutputError if it ended without one (killed, crashed). Raises OSError when it cannot fork."""
    read, write = os.pipe()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})  # none before the try below
    with warnings.catch_warnings():  # Python 3.12+ warns of fork in a threaded process: see the module's notes
        warnings.filterwarnings("ignore", r".*fork\(\) may lead to deadlocks", DeprecationWarning)
        try:
            pid = os.fork()
        except OSError:  # no process to be had: the caller writes in a thread instead
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            os.close(read)
            os.close(write)
            raise
    if pid == 0:  # the child: never returns into the caller's code (its files, its renames)
        try:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            _child(fn, args, read, write)
        finally:
            os._exit(1)
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)
    os.close(write)

    def wait(cancel: bool = False) -> None:
        if cancel:
            os.kill(pid, signal.SIGTERM)
        with os.fdopen(read, "rb") as pipe:
            message = pipe.read()
        _, status = os.waitpid(pid, 0)
        if cancel:
            return
        if message:
            raise pickle.loads(message)
        if os.waitstatus_to_exitcode(status) != 0:
            raise OutputError(f"the writer process stopped ({os.waitstatus_to_exitcode(status)}); "
                              "run again, or write one format at a time")

    return wait
