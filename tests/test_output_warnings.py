"""Issue 16: inputs that change nothing say so, in one warning line."""

from __future__ import annotations

import pytest

from geomon import api
from geomon.errors import GeomonWarning


def warning_lines(res) -> list[str]:
    return [ln for ln in res.stderr.splitlines() if ln.startswith("warning:")]


def test_override_of_a_product_not_imported_is_named(cli, tmp_path):
    """010111 (live pure-bred horses) is an HS92 code outside the embedded raw-materials extract,
    so NLD imports none of it; 283691 (lithium carbonates) NLD does import."""
    f = tmp_path / "overrides.csv"
    f.write_text("product,tier,reason,author,date\n283691,strategic,test,me,2025-01-01\n"
                 "010111,strategic,horses,me,2025-01-01\n")
    res = cli("tiers", "-y", "2022", "--overrides", f)
    assert res.exit_code == 0, res.stderr
    lines = warning_lines(res)
    assert len(lines) == 1
    assert lines[0] == f"warning: {f}, line 3: the override of 010111 changes nothing: NLD does not import it in 2022"
    with pytest.warns(GeomonWarning, match="override of 010111 changes nothing"):
        api.tiers("NLD", 2022, overrides_file=f)


def test_bloc_named_like_an_economy_is_named(cli, tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[blocs]\nNLD = ["NLD", "BEL"]\n')
    res = cli("screen", "-r", "NLD", "--config", cfg)
    assert res.exit_code == 0, res.stderr
    assert warning_lines(res) == ["warning: the bloc NLD from the config has the name of the economy NLD; 'NLD' means "
                                  "the bloc (NLD, BEL) here, never the economy alone: rename the bloc to tell them apart"]
    assert warning_lines(cli("screen", "-r", "NLD")) == []


def test_group_member_absent_from_the_data_is_named(tmp_path):
    f = tmp_path / "groups.csv"
    f.write_text("group,label,product,note,source\nmine,Mine,283691,,test\nmine,Mine,010111,,test\n")
    with pytest.warns(GeomonWarning, match=r"group mine: member\(s\) 010111 are absent from the data"):
        res = api.groups("NLD", 2022, groups_file=f)
    assert "mine" in set(res.table.group)
