"""Writing an edition into the editions repository (read by :mod:`geomon.sources.editions`).

The edition is built in a hidden temporary directory beside its target and renamed into
place, so a failed save leaves nothing; an existing name is never overwritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geomon.errors import InputError, OutputError
from geomon.outputs.plain import plain_text
from geomon.sources.editions import CONFIG_FILE, META_FILE, ROWS_FILE


def _exists(target: Path) -> InputError:
    return InputError(f"edition '{target.name}' already exists in {target.parent}; choose another name "
                      "(nothing was overwritten)")


def write_edition(target: Path, rows: pd.DataFrame, meta: dict[str, Any], settings: dict[str, Any]) -> dict[str, Any]:
    """Write edition folder ``target`` (rows, metadata with the rows' sha256, config.toml) atomically;
    returns the metadata as stored."""
    root = target.parent
    if target.exists():
        raise _exists(target)
    try:
        root.mkdir(parents=True, exist_ok=True)
        tmp: Path | None = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=root))
    except OSError as exc:
        raise OutputError(f"cannot write editions to {root}: {exc.strerror}; give a writable --editions DIR") from None
    try:
        pq.write_table(pa.Table.from_pandas(plain_text(rows), preserve_index=False), tmp / ROWS_FILE)
        meta = {**meta, "rows_sha256": hashlib.sha256((tmp / ROWS_FILE).read_bytes()).hexdigest()}
        (tmp / META_FILE).write_text(json.dumps(meta, indent=2, default=str) + "\n", encoding="utf-8")
        (tmp / CONFIG_FILE).write_text(to_toml(settings, f"geomon settings of edition {target.name}"), encoding="utf-8")
        if target.exists():
            raise _exists(target)
        try:
            os.rename(tmp, target)
        except OSError as exc:
            if target.exists():
                raise _exists(target) from None
            raise OutputError(f"cannot write edition {target}: {exc.strerror}; give a writable --editions DIR") from None
        tmp = None
    except OSError as exc:
        raise OutputError(f"cannot write edition {target}: {exc.strerror}; give a writable --editions DIR") from None
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    return meta


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
