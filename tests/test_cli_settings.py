"""Commands and the settings registry (issue 9): options are generated from the registry, so
every command has every setting of the sections it declares, no option name is used twice,
help texts show the registry's default, and ``--set section.key=value`` reaches the setting."""

from __future__ import annotations

import pytest
import typer

from geomon.cli import app
from geomon.cli.settings_options import SECTIONS_ATTR, option_help
from geomon.config import SETTINGS

ROOT = typer.main.get_command(app)
#: Sections no command reads (none today); a new one must be listed here with the reason.
NOT_ON_THE_COMMAND_LINE: dict[str, str] = {}


def commands(group=ROOT, prefix: tuple[str, ...] = ()):
    """(path, click command) for every command, sub-commands included."""
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):  # a sub-command group (Typer vendors its own click)
            yield from commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


def options(cmd) -> dict:
    return {opt: p for p in cmd.params for opt in p.opts + p.secondary_opts}


def declared(cmd) -> tuple[str, ...]:
    return getattr(cmd.callback, SECTIONS_ATTR, ())


def test_every_command_has_every_setting_of_its_sections():
    checked = 0
    for path, cmd in commands():
        opts = options(cmd)
        for s in (s for s in SETTINGS.values() if s.section in declared(cmd)):
            assert s.cli_option in opts, f"geomon {' '.join(path)} lacks {s.cli_option} ({s.name})"
            assert opts[s.cli_option].help == option_help(s)
            checked += 1
        if declared(cmd):
            assert "--set" in opts, f"geomon {' '.join(path)} lacks --set"
    assert checked > 60  # screen, tiers, groups, trends, edition save, report, supply commands ...


def test_every_section_reaches_a_command():
    claimed = {section for _, cmd in commands() for section in declared(cmd)}
    sections = {s.section for s in SETTINGS.values()}
    assert sections - claimed - set(NOT_ON_THE_COMMAND_LINE) == set()


def test_tier_commands_share_one_set_of_settings():
    """The copies that once drifted (report had no --margin, tiers no --replace-groups) cannot."""
    by_path = dict(commands())
    for path in [("tiers",), ("groups",), ("trends",), ("edition", "save"), ("report",)]:
        opts = options(by_path[path])
        for flag in ("--margin", "--replace-groups", "--strategic-world-hhi", "--window", "--interest-map"):
            assert flag in opts, (path, flag)


def test_option_names_are_unique():
    names = [s.cli_option for s in SETTINGS.values()]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("args,message", [
    (["screen", "--set", "screening.import_hhi=5"], "screening.import_hhi = 5"),
    (["screen", "--set", "screening.nope=1"], "unknown setting 'screening.nope'"),
    (["screen", "--set", "window"], "is not NAME=VALUE"),
    (["tiers", "--set", "tiers.margin=abc"], "must be a number"),
])
def test_set_errors_are_one_line(cli, args, message):
    r = cli(*args)
    assert r.exit_code == 2 and message in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_set_and_option_reach_the_same_setting(cli):
    """--set screening.window=4 and --window 4 give the same screen; an option beats --set."""
    a = cli("screen", "-r", "NLD", "-y", "2022", "-f", "csv", "--set", "screening.window=4")
    b = cli("screen", "-r", "NLD", "-y", "2022", "-f", "csv", "--window", "4")
    c = cli("screen", "-r", "NLD", "-y", "2022", "-f", "csv", "--set", "screening.window=2", "--window", "4")
    d = cli("screen", "-r", "NLD", "-y", "2022", "-f", "csv")
    assert a.exit_code == b.exit_code == c.exit_code == 0
    assert a.stdout == b.stdout == c.stdout != d.stdout


def test_help_shows_the_registry_default(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    text = " ".join(cli("tiers", "--help").stdout.split())
    assert "[default: 0.5] (tiers.strategic_world_hhi)" in text
    assert "[default: 0.4] (screening.import_hhi)" in text
