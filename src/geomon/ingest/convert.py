"""A dataset converted to one HS revision (``--hs-target``), as a derived annual dataset.

Every year's flows are re-coded from the revision they were declared in (the dataset's revision,
or for Comext the revision of each year, ``hs_by_year``) to the target revision by
:func:`geomon.sources.concordance.mapping`. Weights for splitting (rule ``trade``, :data:`RULE`)
are the world trade per target code, sum over all flows of that code, in the first year both
revisions exist (the later first year of the two; else the first later year the weighting data
have), read from a BACI dataset in the target revision (BACI is world trade: all reporters,
reconciled), of the same store, else of the embedded data. Reported data (Comext, Comtrade: the
declarations of some reporters) are not world trade and never weigh a split. The weights cover
the codes with a flow in any year of the weighting dataset (the embedded extract: 74 codes); a
code split into any code outside them is not split but kept, with its group, as one synthetic
code. Without such a dataset every split group is kept as a synthetic code. The rule and the
weights' origin are in the converted dataset's provenance (``hs_rule``, ``hs_weights``) and so
in every output's meta.

``products.parquet`` of the converted dataset has a column ``hs_conversion`` per target code
(``1:1``, ``n:1 merged``, ``split by world trade``, ``synthetic group``, ``not converted``), which
outputs carry to flag converted rows. Built once in the same cache as the 12-month windows
(:mod:`geomon.ingest.windows`) and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geomon.errors import InputError
from geomon.ingest.windows import _cache_root
from geomon.sources import concordance
from geomon.store.duck import duckdb_connect, interruptible
from geomon.store.layout import Dataset, Store, embedded_store_dir

KEYS = ["exporter", "importer"]


def revisions_by_year(dataset: Dataset) -> dict[int, str]:
    by_year = dataset.provenance.get("hs_by_year") or {}
    return {y: by_year.get(str(y), dataset.hs) for y in dataset.years}


#: The splitting rule, as every converted output's meta states it (``hs_rule``).
RULE = ("1:1 and n:1 codes map directly; a code linked to several target codes (1:n, n:n) is split by the "
        "target codes' world trade (BACI) in the first year both revisions exist, only when the weighting "
        "data cover every one of those target codes; otherwise its group is kept as one synthetic code "
        "'<smallest code>+<n more>'")
#: Bumped when the conversion rule changes, so converted datasets cached by an older rule are rebuilt.
RULE_VERSION = 2


def weights(store: Store, source_rev: str, target: str) -> tuple[dict[str, float], str]:
    """World trade per target code in the first year both revisions exist (see the module docstring):
    keys every code the weighting dataset covers (0.0 when not traded that year); and where it came
    from (a ``none: ...`` text when no BACI dataset in the target revision has such a year)."""
    first = max(concordance.FIRST_YEAR[source_rev], concordance.FIRST_YEAR[target])
    cands = [d for d in store.datasets() if d.hs == target and d.source == "baci"]
    if not store.embedded:
        cands += [d for d in Store(embedded_store_dir(), embedded=True).datasets() if d.hs == target and d.source == "baci"]
    for ds in cands:
        years = [y for y in ds.years if y >= first]
        if years:
            t = pq.read_table(ds.root / "flows" / f"year={years[0]}", columns=["product", "value"]).to_pandas()
            scope = _traded_codes(ds)
            w = t.groupby("product")["value"].sum().reindex(sorted(scope), fill_value=0.0)
            return ({str(k): float(v) for k, v in w.items()},
                    f"world trade {years[0]} of {ds.id} ({len(scope)} codes with flows; a code split into "
                    f"any other code keeps its group as one synthetic code)")
    return {}, (f"none: no world trade (BACI) in {target} from {first} on in the store or the embedded data; "
                f"split groups kept as synthetic codes")


def _traded_codes(ds: Dataset) -> set[str]:
    """The product codes with at least one flow in any year of ``ds`` (DuckDB: one distinct scan; the files
    are handed over as paths, never spliced into SQL text)."""
    files = [str(f) for f in sorted((ds.root / "flows").glob("*/*.parquet"))]
    with duckdb_connect() as con, interruptible():
        rows = con.read_parquet(files).project("product").distinct().fetchall()
    return {r[0] for r in rows}


def converted_dataset(store: Store, dataset: Dataset, target: str, rule: str = "trade") -> Dataset:
    """``dataset`` with every year in revision ``target`` (see the module docstring), built once."""
    target = concordance.revision(target)
    if rule not in concordance.RULES:
        raise InputError(f"HS split rule {rule!r} is not allowed; choose one of {', '.join(concordance.RULES)}")
    revs = revisions_by_year(dataset)
    if set(revs.values()) == {target}:
        return dataset
    key = f"{dataset.root.resolve()}|{dataset.provenance.get('ingested_at')}|{target}|{rule}|{store.root}|{RULE_VERSION}"
    out = _cache_root() / f"hs-{dataset.source}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if (out / "provenance.json").exists():
        return Dataset(out, json.loads((out / "provenance.json").read_text(encoding="utf-8")))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out.parent))
    try:
        prov = _build(store, dataset, revs, target, rule, staging)
        (staging / "provenance.json").write_text(json.dumps(prov, indent=2), encoding="utf-8")
        try:
            os.replace(staging, out)
        except OSError:  # built meanwhile by another process
            shutil.rmtree(staging, ignore_errors=True)
        staging = None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
    return Dataset(out, json.loads((out / "provenance.json").read_text(encoding="utf-8")))


def _build(store: Store, dataset: Dataset, revs: dict[int, str], target: str, rule: str, out: Path) -> dict:
    notes: dict[str, set[str]] = {}
    used_weights = {}
    maps = {}
    for rev in sorted(set(revs.values()) - {target}):
        w, origin = weights(store, rev, target) if rule == "trade" else ({}, "")
        maps[rev] = concordance.mapping(rev, target, rule, w)
        used_weights[rev] = origin if rule == "trade" else "rule synthetic: no split weighed"
    for y, rev in revs.items():
        flows = pq.read_table(dataset.root / "flows" / f"year={y}").to_pandas()
        if rev != target:
            m = maps[rev]
            flows = concordance.convert(flows, m, KEYS)
            for dst, note in zip(m["dst"], m["note"]):
                notes.setdefault(dst, set()).add(note)
        folder = out / "flows" / f"year={y}"
        folder.mkdir(parents=True)
        flows = flows.sort_values(["product", "importer", "exporter"])[["exporter", "importer", "product", "value", "quantity"]]
        pq.write_table(pa.Table.from_pandas(flows, preserve_index=False), folder / "part-0.parquet")
    shutil.copy2(dataset.root / "countries.parquet", out / "countries.parquet")
    pq.write_table(_products(dataset, out, notes, maps), out / "products.parquet")
    prov = {k: v for k, v in dataset.provenance.items() if k not in ("stored", "schemas", "stats", "files", "months")}
    prov.update(hs_revision=target, frequency="A", months=[], converted_from=sorted(set(revs.values()) - {target}),
                hs_split=rule, hs_weights=used_weights, converted_of=str(dataset.root),
                hs_rule=RULE if rule == "trade" else "every group with a 1:n or n:n link kept as one synthetic code",
                files=[{"name": f"{y} converted from {revs[y]}", "year": y} for y in dataset.years])
    return prov


def _products(dataset: Dataset, out: Path, notes: dict[str, set[str]], maps: dict[str, pd.DataFrame]) -> pa.Table:
    codes = set()
    for d in (out / "flows").iterdir():
        codes |= set(pq.read_table(d, columns=["product"]).column("product").to_pylist())
    old = dict(zip(dataset.products().column("product").to_pylist(), dataset.products().column("description").to_pylist()))
    sources: dict[str, list[str]] = {}
    for m in maps.values():
        for s, d in zip(m["src"], m["dst"]):
            sources.setdefault(d, []).append(s)
    rows = []
    for c in sorted(codes):
        note = "; ".join(sorted(notes.get(c, {"not converted"})))
        src = sorted(set(sources.get(c, [])))
        desc = f"from {', '.join(src[:6])}{' ...' if len(src) > 6 else ''}: " + "; ".join(old.get(s, s) for s in src[:2]) if src else old.get(c, c)
        rows.append((c, desc, note))
    return pa.table({"product": [r[0] for r in rows], "description": [r[1] for r in rows],
                     "hs_conversion": [r[2] for r in rows]})


def series_dataset(store: Store, source: str, target: str, rule: str = "trade") -> Dataset | None:
    """All years of ``source``'s datasets in ``store`` as one series in revision ``target``, when they
    span several HS revisions (None otherwise): each year from the dataset in ``target`` when one has
    it, else from the newest version having it; economies unified by ISO3; then converted by year
    (:func:`converted_dataset`, which reads each year's revision from ``hs_by_year``)."""
    target = concordance.revision(target)
    dss = [d for d in store.datasets() if d.source == source]
    if len({d.hs for d in dss}) < 2:
        return None
    pick: dict[int, Dataset] = {}
    for d in sorted(dss, key=lambda d: (d.hs == target, d.version)):   # later picks win
        for y in d.years:
            pick[y] = d
    key = "|".join(f"{d.root.resolve()}@{d.provenance.get('ingested_at')}" for d in dss) + f"|{target}"
    out = _cache_root() / f"series-{source}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    if not (out / "provenance.json").exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out.parent))
        try:
            _write_series(pick, staging)
            first = pick[min(pick)]
            prov = {k: v for k, v in first.provenance.items() if k not in ("stored", "schemas", "stats", "files", "months")}
            prov.update(hs_revision=target, version="+".join(sorted({d.version for d in pick.values()})), months=[],
                        frequency="A", hs_by_year={str(y): revisions_by_year(d)[y] for y, d in sorted(pick.items())},
                        series_of={str(y): d.id for y, d in sorted(pick.items())},
                        files=[{"name": f"{y} from {d.id}", "year": y} for y, d in sorted(pick.items())])
            (staging / "provenance.json").write_text(json.dumps(prov, indent=2), encoding="utf-8")
            try:
                os.replace(staging, out)
            except OSError:
                shutil.rmtree(staging, ignore_errors=True)
            staging = None
        finally:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
    merged = Dataset(out, json.loads((out / "provenance.json").read_text(encoding="utf-8")))
    return converted_dataset(store, merged, target, rule)


def _write_series(pick: dict[int, Dataset], out: Path) -> None:
    """Flows of each picked year with economy codes unified by ISO3 (first code seen), code lists merged."""
    code: dict[str, int] = {}
    names: dict[str, str] = {}
    products: dict[str, str] = {}
    for d in {str(d.root): d for d in pick.values()}.values():
        c = d.countries().to_pandas()
        for iso3, k, name in zip(c["iso3"], c["code"], c["name"]):
            if iso3 not in code and int(k) not in code.values():
                code[iso3], names[iso3] = int(k), name
        for iso3 in c["iso3"]:
            if iso3 not in code:
                code[iso3], names[iso3] = 9000 + len(code), iso3
        p = d.products()
        products.update(zip(p.column("product").to_pylist(), p.column("description").to_pylist()))
    for y, d in sorted(pick.items()):
        c = d.countries().to_pandas()
        recode = {int(k): code[iso3] for k, iso3 in zip(c["code"], c["iso3"])}
        f = pq.read_table(d.root / "flows" / f"year={y}").to_pandas()
        f = f.assign(exporter=f["exporter"].map(recode).astype("int32"), importer=f["importer"].map(recode).astype("int32"))
        folder = out / "flows" / f"year={y}"
        folder.mkdir(parents=True)
        pq.write_table(pa.Table.from_pandas(f, preserve_index=False), folder / "part-0.parquet")
    iso = sorted(code)
    pq.write_table(pa.table({"code": pa.array([code[i] for i in iso], pa.int32()), "name": [names[i] for i in iso],
                             "iso2": pa.array([None] * len(iso), pa.string()), "iso3": iso}), out / "countries.parquet")
    pq.write_table(pa.table({"product": sorted(products), "description": [products[p] for p in sorted(products)]}),
                   out / "products.parquet")
