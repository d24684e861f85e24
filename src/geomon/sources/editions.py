"""Reading the editions repository: saved runs on disk (written by :mod:`geomon.outputs.editions`).

An edition is a directory ``EDITIONS/NAME/`` holding::

    edition.json    name, created_at, note, reporter, year, provenance (dataset, version,
                    HS revision, data fingerprint, settings, config hash, ...), input files
                    with their sha256, counts by tier
    tiers.parquet   the screening + tier rows (one per reporter and product)
    config.toml     the effective settings; ``--config EDITIONS/NAME/config.toml`` re-runs it
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geomon.errors import DataError, InputError, choices

EDITIONS_ENV = "GEOMON_EDITIONS"
META_FILE = "edition.json"
ROWS_FILE = "tiers.parquet"
CONFIG_FILE = "config.toml"
FORMAT_VERSION = 1
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


def check_name(name: str) -> str:
    """An edition name: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit."""
    if not NAME_PATTERN.match(str(name)):
        raise InputError(f"edition name '{name}' is not allowed; use 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit (e.g. nl-2022)")
    return str(name)


def edition_names(root: Path) -> list[str]:
    """Names of the editions in ``root`` (sorted); an absent folder has none."""
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / META_FILE).is_file())


def find_edition(root: Path, name: str) -> Path:
    """The folder of edition ``name`` in ``root``, or an :class:`InputError` naming the ones there are."""
    path = root / str(name)
    if NAME_PATTERN.match(str(name)) and (path / META_FILE).is_file():
        return path
    known = edition_names(root)
    if not known:
        raise InputError(f"unknown edition '{name}': there are no editions in {root} yet; "
                         "save one with 'geomon edition save NAME'")
    raise InputError(f"unknown edition '{name}'; available in {root}: {choices(known)}")


def read_meta(path: Path) -> dict[str, Any]:
    """The metadata of the edition in folder ``path``."""
    try:
        meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"edition file {path / META_FILE} cannot be read ({exc}); the edition is damaged") from None
    if not isinstance(meta, dict) or "edition" not in meta:
        raise DataError(f"edition file {path / META_FILE} is not a geomon edition; the edition is damaged")
    return meta


def read_edition(root: Path, name: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The stored rows and metadata of edition ``name`` (``meta["path"]`` is its folder)."""
    path = find_edition(root, name)
    meta = read_meta(path)
    try:
        rows = pq.read_table(path / ROWS_FILE).to_pandas()
    except (OSError, pa.ArrowInvalid) as exc:
        raise DataError(f"edition file {path / ROWS_FILE} cannot be read ({exc}); the edition is damaged") from None
    return rows, {**meta, "path": str(path)}
