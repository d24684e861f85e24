"""Knowledge position beside the trade dependencies (issue 12): the field links, the columns that
``geomon tiers`` gains, and the report's knowledge section (HTML, workbook, Dutch labels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture(scope="module")
def tiers_nld():
    from geomon import api

    return api.tiers("NLD", 2022)


def hand_rta(kn_table: pd.DataFrame, code: str, field: str, year: int) -> float:
    """RTA = (p_cf / p_wf) / (sum_g p_cg / sum_g p_wg) over the patent fields where both have a value."""
    p = kn_table[(kn_table["indicator"] == "patent_families") & (kn_table["year"] == year)]
    c = p[p["code"] == code].set_index("field")["value"].dropna()
    w = p[p["code"] == "WORLD"].set_index("field")["value"].dropna()
    both = c.index.intersection(w.index)
    return (c[field] / w[field]) / (c[both].sum() / w[both].sum())


def test_product_fields_most_specific_link(ctx):
    from geomon.analyses.knowledge.link import product_fields

    f = product_fields(ctx, ["854110", "854239", "300490", "283691", "280461", "901831", "010121"]).set_index("product")
    assert f.loc["854110", "knowledge_field"] == "semiconductors" and f.loc["854110", "knowledge_link"] == "HS 8541"
    assert f.loc["854239", "knowledge_field"] == "semiconductors"
    assert f.loc["300490", "knowledge_field"] == "pharmaceuticals" and f.loc["300490", "knowledge_link"] == "HS 30"
    # lithium carbonate: interest-map subarea energy / batteries and grid storage
    assert f.loc["283691", "knowledge_field"] == "electrical machinery, apparatus, energy"
    assert f.loc["283691", "knowledge_link_certainty"] == "uncertain"
    # silicon: two subareas (semiconductors wafers; energy solar) -> the first row of the file wins
    assert f.loc["280461", "knowledge_field"] == "semiconductors"
    # syringes: HS 9018 (4 digits) beats the subarea health / medical devices
    assert f.loc["901831", "knowledge_link"] == "HS 9018"
    assert "010121" not in f.index


def test_every_link_names_a_known_field_and_subarea(ctx):
    from geomon.analyses.knowledge.data import load
    from geomon.analyses.knowledge.link import read_links
    from geomon.analyses.trade.interests import load_map

    links = read_links()
    fields = set(load(ctx).fields["field"])
    assert set(links["field"]) <= fields
    imap = load_map(ctx.config).table
    known = {f"{a} / {b}" for a, b in zip(imap["area"], imap["subarea"])}
    assert set(links.loc[links["link_kind"] == "subarea", "link"]) <= known
    assert (links["url"].str.startswith("https://")).all() and (links["source"] != "").all()


def test_tiers_carry_knowledge_columns(tiers_nld, ctx):
    from geomon.analyses.knowledge.data import load

    t, m = tiers_nld.table, tiers_nld.meta
    assert m["knowledge_year"] == 2020  # latest NCSES patent year <= trade year 2022
    assert "latest NCSES patent year" in m["knowledge_year_rule"]
    row = t[t["product"] == "283691"].iloc[0]
    kn = load(ctx).table
    want = hand_rta(kn, "NLD", "electrical machinery, apparatus, energy", 2020)
    assert row["knowledge_rta"] == pytest.approx(want)
    assert row["knowledge_position"] == ("strong" if want >= 1 else "weak")
    # the top supplier of lithium carbonate (Chile) is not in the NCSES patent tables: unknown, not False
    assert row["top_supplier"] == "CHL" and np.isnan(row["supplier_knowledge_rta"]) and pd.isna(row["supplier_stronger"])
    ita = t[(t["knowledge_field"] != "") & (t["top_supplier"] == "ITA")]
    assert len(ita)
    r = ita.iloc[0]
    assert r["supplier_knowledge_rta"] == pytest.approx(hand_rta(kn, "ITA", r["knowledge_field"], 2020))
    assert bool(r["supplier_stronger"]) == (r["supplier_knowledge_rta"] > r["knowledge_rta"])
    none = t[t["knowledge_field"] == ""]
    assert len(none) and none["knowledge_position"].eq("").all() and none["knowledge_rta"].isna().all()


def test_annotate_hand_table(ctx):
    """A semiconductor import from China by the Netherlands, trade year 2022 -> patents of 2020."""
    from geomon.analyses.knowledge.data import load
    from geomon.analyses.knowledge.link import annotate

    tiered = pd.DataFrame({"product": ["854231", "010121"], "tier": ["strategic", "none"], "top_supplier": ["CHN", "CHN"]})
    out = annotate(ctx, "NLD", 2022, tiered)
    kn = load(ctx).table
    nld, chn = hand_rta(kn, "NLD", "semiconductors", 2020), hand_rta(kn, "CHN", "semiconductors", 2020)
    # NCSES SINV-13, 2020: NLD 59 and CHN 10,462 of 28,211 semiconductor families
    assert nld == pytest.approx((59 / 28211) / hand_share_all(kn, "NLD"))
    assert out.loc[0, "knowledge_rta"] == pytest.approx(nld)
    assert out.loc[0, "supplier_knowledge_rta"] == pytest.approx(chn)
    assert bool(out.loc[0, "supplier_stronger"]) == (chn > nld)
    assert out.loc[0, "knowledge_year"] == 2020 and out.loc[1, "knowledge_field"] == ""


def hand_share_all(kn: pd.DataFrame, code: str) -> float:
    p = kn[(kn["indicator"] == "patent_families") & (kn["year"] == 2020)]
    c = p[p["code"] == code].set_index("field")["value"].dropna()
    w = p[p["code"] == "WORLD"].set_index("field")["value"]
    return c.sum() / w[c.index].sum()


@pytest.fixture(scope="module")
def report_data_nl(nld_report):
    return nld_report["nl"]


@pytest.mark.xdist_group("nld_report")
def test_report_section_tables(report_data_nl):
    part = report_data_nl.parts["knowledge"]
    pos = part.tables["positions"]
    assert set(pos["code"]) == {"NLD", "CHN", "USA", "EU27"}  # knowledge.report_compare default
    nld = pos[(pos["code"] == "NLD") & (pos["field"] == "materials science")].iloc[0]
    assert nld["value"] == 1.75 and nld["year"] == 2020
    assert part.meta["knowledge_year"] == 2020
    assert set(part.tables["links"]["tier"]) <= {"strategic", "possible", "dependency"}
    assert part.tables["links"]["knowledge_field"].ne("").all()


def render_part(data) -> str:
    """The knowledge section alone, rendered as the page renders it (template, labels, number formats)."""
    from geomon.outputs.report.html import Formatter, _environment, _records
    from geomon.outputs.report.parts import part_labels

    fmt = Formatter(data.meta["lang"])
    L = {**fmt.L, **part_labels(data.meta["lang"])}
    tpl = _environment(fmt).get_template("parts/knowledge.html.j2")
    return tpl.render(part=data.parts["knowledge"], L=L, F=lambda kind, v: getattr(fmt, kind)(v), records=_records)


@pytest.mark.xdist_group("nld_report")
def test_report_html_and_workbook(report_data_nl):
    from bs4 import BeautifulSoup

    from geomon.outputs.report.parts import part_labels
    from geomon.outputs.report.parts.knowledge import charts
    from geomon.outputs.report.xlsx import sheets

    sec = BeautifulSoup(render_part(report_data_nl), "lxml")
    assert sec.find("h2").get_text() == "Kennispositie in wetenschap en sleuteltechnologieën"
    assert sec.select_one("#chart-knowledge-fields") is not None
    row = sec.select_one('#knowledge-table tr[data-code="NLD"][data-field="semiconductors"]')
    assert row.find("td").get_text() == "halfgeleiders"
    assert row.select_one('td[data-col="value"]')["data-v"] == "59.0"
    chn = sec.select_one('#knowledge-table tr[data-code="CHN"][data-field="semiconductors"] td[data-col="value"]')
    assert chn.get_text() == "10.462"  # Dutch thousands separator
    rules = {li["data-rule"]: li.get_text() for li in sec.select("#knowledge-rules li[data-rule]")}
    assert rules["trend"].startswith("Trend: de verandering") and "over 5 jaar" in rules["trend"] and "+10,0%" in rules["trend"]
    assert "minstens 1 is" in rules["position"] and rules["year"].startswith("Octrooien van 2020 naast handel van 2022")
    verdicts = sec.select("#knowledge-verdicts li")
    assert len(verdicts) == 29 and all(li["data-verdict"] in ("improving", "stable", "declining", "no data") for li in verdicts)
    words = {"improving": "verbetert", "stable": "stabiel", "declining": "verslechtert"}
    assert all(words[li["data-verdict"]] in li.get_text() for li in verdicts if li["data-verdict"] in words)
    spec = charts(report_data_nl.parts["knowledge"], part_labels("nl"))
    rows = spec["chart-knowledge-fields"]["datasets"]["knowledge"]
    assert {r["code"] for r in rows} == {"NLD", "CHN", "USA", "EU27"} and "halfgeleiders" in {r["field_label"] for r in rows}
    out = sheets(report_data_nl)
    assert {"knowledge_positions", "knowledge_series", "knowledge_links"} <= set(out)


def test_cli_tiers_show_knowledge(cli):
    import io

    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "-f", "csv")
    assert res.exit_code == 0, res.output
    t = pd.read_csv(io.StringIO(res.stdout), dtype={"product": str})
    assert {"knowledge_field", "knowledge_position", "supplier_stronger", "knowledge_year"} <= set(t.columns)
    row = t[t["product"] == "283691"].iloc[0]
    assert row["knowledge_field"] == "electrical machinery, apparatus, energy" and row["knowledge_year"] == 2020
    res = cli("tiers", "--reporter", "NLD", "--year", "2022", "--tier", "strategic")
    assert res.exit_code == 0 and "knowledge" in res.output
