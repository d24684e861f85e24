"""A second thread for the report (issue 15): ``Context.worker`` and ``beside`` on the embedded data.

The report's supply sections run in a worker thread on a DuckDB connection of their own
(``Engine.worker``: a cursor of the engine's in-memory database) while the main thread screens
and classifies. What is checked here: the worker sees the same data (dataset views shared both
ways, held flows shared), the report is the same with and without the worker, the worker's
error reaches the caller, a failing block interrupts the worker's statement, and an engine over
a database the caller passed in gets no worker (everything then runs in one thread).
"""

from __future__ import annotations

import copy
import threading
import time

import duckdb
import ibis
import pandas as pd
import pytest

from geomon.analyses.context import Context, beside, importer_codes, open_context
from geomon.engine import Engine


@pytest.fixture
def own(ctx):
    """A context on the embedded data with an engine (and in-memory database) of its own."""
    return open_context(store=ctx.store, engine=Engine())


def _count(engine: Engine, table) -> int:
    return int(engine.execute(table.aggregate(n=table.count()))["n"].iloc[0])


def test_the_worker_sees_the_same_data_both_ways(own):
    twin = own.worker()
    try:
        assert twin is not None and twin.engine is not own.engine and twin.store is own.store
        flows = own.flows  # a dataset view made by the parent's engine ...
        assert _count(twin.engine, flows) == _count(own.engine, flows) > 100_000
        world = twin.engine.stats(twin.dataset, "world")  # ... and one made by the worker's
        assert _count(own.engine, world) == _count(twin.engine, world) > 1000
        codes = importer_codes(own, [own.economy("NLD")])
        own.hold_flows([("importer", codes, [2022])])
        assert twin._held is own._held  # held flows are read once, for both threads
    finally:
        twin.engine.close()


def test_beside_runs_in_another_thread_and_returns_its_result(own):
    seen = {}

    def job(c: Context, iso3: str):
        seen["thread"], seen["engine"] = threading.current_thread(), c.engine
        return c.economy(iso3).name

    with beside(own, job, "NLD") as result:
        assert result() == "NLD"
    assert seen["thread"] is not threading.current_thread() and seen["engine"] is not own.engine


def test_the_workers_error_reaches_the_caller(own):
    def job(c: Context):
        raise ValueError("bad in the worker")

    with pytest.raises(ValueError, match="bad in the worker"):
        with beside(own, job) as result:
            result()


def test_a_failing_block_interrupts_the_workers_statement(own):
    started, outcome = threading.Event(), []

    def job(c: Context):
        started.set()
        try:  # tens of seconds of work unless interrupted
            c.engine.con.raw_sql("SELECT sum(a.range * b.range) FROM range(30000) a, range(1000000) b").fetchall()
            outcome.append("finished")
        except duckdb.InterruptException:
            outcome.append("interrupted")

    with pytest.raises(RuntimeError, match="the block failed"):
        with beside(own, job):
            started.wait(10)
            time.sleep(1)  # the statement is running (an interrupt before it starts is lost)
            raise RuntimeError("the block failed")
    assert outcome == ["interrupted"]


def test_an_engine_over_the_callers_database_runs_in_one_thread(ctx):
    engine = Engine(ibis.duckdb.connect())
    mine = open_context(store=ctx.store, engine=engine)
    assert engine.worker() is None and mine.worker() is None
    _count(engine, mine.flows)  # the dataset view stays in the connection's temporary schema
    assert engine.con.raw_sql("SELECT count(*) FROM duckdb_views() WHERE NOT temporary AND "
                              "view_name LIKE 'geomon_%'").fetchone()[0] == 0
    with beside(mine, lambda c: threading.current_thread()) as result:
        assert result() is threading.current_thread()


def _same_report(a, b) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
    strip = lambda m: {k: v for k, v in m.items() if k != "generated_at"}  # noqa: E731
    assert strip(a.meta) == strip(b.meta)
    assert sorted(a.parts) == sorted(b.parts)


def test_the_report_is_the_same_with_and_without_the_worker(ctx, nld_report, monkeypatch):
    from geomon.analyses.report_data import build_report_data

    with_worker = nld_report["raw"]
    assert {"chains", "risk", "scenario"} <= set(with_worker.tables)  # the sections the worker built
    monkeypatch.setattr(Context, "worker", lambda self: None)
    alone = build_report_data(copy.copy(ctx), "NLD", 2022)
    _same_report(with_worker, alone)
