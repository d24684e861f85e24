"""Every setting is documented, and the documentation is what the registry says."""

from pathlib import Path

from geomon.config import SETTINGS, settings_markdown

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_has_help():
    for s in SETTINGS.values():
        assert s.help and len(s.help) > 20, s.name
        assert "." in s.name


def test_docs_settings_md_is_current():
    # Regenerate with: geomon settings --markdown > docs/settings.md
    assert (ROOT / "docs" / "settings.md").read_text(encoding="utf-8") == settings_markdown()


def test_settings_command_lists_every_setting(cli):
    res = cli("settings", "--markdown")
    for name in SETTINGS:
        assert f"`{name}`" in res.stdout


def test_readme_starts_with_the_two_setup_commands():
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1: lines.index("```sh") + 3]
    assert block[0].startswith("make run") and block[1].startswith("make test")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "\nrun:" in makefile and "\ntest:" in makefile
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
