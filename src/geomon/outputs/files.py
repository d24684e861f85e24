"""Plain files: CSV, JSON, Parquet, Excel. Every write is atomic (temp file, then rename)."""

from __future__ import annotations

import json
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import pandas as pd

from geomon.errors import OutputError

FORMATS = ("table", "csv", "json", "parquet", "xlsx")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it into place only on success."""
    target = Path(path)
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise OutputError(f"cannot write {target}: the folder {parent} does not exist; create it or choose another --output")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}; choose a writable --output") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp_path, target)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror}; choose a writable --output") from None
    finally:
        tmp_path.unlink(missing_ok=True)


def write_text(text: str, path: str | Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def to_csv(df: pd.DataFrame) -> str:
    return df.to_csv(index=False, lineterminator="\n")


def to_json(df: pd.DataFrame, meta: dict[str, Any]) -> str:
    """JSON document: {"meta": {...provenance...}, "rows": [...]}."""
    rows = json.loads(df.to_json(orient="records", double_precision=15))
    return json.dumps({"meta": meta, "rows": rows}, indent=2, default=str) + "\n"


def write_parquet(df: pd.DataFrame, meta: dict[str, Any], path: str | Path) -> None:
    """Parquet with the metadata stored under the key ``geomon`` in the file's schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"geomon": json.dumps(meta, default=str).encode()})
    with atomic_path(path) as tmp:
        pq.write_table(table, tmp)


def write_table(df: pd.DataFrame, meta: dict[str, Any], fmt: str, path: str | Path) -> None:
    """Write one result table in ``fmt`` (csv, json, parquet, xlsx) to ``path`` atomically."""
    if fmt == "csv":
        write_text(to_csv(df), path)
    elif fmt == "json":
        write_text(to_json(df, meta), path)
    elif fmt == "parquet":
        write_parquet(df, meta, path)
    elif fmt == "xlsx":
        from geomon.outputs.excel import write_workbook

        write_workbook({"results": df}, meta, path)
    else:
        raise OutputError(f"unknown format '{fmt}'; choose one of {', '.join(FORMATS)}")
