"""What every analysis needs: the dataset, the engine, the configuration, code lists."""

from __future__ import annotations

import copy
import operator
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, reduce
from pathlib import Path
from typing import Any, Callable, Generic, Iterator, Sequence, TypeVar

import ibis.expr.types as ir
import pyarrow as pa

from geomon._version import __version__
from geomon.config import Config
from geomon.countries import Economy, country_names, economy_map, resolve_economy
from geomon.engine import Engine, default_engine
from geomon.analyses.results import Result  # noqa: F401  (re-exported: most analyses import it from here)
from geomon.errors import InputError, choices
from geomon.store import Dataset, Store, open_store


def closest_codes(known: set[str] | list[str], code: str, n: int = 5) -> list[str]:
    """The ``n`` codes of ``known`` closest to ``code``: longest common prefix (>= 2 digits), then
    smallest numeric distance, then the code itself."""
    known = sorted(k for k in known if len(k) == 6)
    for length in range(min(len(code), 6) - 1, 1, -1):
        hits = [k for k in known if k[:length] == code[:length]]
        if hits:
            target = int(code.ljust(6, "0")) if code.isdigit() else 0
            return sorted(hits, key=lambda k: (abs(int(k) - target), k))[:n]
    return []


#: Most BACI codes whose flows a context holds in memory (:meth:`Context.held_flows`): one
#: reporter or a small bloc; more codes (EU27's members, every importer) stay a lazy filter.
HELD_CODES = 8
T = TypeVar("T")
#: The sides of a flow :meth:`Context.held_flows` can hold.
SIDES = ("importer", "exporter")


@dataclass
class Context:
    store: Store
    dataset: Dataset
    engine: Engine
    config: Config
    #: (side, codes) -> [(years, Arrow table of one scan, True when the scan read only this set)]
    _held: dict[tuple[str, tuple[int, ...]], list[tuple[frozenset[int], pa.Table, bool]]] = field(
        default_factory=dict, init=False, repr=False)
    #: one reader of the flows to hold at a time, shared with :meth:`worker` contexts (as ``_held``)
    _hold_lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)

    @cached_property
    def countries(self) -> pa.Table:
        return self.dataset.countries()

    @cached_property
    def products(self) -> pa.Table:
        return self.dataset.products()

    @cached_property
    def descriptions(self) -> dict[str, str]:
        return dict(zip(self.products.column("product").to_pylist(), self.products.column("description").to_pylist()))

    @cached_property
    def names(self) -> dict[str, str]:
        return country_names(self.countries)

    @property
    def flows(self) -> ir.Table:
        return self.engine.flows(self.dataset)

    def held_flows(self, side: str, codes: Sequence[int], years: Sequence[int]) -> ir.Table:
        """The rows of :attr:`flows` of ``years`` whose ``side`` ("importer" or "exporter") is one
        of the BACI ``codes``: same columns, same rows as filtering :attr:`flows`.

        For at most :data:`HELD_CODES` codes (a reporter's own imports or exports) each year is
        read from the store once per context (:meth:`hold_flows`) and kept in memory as Arrow;
        every later call, by any part, takes the held rows (filtered when the scan also read
        other sets or years) instead of scanning the flows again (they are sorted by product,
        so an importer filter skips no row group). A new context (another store, dataset or
        configuration) starts empty. More codes: the lazy filter of the flows
        (:meth:`~geomon.engine.Engine.keep`)."""
        codes, years = _codes(side, codes), sorted({int(y) for y in years})
        if len(codes) > HELD_CODES:
            return self.engine.keep(self.flows.filter(self.flows.year.isin(years)), side, codes)
        self.hold_flows([(side, codes, years)])
        parts = []
        for ys, table, alone in self._held[(side, codes)]:
            if ys & set(years):
                t = self.engine.table(table)  # rows of other sets (read in the same scan) or years filtered out
                parts.append(t if alone and ys <= set(years) else
                             t.filter(t[side].isin(list(codes)), t.year.isin(sorted(ys & set(years)))))
        if not parts:
            return self.flows.filter(self.flows.year.isin(years), self.flows[side].isin(list(codes)))
        return reduce(lambda a, b: a.union(b, distinct=False), parts)

    def hold_flows(self, wanted: Sequence[tuple[str, Sequence[int], Sequence[int]]]) -> None:
        """Read the flows of every (side, codes, years) of ``wanted`` with at most :data:`HELD_CODES`
        codes that the context does not hold yet, all in ONE scan of the flows (a scan costs the
        decoding of every row group, whatever it keeps), and hold the scan's Arrow table for
        :meth:`held_flows` (each set takes its rows from it when used). Parts that will need
        several sets (the report: the reporter's imports and exports, the coercion events'
        buyers) ask for them together. Safe from two threads (a context and its :meth:`worker`):
        a set one thread is reading is not read again by the other, which waits for it."""
        with self._hold_lock:
            self._hold(wanted)

    def _hold(self, wanted: Sequence[tuple[str, Sequence[int], Sequence[int]]]) -> None:
        need: dict[tuple[str, tuple[int, ...]], set[int]] = {}
        for side, codes, years in wanted:
            key = (side, _codes(side, codes))
            if len(key[1]) <= HELD_CODES:
                held = set().union(*(ys for ys, _, _ in self._held.get(key, [])))
                need.setdefault(key, set()).update({int(y) for y in years} - held)
        need = {k: ys for k, ys in need.items() if ys}
        if not need:
            return
        f = self.flows
        cond = [f[side].isin(list(codes)) & f.year.isin(sorted(ys)) for (side, codes), ys in need.items()]
        got = self.engine.to_arrow(f.filter(reduce(operator.or_, cond)))
        for key, ys in need.items():  # one table for all sets: each filters its rows when used
            self._held.setdefault(key, []).append((frozenset(ys), got, len(need) == 1))

    def worker(self) -> "Context | None":
        """A context for a second thread: the same store, dataset, configuration, code lists and
        held flows (:meth:`hold_flows`), with an engine on a connection of its own
        (:meth:`~geomon.engine.Engine.worker`); None when the engine has no such connection (then
        run in this thread). Close its engine when done (``twin.engine.close()``)."""
        engine = self.engine.worker()
        if engine is None:
            return None
        twin = copy.copy(self)  # shares _held and every cached property computed so far
        twin.engine = engine
        return twin

    def economy(self, text: str | Economy, role: str = "reporter") -> Economy:
        """The economy ``text`` names (ISO3, BACI code or bloc, see :func:`resolve_economy`); an
        :class:`Economy` already resolved (e.g. the report's reporter) is returned as is."""
        if isinstance(text, Economy):
            return text
        return resolve_economy(text, self.countries, self.config.blocs, role=role)

    def econ_table(self, *economies: Economy) -> ir.Table:
        """code -> economy, with members of any bloc among ``economies`` merged."""
        blocs = [e for e in economies if e.is_bloc]
        key = "econ_" + "_".join(sorted(b.name for b in blocs)) if blocs else "econ_iso3"
        return self.engine.table(economy_map(self.countries, blocs), name=key)

    def check_year(self, year: int) -> int:
        self.dataset.check_year(int(year))
        return int(year)

    def default_year(self) -> int:
        return self.dataset.years[-1]

    def check_product(self, product: str) -> str:
        """An HS6 code of the dataset's revision (a dropped leading zero of a 5-digit code is restored),
        else one :class:`InputError` naming the closest codes (:func:`closest_codes`)."""
        raw = str(product).strip()
        code = raw.zfill(6) if raw.isdigit() and len(raw) == 5 else raw
        if code in self.descriptions:
            return code
        near = closest_codes(set(self.descriptions), code)
        hs = self.dataset.hs
        hint = f"; closest {hs} codes: {', '.join(near)}" if near else f"; give an HS6 code of {hs} (e.g. 283691)"
        raise InputError(f"unknown product '{raw}': not an HS6 code of {hs}{hint}")

    def product_codes(self, product: str) -> list[str]:
        """HS6 codes for an HS6 code (leading zero may be dropped), an HS4 heading or an HS2 chapter."""
        code = str(product).strip()
        if code.isdigit() and len(code) in (2, 4):
            codes = sorted(c for c in self.descriptions if c.startswith(code) and len(c) == 6)
            if not codes:
                raise InputError(f"unknown product '{product}': no {self.dataset.hs} codes start with {code}; give an HS6 code (e.g. 283691), HS4 heading or HS2 chapter")
            return codes
        return [self.check_product(code)]

    def meta(self, **extra: Any) -> dict[str, Any]:
        """Provenance and settings that travel with every output."""
        prov = self.dataset.provenance
        return {
            "source": f"{prov.get('publisher', '')} {prov['source']}".strip(),
            "dataset": self.dataset.id,
            "hs_revision": self.dataset.hs,
            "data_version": self.dataset.version,
            "data_years": (f"{self.dataset.years[0]}-{self.dataset.years[-1]}" if self.dataset.years
                           else f"{self.dataset.months[0]} to {self.dataset.months[-1]}"),
            "embedded_data": self.store.embedded,
            "store": str(self.store.root),
            "licence": prov.get("licence", ""),
            "citation": prov.get("citation", ""),
            "data_note": prov.get("note", ""),
            "config_source": self.config.source,
            "config_hash": self.config.hash(),
            "settings": self.config.as_dict(),
            "engine": self.engine.name,
            "geomon_version": __version__,
            **_source_meta(self.dataset),
            **extra,
        }


class Job(Generic[T]):
    """``fn(ctx, *args)`` handed to a :class:`Worker`."""

    def __init__(self, ctx: Context, fn: Callable[..., T], args: tuple, future: Future | None) -> None:
        self._ctx, self._fn, self._args, self._future = ctx, fn, args, future

    def result(self) -> T:
        """The job's result (raising what it raised): the worker's, waited for once it has started
        the job; else the job runs here, in the caller's thread on the caller's context (so a
        caller that is free takes back the jobs the worker has not reached)."""
        if self._future is None or self._future.cancel():
            return self._fn(self._ctx, *self._args)
        return self._future.result()


class Worker:
    """A second thread with a context of its own (:meth:`Context.worker`); jobs run in the order
    they are handed in. Without a worker context every job runs in the caller's thread when its
    result is asked for."""

    def __init__(self, ctx: Context, twin: Context | None) -> None:
        self.ctx, self.twin = ctx, twin
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="geomon-worker") if twin is not None else None

    def submit(self, fn: Callable[..., T], *args: Any) -> Job[T]:
        """Hand ``fn(context, *args)`` to the worker. ``fn`` must change nothing it shares with the
        caller (the context's held flows, code lists, the ``args``): it may run in either thread."""
        future = self._pool.submit(fn, self.twin, *args) if self._pool is not None else None
        return Job(self.ctx, fn, args, future)


@contextmanager
def beside(ctx: Context) -> Iterator[Worker]:
    """A :class:`Worker` for the block. When the block fails, the worker's statement is
    interrupted and its other jobs dropped before the block's error goes on; either way the
    worker's thread and connection end with the block."""
    twin = ctx.worker()
    worker = Worker(ctx, twin)
    if twin is None:
        yield worker
        return
    try:
        yield worker
    except BaseException:
        worker._pool.shutdown(wait=False, cancel_futures=True)  # drop the jobs not started ...
        twin.engine.interrupt()  # ... and stop the running one's statement
        raise
    finally:
        worker._pool.shutdown(wait=True, cancel_futures=True)
        twin.engine.close()


def importer_codes(ctx: Context, economies: Sequence[Economy]) -> list[int]:
    """The BACI codes of ``economies`` (of every member of a bloc): their import flows."""
    iso3 = {m for e in economies for m in e.members}
    codes = ctx.countries.column("code").to_pylist()
    return sorted({int(c) for c, i in zip(codes, ctx.countries.column("iso3").to_pylist()) if i in iso3})


def one_code_each(ctx: Context) -> bool:
    """True when no ISO3 code has two BACI codes in the dataset's country list: then each
    (exporter, importer) pair of countries is one flow and summing per pair changes nothing
    (``economy_flows(merge=False)``)."""
    iso3 = ctx.countries.column("iso3").to_pylist()
    return len(set(iso3)) == len(iso3)


def merge_needed(ctx: Context, *economies: Economy | None) -> bool:
    """Whether :func:`~geomon.engine.indicators.economy_flows` must sum flows per economy pair:
    True when one of ``economies`` is a bloc (its members merge) or an economy has two BACI codes
    (:func:`one_code_each`); else each stored flow (exporter, importer, product unique per year,
    checked at ingest) is already one economy pair."""
    return any(e is not None and e.is_bloc for e in economies) or not one_code_each(ctx)


def _codes(side: str, codes: Sequence[int]) -> tuple[int, ...]:
    """The sorted distinct BACI ``codes`` of a flow's ``side`` (checked: importer or exporter)."""
    if side not in SIDES:
        raise ValueError(f"side must be one of {SIDES}, not {side!r}")
    return tuple(sorted({int(c) for c in codes}))


def open_context(store: str | Path | Store | None = None, config: Config | None = None,
                 hs: str | None = None, version: str | None = None, engine: Engine | None = None,
                 source: str | None = None, period: str | None = None, hs_target: str | None = None,
                 hs_split: str = "trade") -> Context:
    """Resolve store, dataset, engine and configuration once for an analysis.

    ``source`` picks the dataset's source (baci, comext, comtrade; default BACI). ``period``
    (YYYY-MM, monthly data only) runs on the 12-month windows ending in that month: year Y of the
    context is then the window ending in month m of Y (:mod:`geomon.ingest.windows`). ``hs_target``
    converts every year to that HS revision, splitting by ``hs_split`` (:mod:`geomon.ingest.convert`); when the
    source has datasets in several revisions (and no ``hs``/``version`` is given) their years form one series."""
    st = store if isinstance(store, Store) else open_store(store)
    cfg = config or Config()
    cfg.validate()
    ds = st.dataset(hs=hs, version=version, source=source)
    if period is not None:
        from geomon.ingest.windows import check_period, window_dataset

        if hs_target is not None:
            raise InputError("--period and --hs-target cannot be combined yet; convert annual data, or screen the period in its own revision")
        ds = window_dataset(ds, check_period(ds, period)[1])
    if hs_target is not None:
        from geomon.ingest.convert import converted_dataset, series_dataset

        series = series_dataset(st, ds.source, hs_target, hs_split) if hs is None and version is None else None
        ds = series or converted_dataset(st, ds, hs_target, hs_split)
    return Context(st, ds, engine or default_engine(), cfg)


def _source_meta(ds: Dataset) -> dict[str, Any]:
    """Currency (every value of the output is in it), frequency, and for reported data how it was
    reported; for 12-month windows the month they end in."""
    out: dict[str, Any] = {"currency": ds.currency}
    if ds.source != "baci":
        out.update(frequency=ds.frequency, reporting=ds.provenance.get("reporting", ""))
    if "converted_from" in ds.provenance:
        out.update(converted_from=ds.provenance["converted_from"], hs_split=ds.provenance["hs_split"],
                   hs_weights=ds.provenance["hs_weights"], hs_rule=ds.provenance.get("hs_rule", ""))
    if "window_end_month" in ds.provenance:
        out["window_end_month"] = ds.provenance["window_end_month"]
    return out


def year_range(ctx: Context, first: int, last: int) -> list[int]:
    """Validated inclusive year range."""
    if first > last:
        raise InputError(f"year range {first}-{last} is empty; the first year must not be after the last")
    for y in (first, last):
        ctx.check_year(y)
    return list(range(first, last + 1))


def reporters_label(economies: list[Economy]) -> str:
    return choices([e.name for e in economies])
