"""Value-chain definitions: declarative TOML files, one chain per file.

Shipped chains live in ``geomon/data/chains``; users add or replace chains with a
folder of their own (setting ``chains.dir`` or ``--chains-dir``). A chain file::

    name = "lithium"                        # what users type: geomon chain lithium
    title = "Lithium: ores -> chemicals -> cells"
    description = "..."                      # optional

    [[stages]]                               # in value-chain order
    id = "ores"
    name = "Lithium ores and concentrates"
    kind = "extraction"                      # extraction | processing | components | end products
    hs = ["253090", "261790"]                # HS6 codes of the data's revision (HS 1992 for the embedded data)
    production = "Lithium (Li2O)"            # optional: World Mining Data commodity (or map reference name)
    note = "..."                             # optional caveat shown with the stage
    [stages.hs_by_revision]                  # optional: codes for other HS revisions
    HS17 = ["..."]

HS codes are parsed like the commodity map's (leading zero may be missing).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from geomon.errors import ConfigError, DataError
from geomon.sources.wmd import parse_hs_codes

KINDS = ("extraction", "processing", "components", "end products")
_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]*$")
_CHAIN_KEYS = {"name", "title", "description", "stages"}
_STAGE_KEYS = {"id", "name", "kind", "hs", "production", "note", "hs_by_revision"}


@dataclass(frozen=True)
class Stage:
    """One stage of a value chain."""

    id: str
    name: str
    kind: str
    hs: tuple[str, ...]
    production: str | None = None
    note: str = ""
    hs_by_revision: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def codes(self, hs_revision: str) -> tuple[str, ...]:
        """The stage's HS6 codes for a dataset of ``hs_revision`` (e.g. 'HS92')."""
        return self.hs_by_revision.get(hs_revision.upper(), self.hs)


@dataclass(frozen=True)
class Chain:
    """An ordered list of stages, read from ``path``."""

    name: str
    title: str
    stages: tuple[Stage, ...]
    description: str = ""
    path: str = ""


def shipped_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "chains"


def read_chain(path: str | Path) -> Chain:
    """Read and validate one chain file; errors name the file and the bad entry."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"chain file {path} is not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"cannot read chain file {path}: {exc}") from None
    unknown = set(data) - _CHAIN_KEYS
    if unknown:
        raise DataError(f"chain file {path}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_CHAIN_KEYS))}")
    name = data.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise DataError(f"chain file {path}: name = {name!r} must be lower-case letters, digits, '_' or '-'")
    stages_raw = data.get("stages")
    if not isinstance(stages_raw, list) or not stages_raw:
        raise DataError(f"chain file {path}: no [[stages]]; a chain needs at least one stage")
    stages, seen = [], set()
    for i, st in enumerate(stages_raw, start=1):
        where = f"chain file {path} stage {i}"
        if not isinstance(st, dict):
            raise DataError(f"{where}: must be a table [[stages]]")
        unknown = set(st) - _STAGE_KEYS
        if unknown:
            raise DataError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_STAGE_KEYS))}")
        sid, sname, kind = st.get("id"), st.get("name"), st.get("kind")
        if not isinstance(sid, str) or not sid or sid in seen:
            raise DataError(f"{where}: id = {sid!r} must be a non-empty text, unique in the chain")
        seen.add(sid)
        if not isinstance(sname, str) or not sname.strip():
            raise DataError(f"{where} ({sid}): name must be a non-empty text")
        if kind not in KINDS:
            raise DataError(f"{where} ({sid}): kind = {kind!r}; choose one of {', '.join(KINDS)}")
        hs = _codes(st.get("hs"), f"{where} ({sid}) hs")
        by_rev = st.get("hs_by_revision", {})
        if not isinstance(by_rev, dict):
            raise DataError(f"{where} ({sid}): hs_by_revision must be a table like HS17 = [\"850760\"]")
        revs = {}
        for rev, codes in by_rev.items():
            key = "HS" + str(rev).upper().removeprefix("HS")
            if not re.fullmatch(r"HS\d{2}", key):
                raise DataError(f"{where} ({sid}): hs_by_revision key {rev!r} is not an HS revision like HS17")
            revs[key] = _codes(codes, f"{where} ({sid}) hs_by_revision.{rev}")
        prod = st.get("production")
        if prod is not None and (not isinstance(prod, str) or not prod.strip()):
            raise DataError(f"{where} ({sid}): production must be a World Mining Data commodity name")
        note = st.get("note", "")
        if not isinstance(note, str):
            raise DataError(f"{where} ({sid}): note must be text")
        stages.append(Stage(sid, sname.strip(), kind, hs, prod.strip() if prod else None, note.strip(), revs))
    title = data.get("title", name)
    desc = data.get("description", "")
    if not isinstance(title, str) or not isinstance(desc, str):
        raise DataError(f"chain file {path}: title and description must be text")
    return Chain(name, title, tuple(stages), desc, str(path))


def _codes(value: object, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise DataError(f"{where}: give a non-empty list of HS6 codes, e.g. [\"283691\"]")
    out: list[str] = []
    for v in value:
        for c in parse_hs_codes(v, where):
            if c not in out:
                out.append(c)
    if not out:
        raise DataError(f"{where}: give a non-empty list of HS6 codes, e.g. [\"283691\"]")
    return tuple(out)


def load_chains(user_dir: str | Path | None = None) -> dict[str, Chain]:
    """Shipped chains plus the ``*.toml`` chains in ``user_dir`` (a user chain with the
    same name replaces the shipped one). Returned in name order."""
    chains = {c.name: c for c in map(read_chain, sorted(shipped_dir().glob("*.toml")))}
    if user_dir:
        d = Path(user_dir).expanduser()
        if not d.is_dir():
            raise ConfigError(f"chains folder {d} does not exist; give a folder of chain .toml files (setting chains.dir / --chains-dir)")
        for path in sorted(d.glob("*.toml")):
            c = read_chain(path)
            chains[c.name] = c
    return dict(sorted(chains.items()))
