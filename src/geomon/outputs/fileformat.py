"""Output files: the format from the ``-o`` extension, and provenance beside a CSV file.

A CSV file cannot hold metadata, so :func:`geomon.outputs.files.write_csv` writes a sidecar ``FILE.meta.json``
beside it: the file's name, format, rows and columns, then the result's metadata (source,
dataset, HS revision, data version, data years, which store, settings and their hash
``config_hash``, geomon version). Both are written to temporary files and renamed into place
only when both are complete.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd

from geomon.errors import OutputError

#: file extension -> format of ``-o`` for table results
EXTENSIONS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".pq": "parquet", ".xlsx": "xlsx"}
SIDECAR_SUFFIX = ".meta.json"


def resolve_format(fmt: str | None, output: str | Path | None, extensions: dict[str, str] | None = None,
                   default: str = "table") -> str:
    """The format to write: without ``output`` the given one (or ``default``); with ``output``
    the one its extension names. A given format (other than the terminal's ``table``) that
    contradicts a known extension, or an unknown extension without a format, is an
    :class:`OutputError`."""
    exts = extensions or EXTENSIONS
    if output is None:
        return fmt or default
    inferred = exts.get(Path(output).suffix.lower())
    given = None if fmt in (None, "table") else fmt
    if given and inferred and given != inferred:
        raise OutputError(f"--format {given} does not match --output {output} (a {inferred} file name); name the "
                          f"file {Path(output).with_suffix('.' + given)} or leave out --format")
    if given:
        return given
    if inferred is None and not Path(output).suffix:
        return default  # no extension (or a folder): the caller's default and its own checks
    if inferred is None:
        raise OutputError(f"cannot tell the format of --output {output} from its extension; use one of "
                          f"{', '.join(sorted(exts))} or give --format")
    return inferred


def sidecar_path(path: str | Path) -> Path:
    """``out.csv`` -> ``out.csv.meta.json``."""
    p = Path(path)
    return p.with_name(p.name + SIDECAR_SUFFIX)


def sidecar(df: pd.DataFrame, meta: dict[str, Any], path: str | Path, fmt: str) -> str:
    """The sidecar document of a data file (see the module docstring)."""
    head = {"file": Path(path).name, "format": fmt, "rows": int(len(df)), "columns": [str(c) for c in df.columns]}
    return json.dumps({**head, "meta": meta}, indent=2, default=str) + "\n"

