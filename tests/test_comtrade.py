"""UN Comtrade: readers (API JSON, comtradr CSV dumps of the API's fields), aggregates kept apart,
reporter-declared imports and the mirror option, and screening on an ingested Comtrade dataset.

Real data: the comtradr samples shipped in src/geomon/data/sources (README there). Expected numbers
are computed by hand from the raw rows with the csv module.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from geomon import api
from geomon.errors import DataError, InputError
from geomon.sources import comtrade

DATA = Path(__file__).resolve().parents[1] / "src/geomon/data/sources"
THA = DATA / "comtradr_vignette3_THA_shrimp_HS6_by_partner_2007-2011.csv.gz"
EU = DATA / "comtradr_vignette4_EU27_imports_HS44-49_by_partner_2018-2022.csv.gz"
JSON_V1 = DATA / "comtradr_test_v1_get_C_A_HS-60a6ad.json"


def rows_of(path):
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def tha():
    return rows_of(THA)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("comtrade-store")
    api.ingest_comtrade(THA, store=root)
    return root


def test_thailand_sample(tha):
    rep = comtrade.read(THA)
    assert len(tha) == 1586                                   # README: 1,586 x 47
    assert (rep.currency, rep.frequency, rep.classification, rep.version) == ("USD", "A", "HS07", "V2011")
    re_flows = sum(r["flow_code"] in ("RM", "RX") for r in tha)
    assert re_flows == 15 and len(rep.aggregates) == 15 and len(rep.rows) == 1586 - 15
    row = rep.rows.query("reporter == 'THA' and partner == 'ARG' and flow == 'M' and year == 2011 and product == '030613'").iloc[0]
    raw = next(r for r in tha if (r["flow_code"], r["partner_iso"], r["ref_year"], r["cmd_code"]) == ("M", "ARG", "2011", "030613"))
    assert row["value"] == float(raw["primary_value"]) == 9680167.0
    assert row["quantity_kg"] == float(raw["net_wgt"])


def test_eu_sample_keeps_aggregates_apart():
    raw = rows_of(EU)
    rep = comtrade.read(EU)
    assert len(raw) == 173358                                 # README
    six = sum(len(r["cmd_code"]) == 6 for r in raw)
    assert len(rep.rows) == six == 31676
    assert len(rep.aggregates) == len(raw) - six
    assert set(rep.aggregates["product"].str.len()) == {2, 4}
    assert rep.classification == ""                          # no classification column: --hs needed
    assert {"FRO", "_X", "XX"} <= set(rep.rows["partner"])    # trailing blanks of the dump ("_X ") removed


def test_api_json_response(tmp_path, tha):
    # the real v1 response holds only commodity TOTAL: nothing to screen, one line
    with pytest.raises(DataError, match="no HS6 rows"):
        comtrade.read(JSON_V1)
    doc = json.loads(JSON_V1.read_text())
    assert doc["count"] == 4 and {r["cmdCode"] for r in doc["data"]} == {"TOTAL"}
    # a v1 response of HS6 rows, built from the real Thailand rows with the API's camelCase field
    # names (the CSV sample is comtradr's snake_case dump of exactly these fields)
    names = {k: k for k in doc["data"][0]}
    snake = {"".join(ch for ch in k.lower() if ch.isalnum()): k for k in names}
    data = [{snake["".join(ch for ch in k.lower() if ch.isalnum())]: v for k, v in r.items()
             if "".join(ch for ch in k.lower() if ch.isalnum()) in snake} for r in tha[:40]]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps({"elapsedTime": "0.2 secs", "count": len(data), "data": data}))
    rep = comtrade.read(path)
    assert len(rep.rows) + len(rep.aggregates) == 40
    assert rep.rows["value"].sum() == pytest.approx(sum(float(r["primary_value"]) for r in tha[:40]
                                                        if r["flow_code"] in ("M", "X")))


def test_declared_imports_and_mirror(tha, store, tmp_path):
    ds = api.open_store(store).dataset(source="comtrade")
    assert (ds.currency, ds.hs, ds.years) == ("USD", "HS07", [2007, 2008, 2009, 2010, 2011])
    res = api.suppliers("THA", "030613", 2011, first=2011, store=store, source="comtrade")
    t = res.table.set_index("supplier")
    m = {r["partner_iso"]: float(r["primary_value"]) for r in tha
         if (r["flow_code"], r["ref_year"], r["cmd_code"]) == ("M", "2011", "030613") and r["partner_iso"] != "THA"}
    assert t["value_usd"].to_dict() == pytest.approx(m)
    assert t.loc["ARG", "share"] == pytest.approx(m["ARG"] / sum(m.values()), rel=1e-12)
    # Thailand's exports are only used with --mirror: then JPN's imports of 030613 from THA exist
    with pytest.raises(InputError):
        api.suppliers("JPN", "030613", 2011, first=2011, store=store, source="comtrade")
    mirrored = tmp_path / "mirror"
    api.ingest_comtrade(THA, store=mirrored, mirror=True)
    x = sum(float(r["primary_value"]) for r in tha
            if (r["flow_code"], r["ref_year"], r["cmd_code"], r["partner_iso"]) == ("X", "2011", "030613", "JPN"))
    jpn = api.suppliers("JPN", "030613", 2011, first=2011, store=mirrored, source="comtrade").table
    assert jpn.set_index("supplier").loc["THA", "value_usd"] == pytest.approx(x)
    assert "mirror" in api.open_store(mirrored).dataset(source="comtrade").provenance["reporting"]


def test_bad_inputs(tmp_path, baci_dir):
    root = tmp_path / "s"
    other = next(Path(baci_dir).glob("BACI_*.csv"))
    with pytest.raises(DataError, match="is not a Comtrade result"):
        api.ingest_comtrade(other, store=root)
    with pytest.raises(InputError, match="--hs"):
        api.ingest_comtrade(EU, store=root)
    with pytest.raises(DataError, match="no HS6 rows"):
        api.ingest_comtrade(JSON_V1, store=root)
    assert not (root / "comtrade").exists() and not list(root.glob(".staging-*"))


def test_cli_ingest_comtrade(cli, tmp_path):
    r = cli("ingest", "comtrade", str(THA), "--store", str(tmp_path))
    assert r.exit_code == 0, r.output
    assert "Comtrade HS07 V2011" in r.output and "USD" in r.output
    r = cli("ingest", "comtrade", str(EU), "--store", str(tmp_path))
    assert r.exit_code == 2 and "--hs" in r.output and "Traceback" not in r.output
