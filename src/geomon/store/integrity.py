"""Store integrity: what a dataset's provenance says it holds, and whether it still does.

At ingest the writer records in ``provenance.json`` under ``stored`` every Parquet file of the
dataset (path relative to the dataset folder, bytes, rows, SHA-256) and under ``schemas`` the
columns and types of each table kind (``flows``, ``stats/imports``, ``stats/exports``,
``stats/world``, ``countries``, ``products``). Two checks use them:

- :func:`quick_check` runs whenever a dataset is opened: every recorded file exists with its
  recorded size, the years of the provenance each have their flows, and no Parquet file is there
  that the provenance does not list (the engine reads folders by pattern and would count it).
  Cost: one ``stat`` per file. Stores written before the manifest existed get their Parquet
  footers read instead (about 0.2 ms a file).
- :func:`check_dataset` (``geomon data --check``) additionally reads every file in full: SHA-256,
  row count and schema against the provenance.

A failure is one line naming the file and ``geomon data --check``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyarrow.parquet as pq

from geomon.errors import DataError

CHECK_HINT = "run 'geomon data --check' to see every damaged file, then ingest the source again"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 24):
            h.update(chunk)
    return h.hexdigest()


def kind_of(rel: str) -> str:
    """``flows/year=2022/part-0.parquet`` -> ``flows``; ``stats/world/...`` -> ``stats/world``;
    ``countries.parquet`` -> ``countries``."""
    parts = rel.split("/")
    if parts[0] == "stats" and len(parts) > 2:
        return "/".join(parts[:2])
    return parts[0].removesuffix(".parquet")


def parquet_files(root: Path) -> list[str]:
    """Every Parquet file of a dataset folder, relative, sorted."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.parquet") if not p.name.startswith("."))


def manifest(root: Path) -> tuple[dict[str, dict], dict[str, list[str]]]:
    """(stored, schemas) of a dataset folder: per file bytes, rows and SHA-256; per kind the
    columns as ``name: type``."""
    stored: dict[str, dict] = {}
    schemas: dict[str, list[str]] = {}
    for rel in parquet_files(root):
        path = root / rel
        meta = pq.read_metadata(path)
        stored[rel] = {"bytes": path.stat().st_size, "rows": meta.num_rows, "sha256": sha256_file(path)}
        schemas.setdefault(kind_of(rel), _columns(meta.schema.to_arrow_schema()))
    return stored, schemas


def _columns(schema) -> list[str]:
    return [f"{f.name}: {f.type}" for f in schema]


def read_provenance(path: Path) -> dict:
    """A dataset's provenance.json, or a one-line :class:`DataError` naming it."""
    try:
        prov = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        why = getattr(exc, "strerror", None) or str(exc).splitlines()[0]
        raise DataError(f"{path} cannot be read ({why}); {CHECK_HINT}") from None
    missing = [k for k in ("source", "hs_revision", "version", "files") if k not in prov]
    if not isinstance(prov, dict) or missing:
        raise DataError(f"{path} lacks {', '.join(missing) or 'its fields'}; {CHECK_HINT}")
    return prov


def _expected_years(prov: dict) -> list[int]:
    return sorted(int(f["year"]) for f in prov.get("files", []))


def _structure_problems(root: Path, prov: dict) -> list[tuple[str, str]]:
    """Missing year folders, files of the manifest missing or of another size, files not in it."""
    problems = []
    for year in _expected_years(prov):
        if not list((root / "flows" / f"year={year}").glob("*.parquet")):
            problems.append((f"flows/year={year}", "missing (the provenance lists this year)"))
    stored = prov.get("stored")
    if stored is None:
        return problems
    if "stats" not in prov:  # statistics dropped (as by an older geomon): the engine reads the flows
        stored = {rel: rec for rel, rec in stored.items() if not rel.startswith("stats/")}
    on_disk = set(parquet_files(root))
    for rel, rec in stored.items():
        path = root / rel
        if rel not in on_disk:
            problems.append((rel, "missing"))
        elif path.stat().st_size != rec["bytes"]:
            problems.append((rel, f"{path.stat().st_size:,} bytes, provenance says {rec['bytes']:,} (truncated or changed)"))
    problems += [(rel, "not listed in the provenance") for rel in sorted(on_disk - set(stored))]
    return problems


def _footer_problems(root: Path) -> list[tuple[str, str]]:
    problems = []
    for rel in parquet_files(root):
        try:
            pq.read_metadata(root / rel)
        except (OSError, ValueError) as exc:
            problems.append((rel, f"not a readable Parquet file ({str(exc).splitlines()[0]})"))
    return problems


def quick_check(root: Path, prov: dict) -> None:
    """Raise a one-line :class:`DataError` for the first damaged or missing file (see module doc)."""
    problems = _structure_problems(root, prov)
    if not problems and prov.get("stored") is None:
        problems = _footer_problems(root)
    if problems:
        rel, what = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise DataError(f"the store is damaged: {root / rel} is {what}{more}; {CHECK_HINT}")


def check_dataset(root: Path, prov: dict) -> list[tuple[str, str]]:
    """Every problem of a dataset folder as (file relative to it, what is wrong); [] when sound.

    Checks the structure (:func:`quick_check`), then reads each file: a readable Parquet footer,
    the schema of its kind, and against the manifest its row count and SHA-256."""
    problems = _structure_problems(root, prov)
    bad = {rel for rel, _ in problems}
    stored, schemas = prov.get("stored") or {}, prov.get("schemas") or {}
    for rel in parquet_files(root):
        if rel in bad:
            continue
        try:
            meta = pq.read_metadata(root / rel)
        except (OSError, ValueError) as exc:
            problems.append((rel, f"not a readable Parquet file ({str(exc).splitlines()[0]})"))
            continue
        want = schemas.get(kind_of(rel))
        if want is not None and _columns(meta.schema.to_arrow_schema()) != want:
            problems.append((rel, f"schema {', '.join(_columns(meta.schema.to_arrow_schema()))}; expected {', '.join(want)}"))
        rec = stored.get(rel)
        if rec is None:
            continue
        if meta.num_rows != rec["rows"]:
            problems.append((rel, f"{meta.num_rows:,} rows, provenance says {rec['rows']:,}"))
        elif sha256_file(root / rel) != rec["sha256"]:
            problems.append((rel, "checksum differs from the provenance (the file was changed)"))
    return problems


def check_store(root: Path, full: bool = True) -> list[dict]:
    """One row per dataset folder of a store: ``dataset``, ``folder``, ``provenance`` (dict or
    None) and ``problems`` [(file, what)], from :func:`check_dataset` (``full``) or the quick
    checks. A dataset folder without a readable provenance.json is a problem, never an exception."""
    rows = []
    for folder in sorted(p for p in root.glob("*/*") if p.is_dir() and not p.name.startswith(".")):
        name = f"{folder.parent.name}/{folder.name}"
        path = folder / "provenance.json"
        if not path.exists():
            rows.append({"dataset": name, "folder": folder, "provenance": None,
                         "problems": [("provenance.json", "missing")]})
            continue
        try:
            prov = read_provenance(path)
        except DataError as exc:
            rows.append({"dataset": name, "folder": folder, "provenance": None,
                         "problems": [("provenance.json", str(exc).split("; ")[0].removeprefix(f"{path} "))]})
            continue
        problems = check_dataset(folder, prov) if full else _structure_problems(folder, prov)
        rows.append({"dataset": name, "folder": folder, "provenance": prov, "problems": problems})
    return rows
