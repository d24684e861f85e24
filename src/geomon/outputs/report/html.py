"""The report as ONE self-contained HTML file: styles, scripts, chart specs and data inline.

Rendering only: the tables are the report's view (:func:`geomon.outputs.report.view.report_view`
of :func:`geomon.analyses.report_data.build_report_data`), charts are Vega-Lite specs from :mod:`.charts`, the page is the Jinja2 template
``templates/report.html.j2``. Vega, Vega-Lite and vega-embed are vendored in
``static/`` (see ``static/NOTICE``) and inlined, so the file opens offline. A small
vanilla script (``static/report.js``) renders the charts and sorts, filters and
searches the product table.

Every numeric cell carries its exact value in ``data-v`` (Python ``repr``) so the
table sorts on numbers and tests can compare the page with ``geomon screen``.
"""

from __future__ import annotations

import json
import math
import re
from functools import cache, lru_cache
from pathlib import Path
from typing import Any, Callable

import jinja2
import numpy as np
import pandas as pd
from markupsafe import Markup

from geomon.analyses.report_data import ReportData
from geomon.outputs.missing import is_missing
from geomon.outputs.report import charts
from geomon.outputs.report.labels import NUMBERS, labels
from geomon.outputs.report.parts import RENDERERS, part_labels
from geomon.outputs.report.view import OTHER

HERE = Path(__file__).parent
STATIC = HERE / "static"
TEMPLATES = HERE / "templates"
#: Vendored scripts, in load order, with their versions (see static/NOTICE).
VENDORED = {"vega": ("vega.min.js", "6.4.0"), "vegalite": ("vega-lite.min.js", "6.4.1"),
            "embed": ("vega-embed.min.js", "7.3.0")}
#: Vega number-format locales for the chart axes and tooltips.
FORMAT_LOCALES = {
    "en": {"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["$", ""]},
    "nl": {"decimal": ",", "thousands": ".", "grouping": [3], "currency": ["$ ", ""]},
}


@lru_cache(maxsize=None)
def _static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")


def _script_safe(js: str) -> str:
    """Inline-able script text: a literal '</script' would end the element early."""
    return re.sub(r"</(script)", r"<\\/\1", js, flags=re.IGNORECASE)


def _json_script(obj: Any) -> str:
    """JSON for a <script type="application/json"> element ('<' escaped, NaN as null)."""
    text = json.dumps(obj, separators=(",", ":"), allow_nan=False, default=_json_default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_default(v: Any) -> Any:
    if hasattr(v, "item"):
        return v.item()
    return str(v)


class Formatter:
    """Numbers as readers expect them in ``lang`` (decimal mark, thousands, USD magnitudes)."""

    def __init__(self, lang: str) -> None:
        self.L = labels(lang)
        self.n = NUMBERS[lang]

    missing = staticmethod(is_missing)

    def num(self, v: Any, decimals: int = 0) -> str:
        if self.missing(v):
            return "–"
        s = f"{float(v):,.{decimals}f}"
        return s.replace(",", "\x00").replace(".", self.n["decimal"]).replace("\x00", self.n["thousands"])

    def usd(self, v: Any) -> str:
        if self.missing(v):
            return "–"
        x = float(v)
        for limit, suffix in self.n["units"]:
            if abs(x) >= limit:
                return self.num(x / limit, 1) + suffix
        return self.num(x, 0)

    def share(self, v: Any) -> str:
        return "–" if self.missing(v) else self.num(float(v) * 100, 1) + "%"

    def hhi(self, v: Any) -> str:
        return self.num(v, 3)

    def ratio(self, v: Any) -> str:
        if self.missing(v):
            return "–"
        return self.L["no_exports"] if float(v) >= 9999 else self.num(v, 2)

    def sig(self, v: Any) -> str:
        """Three significant digits, for values spanning magnitudes (prices, CF)."""
        if self.missing(v):
            return "–"
        x = float(v)
        decimals = max(0, 2 - int(math.floor(math.log10(abs(x))))) if x else 0
        return self.num(x, min(decimals, 6))

    def int(self, v: Any) -> str:
        return self.num(v, 0)

    def plain(self, v: Any) -> str:
        """A setting as written (0.4, 1.0 -> 1), with the language's decimal mark."""
        if self.missing(v):
            return "–"
        return f"{float(v):g}".replace(".", self.n["decimal"])

    def yn(self, v: Any) -> str:
        return "–" if self.missing(v) else self.L["yes" if bool(v) else "no"]

    def tier(self, v: Any) -> str:
        return self.L.get(f"tier_{v}", str(v))

    def event(self, v: Any) -> str:
        return self.L.get(f"event_{v}", str(v))

    def raw(self, v: Any) -> str:
        """Exact value for data-v attributes (sorting, tests)."""
        if self.missing(v):
            return ""
        if isinstance(v, bool) or (hasattr(v, "dtype") and str(getattr(v, "dtype", "")) == "bool"):
            return "1" if bool(v) else "0"
        if hasattr(v, "item"):
            v = v.item()
        return repr(v) if isinstance(v, float) else str(v)


class Cells:
    """The page's repeated cells as Python functions (a Jinja macro call costs ~20x more); each
    returns escaped markup exactly as the template wrote it before."""

    def __init__(self, fmt: Formatter, detail: set[str], tiers: list[str]) -> None:
        self.fmt, self.detail, self.tiers = fmt, detail, tiers

    def num(self, v: Any, kind: str, col: str) -> Markup:
        """``<td class="num" data-col=COL data-v=RAW>FORMATTED</td>``."""
        return Markup(f'<td class="num" data-col="{_esc(col)}" data-v="{_esc(self.fmt.raw(v))}">'
                      f'{_esc(getattr(self.fmt, kind)(v))}</td>')

    def tier_badge(self, t: Any) -> Markup:
        e = _esc(t)
        return Markup(f'<span class="tier tier-{e}" data-tier="{e}">{_esc(self.fmt.tier(t))}</span>')

    def desc(self, text: Any) -> Markup:
        e = _esc(text)
        return Markup(f'<td class="desc" data-col="description"><span class="clamp" title="{e}">{e}</span></td>')

    def product_row(self, r: dict[str, Any]) -> Markup:
        """One row of the product table (``<tr data-product=...>`` to ``</tr>``, indented as in the page)."""
        e, num, tiers = _esc, self.num, self.tiers
        areas = r["interest_areas"] or ""
        return Markup(
            f'      <tr data-product="{e(r["product"])}" data-tier="{e(r["tier"])}" data-supplier="{e(r["top_supplier"])}" '
            f'data-areas="{e("|".join(_areas(r["interest_areas"])))}" data-text="{e((str(r["product"]) + " " + str(r["description"])).lower())}">\n'
            f'        <td data-col="product" data-v="{e(r["product"])}">{self.product_link(r["product"])}</td>\n'
            f'        <td class="desc" data-col="description" data-v="{e(r["description"])}"><span class="clamp" '
            f'title="{e(r["description"])}">{e(r["description"])}</span></td>\n'
            f'        <td data-col="tier" data-v="{tiers.index(r["tier"]) if r["tier"] in tiers else 9}" data-tier="{e(r["tier"])}">'
            f'{self.tier_badge(r["tier"])}</td>\n'
            f'        {num(r["import_value_usd"], "usd", "import_value_usd")}\n'
            f'        <td data-col="top_supplier" data-v="{e(r["top_supplier_name"])}" data-code="{e(r["top_supplier"])}">'
            f'{e(r["top_supplier_name"])}</td>\n'
            f'        {num(r["top_supplier_share"], "share", "top_supplier_share")}\n'
            f'        {num(r["import_hhi"], "hhi", "import_hhi")}\n'
            f'        {num(r["world_export_hhi"], "hhi", "world_export_hhi")}\n'
            f'        {num(r["import_export_ratio"], "ratio", "import_export_ratio")}\n'
            f'        {num(r["criteria_met_years"], "int", "criteria_met_years")}\n'
            f'        <td data-col="dependent" data-v="{e(self.fmt.raw(r["dependent"]))}">{e(self.fmt.yn(r["dependent"]))}</td>\n'
            f'        <td class="areas" data-col="interest_areas" data-v="{e(areas)}">{e(areas)}</td>\n'
            f'      </tr>')

    def product_link(self, code: Any) -> Markup:
        """A link to the product's section when it has one, else the code."""
        e = _esc(code)
        return Markup(f'<a href="#p-{e}">{e}</a>' if code in self.detail else e)


def _esc(v: Any) -> str:
    """``str(markupsafe.escape(v))`` for values that are not markup: & < > ' " as markupsafe writes
    them (&amp; &lt; &gt; &#39; &#34;), without building a Markup object per call."""
    return (str(v).replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


def _records(df: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts of Python values (``Series.tolist``), a missing value
    (None, NaN, pd.NA, NaT) as None. Column by column: ``astype(object).where(...)`` over a
    whole table cost seconds on the 5,000-row product table."""
    if df is None or df.empty:
        return []
    columns = [_column_values(df[c]) for c in df.columns]
    names = list(df.columns)
    return [dict(zip(names, row)) for row in zip(*columns)]


def _areas(text: Any) -> list[str]:
    if not isinstance(text, str) or not text.strip():
        return []
    return [a.strip() for a in text.split(";") if a.strip()]


def _column_values(series: pd.Series) -> list[Any]:
    """``series.tolist()`` with every missing value (:meth:`Formatter.missing`) as None; NumPy
    int and bool columns have none, a NumPy float column only NaN."""
    values = series.tolist()
    kind = series.dtype.kind if isinstance(series.dtype, np.dtype) else ""
    if kind in "iub" and kind:
        return values
    if kind == "f":
        return [None if math.isnan(v) else v for v in values]
    missing = Formatter.missing
    return [None if missing(v) else v for v in values]


def _split(keys: list[Any], rows: list[dict[str, Any]]) -> dict[Any, list[dict[str, Any]]]:
    """``rows`` grouped by ``keys`` (one key per row): groups in order of first appearance, rows
    in their order (as ``groupby(sort=False)``)."""
    out: dict[Any, list[dict[str, Any]]] = {}
    for key, row in zip(keys, rows):
        out.setdefault(key, []).append(row)
    return out


def _records_by(df: pd.DataFrame | None, key: str = "product") -> dict[Any, list[dict[str, Any]]]:
    """key -> :func:`_records` of its rows; the table converted once, not once per group."""
    if df is None or df.empty:
        return {}
    return _split(df[key].tolist(), _records(df))


def _chart_rows_by_product(df: pd.DataFrame, codes: list[str], shape: Callable[[pd.DataFrame], Any]) -> dict[str, Any]:
    """product -> chart data of its rows: ``shape`` reshapes the rows of the products ``codes``
    all at once (a frame, or name -> frame), then :func:`charts.rows` (JSON values) is split by
    product. Per-row values are the same as reshaping each product apart."""
    d = df[df["product"].isin(codes)]
    shaped = shape(d)
    if isinstance(shaped, pd.DataFrame):
        return _split(d["product"].tolist(), charts.rows(shaped))
    out: dict[str, dict[str, list]] = {}
    for name, frame in shaped.items():
        keys = d["product"].tolist() * (len(frame) // len(d)) if len(d) else []  # long form repeats the rows
        for code, rows in _split(keys, charts.rows(frame)).items():
            out.setdefault(code, {})[name] = rows
    return out


def build_charts(data: ReportData, L: dict[str, str], validate: bool = False) -> dict[str, dict[str, Any]]:
    """chart element id -> Vega-Lite spec, for every chart on the page."""
    m = data.meta
    L = {**part_labels(m["lang"]), **L}
    out: dict[str, dict[str, Any]] = {}
    codes = m["detail_products"]
    sup = _chart_rows_by_product(data["suppliers"], codes, lambda d: charts.suppliers_data(d, L))
    hist = _chart_rows_by_product(data["history"], codes, lambda d: charts.indicators_data(d, L))
    sup_spec = charts.suppliers_chart(L, L["chart_suppliers"].format(year=m["year"]), validate)
    ind_spec = charts.indicators_chart(m["thresholds"], L, validate)
    for code in codes:
        if code in sup:
            out[f"chart-sup-{code}"] = charts.attach(sup_spec, suppliers=sup[code])
        if code in hist:
            out[f"chart-ind-{code}"] = charts.attach(ind_spec, **hist[code])
    if len(data["trend_by_tier"]):
        out["chart-trend-tiers"] = charts.trend_tiers_chart(data["trend_by_tier"], m["tiers"], L, validate)
    if len(data["trend_suppliers"]):
        out["chart-trend-suppliers"] = charts.trend_suppliers_chart(data["trend_suppliers"], L, validate)
    if len(data["leverage"]):
        out["chart-leverage"] = charts.leverage_chart(data["leverage"], L, validate)
    for name, section in data.parts.items():
        out.update(RENDERERS[name].charts(section, L, validate))
    return out


@cache
def _template(lang: str) -> jinja2.Template:
    """The page template with the number filters of ``lang``, compiled once per language and process."""
    return _environment(Formatter(lang)).get_template("report.html.j2")


def _environment(fmt: Formatter) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    filters: dict[str, Callable[..., str]] = {
        "usd": fmt.usd, "share": fmt.share, "hhi": fmt.hhi, "ratio": fmt.ratio, "int": fmt.int, "num": fmt.num,
        "yn": fmt.yn, "tier": fmt.tier, "event": fmt.event, "raw": fmt.raw,
    }
    env.filters.update(filters)
    return env


def render_html(data: ReportData) -> str:
    """The whole report page as a string."""
    m = data.meta
    fmt = Formatter(m["lang"])
    L = {**fmt.L, **part_labels(m["lang"])}
    products = data["products"]
    suppliers = sorted(set(zip(products["top_supplier"], products["top_supplier_name"])), key=lambda t: t[1])
    areas = sorted({a for text in products.get("interest_areas", pd.Series(dtype=object)) for a in _areas(text)})
    specs = build_charts(data, L)
    lev, world = data["leverage"], data["world_exporters"]
    lev_rows = int(m["settings"]["report.leverage_rows"])
    scripts = [_script_safe(_static(VENDORED[k][0])) for k in ("vega", "vegalite", "embed")]
    ctx = {
        "L": L, "m": m, "F": lambda kind, v: getattr(fmt, kind)(v), "lang": m["lang"],
        "title": L["title"].format(**m),
        "subtitle": L["subtitle"].format(**m),
        "products": _records(products),
        "detail": _records(data["detail"]),
        "detail_set": set(m["detail_products"]),
        "tier_counts": _records(data["tier_counts"]),
        "largest": _records(data["largest"].head(10)),
        "supplier_countries": _records(data["supplier_countries"].head(10)),
        "changes": _records(data["changes"]),
        "since": _records(data.get("since")),
        "suppliers": _records_by(data["suppliers"]),
        "world": _records_by(world[world["shown_as"] != OTHER]),
        "diversification": _records_by(data.get("diversification") if "diversification" in data else None),
        "trend_by_tier": _records(data["trend_by_tier"]),
        "durations": _records(data["durations"]),
        "leverage": _records(lev.head(lev_rows)),
        "chains": _records_by(data.get("chains"), "chain"),
        "risk": _records(data.get("risk")),
        "scenario": _records(data["scenario"].head(lev_rows) if data.get("scenario") is not None else None),
        "leverage_total": len(lev), "leverage_partners": int(lev["partner"].nunique()) if len(lev) else 0,
        "filter_tiers": [t for t in m["tiers"] if (products["tier"] == t).any()],
        "filter_suppliers": suppliers, "filter_areas": areas, "areas_of": _areas,
        "charts": specs, "specs_json": _json_script(specs),
        "vega_options": _json_script({"actions": False, "renderer": "svg", "formatLocale": FORMAT_LOCALES[m["lang"]]}),
        "css": _static("report.css"), "report_js": _script_safe(_static("report.js")), "vendor_js": scripts,
        "versions": {k: v[1] for k, v in VENDORED.items()},
        "settings": [(k, v) for k, v in m["settings"].items() if k != "blocs"],
        "parts": [data.parts[n] for n in RENDERERS if n in data.parts], "records": _records,
    }
    cells = Cells(fmt, ctx["detail_set"], m["tiers"])
    ctx.update(num=cells.num, tier_badge=cells.tier_badge, desc=cells.desc, product_link=cells.product_link,
               product_row=cells.product_row)
    return _template(m["lang"]).render(**ctx)


def html_to(data: ReportData, path: Path) -> None:
    """Render the page into ``path`` as UTF-8, not atomically (for a temporary file of
    :func:`geomon.outputs.report.write_reports`, which writes it atomically)."""
    path.write_text(render_html(data), encoding="utf-8")
