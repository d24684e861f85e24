"""geomon's engine picks Arrow's memory pool (engine.backend.use_arrow_pool), unless the user did."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

PROBE = ("import pyarrow as pa; from geomon.engine.backend import Engine; Engine(); "
         "print(pa.default_memory_pool().backend_name)")


def _pool_after_engine(env_pool: str | None) -> str:
    env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
    if env_pool:
        env["ARROW_DEFAULT_MEMORY_POOL"] = env_pool
    return subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def _has_jemalloc() -> bool:
    try:
        pa.jemalloc_memory_pool()
    except NotImplementedError:
        return False
    return True


@pytest.mark.skipif(not _has_jemalloc(), reason="this pyarrow is built without jemalloc")
def test_engine_uses_jemalloc_when_the_user_chose_no_pool():
    assert _pool_after_engine(None) == "jemalloc"


def test_a_pool_the_user_chose_is_kept():
    assert _pool_after_engine("system") == "system"
