"""The HTML report, read as a parsed document (BeautifulSoup + lxml), never by string matching.

Numbers on the page carry their exact value in ``data-v``; they must equal what
``geomon screen`` (``screening.screen``), ``tiers.classify``, ``suppliers.suppliers``
and ``leverage.leverage`` return for the same reporter and year.
"""

from __future__ import annotations

import json
import re
import string

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from geomon.analyses.trade.leverage import leverage
from geomon.analyses.report_data import build_report_data
from geomon.outputs.report.view import report_view
from geomon.analyses.trade.screening import screen
from geomon.analyses.trade.suppliers import suppliers
from geomon.analyses.trade.tiers import classify
from geomon.errors import InputError
from geomon.outputs.report.html import build_charts, render_html
from geomon.outputs.report.labels import LABELS, labels

pytestmark = pytest.mark.xdist_group("nld_report")  # with -n 2 one worker builds the session's NLD 2022 report (conftest) and runs every test reading it

SECTIONS = ["summary", "products", "details", "trends", "leverage", "supply", "methods"]


@pytest.fixture(scope="module")
def data(nld_report):
    return nld_report["en"]


@pytest.fixture(scope="module")
def soup(data):
    return BeautifulSoup(render_html(data), "lxml")


@pytest.fixture(scope="module")
def screened(ctx):
    return screen(ctx, "NLD", 2022).table.set_index("product")


def cells(row) -> dict[str, str]:
    """data-col -> data-v of the cells (and spans) of one table row."""
    return {el["data-col"]: el.get("data-v", "") for el in row.select("[data-col]")}


def test_one_self_contained_file(soup):
    """No external script, style, image or font: everything is inline, so it opens offline."""
    assert not soup.select("script[src]")
    assert not soup.select("link[rel=stylesheet]")
    for el in soup.find_all(src=True):
        assert el["src"].startswith("data:"), el
    for el in soup.find_all("link", href=True):
        assert el["href"].startswith("data:"), el
    inline = [s for s in soup.find_all("script") if s.get("type") is None]
    text = " ".join(s.string or "" for s in inline)
    # vega, vega-lite, vega-embed and the report's own script, all inline
    assert len(inline) == 4 and "vegaEmbed" in text and "vegaLite" in text
    css = soup.find("style").string
    assert "@import" not in css and "url(http" not in css


def test_sections_and_navigation(soup, data):
    """The trade and supply sections, then one per other part of the monitor, then methods."""
    sections = SECTIONS[:-1] + list(data.parts) + SECTIONS[-1:]
    assert list(data.parts) == ["infrastructure", "knowledge", "coercion"]
    for sid in sections:
        assert soup.find(id=sid) is not None, sid
    nav = [a["href"] for a in soup.select("header nav a")]
    assert nav == [f"#{s}" for s in sections]
    assert soup.html["lang"] == "en"


def test_product_table_equals_screen(soup, screened, ctx):
    rows = soup.select("#product-table tbody tr")
    assert {r["data-product"] for r in rows} == set(screened.index)
    tiers = classify(ctx, screened.reset_index()).set_index("product")["tier"]
    for row in rows:
        code, v = row["data-product"], cells(row)
        want = screened.loc[code]
        for col in ("import_value_usd", "top_supplier_share", "import_hhi", "world_export_hhi", "import_export_ratio"):
            assert float(v[col]) == pytest.approx(float(want[col]), rel=1e-12, abs=0), (code, col)
        assert int(v["criteria_met_years"]) == int(want["criteria_met_years"])
        assert v["dependent"] == ("1" if want["dependent"] else "0")
        assert row["data-supplier"] == want["top_supplier"]
        assert row["data-tier"] == tiers[code]


def test_summary_counts_equal_screen(soup, screened, ctx):
    cards = {c["data-key"] if c["data-key"] != "tier" else c["data-tier"]: int(c.select_one(".card-num")["data-v"])
             for c in soup.select("#summary .card")}
    assert cards["rows"] == len(screened)
    assert cards["dependent"] == int(screened["dependent"].sum())
    tiers = classify(ctx, screened.reset_index())["tier"].value_counts()
    for t in ("strategic", "possible", "dependency"):
        assert cards[t] == int(tiers.get(t, 0)), t
    # the largest dependencies are the tiered products, by import value
    largest = [r["data-product"] for r in soup.select("#largest tbody tr")]
    values = [float(cells(r)["import_value_usd"]) for r in soup.select("#largest tbody tr")]
    assert values == sorted(values, reverse=True)
    assert set(largest) <= set(screened.index)


def test_every_tiered_product_has_a_section_and_links_resolve(soup, data):
    ids = {el["id"] for el in soup.find_all(id=True)}
    tiered = set(data["products"].loc[data["products"]["tier"] != "none", "product"])
    sections = {s["data-product"] for s in soup.select("section.product")}
    assert tiered <= sections
    assert sections == set(data.meta["detail_products"])
    # the top N imports by value have a section too (report.top_products)
    top = data["products"].nlargest(data.meta["top_products"], "import_value_usd")["product"]
    assert set(top) <= sections
    for a in soup.select("a[href^='#']"):
        assert a["href"][1:] in ids, a["href"]
    linked = {a["href"][3:] for a in soup.select("#product-table a[href^='#p-']")}
    assert linked == sections


def test_product_section_charts_and_world_exporters(soup, data, ctx):
    specs = json.loads(soup.find(id="vega-specs").string)
    containers = {d["id"] for d in soup.select("div.vega")}
    assert containers == set(specs)
    sec = soup.find(id="p-283691")
    assert sec.find(id="chart-sup-283691") and sec.find(id="chart-ind-283691")
    # supplier bars: Chile leads NL lithium-carbonate imports in 2022 with the screen's top share
    bars = specs["chart-sup-283691"]["datasets"]["suppliers"]
    first = min(bars, key=lambda r: r["rank"])
    assert first["shown_as"] == "Chile"
    want = suppliers(ctx, "NLD", "283691", 2022).table
    assert first["share"] == pytest.approx(want["share"].iloc[0], rel=1e-12)
    # world exporters table: the largest ones, with the shares of 'geomon suppliers --world'
    world = suppliers(ctx, "NLD", "283691", 2022, world=True).table
    rows = sec.select("table.world-exporters tbody tr")
    assert len(rows) == min(data.meta["top_suppliers"], len(world))
    assert [r["data-supplier"] for r in rows] == world["supplier"].head(len(rows)).tolist()
    for r, share in zip(rows, world["share"]):
        assert float(cells(r)["share"]) == pytest.approx(share, rel=1e-12)


def test_indicator_chart_draws_the_thresholds(soup, ctx):
    spec = json.loads(soup.find(id="vega-specs").string)["chart-ind-720293"]
    text = json.dumps(spec)
    t1, t2, t3 = (ctx.config[k] for k in ("screening.import_hhi", "screening.world_hhi", "screening.ratio"))
    rules = [d for d in spec["datasets"].values() if d and "threshold" in d[0]]
    assert sorted(r["threshold"] for d in rules for r in d) == sorted([t1, t2, float(t3)])
    hist = spec["datasets"]["hhi"]
    assert {r["year"] for r in hist} == set(range(2003, 2023))
    assert "strokeDash" in text


def test_verdict_reasons_and_criteria(soup, data):
    sec = soup.find(id="p-720293")
    row = data["products"].set_index("product").loc["720293"]
    assert sec["data-tier"] == row["tier"]
    assert row["tier_reasons"] in sec.select_one(".verdict .reasons").get_text()
    met = {li["data-key"]: "met" in li["class"] for li in sec.select("ul.criteria li")}
    assert met == {"c1": bool(row["c1_import_concentration"]), "c2": bool(row["c2_world_concentration"]),
                   "c3": bool(row["c3_low_substitutability"]), "persistence": bool(row["dependent"])}


def test_changes_since_previous_year_equal_two_screens(soup, ctx):
    """Screen and classify 2021 and 2022 separately: the products whose tier or
    dependence differs are exactly the rows of the 'changes' table."""
    a = classify(ctx, screen(ctx, "NLD", 2021).table).set_index("product")[["tier", "dependent"]]
    b = classify(ctx, screen(ctx, "NLD", 2022).table).set_index("product")[["tier", "dependent"]]
    m = a.add_suffix("_a").join(b.add_suffix("_b"), how="outer")
    m[["tier_a", "tier_b"]] = m[["tier_a", "tier_b"]].fillna("none")
    m[["dependent_a", "dependent_b"]] = m[["dependent_a", "dependent_b"]].fillna(False).astype(bool)
    changed = m[(m["tier_a"] != m["tier_b"]) | (m["dependent_a"] != m["dependent_b"])]
    rows = soup.select("#changes tbody tr")
    assert {r["data-product"] for r in rows} == set(changed.index)
    for r in rows:
        before, after = [s["data-tier"] for s in r.select("span.tier")]
        assert (before, after) == (changed.loc[r["data-product"], "tier_a"], changed.loc[r["data-product"], "tier_b"])


def test_leverage_rows_equal_leverage(soup, ctx, data):
    want = leverage(ctx, "NLD", 2022).table
    rows = soup.select("#leverage-table tbody tr")
    assert len(rows) == min(len(want), int(ctx.config["report.leverage_rows"]))
    for r, (_, w) in zip(rows, want.iterrows()):
        assert (r["data-partner"], r["data-product"]) == (w["partner"], w["product"])
        assert float(cells(r)["supplier_share"]) == pytest.approx(w["supplier_share"], rel=1e-12)


def test_methods_and_provenance(soup, ctx):
    prov = {dd["data-key"]: dd.get_text(" ", strip=True) for dd in soup.select("#provenance dd")}
    meta = ctx.meta()
    assert prov["hs_revision"] == "HS92"
    assert prov["data_version"] == meta["data_version"]
    assert prov["config_hash"] == meta["config_hash"]
    assert prov["source"] == meta["source"]
    assert re.match(r"\d{4}-\d\d-\d\dT", prov["generated_at"])
    caveats = {li["data-caveat"] for li in soup.select("#caveats li")}
    assert {"consignment", "reexports", "hs_revisions", "embedded"} <= caveats
    settings = {tr["data-setting"] for tr in soup.select("#settings tbody tr")}
    assert {"screening.import_hhi", "screening.world_hhi", "screening.ratio", "report.top_products"} <= settings


def test_supply_sections(soup, data):
    chains = {t["data-chain"] for t in soup.select("table.chain")}
    assert {"lithium", "rare_earths", "cobalt"} <= chains
    # exactly one chokepoint per chain
    for t in soup.select("table.chain"):
        assert len(t.select("tr.chokepoint")) == 1, t["data-chain"]
    assert soup.select("#risk-table tbody tr")
    scen = soup.select("#scenario-table tbody tr")
    values = [float(cells(r)["at_risk_value_usd"]) for r in scen]
    assert values and values == sorted(values, reverse=True)
    assert all(0 <= float(cells(r)["at_risk_share"]) <= 1 for r in scen)


def test_dutch_labels_same_numbers(nld_report, soup):
    nl = BeautifulSoup(render_html(nld_report["nl"]), "lxml")
    assert nl.html["lang"] == "nl"
    assert [a.get_text() for a in nl.select("header nav a")][0] == LABELS["nl"]["nav_summary"]
    en_rows = {r["data-product"]: cells(r) for r in soup.select("#product-table tbody tr")}
    nl_rows = {r["data-product"]: cells(r) for r in nl.select("#product-table tbody tr")}
    # same values (DuckDB sums in parallel, so the last bits of a float can differ run to run)
    assert en_rows.keys() == nl_rows.keys()
    for code, en in en_rows.items():
        for col, v in en.items():
            w = nl_rows[code][col]
            assert w == v or float(w) == pytest.approx(float(v), rel=1e-12), (code, col)
    share = nl.select_one("#product-table tbody tr td[data-col=top_supplier_share]").get_text()
    assert re.fullmatch(r"\d+,\d%", share), share


def test_labels_have_the_same_keys_and_fields():
    fields = {lang: {k: {f for _, f, _, _ in string.Formatter().parse(v) if f} for k, v in d.items()}
              for lang, d in LABELS.items()}
    assert fields["en"] == fields["nl"]
    with pytest.raises(InputError, match="unknown language 'fr'"):
        labels("fr")


def test_chart_specs_are_valid_vega_lite(data):
    specs = build_charts(data, labels("en"), validate=True)
    assert {"chart-trend-tiers", "chart-trend-suppliers", "chart-leverage"} <= set(specs)
    assert all(s["$schema"].startswith("https://vega.github.io/schema/vega-lite/v6") for s in specs.values())


def test_since_edition(ctx, tmp_path, data):
    """An edition saved with a lower c1 threshold differs in tier for some products;
    the report's 'since' table lists exactly those."""
    from geomon.analyses.context import open_context
    from geomon import api

    loose = open_context(store=ctx.store, config=ctx.config.with_overrides(**{"screening.import_hhi": 0.2}))
    ed = api.save_edition("loose", "NLD", 2022, editions=tmp_path, config=loose.config,
                          store=loose.store).table.set_index("product")["tier"]
    rd = build_report_data(ctx, "NLD", 2022, since="loose", editions=str(tmp_path))
    now = rd["products"].set_index("product")["tier"]
    both = pd.concat([ed.rename("a"), now.rename("b")], axis=1).fillna("none")
    changed = set(both.index[both["a"] != both["b"]])
    assert changed, "a lower c1 threshold must change some tiers"
    page = BeautifulSoup(render_html(report_view(rd)), "lxml")
    rows = page.select("#since tbody tr")
    assert {r["data-product"] for r in rows} == changed
    assert page.find(id="since-title") is not None
    assert rd.meta["since"]["edition"] == "loose"
    assert soup_has_no_since(data)


def soup_has_no_since(data) -> bool:
    return "since" not in data and data.meta["since"] is None


def test_unknown_edition_and_other_reporter(ctx, tmp_path):
    from geomon import api

    with pytest.raises(InputError, match="unknown edition 'nope'"):
        build_report_data(ctx, "NLD", 2022, since="nope", editions=str(tmp_path))
    api.save_edition("be", "BEL", 2022, editions=tmp_path, config=ctx.config, store=ctx.store)
    with pytest.raises(InputError, match="edition 'be' is for reporter BEL"):
        build_report_data(ctx, "NLD", 2022, since="be", editions=str(tmp_path))


@pytest.mark.parametrize("reporter,year,message", [
    ("XXX", 2022, "unknown reporter 'XXX'"),
    ("ALL", 2022, "a report covers one reporter"),
    ("NLD", 1990, "1990"),
])
def test_bad_input(ctx, reporter, year, message):
    with pytest.raises(InputError, match=message):
        build_report_data(ctx, reporter, year)


def test_bloc_report(ctx):
    """EU27 as one reporter: members' intra-EU flows are dropped, the page still renders."""
    rd = build_report_data(ctx, "EU27", 2022)
    eu = screen(ctx, "EU27", 2022).table
    assert len(rd["products"]) == len(eu) and rd.meta["reporter_is_bloc"]
    page = BeautifulSoup(render_html(report_view(rd)), "lxml")
    assert len(page.select("#product-table tbody tr")) == len(eu)


def test_diversification_options_per_dependency(ctx, data):
    """Every dependency with a section lists its ranked alternatives (issue 10: supplier,
    world export share, WGI, EU trade agreement from the shipped file), as
    geomon.analyses.trade.diversification.options computes them."""
    from geomon.analyses.trade.diversification import options

    div = data["diversification"]
    deps = data["detail"].loc[data["detail"]["dependent"].astype(bool), "product"].tolist()
    assert "283691" in deps and set(div["product"]) <= set(deps)
    want = options(ctx, "NLD", ["283691"], 2022, top=int(ctx.config["supply.top_n"]))
    page = BeautifulSoup(render_html(data), "lxml")
    rows = page.select('table.diversification[data-product="283691"] tbody tr')
    assert [r["data-supplier"] for r in rows] == want["supplier"].tolist()
    agreements = {r["data-supplier"]: r.select_one('[data-col="trade_agreement"]').get_text() for r in rows}
    for sup, has, name in zip(want["supplier"], want["trade_agreement"], want["agreement"]):
        assert agreements[sup] == (name if has else "no")
