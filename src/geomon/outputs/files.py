"""Plain files: CSV, JSON, Parquet, Excel. Every write is atomic (temp file, then rename).

Provenance travels with every file: JSON carries ``meta`` inline, Parquet in its key-value
metadata (key ``geomon``), the workbook in its metadata sheet, a CSV file in a sidecar
``FILE.meta.json`` (:mod:`geomon.outputs.fileformat`, which also infers the format from -o).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from geomon.errors import OutputError

FORMATS = ("table", "csv", "json", "parquet", "xlsx")


from geomon.outputs.atomic import atomic_path, write_text  # noqa: E402,F401  (the one atomic writer)
from geomon.outputs.plain import plain_text


def to_csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def to_json(df: pd.DataFrame, meta: dict[str, Any]) -> str:
    """JSON document: {"meta": {...provenance...}, "rows": [...]}."""
    rows = json.loads(df.to_json(orient="records", double_precision=15))
    return json.dumps({"meta": meta, "rows": rows}, indent=2, default=str) + "\n"


def write_csv(df: pd.DataFrame, meta: dict[str, Any], path: str | Path) -> None:
    """CSV plus its sidecar ``FILE.meta.json`` (:func:`geomon.outputs.fileformat.sidecar`), renamed
    into place together."""
    from geomon.outputs.fileformat import sidecar, sidecar_path

    with atomic_path(path) as tmp, atomic_path(sidecar_path(path)) as tmp_meta:
        tmp.write_text(to_csv(df), encoding="utf-8")
        tmp_meta.write_text(sidecar(df, meta, path, "csv"), encoding="utf-8")


def write_parquet(df: pd.DataFrame, meta: dict[str, Any], path: str | Path) -> None:
    """Parquet with the metadata stored under the key ``geomon`` in the file's schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(plain_text(df), preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"geomon": json.dumps(meta, default=str).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_table(df: pd.DataFrame, meta: dict[str, Any], fmt: str, path: str | Path) -> None:
    """Write one result table in ``fmt`` (csv, json, parquet, xlsx) to ``path`` atomically."""
    if fmt == "csv":
        write_csv(df, meta, path)  # with its sidecar FILE.meta.json
    elif fmt == "json":
        write_text(to_json(df, meta), path)
    elif fmt == "parquet":
        write_parquet(df, meta, path)
    elif fmt == "xlsx":
        from geomon.outputs.excel import write_workbook

        write_workbook({"results": df}, meta, path)
    else:
        raise OutputError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
