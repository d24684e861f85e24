"""benchmarks/profiles.py: the profile the benchmark README gives for a missed target."""

from __future__ import annotations

import cProfile
import pstats
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import profiles  # noqa: E402

from geomon.analyses.trade.screening import screen  # noqa: E402


@pytest.fixture(scope="module")
def summary(ctx):
    prof = cProfile.Profile()
    prof.enable()
    screen(ctx, "NLD", 2022)
    prof.disable()
    return profiles.summarise(pstats.Stats(prof))


def test_library_times_add_up_to_the_total(summary):
    # every function's own time lands in exactly one library, so the libraries sum to the total
    assert sum(summary["libraries"].values()) == pytest.approx(summary["total"], rel=1e-9)
    assert summary["libraries"]["DuckDB (queries, wall)"] > 0
    assert summary["libraries"]["Ibis (building, compiling)"] > 0


def test_steps_name_geomon_functions_largest_first(summary):
    steps = summary["steps"]
    assert steps[0][0] == "analyses.trade.screening.screen"  # the outermost call includes all others
    assert [s for _, s in steps] == sorted((s for _, s in steps), reverse=True)
    assert len(steps) <= profiles.TOP_STEPS
    assert not any("<" in name for name, _ in steps)  # no comprehensions or lambdas


def test_libraries_are_told_apart_by_path():
    site = "/x/.venv/lib/python3.11/site-packages"
    assert profiles._library(f"{site}/duckdb/_seam.py", "submit") == "DuckDB (queries, wall)"
    assert profiles._library("~", "<method 'execute' of '_duckdb.DuckDBPyConnection' objects>") == "DuckDB (queries, wall)"
    assert profiles._library(f"{site}/ibis/common/graph.py", "replace") == "Ibis (building, compiling)"
    assert profiles._library(f"{site}/pandas/core/frame.py", "<module>") == "importing modules"
    assert profiles._library("/usr/lib/python3.11/functools.py", "wrapper") == "Python standard library"
    assert profiles._library("/work/src/geomon/engine/backend.py", "execute").startswith("geomon")


def test_readme_section_is_replaced_in_place(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text("# B\n\nbefore\n")
    profiles.update_readme(readme, f"{profiles.START}\none\n{profiles.END}")
    profiles.update_readme(readme, f"{profiles.START}\ntwo\n{profiles.END}")
    body = readme.read_text()
    assert body.startswith("# B\n\nbefore\n") and "two" in body and "one" not in body
    assert body.count(profiles.START) == 1
