"""The same screening code on Apache Spark (PySpark, local mode) gives DuckDB's verdicts and indicators.

Runs in CI. Skipped, with the reason, when Java or PySpark is missing. One Spark session
(local[2], UI off, driver on 127.0.0.1) is shared by the tests of this module, which run
on one xdist worker (group "spark").
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from geomon.analyses.trade.screening import EXTRA_COLUMNS, SCREEN_COLUMNS, screen, screen_years

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark")]

VERDICTS = ["c1_import_concentration", "c2_world_concentration", "c3_low_substitutability", "criteria_met_years",
            "dependent", "quantity_complete", "supplier_count", "exporter_count"]
TEXT = ["reporter", "product", "description", "top_supplier", "top_exporter"]
INDICATORS = [c for c in SCREEN_COLUMNS + EXTRA_COLUMNS if c not in VERDICTS + TEXT + ["year"]]


def _java() -> str | None:
    """Why Spark cannot run here, or None when a JVM answers."""
    java = shutil.which("java", path=os.environ.get("JAVA_HOME", "") + "/bin:" + os.environ.get("PATH", ""))
    if java is None:
        return "Java is not installed (PySpark needs a JVM, e.g. Java 17: apt-get install openjdk-17-jre-headless)"
    try:
        subprocess.run([java, "-version"], capture_output=True, check=True, timeout=60)
    except (OSError, subprocess.SubprocessError) as exc:
        return f"Java does not start ({exc}); PySpark needs a working JVM"
    return None


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """One local Spark session for every Spark test."""
    reason = _java()
    if reason:
        pytest.skip(reason)
    pytest.importorskip("pyspark", reason="PySpark is not installed: pip install -e '.[test]' brings it")
    from pyspark.sql import SparkSession

    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    tmp = tmp_path_factory.mktemp("spark")
    session = (SparkSession.builder.master("local[2]").appName("geomon-tests")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.sql.warehouse.dir", str(tmp / "warehouse"))
               .config("spark.local.dir", str(tmp / "local"))
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_ctx(spark, ctx):
    """The embedded-data context with the engine on Spark instead of DuckDB."""
    import ibis

    from geomon.engine import Engine

    return replace(ctx, engine=Engine(ibis.pyspark.connect(spark)))


def assert_same(duck: pd.DataFrame, spark_df: pd.DataFrame) -> None:
    """Same rows in the same order, verdicts and texts equal, indicators within 1e-9 (relative)."""
    assert list(spark_df.columns) == list(duck.columns)
    assert len(spark_df) == len(duck) > 0
    for col in TEXT + VERDICTS + ["year"]:
        assert spark_df[col].tolist() == duck[col].tolist(), col
    for col in INDICATORS:
        np.testing.assert_allclose(spark_df[col].to_numpy(float), duck[col].to_numpy(float), rtol=1e-9, atol=0,
                                   err_msg=col)


def test_engine_is_spark(spark_ctx):
    assert spark_ctx.engine.name == "pyspark"
    assert screen(spark_ctx, "NLD", 2022).meta["engine"] == "pyspark"


def test_country_screening_from_statistics_equals_duckdb(ctx, spark_ctx):
    """A country reads the statistics stored at ingest (persistence over 2018-2022)."""
    assert ctx.dataset.has_stats
    assert_same(screen_years(ctx, "NLD", 2020, 2022), screen_years(spark_ctx, "NLD", 2020, 2022))


def test_bloc_screening_from_flows_equals_duckdb(ctx, spark_ctx):
    """A bloc sums the flows (intra-EU flows dropped, members merged) on the engine."""
    assert_same(screen_years(ctx, "EU27", 2022, 2022), screen_years(spark_ctx, "EU27", 2022, 2022))


def test_all_reporters_equal_duckdb(ctx, spark_ctx):
    duck = screen_years(ctx, "ALL", 2022, 2022)
    assert duck["reporter"].nunique() > 200
    assert_same(duck, screen_years(spark_ctx, "ALL", 2022, 2022))
