"""Command-line options that commands share, declared once.

Every command takes its shared options from here (``ReporterOpt``, ``YearOpt``, ``StoreOpt``,
``ConfigOpt``, ``HsOpt``, ``VersionOpt``, ``FormatOpt``, ``OutputOpt``, ``SetOpt``); options for
settings of the registry are generated from it (:mod:`geomon.cli.settings_options`), so the
help shows the registry's default and meaning and no default is written twice.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"
    parquet = "parquet"
    xlsx = "xlsx"


ReporterOpt = Annotated[str, typer.Option(
    "--reporter", "-r", help="ISO3 code (NLD), BACI numeric code (528), bloc (EU27 or one from the config), or ALL.")]
YearOpt = Annotated[Optional[int], typer.Option(
    "--year", "-y", help="Year (default: the latest in the data).", show_default=False)]
StoreOpt = Annotated[Optional[Path], typer.Option(
    "--store", envvar="GEOMON_STORE",
    help="Store directory (default: the per-user store if it holds data, else the embedded data).", show_default=False)]
ConfigOpt = Annotated[Optional[Path], typer.Option(
    "--config", help="TOML configuration file (see 'geomon settings').", show_default=False)]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutputOpt = Annotated[Optional[Path], typer.Option(
    "--output", "-o", help="Write to this file instead of the terminal.", show_default=False)]
HsOpt = Annotated[Optional[str], typer.Option(
    "--hs", help="HS revision of the dataset to use, e.g. 92 or HS17 (default: newest).", show_default=False)]
VersionOpt = Annotated[Optional[str], typer.Option(
    "--data-version", help="Data version to use, e.g. V202401b (default: newest).", show_default=False)]
SetOpt = Annotated[Optional[list[str]], typer.Option(
    "--set", help="Any setting as section.key=value (repeatable), e.g. --set screening.window=5; see 'geomon settings'.",
    show_default=False)]
SourceOpt = Annotated[Optional[str], typer.Option(
    "--source", help="Source of the data: baci, comext or comtrade (default: BACI when the store holds it).",
    show_default=False)]
PeriodOpt = Annotated[Optional[str], typer.Option(
    "--period", help="Monthly data: the 12 months ending in this month, YYYY-MM (rolling annual sum), instead of --year.",
    show_default=False)]
HsTargetOpt = Annotated[Optional[str], typer.Option(
    "--hs-target", help="Convert the data to this HS revision first (e.g. 17; UNSD correlation tables); column "
    "hs_conversion flags converted rows.", show_default=False)]
HsSplitOpt = Annotated[Optional[str], typer.Option(
    "--hs-split", help="With --hs-target: a code that splits into several (1:n, n:n) is divided by the target codes' "
    "shares of world trade ('trade', the default) or kept as one synthetic code ('synthetic').", show_default=False)]
