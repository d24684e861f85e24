"""A second thread for the report (issue 15): ``Context.worker`` and ``beside`` on the embedded data.

The report's supply sections and its other parts run in a worker thread on a DuckDB connection
of their own (``Engine.worker``: a cursor of the engine's in-memory database) while the main
thread screens and classifies; a job the worker has not started when its result is asked for
runs in the caller's thread. What is checked here: the worker sees the same data (dataset views
shared both ways, held flows shared), the report is the same with and without the worker, a
job not started is taken back, the worker's error reaches the caller, a failing block interrupts
the worker's statement and drops its other jobs, and an engine over a database the caller passed
in gets no worker (everything then runs in one thread).
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


def test_jobs_run_in_another_thread_and_return_their_results(own):
    seen = {}

    def job(c: Context, iso3: str):
        seen["thread"], seen["engine"] = threading.current_thread(), c.engine
        return c.economy(iso3).name

    with beside(own) as worker:
        assert worker.submit(job, "NLD").result() == "NLD"
    assert seen["thread"] is not threading.current_thread() and seen["engine"] is not own.engine


def test_a_job_the_worker_has_not_started_runs_in_the_callers_thread(own):
    release, ran = threading.Event(), {}

    def busy(c: Context):
        release.wait(30)
        return "busy"

    def job(c: Context, name: str):
        ran[name] = (threading.current_thread(), c.engine)
        return name

    with beside(own) as worker:
        first, second = worker.submit(busy), worker.submit(job, "second")
        assert second.result() == "second"  # the worker is still busy with the first job
        release.set()
        assert first.result() == "busy"
    assert ran["second"] == (threading.current_thread(), own.engine)


def test_the_workers_error_reaches_the_caller(own):
    def job(c: Context):
        raise ValueError("bad in the worker")

    with pytest.raises(ValueError, match="bad in the worker"):
        with beside(own) as worker:
            worker.submit(job).result()


def test_a_failing_block_interrupts_the_workers_statement_and_drops_its_other_jobs(own):
    started, outcome = threading.Event(), []

    def job(c: Context):
        started.set()
        try:  # about half a minute of work unless interrupted
            c.engine.con.raw_sql("SELECT sum(a.range * b.range) FROM range(10000) a, range(1000000) b").fetchall()
            outcome.append("finished")
        except duckdb.InterruptException:
            outcome.append("interrupted")

    with pytest.raises(RuntimeError, match="the block failed"):
        with beside(own) as worker:
            worker.submit(job)
            worker.submit(lambda c: outcome.append("the next job ran"))
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
    with beside(mine) as worker:
        assert worker.submit(lambda c: (threading.current_thread(), c)).result() == (threading.current_thread(), mine)


def _same_report(a, b) -> None:
    assert sorted(a.tables) == sorted(b.tables)
    for name in a.tables:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], obj=name)
    strip = lambda m: {k: v for k, v in m.items() if k != "generated_at"}  # noqa: E731
    assert strip(a.meta) == strip(b.meta)
    assert list(a.parts) == list(b.parts)  # same sections, in the report's order
    for name, part in a.parts.items():
        assert sorted(part.tables) == sorted(b.parts[name].tables) and part.meta == b.parts[name].meta
        for t in part.tables:
            pd.testing.assert_frame_equal(part.tables[t], b.parts[name].tables[t], obj=f"{name}.{t}")


def test_the_report_is_the_same_with_and_without_the_worker(ctx, nld_report, monkeypatch):
    from geomon.analyses.report_data import build_report_data

    with_worker = nld_report["raw"]
    assert {"chains", "risk", "scenario"} <= set(with_worker.tables)  # the sections the worker built
    monkeypatch.setattr(Context, "worker", lambda self: None)
    alone = build_report_data(copy.copy(ctx), "NLD", 2022)
    _same_report(with_worker, alone)


def test_parts_come_back_in_the_reports_order_with_their_notes(own, monkeypatch):
    from geomon.analyses import report_parts
    from geomon.analyses.results import PartSection
    from geomon.errors import DataError

    def refuses(c, econ, year, products):
        raise DataError("no data for this part")

    builders = [("first", lambda c, e, y, p: PartSection("first", {"rows": p.head(2)})), ("refused", refuses),
                ("silent", lambda c, e, y, p: None), ("coercion", lambda c, e, y, p: PartSection("coercion"))]
    monkeypatch.setattr(report_parts, "BUILDERS", builders)
    products = pd.DataFrame({"product": ["260500", "280530", "810590"], "tier": ["none"] * 3})
    with beside(own) as worker:
        sections, notes = report_parts.parts_built(report_parts.submit_parts(worker, own.economy("NLD"), 2022, products))
    assert list(sections) == ["first", "coercion"] and notes == {"refused": "no data for this part"}
    pd.testing.assert_frame_equal(sections["first"].tables["rows"], products.head(2))


def test_two_threads_holding_the_same_flows_read_them_once(own, monkeypatch):
    """A context and its worker asking for the same flows at the same time: one scan, one held
    table, and the rows once each (a second copy would double every sum made from them)."""
    twin = own.worker()
    scans, slow_start = [], threading.Barrier(2)
    original = Engine.to_arrow

    def slow_scan(engine, expr):
        scans.append(threading.current_thread())
        time.sleep(0.5)  # both threads are inside hold_flows while the first scan runs
        return original(engine, expr)

    monkeypatch.setattr(Engine, "to_arrow", slow_scan)
    codes = importer_codes(own, [own.economy("NLD")])

    def hold(c: Context) -> None:
        slow_start.wait(10)
        c.hold_flows([("importer", codes, [2022])])

    try:
        threads = [threading.Thread(target=hold, args=(c,)) for c in (own, twin)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert len(scans) == 1 and len(own._held[("importer", tuple(codes))]) == 1
        monkeypatch.setattr(Engine, "to_arrow", original)
        f = own.flows
        expected = _count(own.engine, f.filter(f.year == 2022, f.importer.isin(codes)))
        assert _count(own.engine, own.held_flows("importer", codes, [2022])) == expected > 1000
    finally:
        twin.engine.close()
