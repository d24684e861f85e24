"""``geomon alternatives``: diversification options for one imported product, and on what terms."""

from __future__ import annotations

from typing import Annotated

import typer

from geomon import api
from geomon.cli.app import command, emit, provenance_caption
from geomon.cli.options import ReporterOpt, YearOpt
from geomon.cli.settings_options import Run, with_options

SPEC = [("rank", "#", "int"), ("supplier", "supplier", "text"), ("supplier_name", "name", "text"),
        ("qualifies", "alternative", "flag"), ("rest_of_world_export_value_usd", "exports elsewhere USD", "usd"),
        ("multiple_of_imports", "x imports", "num"), ("world_export_share", "world exports", "share"),
        ("current_share", "now supplies", "share"), ("crm_share", "stage share (CRM)", "share"),
        ("wgi_political_stability", "WGI stability", "num"), ("trade_agreement", "EU agreement", "flag"),
        ("terms", "terms", "text")]


@command("alternatives")
@with_options("tiers")
def alternatives_cmd(
    product: Annotated[str, typer.Option("--product", "-p", help="HS6 product code, e.g. 283691.")],
    reporter: ReporterOpt = "NLD",
    year: YearOpt = None,
    run: Run = Run(),
) -> None:
    """Rank the other exporters of a product as alternative suppliers: capacity (exports elsewhere),
    world export share, share of the stage (EU CRM study 2023), WGI stability, EU trade agreement."""
    from geomon.outputs.terminal import render

    res = api.alternatives(reporter, product, year, **run.api)
    m = res.meta

    def show() -> None:
        imports = f"imports {m['import_value_usd']:,.0f} USD" if m["import_value_usd"] else m["note"]
        render(res.table, SPEC, f"{m['reporter']} {m['year']}: alternatives for {m['product']} {m['description']}",
               f"{imports}; an alternative sells elsewhere >= {m['alternative_min_share']:g} x the imports "
               f"({m['qualifying']} do). Stage shares: EU CRM study 2023 (CC BY 4.0 transcription); agreements: "
               f"{m['agreements_scope']}, a source per row in csv/json. " + provenance_caption(m),
               keep=("rank", "supplier", "qualifies"))

    emit(res, run.fmt, run.output, show)
