"""Command-line options generated from the settings registry.

``@with_settings("screening", "tiers")`` gives a command one option per setting of those
sections (name, type, help and default from :data:`geomon.config.SETTINGS`) plus the generic
``--set section.key=value``; the command receives them as one ``settings`` dict
(``section.key`` -> value, only what the user gave), ready for a :mod:`geomon.api` call.
A test walks the registry and the commands, so no command can miss a setting that applies
to it and no default is written twice.
"""

from __future__ import annotations

import functools
import inspect
from pathlib import Path
from typing import Annotated, Any, Callable, Optional

import typer
from rich.markup import escape

from dataclasses import dataclass, field

from geomon.config import PATH_SETTINGS, SETTINGS, Setting, parse_set_option
from geomon.cli.options import (ConfigOpt, Format, FormatOpt, HsOpt, HsSplitOpt, HsTargetOpt, OutputOpt, SetOpt,
                                SourceOpt, StoreOpt, VersionOpt)
from geomon.api.sources import SOURCES
from geomon.errors import InputError

#: attribute naming the registry sections a command's options come from
SECTIONS_ATTR = "__geomon_sections__"
_SET_PARAM = "set_"


def _default_text(s: Setting) -> str:
    if isinstance(s.default, bool):
        return str(s.default).lower()
    return repr(s.default) if isinstance(s.default, str) else f"{s.default:g}" if isinstance(s.default, float) else str(s.default)


def option_help(s: Setting) -> str:
    """The registry's meaning, default and name, as the option's help."""
    if s.flag is not None:
        return escape(f"{s.help} Sets {s.name} = {s.flag!r}.")
    return escape(f"{s.help} [default: {_default_text(s)}] ({s.name})")


def _annotation(s: Setting) -> Any:
    if s.flag is not None:
        return Annotated[bool, typer.Option(s.cli_option, help=option_help(s), show_default=False)]
    if s.type is bool:
        name = s.cli_option.removeprefix("--")
        return Annotated[Optional[bool], typer.Option(f"--{name}/--no-{name}", help=option_help(s), show_default=False)]
    kind = Path if s.name in PATH_SETTINGS else s.type
    return Annotated[Optional[kind], typer.Option(s.cli_option, help=option_help(s), show_default=False)]


def _param_name(s: Setting) -> str:
    return "setting__" + s.name.replace(".", "__")


def section_settings(sections: tuple[str, ...]) -> list[Setting]:
    """The registry's settings of ``sections``, in registry order."""
    return [s for s in SETTINGS.values() if s.section in sections]


def with_settings(*sections: str) -> Callable[[Callable], Callable]:
    """Add the options of ``sections`` and ``--set`` to a command that takes ``settings: dict``.

    Options given on the command line override ``--set`` values of the same setting.
    """

    def deco(fn: Callable) -> Callable:
        settings = section_settings(sections)
        by_param = {_param_name(s): s for s in settings}
        sig = inspect.signature(fn, eval_str=True)
        own = [p for p in sig.parameters.values() if p.name != "settings"]
        extra = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=False if s.flag is not None else None,
                                   annotation=_annotation(s)) for name, s in by_param.items()]
        extra.append(inspect.Parameter(_SET_PARAM, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=SetOpt))

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = parse_set_option(kwargs.pop(_SET_PARAM, None))
            for name, s in by_param.items():
                value = kwargs.pop(name, None)
                if s.flag is not None:
                    if value:
                        given[s.name] = s.flag
                elif value is not None:
                    given[s.name] = str(value) if isinstance(value, Path) else value
            return fn(*args, settings=given, **kwargs)

        params = own + extra
        wrapper.__signature__ = sig.replace(parameters=params)
        wrapper.__annotations__ = {p.name: p.annotation for p in params}
        setattr(wrapper, SECTIONS_ATTR, tuple(sections))
        return wrapper

    return deco


@dataclass(frozen=True)
class Run:
    """What every command shares: the data to run on, the settings, and where the output goes."""

    settings: dict[str, Any] = field(default_factory=dict)
    store: Path | None = None
    config: Path | None = None
    hs: str | None = None
    version: str | None = None
    source: str | None = None
    hs_target: str | None = None
    hs_split: str | None = None
    fmt: Format = Format.table
    output: Path | None = None

    @property
    def api(self) -> dict[str, Any]:
        """Keyword arguments of a :mod:`geomon.api` call: the data options given (an option left out,
        or one the command does not have, is not passed, so the API's default holds) and the settings."""
        data = {"config": self.config, "store": self.store, "hs": self.hs, "version": self.version,
                "source": self.source, "hs_target": self.hs_target, "hs_split": self.hs_split}
        return {**{k: v for k, v in data.items() if v is not None}, **self.settings}


#: The shared options a :class:`Run` is built from, by switch of :func:`with_options`: name -> annotation
#: (declared once, in cli/options.py).
_SHARED = {
    "store": {"store": StoreOpt},
    "config": {"config": ConfigOpt},
    "dataset": {"hs": HsOpt, "data_version": VersionOpt},
    "source": {"source": SourceOpt},
    "convert": {"hs_target": HsTargetOpt, "hs_split": HsSplitOpt},
    "output": {"fmt": FormatOpt, "output": OutputOpt},
}


def _check_shared(given: dict[str, Any]) -> None:
    """One-line errors for shared options the API would misread: an unknown --source, --hs-split alone.
    A --source in capitals (Comext) is taken in lower case, as the store names it."""
    source = given.get("source")
    if source is not None:
        given["source"] = source.strip().lower()
        if given["source"] not in SOURCES:
            raise InputError(f"unknown --source {source}; choose one of {', '.join(SOURCES)}")
    if given.get("hs_split") is not None and given.get("hs_target") is None:
        raise InputError(f"--hs-split {given['hs_split']} needs --hs-target (e.g. --hs-target 17)")


def with_options(*sections: str, output: bool = True, source: bool = False, convert: bool = False,
                 config: bool = True, dataset: bool = True) -> Callable[[Callable], Callable]:
    """Give a command the shared options it can use, declared once, as one ``run: Run``.

    Always --store; --config when ``config`` (the command reads settings); --hs and --data-version
    when ``dataset`` (it reads trade data); --source when ``source``; --hs-target and --hs-split
    when ``convert``; --format and --output when ``output``. With ``sections``: one option per
    setting of those registry sections and --set (see :func:`with_settings`); without, no --set.
    """
    switches = {"store": True, "config": config, "dataset": dataset, "source": source, "convert": convert,
                "output": output}
    shared = {name: kind for switch, on in switches.items() if on for name, kind in _SHARED[switch].items()}

    def deco(fn: Callable) -> Callable:
        sig = inspect.signature(fn, eval_str=True)
        own = [p for p in sig.parameters.values() if p.name != "run"]
        added = [inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind,
                                   default=Format.table if name == "fmt" else None) for name, kind in shared.items()]

        def with_run(*args: Any, settings: dict[str, Any] | None = None, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in shared}
            if "data_version" in given:
                given["version"] = given.pop("data_version")
            _check_shared(given)
            return fn(*args, run=Run(settings=settings or {}, **given), **kwargs)

        functools.update_wrapper(with_run, fn)
        params = own + added + ([inspect.Parameter("settings", inspect.Parameter.KEYWORD_ONLY, default=None)]
                                if sections else [])
        with_run.__signature__ = sig.replace(parameters=params)
        with_run.__annotations__ = {p.name: p.annotation for p in params if p.name != "settings"}
        return with_settings(*sections)(with_run) if sections else with_run

    return deco
