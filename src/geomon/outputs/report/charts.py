"""Vega-Lite charts of the report, declared with Altair.

Each chart is declared once with *named* data sources and turned into a Vega-Lite
specification (a dict); :func:`attach` puts a table's rows under those names, so the
per-product charts share one declaration and differ only in their data. The tables
are those of the report's view (:func:`geomon.outputs.report.view.report_view`), reshaped
at most (columns picked, long form for a legend). Sums over the ``shown_as`` groups are
Vega-Lite aggregates in the chart, not Python arithmetic.
"""

from __future__ import annotations

from typing import Any

import copy
import json

import altair as alt
import pandas as pd

from geomon.outputs.report.view import OTHER

#: Colours per tier (ColorBrewer RdBu/Oranges, readable in grey print).
TIER_COLOURS = {"strategic": "#b2182b", "possible": "#e08214", "dependency": "#4393c3", "none": "#bababa"}
IMPORT_COLOUR, WORLD_COLOUR, RATIO_COLOUR, BAR_COLOUR = "#2166ac", "#b2182b", "#5e3c99", "#4393c3"
#: Tableau 10 without its grey, which marks 'other'.
PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"]
OTHER_COLOUR = "#bab0ac"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
WIDTH = 300


def rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe records (NaN becomes null)."""
    return json.loads(df.to_json(orient="records", double_precision=15))


def attach(spec: dict[str, Any], **datasets: pd.DataFrame | list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of ``spec`` whose named data sources hold the rows of ``datasets`` (frames, or
    rows already made by :func:`rows`)."""
    out = copy.copy(spec)
    out["datasets"] = {**spec.get("datasets", {}),
                       **{name: rows(df) if isinstance(df, pd.DataFrame) else df for name, df in datasets.items()}}
    return out


def _spec(chart: alt.TopLevelMixin, validate: bool) -> dict[str, Any]:
    chart = (chart.configure(font=FONT)
             .configure_view(stroke=None)
             .configure_axis(labelFontSize=11, titleFontSize=11, labelColor="#333", titleColor="#333")
             .configure_legend(labelFontSize=11, titleFontSize=11, orient="bottom")
             .configure_title(fontSize=13, anchor="start", color="#222"))
    return chart.to_dict(validate=validate)


def suppliers_data(rows: pd.DataFrame, L: dict[str, str]) -> pd.DataFrame:
    """Rows of the ``suppliers`` or ``world_exporters`` table for one product, 'other' translated."""
    d = rows[["shown_as", "rank", "share", "value_usd"]].copy()
    d["shown_as"] = d["shown_as"].where(d["shown_as"] != OTHER, L["other"])
    return d


def suppliers_chart(L: dict[str, str], title: str, validate: bool = False) -> dict[str, Any]:
    """Horizontal bars (data ``suppliers``): share of each supplier shown by name, the rest
    summed as 'other'."""
    base = alt.Chart(alt.NamedData("suppliers")).transform_aggregate(
        share="sum(share)", value_usd="sum(value_usd)", order="min(rank)", groupby=["shown_as"])
    bars = base.mark_bar(color=BAR_COLOUR).encode(
        x=alt.X("share:Q", title=L["col_share"], scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%", tickCount=5)),
        y=alt.Y("shown_as:N", title=None, sort=alt.EncodingSortField("order", op="min", order="ascending")),
        tooltip=[alt.Tooltip("shown_as:N", title=L["col_supplier"]), alt.Tooltip("share:Q", title=L["col_share"], format=".1%"),
                 alt.Tooltip("value_usd:Q", title=L["col_value"], format=",.0f")],
    )
    text = bars.mark_text(align="left", dx=3, fontSize=10, color="#333").encode(text=alt.Text("share:Q", format=".1%"))
    return _spec((bars + text).properties(width=WIDTH - 60, height=alt.Step(17), title=title), validate)


def indicators_data(history: pd.DataFrame, L: dict[str, str]) -> dict[str, pd.DataFrame]:
    """Data ``hhi`` (long form: year, indicator, hhi) and ``ratio`` (year, ratio) for one product."""
    long = history.melt(id_vars=["year"], value_vars=["import_hhi", "world_export_hhi"], var_name="indicator", value_name="hhi")
    long["indicator"] = long["indicator"].map({"import_hhi": L["ind_import_hhi"], "world_export_hhi": L["ind_world_hhi"]})
    ratio = history[["year", "import_export_ratio"]].rename(columns={"import_export_ratio": "ratio"})
    return {"hhi": long, "ratio": ratio}


def indicators_chart(thresholds: dict[str, float], L: dict[str, str], validate: bool = False) -> dict[str, Any]:
    """Import HHI and world-export HHI over the years (data ``hhi``) with their thresholds
    (dashed), and beside it imports/exports on a log scale (data ``ratio``) with its threshold."""
    imp, wld = L["ind_import_hhi"], L["ind_world_hhi"]
    colour = alt.Color("indicator:N", title=None, scale=alt.Scale(domain=[imp, wld], range=[IMPORT_COLOUR, WORLD_COLOUR]))
    x = alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True))
    lines = alt.Chart(alt.NamedData("hhi")).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=x, y=alt.Y("hhi:Q", title="HHI", scale=alt.Scale(domain=[0, 1])), color=colour,
        tooltip=[alt.Tooltip("year:O", title=L["col_year"]), alt.Tooltip("indicator:N", title=" "),
                 alt.Tooltip("hhi:Q", title="HHI", format=".3f")])
    rules_df = pd.DataFrame({"indicator": [imp, wld], "threshold": [thresholds["import_hhi"], thresholds["world_hhi"]]})
    rules = alt.Chart(rules_df).mark_rule(strokeDash=[5, 4], opacity=0.8).encode(
        y="threshold:Q", color=colour,
        tooltip=[alt.Tooltip("indicator:N", title=L["legend_threshold"]), alt.Tooltip("threshold:Q", format=".2f")])
    hhi = (lines + rules).properties(width=WIDTH, height=170, title=L["chart_indicators"])

    ratio_line = alt.Chart(alt.NamedData("ratio")).mark_line(
        color=RATIO_COLOUR, point=alt.OverlayMarkDef(size=18, color=RATIO_COLOUR)).encode(
        x=x, y=alt.Y("ratio:Q", title=L["ind_ratio"], scale=alt.Scale(type="log"), axis=alt.Axis(tickCount=5, format="~s")),
        tooltip=[alt.Tooltip("year:O", title=L["col_year"]), alt.Tooltip("ratio:Q", title=L["ind_ratio"], format=",.2f")])
    ratio_rule = alt.Chart(pd.DataFrame({"threshold": [max(float(thresholds["ratio"]), 1e-6)]})).mark_rule(
        strokeDash=[5, 4], color=RATIO_COLOUR, opacity=0.8).encode(
        y="threshold:Q", tooltip=[alt.Tooltip("threshold:Q", title=L["legend_threshold"], format=".2f")])
    ratio = (ratio_line + ratio_rule).properties(width=WIDTH - 60, height=170, title=L["chart_ratio"])
    return _spec(alt.hconcat(hhi, ratio).resolve_scale(color="independent"), validate)


def trend_tiers_chart(by_tier: pd.DataFrame, tiers: list[str], L: dict[str, str], validate: bool = False) -> dict[str, Any]:
    """Stacked bars: products per tier (except none) and year."""
    shown = [t for t in tiers if t != "none" and t in by_tier]
    long = by_tier.melt(id_vars=["year"], value_vars=shown, var_name="tier", value_name="n")
    names = {t: L.get(f"tier_{t}", t) for t in shown}
    long["tier"] = long["tier"].map(names)
    long["order"] = long["tier"].map({names[t]: i for i, t in enumerate(shown)})
    chart = alt.Chart(alt.NamedData("tiers")).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("n:Q", title=L["col_products"], axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("tier:N", title=None, scale=alt.Scale(domain=[names[t] for t in shown],
                                                              range=[TIER_COLOURS.get(t, "#999") for t in shown])),
        order=alt.Order("order:Q"),
        tooltip=[alt.Tooltip("year:O", title=L["col_year"]), alt.Tooltip("tier:N", title=L["col_tier"]),
                 alt.Tooltip("n:Q", title=L["col_products"])],
    )
    spec = _spec(chart.properties(width=2 * WIDTH, height=200, title=L["chart_trend_tiers"]), validate)
    return attach(spec, tiers=long)


def trend_suppliers_chart(by_supplier: pd.DataFrame, L: dict[str, str], validate: bool = False) -> dict[str, Any]:
    """Stacked bars: dependencies per year by main supplier (the leading ones by name)."""
    d = by_supplier[["year", "shown_as", "shown_order", "dependencies"]].copy()
    order = d.drop_duplicates("shown_as").sort_values("shown_order")
    domain = [L["other"] if n == OTHER else n for n in order["shown_as"]]
    colours = [OTHER_COLOUR if n == OTHER else PALETTE[i % len(PALETTE)] for i, n in enumerate(order["shown_as"])]
    d["shown_as"] = d["shown_as"].where(d["shown_as"] != OTHER, L["other"])
    chart = alt.Chart(alt.NamedData("by_supplier")).mark_bar().encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0, labelOverlap=True)),
        y=alt.Y("sum(dependencies):Q", title=L["col_dependencies"], axis=alt.Axis(tickMinStep=1)),
        color=alt.Color("shown_as:N", title=None, scale=alt.Scale(domain=domain, range=colours)),
        order=alt.Order("shown_order:Q"),
        tooltip=[alt.Tooltip("year:O", title=L["col_year"]), alt.Tooltip("shown_as:N", title=L["col_supplier"]),
                 alt.Tooltip("sum(dependencies):Q", title=L["col_dependencies"])],
    )
    spec = _spec(chart.properties(width=2 * WIDTH, height=200, title=L["chart_trend_suppliers"]), validate)
    return attach(spec, by_supplier=d)


def leverage_chart(lev: pd.DataFrame, L: dict[str, str], validate: bool = False) -> dict[str, Any]:
    """Bars: products per partner for the 15 partners with most products."""
    chart = alt.Chart(alt.NamedData("leverage")).transform_aggregate(
        products="count()", value="sum(supplier_value_usd)", groupby=["partner_name"],
    ).transform_window(
        rank="row_number()", sort=[alt.SortField("products", order="descending"), alt.SortField("value", order="descending")],
    ).transform_filter("datum.rank <= 15").mark_bar(color=BAR_COLOUR).encode(
        x=alt.X("products:Q", title=L["col_products"], axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("partner_name:N", title=None, sort=alt.EncodingSortField("rank", op="min", order="ascending")),
        tooltip=[alt.Tooltip("partner_name:N", title=L["col_partner"]), alt.Tooltip("products:Q", title=L["col_products"]),
                 alt.Tooltip("value:Q", title=L["col_value"], format=",.0f")],
    )
    spec = _spec(chart.properties(width=WIDTH, height=alt.Step(16), title=L["chart_leverage"]), validate)
    return attach(spec, leverage=lev[["partner_name", "product", "supplier_value_usd"]])
