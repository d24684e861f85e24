"""API of the trade sources: ingest Comext and Comtrade, list the sources of a store, monthly
trends and period suppliers, and the same indicators from two sources side by side."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from geomon.analyses.context import Result
from geomon.analyses.trade import monthly as _monthly
from geomon.analyses.trade import screening as _screening
from geomon.api._context import SCREENING, ConfigArg, StoreArg, context
from geomon.errors import InputError
from geomon.ingest.baci import IngestResult
from geomon.ingest.comext import ingest_comext as _ingest_comext
from geomon.ingest.comtrade import ingest_comtrade as _ingest_comtrade
from geomon.ingest.download import BACI_DEFAULT_VERSION  # noqa: F401  (for the CLI's --help)
from geomon.store import Store, open_store

SOURCES = ("baci", "comext", "comtrade")

#: How each source records a flow: the reasons two sources differ for the same trade.
PROFILE = {
    "baci": {"valuation": "FOB (CIF imports corrected to FOB)", "partner": "reconciled: exporter and importer declarations combined",
             "reporting": "CEPII reconciles both sides' declarations (mirror data)", "coverage": "about 200 countries"},
    "comext": {"valuation": "imports CIF, exports FOB", "partner": "imports by country of origin",
               "reporting": "declared by the EU member state (its own import declarations)", "coverage": "EU reporters"},
    "comtrade": {"valuation": "imports CIF, exports FOB", "partner": "imports by origin for most reporters, some by consignment",
                 "reporting": "declared by the reporter (imports as it declared them)", "coverage": "reporting countries"},
}


def ingest_comext(path: str | Path, store: str | Path | None = None, note: str | None = None,
                  mirror: bool = False) -> IngestResult:
    """Ingest Comext extracts (SDMX-CSV API or bulk files; a file or a folder) as one dataset."""
    return _ingest_comext(path, store, note, mirror)


def ingest_comtrade(path: str | Path, store: str | Path | None = None, note: str | None = None,
                    mirror: bool = False, hs: str | None = None) -> IngestResult:
    """Ingest Comtrade results (API v1/v2 JSON or CSV, bulk CSV; a file or a folder) as one dataset."""
    return _ingest_comtrade(path, store, note, mirror, hs)


def list_sources(store: StoreArg = None) -> Result:
    """One row per dataset of the store: source, HS revision, version, currency, frequency, years,
    months, flows, how it was reported, licence."""
    st = store if isinstance(store, Store) else open_store(store)
    rows = []
    for ds in st.datasets():
        p = ds.provenance
        rows.append({"source": ds.source, "dataset": ds.id, "hs_revision": ds.hs, "version": ds.version,
                     "currency": ds.currency, "frequency": ds.frequency,
                     "years": f"{ds.years[0]}-{ds.years[-1]}" if ds.years else "",
                     "months": f"{ds.months[0]} to {ds.months[-1]}" if ds.months else "",
                     "flows": sum(int(f.get("rows", 0)) for f in p["files"]),
                     "reporting": p.get("reporting", PROFILE["baci"]["reporting"] if ds.source == "baci" else ""),
                     "licence": p.get("licence", "")})
    return Result(pd.DataFrame(rows), {"store": str(st.root), "embedded_data": st.embedded, "datasets": len(rows)})


def currency_column(name: str, currency: str) -> str:
    """The name of value column ``name`` on data in ``currency``: ``*_usd`` becomes ``*_eur`` on EUR data."""
    cur = currency.lower()
    return name[:-4] + "_" + cur if name.endswith("_usd") and cur != "usd" else name


def in_currency(result: Result) -> Result:
    """Name value columns by the data's currency (:func:`currency_column`), so euros never sit in a
    column named for dollars. USD results are returned unchanged."""
    cur = str(result.meta.get("currency", "USD"))
    if cur.lower() == "usd":
        return result
    table = result.table.rename(columns={c: currency_column(c, cur) for c in result.table.columns})
    return dataclasses.replace(result, table=table)


def finish(result: Result, ctx) -> Result:
    """:func:`in_currency`, and on data converted to another HS revision a column ``hs_conversion``
    per row (1:1, n:1 merged, split by world trade, synthetic group, not converted)."""
    result = in_currency(result)
    if "converted_from" in ctx.dataset.provenance and "product" in result.table.columns:
        products = ctx.dataset.products()
        if "hs_conversion" in products.column_names:
            notes = dict(zip(products.column("product").to_pylist(), products.column("hs_conversion").to_pylist()))
            table = result.table.assign(hs_conversion=result.table["product"].map(notes).fillna("not converted"))
            result = dataclasses.replace(result, table=table)
    return result


def trends_monthly(reporter: str = "NLD", first: str | None = None, last: str | None = None, *,
                   product: str | list[str] | None = None, source: str | None = "comext", config: ConfigArg = None,
                   store: StoreArg = None, hs: str | None = None, version: str | None = None, **settings) -> Result:
    """Month by month: the screening of the 12 months ending in each month of [first, last] (YYYY-MM),
    persistence over 12-month windows (see :mod:`geomon.analyses.trade.monthly`)."""
    ctx = context(config, store, hs, version, settings, SCREENING, source=source)
    products = [product] if isinstance(product, str) else product
    return in_currency(_monthly.monthly_trends(ctx, reporter, first, last, products))


def suppliers_period(reporter: str = "NLD", product: str = "481149", first: str = "", last: str = "", *,
                     source: str | None = "comext", config: ConfigArg = None, store: StoreArg = None,
                     hs: str | None = None, version: str | None = None) -> Result:
    """Origin shares of ``product`` in ``reporter``'s imports over the months [first, last] (YYYY-MM):
    share(s) = sum of s's monthly values / sum over all origins."""
    ctx = context(config, store, hs, version, {}, SCREENING, source=source)
    return _monthly.period_suppliers(ctx, reporter, product, first, last)


def compare_sources(reporter: str = "NLD", product: str = "481149", year: int | None = None, *,
                    sources: list[str] | tuple[str, ...] | None = None, config: ConfigArg = None,
                    store: StoreArg = None, **settings) -> Result:
    """The screening indicators of ``product`` for ``reporter`` in ``year`` from each source (at
    least two different ones; default: every source in the store), one row per source, each value
    in its own currency (never converted), with each source's valuation, partner attribution and
    reporting: the usual reasons two sources differ."""
    st = store if isinstance(store, Store) else open_store(store)
    names = [s.lower() for s in (sources or sorted({d.source for d in st.datasets()}))]
    bad = [s for s in names if s not in SOURCES]
    if bad:
        raise InputError(f"unknown source {bad[0]}; choose from {', '.join(SOURCES)}")
    if len(set(names)) < 2 or len(set(names)) != len(names):
        raise InputError(f"compare-sources needs two different sources, got {', '.join(names) or 'none'}; "
                         f"ingest a second source (geomon ingest comext|comtrade PATH) or name two with --sources")
    rows = []
    for name in names:
        ctx = context(config, st, None, None, settings, SCREENING, source=name)
        y = ctx.check_year(year if year is not None else ctx.default_year())
        codes = ctx.product_codes(product)
        df = _screening.screen_years(ctx, reporter, y, y, codes)
        if df.empty:
            raise InputError(f"{ctx.economy(reporter).name} imported no {product} in {y} in {ctx.dataset.id}; choose a product both sources have")
        for r in df.to_dict("records"):
            rows.append({"source": name, "dataset": ctx.dataset.id, "product": r["product"], "year": y,
                         "currency": ctx.dataset.currency, "import_value": r["import_value_usd"],
                         "import_quantity_t": r["import_quantity_t"], "supplier_count": r["supplier_count"],
                         "top_supplier": r["top_supplier"], "top_supplier_share": r["top_supplier_share"],
                         "import_hhi": r["import_hhi"], "world_export_hhi": r["world_export_hhi"],
                         "dependent": r["dependent"], **PROFILE[name]})
    table = pd.DataFrame(rows)
    meta = ctx.meta(analysis="compare_sources", reporter=ctx.economy(reporter).name, product=str(product), year=year,
                    sources=names, currencies=sorted(set(table["currency"])),
                    note="values are in each source's own currency and are not converted; shares and HHIs are unit-free")
    meta.pop("currency", None)
    return Result(table, meta)


def download_baci(hs: str = "17", version: str | None = None, *, to: str | Path | None = None,
                  store: str | Path | None = None, progress=None, base_url: str | None = None,
                  sha256: str | None = None):
    """Download the BACI release ``hs`` / ``version`` (default :data:`BACI_DEFAULT_VERSION`, the newest release
    CEPII's BACI page names) from CEPII (resuming a partial download, size and zip CRC checked) and ingest
    it; ``to`` keeps the zip there. Returns (zip path or None, ingest results)."""
    from geomon.ingest import download as _download

    return _download.download_baci(hs, version, to, store, progress, base_url or _download.BACI_BASE, sha256)


def download_comext(period: str, *, to: str | Path, store: str | Path | None = None, progress=None,
                    base_url: str | None = None, sha256: str | None = None):
    """Download one Comext bulk file (full_v2_YYYYMM.7z) from Eurostat into ``to``, unpack and ingest it.
    Returns (the data file, the ingest result)."""
    from geomon.ingest import download as _download

    return _download.download_comext(period, to, store, progress, base_url or _download.COMEXT_BASE, sha256)
