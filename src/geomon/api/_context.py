"""How every API function turns its arguments into an analysis context."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from geomon.analyses.context import Context, open_context
from geomon.config import Config, keyword_settings, load_config
from geomon.store import Store

#: Sections searched for an unqualified keyword, per part of the API.
SCREENING = ("screening",)
TIERS = ("tiers", "groups", "screening")
SUPPLY = ("supply", "chains", "risk", "screening")
REPORT = ("report", "tiers", "groups", "supply", "chains", "risk", "leverage", "screening", "knowledge", "coercion",
          "infrastructure")

ConfigArg = Config | str | Path | None
StoreArg = str | Path | Store | None


def context(config: ConfigArg, store: StoreArg, hs: str | None, version: str | None,
            settings: dict[str, Any], sections: tuple[str, ...], source: str | None = None,
            period: str | None = None, hs_target: str | None = None, hs_split: str = "trade") -> Context:
    """The configuration (a :class:`Config`, a TOML path or the defaults) with ``settings``
    on top (see :func:`geomon.config.keyword_settings`), and the dataset it runs on
    (``source``: baci, comext, comtrade; ``period``: YYYY-MM, 12-month windows of monthly data;
    ``hs_target``: convert to that HS revision, splitting by ``hs_split``: trade or synthetic)."""
    cfg = config if isinstance(config, Config) else load_config(config)
    values = keyword_settings(settings, sections)
    if values:
        cfg = cfg.with_overrides(**values)
    return open_context(store=store, config=cfg, hs=hs, version=version, source=source, period=period,
                        hs_target=hs_target, hs_split=hs_split)


def file_settings(interest_map=None, replace_interest_map: bool = False, overrides_file=None, groups_file=None,
                  replace_groups: bool = False) -> dict[str, Any]:
    """The user files of tiers and groups as settings (None = not given)."""
    given = {"tiers.interest_map": interest_map, "tiers.interest_map_mode": "replace" if replace_interest_map else None,
            "tiers.overrides": overrides_file, "groups.file": groups_file,
            "groups.mode": "replace" if replace_groups else None}
    return {k: v for k, v in given.items() if v is not None}


def with_given(settings: dict[str, Any], **named: Any) -> dict[str, Any]:
    """``settings`` plus the named ``section__key`` arguments that were given (not None)."""
    return {**settings, **{k: v for k, v in named.items() if v is not None}}
