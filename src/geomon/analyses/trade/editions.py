"""Editions: saved runs (data provenance + configuration + tiered results) and their diffs.

An edition is a directory ``EDITIONS/NAME/`` holding::

    edition.json    name, created_at, note, reporter, year, provenance (ctx.meta: dataset,
                    version, HS revision, data fingerprint, settings, config hash, ...),
                    input files (shipped and user interest map, groups, overrides) with
                    their sha256, counts by tier
    tiers.parquet   the screening + tier rows (one per reporter and product)
    config.toml     the effective settings; ``--config EDITIONS/NAME/config.toml`` re-runs it

It is built in a hidden temporary directory beside its target and renamed into
place, so a failed save leaves nothing; an existing name is never overwritten.

Where editions live: ``--editions DIR`` / ``editions=``, else ``$GEOMON_EDITIONS``,
else ``STORE/editions`` for an explicit store, else ``<per-user data dir>/editions``
(the embedded store inside the package is never written to).

A diff ``A -> B`` keys rows by (reporter, product). A product changes when its final
tier differs; it then *left* its tier in A and *entered* its tier in B. A product
screened in only one edition counts as tier ``none`` in the other.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geomon.analyses.context import Context, Result
from geomon.analyses.trade.screening import screen
from geomon.analyses.trade.trends import TIERS, TablesResult, tier_order
from geomon.config import SETTINGS
from geomon.errors import DataError, InputError, OutputError, choices
from geomon.store import Store, default_store_dir

EDITIONS_ENV = "GEOMON_EDITIONS"
META_FILE = "edition.json"
ROWS_FILE = "tiers.parquet"
CONFIG_FILE = "config.toml"
FORMAT_VERSION = 1
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")

#: Indicator columns whose before/after values a diff shows.
DIFF_INDICATORS = ["import_value_usd", "import_hhi", "world_export_hhi", "import_export_ratio", "criteria_met_years",
                   "top_supplier", "top_supplier_share", "alternative_suppliers", "window_years_missing"]
#: Yes/no evidence whose flip a diff names in ``flipped``, with a short label.
DIFF_FLAGS = {"c1_import_concentration": "c1", "c2_world_concentration": "c2", "c3_low_substitutability": "c3",
              "dependent": "dependent", "quantity_complete": "quantities complete"}
#: Counts whose change a diff names in ``flipped``, with a short label.
DIFF_COUNTS = {"criteria_met_years": "years met", "alternative_suppliers": "alternatives",
               "window_years_missing": "missing window years"}
#: Text evidence whose change a diff names in ``flipped``.
DIFF_TEXTS = {"interest_areas": "public-interest link changed", "interest_uncertain_areas": "uncertain link changed",
              "override_reason": "expert override changed"}
#: Metadata keys compared as data provenance in a diff.
PROVENANCE_KEYS = ["reporter", "year", "window_years", "dataset", "source", "hs_revision", "data_version",
                   "data_years", "data_fingerprint", "embedded_data", "engine", "geomon_version"]


def editions_dir(editions: str | Path | None = None, store: Store | None = None) -> Path:
    """Where editions live: ``editions``, else $GEOMON_EDITIONS, else STORE/editions for a
    non-embedded store, else the per-user data directory's ``editions``."""
    if editions is not None:
        return Path(editions).expanduser()
    if os.environ.get(EDITIONS_ENV):
        return Path(os.environ[EDITIONS_ENV]).expanduser()
    if store is not None and not store.embedded:
        return store.root / "editions"
    return default_store_dir() / "editions"


def check_name(name: str) -> str:
    """An edition name: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not _NAME.match(str(name)):
        raise InputError(f"edition name '{name}' is not allowed; use 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit (e.g. nl-2022)")
    return str(name)


def data_fingerprint(ctx: Context) -> str:
    """sha256 (12 hex digits) over the dataset's file names and checksums: changes with any data file."""
    prov = ctx.dataset.provenance
    parts = sorted(f"{f['name']}:{f.get('sha256', '')}" for f in prov.get("files", []))
    parts += sorted(f"{k}:{v}" for k, v in (prov.get("code_files") or {}).items())
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:12]


def input_files(ctx: Context) -> dict[str, dict[str, str]]:
    """The files the tiers rest on, with the sha256 of their content: the shipped
    public-interest map and substitute groups, and every setting that names a file
    (user interest map, overrides, groups)."""
    from geomon.analyses.trade.groups import shipped_groups_path
    from geomon.analyses.trade.interests import shipped_map_path

    paths = {"shipped interest map": shipped_map_path(), "shipped substitute groups": shipped_groups_path()}
    for name in SETTINGS:
        value = ctx.config[name]
        if isinstance(value, str) and value:
            paths[name] = Path(value).expanduser()
    out = {}
    for key, path in paths.items():
        if path.is_file():
            out[key] = {"path": str(path.resolve()), "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    return out


def tier_counts(rows: pd.DataFrame) -> dict[str, int]:
    counts = rows["tier"].value_counts()
    return {t: int(counts.get(t, 0)) for t in tier_order(rows)}


def save_edition(ctx: Context, name: str, reporter: str, year: int | None = None, note: str = "",
                 editions: str | Path | None = None) -> Result:
    """Screen and classify ``reporter`` in ``year`` and store it as edition ``name``.

    Returns the stored rows and the edition's metadata. Raises :class:`InputError`
    when ``name`` exists (nothing is overwritten).
    """
    from geomon.analyses.trade.interests import load_map
    from geomon.analyses.trade.tiers import classify

    name = check_name(name)
    root = editions_dir(editions, ctx.store)
    target = root / name
    if target.exists():
        raise InputError(f"edition '{name}' already exists in {root}; choose another name (nothing was overwritten)")
    scr = screen(ctx, reporter, year)
    rows = classify(ctx, scr.table).reset_index(drop=True)
    created = dt.datetime.now(dt.timezone.utc).isoformat(timespec="microseconds")
    meta = {
        **scr.meta,
        "analysis": "edition",
        "edition": name,
        "created_at": created,
        "note": note or "",
        "edition_format": FORMAT_VERSION,
        "data_fingerprint": data_fingerprint(ctx),
        "input_files": input_files(ctx),
        "interest_map": load_map(ctx.config).describe(),
        "rows": len(rows),
        "dependent": int(rows["dependent"].sum()),
        "tiers": tier_counts(rows),
    }
    _write(root, target, rows, meta, ctx.config.as_dict())
    meta["path"] = str(target)
    return Result(rows, meta)


def _write(root: Path, target: Path, rows: pd.DataFrame, meta: dict[str, Any], settings: dict[str, Any]) -> None:
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=root))
    except OSError as exc:
        raise OutputError(f"cannot write editions to {root}: {exc.strerror}; give a writable --editions DIR") from None
    try:
        table = pa.Table.from_pandas(rows, preserve_index=False)
        pq.write_table(table, tmp / ROWS_FILE)
        meta = {**meta, "rows_sha256": hashlib.sha256((tmp / ROWS_FILE).read_bytes()).hexdigest()}
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
        (tmp / CONFIG_FILE).write_text(to_toml(settings, f"geomon settings of edition {target.name}"), encoding="utf-8")
        if target.exists():
            raise InputError(f"edition '{target.name}' already exists in {root}; choose another name (nothing was overwritten)")
        try:
            os.rename(tmp, target)
        except OSError as exc:
            if target.exists():
                raise InputError(f"edition '{target.name}' already exists in {root}; choose another name "
                                 "(nothing was overwritten)") from None
            raise OutputError(f"cannot write edition {target}: {exc.strerror}; give a writable --editions DIR") from None
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write edition {target}: {exc.strerror}; give a writable --editions DIR") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def to_toml(settings: dict[str, Any], title: str) -> str:
    """The settings dict of :meth:`Config.as_dict` as a TOML file ``load_config`` reads back."""
    sections: dict[str, dict[str, Any]] = {}
    for key, value in settings.items():
        if key == "blocs":
            continue
        section, _, name = key.partition(".")
        sections.setdefault(section, {})[name] = value
    if settings.get("blocs"):
        sections["blocs"] = settings["blocs"]
    lines = [f"# {title}"]
    for section, values in sections.items():
        lines += ["", f"[{section}]"]
        lines += [f"{k} = {_toml_value(v)}" for k, v in values.items()]
    return "\n".join(lines) + "\n"


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    return json.dumps(str(v))


# --- reading -----------------------------------------------------------------------------------

def _names(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / META_FILE).is_file())


def _find(root: Path, name: str) -> Path:
    path = root / str(name)
    if _NAME.match(str(name)) and (path / META_FILE).is_file():
        return path
    known = _names(root)
    if not known:
        raise InputError(f"unknown edition '{name}': there are no editions in {root} yet; "
                         "save one with 'geomon edition save NAME'")
    raise InputError(f"unknown edition '{name}'; available in {root}: {choices(known)}")


def read_meta(path: Path) -> dict[str, Any]:
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"edition file {path / META_FILE} cannot be read ({exc}); the edition is damaged") from None
    if not isinstance(meta, dict) or "edition" not in meta:
        raise DataError(f"edition file {path / META_FILE} is not a geomon edition; the edition is damaged")
    return meta


def load_edition(name: str, editions: str | Path | None = None, store: Store | None = None) -> Result:
    """The stored rows and metadata of edition ``name``."""
    root = editions_dir(editions, store)
    path = _find(root, name)
    meta = read_meta(path)
    try:
        rows = pq.read_table(path / ROWS_FILE).to_pandas()
    except (OSError, pa.ArrowInvalid) as exc:
        raise DataError(f"edition file {path / ROWS_FILE} cannot be read ({exc}); the edition is damaged") from None
    meta["path"] = str(path)
    return Result(rows, meta)


def list_editions(editions: str | Path | None = None, store: Store | None = None) -> Result:
    """One row per saved edition: name, created_at, reporter, year, data version,
    fingerprint, config hash, rows, dependent, products per tier, note (oldest first)."""
    root = editions_dir(editions, store)
    records = []
    for name in _names(root):
        m = read_meta(root / name)
        rec = {"edition": m["edition"], "created_at": m.get("created_at", ""), "reporter": m.get("reporter", ""),
               "year": m.get("year"), "dataset": m.get("dataset", ""), "data_version": m.get("data_version", ""),
               "data_fingerprint": m.get("data_fingerprint", ""), "config_hash": m.get("config_hash", ""),
               "rows": m.get("rows"), "dependent": m.get("dependent")}
        rec.update({t: n for t, n in (m.get("tiers") or {}).items()})
        rec["note"] = m.get("note", "")
        records.append(rec)
    base = ["edition", "created_at", "reporter", "year", "dataset", "data_version", "data_fingerprint",
            "config_hash", "rows", "dependent"]
    df = pd.DataFrame.from_records(records, columns=None if records else base)
    extra = [c for c in df.columns if c not in base + ["note"]]
    tiers = [t for t in TIERS if t in extra] + sorted(set(extra) - set(TIERS))
    df = df.reindex(columns=base + tiers + ["note"])
    for c in tiers:
        df[c] = df[c].fillna(0).astype("int64")
    df = df.sort_values(["created_at", "edition"], kind="stable").reset_index(drop=True)
    return Result(df, {"analysis": "editions", "editions_dir": str(root), "editions": len(df)})


# --- diff --------------------------------------------------------------------------------------

def diff_editions(a: str, b: str, editions: str | Path | None = None, store: Store | None = None) -> TablesResult:
    """What changed from edition ``a`` to edition ``b``.

    ``table`` (main name ``changes``): one row per (reporter, product) whose final tier
    differs, with ``tier_before``/``tier_after``, ``computed_tier_*``, ``left_tier``,
    ``entered_tier``, ``flipped`` (criteria, public-interest link or override that changed,
    e.g. "c1 yes->no; dependent yes->no; years met 2->0"), ``screened`` (both, or only in one
    edition) and ``<column>_before/_after`` for ``tier_reasons``, :data:`DIFF_INDICATORS`,
    :data:`DIFF_FLAGS` and :data:`DIFF_TEXTS`. Rows: by final tier after, then reporter, product.
    ``summaries``: ``tiers`` (per tier: products before, after, entered, left),
    ``config`` (settings that differ) and ``provenance`` (data and run keys that differ).
    """
    ea, eb = load_edition(a, editions, store), load_edition(b, editions, store)
    ra, rb = ea.table, eb.table
    keys = ["reporter", "product"]
    carry = ["description", "tier", "computed_tier", "tier_reasons"]
    cols = [c for c in dict.fromkeys(carry + DIFF_INDICATORS + list(DIFF_FLAGS) + list(DIFF_TEXTS))
            if c in ra.columns or c in rb.columns]
    m = ra.reindex(columns=keys + cols).merge(rb.reindex(columns=keys + cols), on=keys, how="outer",
                                              suffixes=("_before", "_after"), indicator=True)
    for side in ("before", "after"):
        for t in ("tier", "computed_tier"):
            m[f"{t}_{side}"] = m[f"{t}_{side}"].astype(object).where(m[f"{t}_{side}"].notna(), "none")
    merge = m.pop("_merge").astype(str)
    m["_in_before"], m["_in_after"] = merge != "right_only", merge != "left_only"
    m["screened"] = merge.map({"both": "both", "left_only": f"only {a}", "right_only": f"only {b}"})
    m["description"] = m["description_after"].astype(object).where(m["description_after"].notna(),
                                                                    m["description_before"])
    m["flipped"] = _flipped(m, a, b)
    changed = m[m["tier_before"] != m["tier_after"]].copy()
    changed["left_tier"] = changed["tier_before"]
    changed["entered_tier"] = changed["tier_after"]
    order = {t: i for i, t in enumerate(tier_order(pd.concat([ra, rb], ignore_index=True)))}
    changed["_o"] = changed["tier_after"].map(order).fillna(len(order))
    changed = changed.sort_values(["_o", "reporter", "product"], kind="stable").drop(columns="_o")
    pairs = [f"{c}_{s}" for c in cols if c not in ("description", "tier", "computed_tier") for s in ("before", "after")]
    front = ["reporter", "product", "description", "tier_before", "tier_after", "left_tier", "entered_tier", "flipped",
             "computed_tier_before", "computed_tier_after", "screened"]
    table = changed[front + [p for p in pairs if p in changed.columns]].reset_index(drop=True)
    summaries = {"tiers": _tier_summary(m, order), "config": _config_diff(ea.meta, eb.meta),
                 "provenance": _provenance_diff(ea.meta, eb.meta)}
    meta = {"analysis": "edition diff", "before": _brief(ea.meta), "after": _brief(eb.meta),
            "changed_products": len(table), "config_changes": len(summaries["config"]),
            "provenance_changes": len(summaries["provenance"])}
    return TablesResult(table, meta, summaries, main="changes")


def _brief(meta: dict[str, Any]) -> dict[str, Any]:
    keys = ["edition", "created_at", "note", "reporter", "year", "dataset", "data_version", "data_fingerprint",
            "config_hash", "rows", "dependent", "tiers", "path"]
    return {k: meta.get(k) for k in keys}


def _yn(v: Any) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)) or v is pd.NA:
        return "-"
    return "yes" if bool(v) else "no"


def _flipped(m: pd.DataFrame, a: str, b: str) -> pd.Series:
    """Readable list of what flipped per row: criteria, link, override, screened in one edition only."""
    parts = []
    for col, label in DIFF_FLAGS.items():
        if f"{col}_before" not in m:
            continue
        x = m[f"{col}_before"].astype("boolean")
        y = m[f"{col}_after"].astype("boolean")
        differ = (x != y).fillna(True) & ~(x.isna() & y.isna())
        text = label + " " + x.map(_yn, na_action=None).astype(str) + "->" + y.map(_yn, na_action=None).astype(str)
        parts.append(text.where(differ, ""))
    for col, label in DIFF_COUNTS.items():
        if f"{col}_before" not in m:
            continue
        x = m[f"{col}_before"].astype("Int64")
        y = m[f"{col}_after"].astype("Int64")
        text = label + " " + x.astype(str).str.replace("<NA>", "-") + "->" + y.astype(str).str.replace("<NA>", "-")
        parts.append(text.where((x != y).fillna(True) & ~(x.isna() & y.isna()), ""))
    for col, label in DIFF_TEXTS.items():
        if f"{col}_before" in m:
            x = m[f"{col}_before"].fillna("").astype(str)
            y = m[f"{col}_after"].fillna("").astype(str)
            parts.append(pd.Series(np.where(x != y, label, ""), index=m.index))
    only = pd.Series(np.select([m["screened"] == f"only {a}", m["screened"] == f"only {b}"],
                               [f"not imported in {b}", f"not imported in {a}"], ""), index=m.index)
    parts.append(only)
    return _join(pd.concat(parts, axis=1))


def _join(frame: pd.DataFrame) -> pd.Series:
    """Join the non-empty strings of each row with '; ' (column-wise concatenation)."""
    out = pd.Series("", index=frame.index, dtype=object)
    for col in frame.columns:
        s = frame[col].astype(str)
        sep = np.where((out != "") & (s != ""), "; ", "")
        out = out + sep + s
    return out


def _tier_summary(m: pd.DataFrame, order: dict[str, int]) -> pd.DataFrame:
    """Per tier: products in it before and after (screened in that edition), entered, left."""
    moved = m["tier_before"] != m["tier_after"]
    rows = [{"tier": t,
             "before": int(((m["tier_before"] == t) & m["_in_before"]).sum()),
             "after": int(((m["tier_after"] == t) & m["_in_after"]).sum()),
             "entered": int((moved & (m["tier_after"] == t)).sum()),
             "left": int((moved & (m["tier_before"] == t)).sum())}
            for t in sorted(order, key=order.get)]
    return pd.DataFrame(rows, columns=["tier", "before", "after", "entered", "left"])


def _flat(d: dict[str, Any]) -> dict[str, str]:
    return {k: json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else str(v) for k, v in d.items()}


def _config_diff(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    sa, sb = _flat(a.get("settings") or {}), _flat(b.get("settings") or {})
    fa = {f"file {k}": v.get("sha256", "")[:12] for k, v in (a.get("input_files") or {}).items()}
    fb = {f"file {k}": v.get("sha256", "")[:12] for k, v in (b.get("input_files") or {}).items()}
    fa["interest map"], fb["interest map"] = str(a.get("interest_map", "")), str(b.get("interest_map", ""))
    sa.update(fa)
    sb.update(fb)
    sa["config_hash"], sb["config_hash"] = str(a.get("config_hash", "")), str(b.get("config_hash", ""))
    rows = [{"setting": k, "before": sa.get(k, ""), "after": sb.get(k, "")}
            for k in list(dict.fromkeys(list(sa) + list(sb))) if sa.get(k, "") != sb.get(k, "")]
    return pd.DataFrame(rows, columns=["setting", "before", "after"])


def _provenance_diff(a: dict[str, Any], b: dict[str, Any]) -> pd.DataFrame:
    rows = [{"key": k, "before": str(a.get(k, "")), "after": str(b.get(k, ""))}
            for k in PROVENANCE_KEYS if str(a.get(k, "")) != str(b.get(k, ""))]
    return pd.DataFrame(rows, columns=["key", "before", "after"])
