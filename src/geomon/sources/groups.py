"""Substitute groups files: products that can replace one another.

The shipped groups are ``geomon/data/substitute_groups.csv`` (columns group,
label, product, note, source; one row per member). A user file in the same
format (``groups.file``) adds groups, or replaces the shipped ones with
``groups.mode = "replace"``. A member may be an HS6 code or a 4-digit heading
(expanded to every HS6 code of the dataset under it); a code that is not in the
dataset's product list is an error naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Sequence

import pandas as pd

from geomon.config import Config
from geomon.errors import DataError
from geomon.sources.userfiles import read_csv

GROUP_ID = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")


def shipped_groups_path() -> Path:
    return Path(str(resources.files("geomon") / "data" / "substitute_groups.csv"))


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    members: tuple[str, ...]
    notes: dict[str, str] = field(default_factory=dict)
    sources: tuple[str, ...] = ()
    file: str = ""


@dataclass(frozen=True)
class Groups:
    groups: dict[str, Group]
    versions: dict[str, str]

    @property
    def ids(self) -> list[str]:
        return list(self.groups)

    def mapping(self, ids: Sequence[str] | None = None) -> pd.DataFrame:
        """product -> group table for the engine (one row per membership)."""
        chosen = [self.groups[g] for g in (ids or self.groups)]
        rows = [(p, g.id) for g in chosen for p in g.members]
        return pd.DataFrame(rows, columns=["product", "group"])

    def groups_of(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for g in self.groups.values():
            for p in g.members:
                out.setdefault(p, []).append(g.id)
        return out

    def describe(self) -> str:
        return "; ".join(f"{Path(f).name} {v or '(no version)'}" for f, v in self.versions.items())


def read_groups(path: str | Path, products: set[str]) -> Groups:
    """Read one groups file; every member must be in ``products`` (the dataset's code list)."""
    f = read_csv(path, "substitute groups", ["group", "product"], ["label", "note", "source"])
    members: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    notes: dict[str, dict[str, str]] = {}
    sources: dict[str, list[str]] = {}
    for row in f.rows:
        gid = row["group"]
        if not GROUP_ID.match(gid):
            raise f.error(row, f"group id '{gid}' must be lowercase letters, digits, _ or - (e.g. lithium_compounds)")
        if gid.isdigit():
            raise f.error(row, f"group id '{gid}' must not be all digits (it would look like an HS code)")
        code = row["product"]
        if code.isdigit() and len(code) in (5, 3):
            code = code.zfill(len(code) + 1)
        if code.isdigit() and len(code) == 4:
            expanded = sorted(p for p in products if p.startswith(code))
            if not expanded:
                raise f.error(row, f"heading {code} of group {gid} matches no product code of the data")
        elif code.isdigit() and len(code) == 6:
            if code not in products:
                raise f.error(row, f"unknown member {code} of group {gid}: not in the product list of the data; "
                                   f"give an HS6 code of that list")
            expanded = [code]
        else:
            raise f.error(row, f"member '{row['product']}' of group {gid} is not an HS6 code or 4-digit heading")
        if labels.get(gid) and row["label"] and row["label"] != labels[gid]:
            raise f.error(row, f"group {gid} has two labels ('{labels[gid]}' and '{row['label']}'); use one")
        labels[gid] = labels.get(gid) or row["label"]
        lst = members.setdefault(gid, [])
        for p in expanded:
            if p in lst:
                raise f.error(row, f"member {p} appears twice in group {gid}")
            lst.append(p)
            notes.setdefault(gid, {})[p] = row["note"]
        if row["source"] and row["source"] not in sources.setdefault(gid, []):
            sources[gid].append(row["source"])
    groups = {g: Group(g, labels[g] or g, tuple(m), notes.get(g, {}), tuple(sources.get(g, [])), str(f.path))
              for g, m in members.items()}
    return Groups(groups, {str(f.path): f.version})



def load_groups(config: Config, products: set[str], extra: str | Path | None = None,
                replace: bool | None = None) -> Groups:
    """The effective groups: shipped plus the user file (``extra`` or ``groups.file``),
    or the user file alone when ``replace`` (or ``groups.mode = "replace"``); every member
    must be in ``products`` (the dataset's code list)."""
    user = extra if extra not in (None, "") else config["groups.file"]
    replace = (config["groups.mode"] == "replace") if replace is None else replace
    if replace and not user:
        raise DataError("groups.mode = replace needs a user groups file; give --groups FILE or set groups.file")
    parts = [] if replace else [read_groups(shipped_groups_path(), products)]
    if user:
        parts.append(read_groups(user, products))
    merged: dict[str, Group] = {}
    versions: dict[str, str] = {}
    for part in parts:
        for gid, g in part.groups.items():
            if gid in merged:
                raise DataError(f"{g.file}: group {gid} is already defined in {merged[gid].file}; "
                                f"choose another id or use groups.mode = replace")
            merged[gid] = g
        versions.update(part.versions)
    return Groups(merged, versions)
