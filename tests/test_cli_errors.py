"""Every registered command: --help works, and a bad option value or an unknown option is one
line on stderr ('error: ...'), exit code 2 and no traceback (issue 9; CONTRIBUTING: bad input).

The commands are walked from the Typer app, so a new command is checked without being listed
here; commands without a typed option (int, float, a choice) get a bad value by hand in ``BAD``.
"""

from __future__ import annotations

import pytest
import typer

from geomon.cli import app

ROOT = typer.main.get_command(app)

#: Required arguments/options a command needs before its options are looked at.
REQUIRED = {
    ("suppliers",): ["-p", "481149"], ("alternatives",): ["-p", "283691"], ("compare-sources",): ["-p", "481149"],
    ("scenario",): ["--stop", "CHN"], ("coercion", "event"): ["CHN-WLD-2023-GAGE"], ("edition", "save"): ["x"],
    ("edition", "show"): ["x"], ("edition", "diff"): ["a", "b"], ("download", "comext"): ["--period", "2024-01"],
}
#: Commands without an option of a checked type: a bad value the command itself refuses, with what it must say.
BAD = {
    ("data",): (["--store", "{file}"], "no data in the store"),
    ("settings",): (["--markdown=yes"], "does not take a value"),
    ("download", "baci"): (["--hs", "99", "--store", "{tmp}"], "HS revision '99'"),
    ("download", "comext"): (["--period", "2024-13", "--to", "{tmp}"], "period '2024-13'"),
    ("ingest", "baci"): (["{tmp}/missing.zip", "--store", "{tmp}"], "does not exist"),
    ("ingest", "comext"): (["{tmp}/missing.csv", "--store", "{tmp}"], "does not exist"),
    ("ingest", "comtrade"): (["{tmp}/missing.csv", "--store", "{tmp}"], "does not exist"),
    ("ingest", "ncses"): (["{tmp}/missing", "--store", "{tmp}"], "does not exist"),
    ("ingest", "smdg"): (["{tmp}/missing.csv", "--store", "{tmp}"], "does not exist"),
    ("ingest", "cgit"): (["{tmp}/missing.csv", "--store", "{tmp}"], "does not exist"),
}


def commands(group=ROOT, prefix: tuple[str, ...] = ()):
    for name, cmd in sorted(group.commands.items()):
        if hasattr(cmd, "commands"):
            yield from commands(cmd, prefix + (name,))
        else:
            yield prefix + (name,), cmd


PATHS = [path for path, _ in commands()]


def typed_option(cmd) -> str | None:
    """The first option whose value click checks (a number or a choice), preferring --year."""
    found = []
    for p in cmd.params:
        ann = getattr(getattr(p, "type_descriptor", None), "annotation", None)
        name = getattr(ann, "__name__", "")
        if p.param_type_name == "option" and not getattr(p, "is_flag", False) and (
                name in ("int", "float") or isinstance(ann, type) and issubclass(ann, str) and ann is not str):
            found.append(p.opts[0])
    return "--year" if "--year" in found else (found[0] if found else None)


def assert_one_line(res, *needles: str) -> str:
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert len(lines) == 1 and lines[0].startswith("error: "), res.stderr
    assert "Traceback" not in res.output
    for n in needles:
        assert n in lines[0], lines[0]
    return lines[0]


def test_the_walk_finds_every_command():
    assert len(PATHS) >= 34 and ("screen",) in PATHS and ("ingest", "comext") in PATHS
    assert all(typed_option(cmd) or path in BAD for path, cmd in commands()), \
        [p for p, c in commands() if not typed_option(c) and p not in BAD]


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_help(cli, path):
    res = cli(*path, "--help")
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.stdout and "--help" in res.stdout and "Traceback" not in res.output


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_bad_option_value_is_one_line(cli, path, tmp_path):
    cmd = dict(commands())[path]
    option = typed_option(cmd)
    if option is not None:
        res = cli(*path, *REQUIRED.get(path, []), option, "not-a-value")
        assert_one_line(res, f"'{option}'", "not-a-value" if option in ("--format",) else "Invalid value",
                        f"geomon {' '.join(path)} --help")
    if path in BAD:
        (tmp_path / "file").write_text("not a store")
        args, message = BAD[path]
        args = [a.format(tmp=tmp_path, file=tmp_path / "file") for a in args]
        assert_one_line(cli(*path, *args), message)
        assert not list(tmp_path.glob("**/*.parquet"))  # nothing written


@pytest.mark.parametrize("path", PATHS, ids=" ".join)
def test_unknown_option_is_one_line(cli, path):
    res = cli(*path, *REQUIRED.get(path, []), "--no-such-option")
    assert_one_line(res, "No such option: --no-such-option", f"geomon {' '.join(path)} --help")


def test_markup_in_an_error_is_printed_as_given(cli, tmp_path):
    """Rich markup in a user's value (a folder named 'a[b]') must not be eaten from the error line."""
    odd = tmp_path / "a[b]"
    odd.write_text("x")
    assert_one_line(cli("data", "--store", odd), str(odd))
