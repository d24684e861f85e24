"""Infrastructure nodes (issue 13): the SMDG register, the ownership map, totals, stakes, CGIT
deals, the trade link and bad input. Real data: the shipped SMDG Terminal Code List (28 Dutch
terminals) and real CGIT rows copied into a small fixture (the CGIT is not shipped)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import SHARED

DATA = Path(__file__).resolve().parents[1] / "src" / "geomon" / "data" / "infrastructure"
SMDG = DATA / "smdg_terminal_code_list.csv"


@pytest.fixture(scope="module")
def nld():
    from geomon import api

    return api.infrastructure("NLD")


@pytest.fixture(scope="module")
def eu():
    from geomon import api

    return api.infrastructure("EU27", trade=False)


def smdg_rows(prefix: str) -> list[dict]:
    with SMDG.open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["UNLOCODE"].startswith(prefix)]


def test_nld_lists_the_28_dutch_terminals_of_the_smdg_list(nld):
    assert len(smdg_rows("NL")) == 28 == len(nld.table)
    ids = {f"SMDG:{r['UNLOCODE']}:{r['Terminal Code']}" for r in smdg_rows("NL")}
    assert set(nld.table["node_id"]) == ids
    assert nld.table["operator"].ne("").all() and nld.table["country"].eq("NLD").all()


def test_nld_matches_the_shared_original():
    original = SHARED / "staging" / "smdg_terminals" / "SMDG Terminal Code List.csv"
    if not original.is_file():
        pytest.skip("../shared/data not present")
    assert original.read_bytes() == SMDG.read_bytes()


def test_nld_rows_operator_parent_home(nld):
    rows = nld.table.set_index("node_id")
    emx = rows.loc["SMDG:NLRTM:EMX"]  # SMDG: ECT EUROMAX TERMINAL (EMX), HUTCHISON PORTS ECT ROTTERDAM, 51.974167 4.038056
    assert (emx["name"], emx["operator"]) == ("ECT EUROMAX TERMINAL (EMX)", "HUTCHISON PORTS ECT ROTTERDAM")
    assert (emx["lat"], emx["lon"]) == (51.974167, 4.038056)
    assert (emx["parent"], emx["home_economy"], emx["foreign_operator"]) == ("CK Hutchison Holdings", "HKG", True)
    # COSCO's 35 % of Euromax (Caixin Global, 2016-05-12) and Evergreen's 20 % (inforMARE, 2023-08-16)
    assert "COSCO Pacific (COSCO Shipping Ports) (CHN) 35 % 2016" in emx["stakes"]
    assert "Evergreen Marine (TWN) 20 % 2023" in emx["stakes"]
    apm = rows.loc["SMDG:NLRTM:NLMVII"]
    assert (apm["operator_group"], apm["parent"], apm["home_economy"]) == ("APM Terminals", "A.P. Moller-Maersk", "DNK")
    rwg = rows.loc["SMDG:NLRTM:RWG"]
    assert (rwg["home_economy"], rwg["ownership_certainty"]) == ("ARE", "uncertain")
    ctt = rows.loc["SMDG:NLALM:CTTA"]  # Combi Terminal Twente: no sourced ownership entered
    assert (ctt["operator_group"], ctt["home_economy"]) == ("", "")


def test_totals_per_home_economy_by_hand(nld):
    # NLD: 6 Hutchison terminals (DBF, DDE, DDN, DCD, EMX, HPD2), 2 QTerminals Kramer (RSN, KRM), 3 Dutch
    # (Steinweg Beatrixhaven, Uniport: C. Steinweg; Verbrugge), 1 APM (NLMVII), 1 RWG, 1 RSC (DB Schenker Rail),
    # 1 Kloosterboer (Lineage Logistics, USA), 13 others unmapped; shares of 28
    t = nld.summaries["totals"].set_index("home_economy")
    assert t.loc["HKG", "terminals"] == 6 and t.loc["HKG", "share"] == pytest.approx(6 / 28)
    assert t.loc["NLD", "terminals"] == 3 and t.loc["NLD", "share"] == pytest.approx(3 / 28)
    assert [t.loc[h, "terminals"] for h in ("QAT", "DNK", "ARE", "DEU", "USA")] == [2, 1, 1, 1, 1]
    assert t.loc["", "terminals"] == 13 and t["terminals"].sum() == 28


def test_eu27_per_member_chinese_or_hong_kong_operators(eu):
    # From the SMDG list: Hutchison (HKG) runs 6 NL, BEST Barcelona, Gdynia, Stockholm-Norvik; COSCO (CHN)
    # runs CSP Zeebrugge, CSP Valencia and Bilbao, Piraeus Container Terminal and Piraeus Port Authority.
    m = eu.summaries["members"].set_index("country")
    assert len(m) == 27
    expected = {"NLD": 6, "ESP": 3, "GRC": 2, "BEL": 1, "POL": 1, "SWE": 1, "DEU": 0, "FRA": 0, "ITA": 0}
    assert {k: int(m.loc[k, "focus_nodes"]) for k in expected} == expected
    nl = len(smdg_rows("NL"))
    assert m.loc["NLD", "nodes"] == nl and m.loc["NLD", "focus_share"] == pytest.approx(6 / nl)
    assert m.loc["ESP", "focus_operators"] == "COSCO Shipping Ports, Hutchison Ports"
    eu_prefixes = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]
    assert m["nodes"].sum() == sum(len(smdg_rows(p)) for p in eu_prefixes) == eu.meta["nodes"]


def test_owner_and_kind_filters(cli):
    res = cli("infrastructure", "--country", "EU27", "--owner", "CHN", "--no-trade", "--format", "json")
    doc = json.loads(res.stdout)
    assert res.exit_code == 0
    assert sorted(r["node_id"] for r in doc["rows"]) == ["SMDG:BEZEE:CSPZ", "SMDG:ESBIO:NOATB", "SMDG:ESVLC:NOATV",
                                                          "SMDG:GRPIR:GRPCT", "SMDG:GRPIR:PPA"]
    # Kloosterboer Vlissingen: the Kloosterboer family sold the company to Lineage Logistics (US), 2021 (ANP)
    res = cli("infrastructure", "--country", "NLD", "--owner", "USA", "--no-trade", "--format", "json")
    assert [(r["node_id"], r["parent"]) for r in json.loads(res.stdout)["rows"]] == [("SMDG:NLVLI:KBV", "Lineage Logistics")]
    res = cli("infrastructure", "--country", "NLD", "--kind", "terminal", "--no-trade", "--table", "totals", "--format", "csv")
    assert res.exit_code == 0 and "HKG,\"China, Hong Kong SAR\",6," in res.stdout


def test_every_ownership_row_and_stake_has_a_source():
    from geomon.analyses.infrastructure.ownership import load_ownership

    om = load_ownership()
    for table in (om.owners, om.stakes):
        assert len(table)
        for col in ("source_title", "publisher", "date", "url"):
            assert table[col].str.strip().ne("").all(), col
        assert table["url"].str.match(r"^https?://").all()
        assert table["certainty"].isin(["certain", "uncertain"]).all()
    assert om.stakes["percent"].between(0, 100, inclusive="right").all()
    # every operator group of the aliases is in the ownership map, except the MPET joint venture (no source entered)
    groups = {g for _, g in om.patterns}
    assert groups - set(om.owners["operator_group"]) == {"MSC PSA European Terminal"}


def test_a_stake_without_source_is_refused(tmp_path):
    from geomon.analyses.infrastructure.ownership import load_ownership
    from geomon.errors import DataError

    for name in ("operator_aliases.csv", "ownership.csv"):
        (tmp_path / name).write_bytes((DATA / name).read_bytes())
    lines = (DATA / "stakes.csv").read_text(encoding="utf-8").splitlines()
    cells = next(csv.reader([lines[1]]))
    cells[11] = ""  # url
    with (tmp_path / "stakes.csv").open("w", encoding="utf-8", newline="") as f:
        f.write(lines[0] + "\n")
        csv.writer(f).writerow(cells)
    with pytest.raises(DataError, match=r"stakes.csv, line 2: url is blank"):
        load_ownership.__wrapped__(str(tmp_path))


@pytest.mark.parametrize("name, group", [
    ("HUTCHISON PORTS ECT ROTTERDAM", "Hutchison Ports"), ("Hutchison Ports Delta II", "Hutchison Ports"),
    ("GDYNIA CONTAINER TERMINAL S.A. / HUTCHISON PORTS GDYNIA", "Hutchison Ports"),
    ("CSP ZEEBRUGGE TERMINAL NV", "COSCO Shipping Ports"), ("COSCO SHIPPING PORTS (SPAIN) TERMINALS S.L.U.", "COSCO Shipping Ports"),
    ("MSC PSA EUROPEAN TERMINAL", "MSC PSA European Terminal"), ("PSA ANTWERP", "PSA International"),
    ("MSC GATE BREMERHAVEN GMBH & CO. KG.", "TIL"), ("TERMINAUX A CONTENEURS DE FRANCE (TCF) / TIL", "TIL"),
    ("YIPLORT HOLDING INC.", "Yilport Holding"), ("HHLA (HAMBURGER HAFEN UND LOGISTIK AG)", "HHLA"),
    ("LUKA RIJEKA / INTERNATIONAL CONTAINER TERMINAL SERVICES INC. (ICTSI)", "ICTSI"),
    ("C. STEINWEG", "C. Steinweg"), ("UNIPORT MULTIPURPOSE TERMINALS B.V.", "C. Steinweg"),
    ("COMBI TERMINAL TWENTE B.V.", ""), ("NOATUM TERMINALS", ""),
])
def test_operator_matching_rule(name, group):
    from geomon.analyses.infrastructure.ownership import match_operator

    assert match_operator(name) == group


@given(st.sampled_from(["HUTCHISON PORTS ECT ROTTERDAM", "APM TERMINALS", "DP WORLD (ANTWERP)", "QTERMINALS KRAMER ROTTERDAM"]),
       st.sampled_from(["", " B.V.", " S.p.A.", " GmbH & Co. KG", " Ltd."]), st.booleans())
def test_matching_ignores_case_punctuation_and_legal_forms(name, suffix, lower):
    from geomon.analyses.infrastructure.ownership import match_operator

    spelled = (name + suffix).lower() if lower else name + suffix
    assert match_operator(spelled) == match_operator(name) != ""


def test_trade_link_by_hand(nld):
    from geomon import api

    link = nld.summaries["trade_link"].set_index("home_economy")
    year = nld.meta["trade_link"]["year"]
    tiered = api.tiers("NLD", year).table
    codes = set(tiered.loc[tiered["tier"] != "none", "product"])
    flows = pq.read_table(Path(__file__).resolve().parents[1] / "src/geomon/data/store/baci/HS92_V202401b/flows"
                          / f"year={year}" / "part-0.parquet").to_pandas()
    nl = flows[(flows["importer"] == 528) & flows["product"].isin(codes) & (flows["exporter"] != 528)]
    total = nl["value"].sum()
    hkg = nl.loc[nl["exporter"] == 344, "value"].sum()  # BACI code 344 = Hong Kong
    assert link.loc["HKG", "tiered_import_value_usd"] == pytest.approx(hkg)
    assert link.loc["HKG", "share_of_tiered_imports"] == pytest.approx(hkg / total)
    assert link.loc["ALL", "tiered_import_value_usd"] == pytest.approx(link.drop("ALL")["tiered_import_value_usd"].sum())
    assert "no transport mode" in nld.meta["trade_link"]["caveat"]


CGIT_HEADER = "Year,Month,Investor, Quantity in Millions ,Share Size,Transaction Party,Sector,Subsector,Country,Region,BRI,Greenfield\n"
# real rows of the AEI China Global Investment Tracker, autumn 2021 release
CGIT_ROWS = [
    '2006,December,Sichuan Changhong,$100 ,75%,Sterope investments,Finance,Investment,Netherlands,Europe,,\n',
    '2008,April,State Administration of Foreign Exchange (SAFE),"$1,240 ",1%,Royal Dutch Shell,Energy,,Netherlands,Europe,,\n',
    '2016,May,China Ocean Shipping (COSCO),$140 ,35%,Euromax Terminal Rotterdam,Logistics,,Netherlands,Europe,0,\n',
    '2019,September,China Merchants Group,$420 ,100%,KLG Europe,Transport,Shipping,Netherlands,Europe,0,\n',
    '2005,April,China National Off-shore Oil (CNOOC),$130 ,17%,MEG Energy,Energy,Oil,Canada,North America,,G\n',
]


def test_cgit_ingest_and_deals(tmp_path, cli):
    path = tmp_path / "cgit.csv"
    path.write_bytes((CGIT_HEADER + "".join(CGIT_ROWS)).encode("latin-1"))
    res = cli("ingest", "cgit", str(path))
    assert res.exit_code == 0, res.output
    prov = json.loads((Path(os.environ["XDG_DATA_HOME"]) / "geomon/infrastructure/cgit.provenance.json").read_text())
    assert prov["rows"] == 5 and prov["publisher"] == "American Enterprise Institute"
    res = cli("infrastructure", "--country", "NLD", "--no-trade", "--table", "deals", "--format", "json")
    rows = json.loads(res.stdout)["rows"]
    # Finance (Sichuan Changhong) is not an infrastructure sector; Canada is not NLD
    assert [(r["year"], r["investor"], r["value_musd"], r["share"], r["sector"]) for r in rows] == [
        (2008, "State Administration of Foreign Exchange (SAFE)", 1240.0, 0.01, "Energy"),
        (2016, "China Ocean Shipping (COSCO)", 140.0, 0.35, "Logistics"),
        (2019, "China Merchants Group", 420.0, 1.0, "Transport")]


def test_user_node_file_replaces_and_adds(tmp_path, cli):
    f = tmp_path / "nodes.csv"
    f.write_text("node_id,name,kind,country,lat,lon,operator,valid_from,valid_to,source\n"
                 "SMDG:NLVLI:KBV,KLOOSTERBOER VLISSINGEN B.V.,port,NLD,51.475,3.707778,KLOOSTERBOER VLISSINGEN B.V.,2018-01-22,,"
                 "SMDG Terminal Code List (kind changed for this test)\n", encoding="utf-8")
    res = cli("infrastructure", "--country", "NLD", "--nodes", str(f), "--kind", "terminal", "--no-trade", "--format", "json")
    assert res.exit_code == 0, res.output
    assert len(json.loads(res.stdout)["rows"]) == 27


@pytest.mark.parametrize("args, message", [
    (("--country", "XYZ"), "unknown country 'XYZ'"),
    (("--owner", "CHN,QQQ"), "unknown owner economy 'QQQ'"),
    (("--kind", "airport"), "unknown kind 'airport'"),
    (("--table", "nope"), "unknown table 'nope'"),
    (("--format", "html"), "--format html writes a page; give --output FILE.html"),
])
def test_bad_input_is_one_line(cli, args, message):
    res = cli("infrastructure", "--no-trade", *args)
    assert res.exit_code == 2
    assert message in res.stderr and len(res.stderr.strip().splitlines()) == 1 and "Traceback" not in res.stderr


@pytest.mark.parametrize("row, message", [
    ("A,x,port,NLD,91,4,op,,,src", "line 2: lat 91 is outside -90..90"),
    ("A,x,airport,NLD,51,4,op,,,src", "line 2: kind 'airport' is not allowed"),
    ("A,x,port,NLD,51,4,op,2020-13-01,,src", "line 2: valid_from '2020-13-01' is not a date"),
    ("A,x,port,NLD,51,4,op,,,", "line 2: source is blank"),
    ("A,x,port,Netherlands,51,4,op,,,src", "line 2: country 'Netherlands' is not an ISO3 code"),
])
def test_malformed_node_file_is_one_line(tmp_path, cli, row, message):
    f = tmp_path / "nodes.csv"
    f.write_text("node_id,name,kind,country,lat,lon,operator,valid_from,valid_to,source\n" + row + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    res = cli("infrastructure", "--nodes", str(f), "--no-trade", "--format", "json", "--output", str(out))
    assert res.exit_code == 2 and message in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_bad_cgit_file_writes_nothing(tmp_path, cli):
    path = tmp_path / "cgit.csv"
    path.write_bytes((CGIT_HEADER + CGIT_ROWS[0] + "20x6,May,X,$140 ,35%,Y,Logistics,,Netherlands,Europe,0,\n").encode("latin-1"))
    res = cli("ingest", "cgit", str(path))
    assert res.exit_code == 2 and "line 3: Year '20x6' is not a year" in res.stderr
    assert not (Path(os.environ["XDG_DATA_HOME"]) / "geomon/infrastructure/cgit.parquet").exists()


def test_html_and_xlsx_outputs(tmp_path, cli):
    page = tmp_path / "map.html"
    res = cli("infrastructure", "--country", "NLD", "--no-trade", "--format", "html", "--output", str(page))
    assert res.exit_code == 0 and page.read_text(encoding="utf-8").count('"node_id":"SMDG:NLRTM:EMX"') == 1
    book = tmp_path / "infra.xlsx"
    res = cli("infrastructure", "--country", "NLD", "--no-trade", "--format", "xlsx", "--output", str(book))
    assert res.exit_code == 0
    assert {"nodes", "totals", "stakes", "deals"} <= set(pd.ExcelFile(book).sheet_names)


def test_ingest_smdg_is_used_instead_of_the_shipped_copy(cli):
    res = cli("ingest", "smdg", str(SMDG))
    assert res.exit_code == 0, res.output
    prov = json.loads((Path(os.environ["XDG_DATA_HOME"]) / "geomon/infrastructure/smdg.provenance.json").read_text())
    assert (prov["rows"], prov["publisher"]) == (1256, "SMDG e.V.")  # 1,256 terminals in the list
    from geomon import api

    res = api.infrastructure("NLD", trade=False)
    assert res.meta["register"]["smdg"]["embedded"] is False and len(res.table) == 28


def test_report_section(ctx):
    from geomon.analyses.infrastructure.report import build
    from geomon.analyses.trade.tiers import tiers

    products = tiers(ctx, "NLD", 2022).table[["product", "tier"]]
    section = build(ctx, "NLD", 2022, products)
    assert section.name == "infrastructure" and len(section.tables["nodes"]) == 28
    assert [f["properties"]["name"] for f in section.meta["outline"]] == ["Netherlands"]
    assert section.meta["trade_link"]["tiered_products"] == int((products["tier"] != "none").sum())


def test_a_store_with_only_infrastructure_tables(tmp_path, cli):
    store = tmp_path / "store"
    store.mkdir()
    assert cli("ingest", "smdg", str(SMDG), "--store", str(store)).exit_code == 0
    assert (store / "infrastructure" / "smdg.parquet").is_file()
    res = cli("infrastructure", "--store", str(store), "--no-trade", "--format", "json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert len(doc["rows"]) == 28 and doc["meta"]["register"]["smdg"]["embedded"] is False


def test_map_spec_is_valid_vega_lite(ctx):
    from geomon.analyses.infrastructure.report import build
    from geomon.analyses.trade.tiers import tiers
    from geomon.outputs.report.parts.infrastructure import charts

    section = build(ctx, "NLD", 2022, tiers(ctx, "NLD", 2022).table[["product", "tier"]])
    spec = charts(section, {}, validate=True)["chart-infrastructure-map"]  # validated against the Vega-Lite schema
    nodes = spec["datasets"]["nodes"]
    assert len(nodes) == 28 and {n["home"] for n in nodes} >= {"HKG", "unmapped"}
    assert {n["point_size"] for n in nodes} == {60}  # every SMDG node is a container terminal


def test_cgit_share_lists_are_read(tmp_path):
    """18 deals of the real autumn-2021 release list one share per investor or target ('45%, 35%, 20%'
    for Zijin Mining, China Nonferrous and Xiamen C&D in Monterrico, Peru, 2007; '63, 22, 15%' for the
    Glencore Las Bambas deal, 2014); the reader failed on the first of them (review of 2026-11-30).
    A list has no single share: share is NaN, share_text keeps what CGIT wrote."""
    from geomon.errors import DataError
    from geomon.sources.cgit import read_cgit

    path = tmp_path / "cgit.csv"
    rows = ['2007,February,"Zijin Mining, China Nonferrous Metal Mining, Xiamen C&D",$190 ,"45%, 35%, 20%",Monterrico,'
            'Metals,Copper,Peru,South America,,\n',
            '2014,April,"China Minmetals, Suzhou Guoxin, China International Trust and Investment (CITIC)","$6,950 ",'
            '"63, 22, 15%",Glencore,Metals,Copper,Peru,South America,,\n']
    path.write_bytes((CGIT_HEADER + CGIT_ROWS[2] + "".join(rows)).encode("latin-1"))
    d = read_cgit(path)
    assert d["share"].iloc[0] == pytest.approx(0.35) and d["share"].iloc[1:].isna().all()
    assert list(d["share_text"]) == ["35%", "45%, 35%, 20%", "63, 22, 15%"] and d["value_musd"].iloc[2] == 6950.0
    path.write_bytes((CGIT_HEADER + '2007,May,X,$190 ,"45%, abc",Y,Metals,,Peru,South America,,\n').encode("latin-1"))
    with pytest.raises(DataError, match="line 2: Share Size '45%, abc' is not a percentage"):
        read_cgit(path)


def test_cgit_real_release_when_present():
    """The AEI autumn-2021 release itself (not shipped; ../shared when present): 3,752 deals, 24 in the
    Netherlands, 6 of them in the infrastructure sectors (Transport, Energy, Utilities, Logistics):
    COSCO/Burg 2007, SAFE/Shell 2008, BAIC/Inalfa 2011, HNA/TIP 2013, COSCO/Euromax 2016, CMG/KLG 2019."""
    from geomon.sources.cgit import read_cgit

    path = SHARED / "staging" / "cgit" / "China-Global-Investment-Tracker-2021-Fall-FINAL-2022.2.21-update.up.csv"
    if not path.exists():
        pytest.skip("shared CGIT release not present")
    d = read_cgit(path)
    assert len(d) == 3752 and d["share_text"].str.contains(",").sum() == 18
    nl = d[d["country_name"] == "Netherlands"]
    infra = nl[nl["sector"].isin(["Transport", "Energy", "Utilities", "Logistics"])]
    assert len(nl) == 24 and list(zip(infra["year"], infra["value_musd"])) == [
        (2007, 140.0), (2008, 1240.0), (2011, 270.0), (2013, 470.0), (2016, 140.0), (2019, 420.0)]
