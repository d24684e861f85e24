"""Configuration: the settings of one run, validated against the registry (:mod:`geomon.registry`).

A configuration file is TOML with one table per section, e.g.::

    [screening]
    import_hhi = 0.4
    window = 3
    min_years = 2

    [blocs]
    BENELUX = ["BEL", "NLD", "LUX"]

Thresholds, windows and k are configuration, never literals in analysis code.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geomon.errors import ConfigError, InputError
# The registry lives in geomon.registry (add new settings there); re-exported for the callers of config.
from geomon.registry import MAX_WINDOW_YEARS, PATH_SETTINGS, SETTINGS, Setting  # noqa: F401


@dataclass(frozen=True)
class Config:
    """Validated settings plus user-defined blocs (name -> ISO3 members)."""

    values: dict[str, Any] = field(default_factory=dict)
    blocs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    source: str = "defaults"

    def __getitem__(self, name: str) -> Any:
        if name in self.values:
            return self.values[name]
        return SETTINGS[name].default

    def as_dict(self) -> dict[str, Any]:
        """Every setting with its effective value, plus blocs."""
        out = {name: self[name] for name in SETTINGS}
        out["blocs"] = {k: list(v) for k, v in sorted(self.blocs.items())}
        return out

    def hash(self) -> str:
        """sha256 (first 12 hex digits) of the canonical JSON of :meth:`as_dict`."""
        blob = json.dumps(self.as_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    def with_overrides(self, **overrides: Any) -> "Config":
        """A new config with ``section.key`` (or ``section__key``) values replaced; None is ignored."""
        values = dict(self.values)
        for key, value in overrides.items():
            if value is None:
                continue
            name = key.replace("__", ".")
            values[name] = _coerce(name, value)
        cfg = Config(values=values, blocs=self.blocs, source=self.source)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        """Check every value and the relations between them."""
        for name in SETTINGS:
            setting = SETTINGS[name]
            if setting.check:
                setting.check(name, self[name])
        k, n = self["screening.min_years"], self["screening.window"]
        if k > n:
            raise InputError(f"min_years k = {k} is larger than the window n = {n}; choose k between 1 and {n}")


def keyword_settings(settings: dict[str, Any], sections: tuple[str, ...] = ()) -> dict[str, Any]:
    """The one mapping from a keyword (Python API) or ``--set NAME=VALUE`` (CLI) to a setting.

    ``section.key`` and ``section__key`` are taken as they are; an unqualified ``key`` is the
    first ``section.key`` of the registry with ``section`` in ``sections`` (``margin`` ->
    ``tiers.margin`` when sections are ("tiers", "screening")). None values are dropped (an
    option not given), paths become text. An unknown name is a :class:`ConfigError`.
    """
    out: dict[str, Any] = {}
    for key, value in settings.items():
        if value is None:
            continue
        name = key.replace("__", ".")
        if "." not in name:
            found = [f"{s}.{name}" for s in sections if f"{s}.{name}" in SETTINGS]
            if not found:
                known = sorted({n.split(".", 1)[1] for n in SETTINGS if n.split(".", 1)[0] in sections})
                raise ConfigError(f"unknown setting '{key}'; give section.key (see 'geomon settings')"
                                  + (f" or one of {', '.join(known)}" if known else ""))
            name = found[0]
        if name not in SETTINGS:
            raise ConfigError(f"unknown setting '{name}'; see 'geomon settings' for the known settings")
        out[name] = str(value) if isinstance(value, Path) else value
    return out


def parse_set_option(items: list[str] | None) -> dict[str, Any]:
    """``--set section.key=value`` (repeatable) -> {section.key: text}; the registry coerces the type."""
    out: dict[str, Any] = {}
    for item in items or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"--set {item!r} is not NAME=VALUE; e.g. --set screening.import_hhi=0.5")
        name = name.strip()
        if name not in SETTINGS:
            raise ConfigError(f"--set: unknown setting '{name}'; see 'geomon settings' for the known settings")
        out[name] = _parse_text(name, value.strip())
    return out


def _parse_text(name: str, text: str) -> Any:
    kind = SETTINGS[name].type
    if kind is bool:
        if text.lower() in ("true", "1", "yes", "on"):
            return True
        if text.lower() in ("false", "0", "no", "off"):
            return False
        raise ConfigError(f"{name} = {text!r} must be true or false")
    if kind in (int, float):
        try:
            return float(text) if kind is float or "." in text else int(text)
        except ValueError:
            raise ConfigError(f"{name} = {text!r} must be a number") from None
    return text


def settings_markdown() -> str:
    """The settings reference as Markdown (docs/settings.md is this text; a test keeps them equal)."""
    lines = ["# geomon settings", "",
             "Generated by `geomon settings --markdown` from the registry in `src/geomon/registry.py`.",
             "Put them in a TOML file (`--config FILE`), one table per section:", "",
             "```toml", "[screening]", "import_hhi = 0.4", "", "[blocs]", 'BENELUX = ["BEL", "NLD", "LUX"]', "```", "",
             "| setting | default | meaning |", "|---|---|---|"]
    for s in SETTINGS.values():
        default = f'"{s.default}"' if isinstance(s.default, str) else str(s.default).lower() if isinstance(s.default, bool) else str(s.default)
        lines.append(f"| `{s.name}` | `{default}` | {s.help.replace('|', '/')} |")
    lines.append("| `blocs.NAME` | EU27 built in | A bloc: `NAME = [\"ISO3\", ...]`; intra-bloc flows are dropped and the "
                 "members' extra-bloc exports count as one exporter. |")
    return "\n".join(lines) + "\n"


def _coerce(name: str, value: Any) -> Any:
    if name not in SETTINGS:
        raise ConfigError(f"unknown setting '{name}'; known settings: {', '.join(SETTINGS)}")
    setting = SETTINGS[name]
    if setting.type is int and isinstance(value, float) and not value.is_integer():
        raise ConfigError(f"{name} = {value} must be a whole number")
    if setting.type in (int, float) and isinstance(value, bool):
        raise ConfigError(f"{name} = {value} must be a number")
    try:
        return setting.type(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{name} = {value!r} must be of type {setting.type.__name__}") from None


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a TOML configuration file (None gives the defaults)."""
    if path is None:
        return Config()
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"config file {path} is a folder; give a TOML file")
    if not path.is_file():
        raise ConfigError(f"config file {path} does not exist; give a TOML file")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"config file {path} is not UTF-8 text") from None
    values: dict[str, Any] = {}
    blocs: dict[str, tuple[str, ...]] = {}
    for section, table in data.items():
        if section == "blocs":
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [blocs] must be a table of NAME = [\"ISO3\", ...]")
            for bloc, members in table.items():
                if not isinstance(members, list) or not members or not all(isinstance(m, str) for m in members):
                    raise ConfigError(f"{path}: bloc {bloc} must be a non-empty list of ISO3 codes")
                blocs[bloc.upper()] = tuple(m.strip().upper() for m in members)
            continue
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: '{section}' must be a table like [{section}]")
        for key, value in table.items():
            name = f"{section}.{key}"
            values[name] = _coerce(name, value)
            if name in PATH_SETTINGS and values[name] and not Path(values[name]).expanduser().is_absolute():
                # a relative file in a config file means: next to that config file
                values[name] = str((path.parent / values[name]).resolve())
    cfg = Config(values=values, blocs=blocs, source=str(path))
    cfg.validate()
    return cfg
