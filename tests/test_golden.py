"""Every output stays the same through refactorings (issue 9).

The golden files in tests/golden were written by ``tests/golden/make_golden.py`` on the embedded
real BACI extract before the code was reshaped; each case is recomputed through the public API
and compared: same columns, same rows, text equal, floats to 1e-12 (DuckDB's parallel sums move
the last bits of a world HHI by ~1e-16 from run to run).

A change that is meant to change numbers regenerates the affected case with
``python tests/golden/make_golden.py CASE`` and says why in its commit.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

HERE = Path(__file__).resolve().parent / "golden"
_spec = importlib.util.spec_from_file_location("make_golden", HERE / "make_golden.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)

CASES = golden.cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_unchanged(name):
    saved = {p.stem: pd.read_parquet(p) for p in sorted((HERE / name).glob("*.parquet"))}
    assert saved, f"no golden files for {name}; run tests/golden/make_golden.py {name}"
    now = {k: golden.normalise(v) for k, v in CASES[name]().items()}
    assert sorted(now) == sorted(saved)
    for tname, want in saved.items():
        got = now[tname]
        assert list(got.columns) == list(want.columns), tname
        assert len(got) == len(want), tname
        pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12, atol=1e-12, obj=f"{name}/{tname}")
