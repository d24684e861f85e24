"""Ctrl-C during a query: the engine raises KeyboardInterrupt, whatever DuckDB raised.

DuckDB 2.0 stops a statement on SIGINT (or ``Engine.interrupt``) and raises a plain
``RuntimeError('Query interrupted')`` from a relation's result (``duckdb.InterruptException``
from ``execute``). Before the engine turned both into KeyboardInterrupt, Ctrl-C during
``geomon report`` printed a traceback and exited 1 instead of "interrupted; nothing was written"
and 130.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from geomon.engine import Engine
from geomon.store import interruptible

#: About half a minute of work on two cores unless interrupted.
LONG = "SELECT sum(a.range * b.range) AS s FROM range(10000) a, range(1000000) b"


def _long(engine: Engine):
    engine.con.raw_sql(f"CREATE OR REPLACE VIEW geomon_long AS {LONG}")
    return engine.con.table("geomon_long")


@pytest.mark.parametrize("how", ["execute", "to_arrow", "to_pandas"])
def test_an_interrupted_query_raises_keyboard_interrupt(how):
    engine = Engine()
    expr = _long(engine)
    timer = threading.Timer(1.0, engine.interrupt)
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            getattr(engine, how)(expr)
    finally:
        timer.cancel()


def test_other_runtime_errors_pass_through():
    with pytest.raises(RuntimeError, match="something else"):
        with interruptible():
            raise RuntimeError("something else")


def test_ctrl_c_during_a_query_is_a_keyboard_interrupt(tmp_path):
    """A real SIGINT, in a child process (as at a terminal: Python's default handler)."""
    script = tmp_path / "child.py"
    script.write_text(textwrap.dedent(f"""
        import os, signal, threading
        signal.signal(signal.SIGINT, signal.default_int_handler)
        from geomon.engine import Engine
        engine = Engine()
        engine.con.raw_sql("CREATE VIEW geomon_long AS " + {LONG!r})
        expr = engine.con.table("geomon_long")
        print("ready", flush=True)
        try:
            engine.to_arrow(expr)
            print("finished")
        except KeyboardInterrupt:
            print("KeyboardInterrupt")
    """))
    child = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert child.stdout.readline().strip() == "ready"
    time.sleep(1.0)  # the query is running
    child.send_signal(2)
    out, err = child.communicate(timeout=120)
    assert out.strip() == "KeyboardInterrupt", err[-2000:]
    assert "Traceback" not in err
