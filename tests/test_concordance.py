"""HS concordance: UNSD correlation tables, the splitting rule, and --hs-target on real data.

The tables are UNSD's (src/geomon/data/sources/unsd_hs_correlations.csv.gz, README there); the
embedded data are CEPII BACI HS92 flows. Hand computations are shown next to each check.
"""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq
import pytest

from geomon import api
from geomon.errors import InputError
from geomon.ingest.convert import weights
from geomon.sources import concordance
from geomon.store import Store, embedded_store_dir

EMBEDDED = Store(embedded_store_dir(), embedded=True)


def embedded_codes():
    ds = EMBEDDED.dataset()
    return set(ds.products().column("product").to_pylist())


def test_table_rows():
    t = concordance.table()
    pair = t[(t["hs_new"] == "HS17") & (t["hs_old"] == "HS92")]
    # UNSD HS2017-HS1992 correlation sheet: 7,864 rows less its 2 header rows
    assert len(pair) == 7862
    # UNSD HS2022-HS2017: 15,657 pairs, n:n 10,114, 1:1 4,097, n:1 1,392, 1:n 54 (staging README)
    p22 = t[(t["hs_new"] == "HS22") & (t["hs_old"] == "HS17")]
    assert len(p22) == 15657
    assert p22["relationship"].value_counts().to_dict() == {"n:n": 10114, "1:1": 4097, "n:1": 1392, "1:n": 54}


WEIGHED = "world trade {y} of BACI HS92 V202401b (74 codes with flows; a code split into any other code keeps its group as one synthetic code)"
NO_HS17 = "none: no world trade (BACI) in HS17 from 2017 on in the store or the embedded data; split groups kept as synthetic codes"


def _round_trip(codes: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """One flow of value 1 per HS92 code (exporter = its position), converted to HS17 and back by the
    rule ``trade`` with the weights geomon finds: none in HS17 (the embedded data are HS92, no HS17
    world trade is shipped), and the embedded BACI HS92 world trade of 2017 on the way back."""
    flows = pd.DataFrame({"exporter": range(len(codes)), "importer": 0, "product": codes, "value": 1.0, "quantity": 1.0})
    w_fwd, origin_fwd = weights(EMBEDDED, "HS92", "HS17")
    assert (w_fwd, origin_fwd) == ({}, NO_HS17)
    w_back, origin_back = weights(EMBEDDED, "HS17", "HS92")
    assert origin_back == WEIGHED.format(y=2017) and len(w_back) == 74
    fwd = concordance.mapping("92", "17", "trade", w_fwd)
    back = concordance.mapping("17", "92", "trade", w_back)
    there = concordance.convert(flows, fwd, ["exporter", "importer"])
    return flows, there, concordance.convert(there, back, ["exporter", "importer"])


def test_every_hs92_code_to_hs17_and_back():
    """Every HS92 code of the embedded store (its 5,022 product codes) to HS17 and back. What comes back:
    the code itself (1:1 both ways), or its value spread over a named group: a synthetic code
    '<smallest code>+<n more>' (a forward split: no HS17 weights), or, for codes merged n:1 into an
    HS17 code that splits back, the HS92 codes of that merge by their 2017 world trade when the
    embedded data cover all of them, else their synthetic group. Nothing is lost or doubled."""
    codes = sorted(embedded_codes())
    assert len(codes) == 5022
    flows, there, home = _round_trip(codes)
    fwd = concordance.links("92", "17")
    assert sorted(set(codes) - set(fwd["src"])) == ["999999", "9999AA"]     # BACI's own codes (not HS): kept
    assert home.groupby("exporter")["value"].sum().round(12).eq(1.0).all()  # each code: exactly its value back
    assert len(home["exporter"].unique()) == len(codes)
    back = concordance.links("17", "92")
    fan_f, fan_b = fwd.groupby("src")["dst"].nunique(), back.groupby("src")["dst"].nunique()
    one_f = fwd[fwd["src"].isin(fan_f[fan_f == 1].index)].set_index("src")["dst"]
    out = home.groupby("exporter")["product"].agg(lambda s: sorted(s))
    kinds = {"same": 0, "synthetic": 0, "split back by world trade": 0}
    for i, c in enumerate(codes):
        got = out[i]
        if c not in fwd["src"].values:
            assert got == [c]
            continue
        d = one_f.get(c)
        if d is not None and fan_b.get(d) == 1:                      # 1:1 both ways: the code itself
            assert got == [c], c
            kinds["same"] += 1
        elif all("+" in g for g in got):                             # a named synthetic group
            assert len(got) == 1 and got[0].split("+")[0].isdigit(), c
            kinds["synthetic"] += 1
        else:                                                        # merged n:1, split back by world trade
            assert d is not None and set(got) <= set(back.loc[back["src"] == d, "dst"]) and c in got, c
            kinds["split back by world trade"] += 1
    assert sum(kinds.values()) == 5020 and min(kinds.values()) > 0, kinds
    # by hand: HS92 250310 + 250390 merge into HS17 250300; back, 250300 splits 1:n by 2017 world trade
    flows17 = pq.read_table(EMBEDDED.dataset().root / "flows" / "year=2017").to_pandas()
    w1 = flows17.loc[flows17["product"] == "250310", "value"].sum()
    w2 = flows17.loc[flows17["product"] == "250390", "value"].sum()
    got = home[home["exporter"] == codes.index("250310")].set_index("product")["value"]
    assert got["250310"] == pytest.approx(w1 / (w1 + w2)) and got["250390"] == pytest.approx(w2 / (w1 + w2))
    # a forward split without HS17 weights: HS92 252400 (asbestos) -> HS17 252410, 252490: one synthetic code
    assert out[codes.index("252400")] == ["252410+1"]


def test_split_needs_weights_for_every_target_code():
    """HS2017 252800 (natural borates) links 1:n to HS1992 252810 and 252890. The embedded extract has
    flows of 252890 only, so the world trade of 252810 is not known (not zero): 252800 is not split
    (it would all go to 252890) but kept as the synthetic code 252810+1."""
    w, _ = weights(EMBEDDED, "HS17", "HS92")
    assert "252890" in w and "252810" not in w
    m = concordance.mapping("17", "92", "trade", w).set_index("src")
    assert m.loc["252800", "dst"] == "252810+1" and m.loc["252800", "note"] == "synthetic group"
    full = dict(w, **{"252810": 5.0})          # were 252810 covered, 252800 would split by the weights
    m2 = concordance.mapping("17", "92", "trade", full).set_index(["src", "dst"])
    assert m2.loc[("252800", "252810"), "share"] == pytest.approx(5.0 / (5.0 + w["252890"]))


def test_one_to_n_split_by_hand():
    """HS1996 250300 (sulphur of all kinds other than sublimed, precipitated or colloidal) is split
    1:n into HS1992 250310 and 250390 by their world trade in 1996, the first year both exist."""
    t = concordance.table()
    rel = t[(t["hs_new"] == "HS96") & (t["hs_old"] == "HS92") & (t["code_new"] == "250300")]
    assert sorted(rel["code_old"]) == ["250310", "250390"] and set(rel["relationship"]) == {"1:n"}
    w, origin = weights(EMBEDDED, "HS96", "HS92")
    assert origin == WEIGHED.format(y=1996)
    flows = pq.read_table(EMBEDDED.dataset().root / "flows" / "year=1996").to_pandas()
    w1 = flows.loc[flows["product"] == "250310", "value"].sum()     # 890,897,136 USD
    w2 = flows.loc[flows["product"] == "250390", "value"].sum()     # 76,759,009 USD
    assert (w1, w2) == (890897136.0, 76759009.0)
    m = concordance.mapping("96", "92", "trade", w).set_index(["src", "dst"])
    assert m.loc[("250300", "250310"), "share"] == pytest.approx(w1 / (w1 + w2), rel=1e-15)   # 0.92067...
    assert m.loc[("250300", "250390"), "share"] == pytest.approx(w2 / (w1 + w2), rel=1e-15)
    assert m.loc[("250300", "250310"), "note"] == "split by world trade"
    one = pd.DataFrame({"exporter": [1], "importer": [2], "product": ["250300"], "value": [1000.0], "quantity": [10.0]})
    out = concordance.convert(one, m.reset_index(), ["exporter", "importer"]).set_index("product")
    assert out.loc["250310", "value"] == pytest.approx(1000 * w1 / (w1 + w2))
    assert out.loc["250390", "quantity"] == pytest.approx(10 * w2 / (w1 + w2))
    syn = concordance.mapping("96", "92", "synthetic").set_index("src")
    assert syn.loc["250300", "dst"] == "250310+1" and syn.loc["250300", "note"] == "synthetic group"


def test_screen_with_hs_target_flags_rows_and_keeps_totals():
    base = api.screen("NLD", 2022)
    conv = api.screen("NLD", 2022, hs_target="17")
    assert conv.meta["converted_from"] == ["HS92"] and conv.meta["hs_revision"] == "HS17"
    # no HS17 world trade to weigh splits: the split groups are kept whole, and the output says so
    assert conv.meta["hs_weights"] == {"HS92": NO_HS17}
    assert conv.meta["hs_rule"].startswith("1:1 and n:1 codes map directly; a code linked to several target codes")
    assert conv.table["import_value_usd"].sum() == pytest.approx(base.table["import_value_usd"].sum(), rel=1e-12)
    flags = conv.table.set_index("product")["hs_conversion"]
    assert flags["283691"] == "1:1"
    assert flags["252800"] == "n:1 merged"            # HS92 252810 + 252890 -> HS17 252800
    base_t = base.table.set_index("product")["import_value_usd"]
    assert conv.table.set_index("product").loc["252800", "import_value_usd"] == pytest.approx(
        base_t.get("252810", 0.0) + base_t.get("252890", 0.0))


def test_bad_revision_and_rule():
    with pytest.raises(InputError, match="HS revision '18' is not known"):
        api.screen("NLD", 2022, hs_target="18")
    with pytest.raises(InputError, match="split rule 'equal'"):
        api.screen("NLD", 2022, hs_target="17", hs_split="equal")
    with pytest.raises(InputError, match="already in HS92"):
        concordance.links("92", "HS1992")


def test_comtrade_dataset_converted_with_embedded_weights(tmp_path):
    """Any dataset converts: Thailand's Comtrade HS2007 rows to HS1992, splits weighted by the embedded
    BACI HS92 world trade of 2007 (the first year both revisions exist); totals are kept."""
    from pathlib import Path

    sample = Path(__file__).resolve().parents[1] / "src/geomon/data/sources/comtradr_vignette3_THA_shrimp_HS6_by_partner_2007-2011.csv.gz"
    api.ingest_comtrade(sample, store=tmp_path)
    base = api.suppliers("THA", "030613", 2011, first=2011, store=tmp_path, source="comtrade")
    conv = api.screen("THA", 2011, store=tmp_path, source="comtrade", hs_target="92")
    assert conv.meta["converted_from"] == ["HS07"]
    assert conv.meta["hs_weights"] == {"HS07": WEIGHED.format(y=2007)}
    orig = api.screen("THA", 2011, store=tmp_path, source="comtrade")
    assert conv.table["import_value_usd"].sum() == pytest.approx(orig.table["import_value_usd"].sum(), rel=1e-12)
    assert set(conv.table["hs_conversion"]) <= {"1:1", "n:1 merged", "split by world trade", "synthetic group", "not converted"}
    assert base.table["value_usd"].sum() > 0


def test_two_revisions_give_one_series(tmp_path):
    """A store holding one source in two revisions (Comtrade: Thailand HS2007 2007-2011, the EU27 HS2017
    2020) gives one HS2017 series with --hs-target 17: each year from its own dataset, the HS07
    years converted; every year's totals equal its own dataset's."""
    from pathlib import Path

    data = Path(__file__).resolve().parents[1] / "src/geomon/data/sources"
    api.ingest_comtrade(data / "comtradr_vignette3_THA_shrimp_HS6_by_partner_2007-2011.csv.gz", store=tmp_path)
    import gzip

    with gzip.open(data / "comtradr_vignette4_EU27_imports_HS44-49_by_partner_2018-2022.csv.gz", "rt") as fh:
        lines = fh.read().splitlines()
    eu_2020 = tmp_path.parent / "eu_2020.csv"          # the real rows of 2020 only (a faster ingest)
    eu_2020.write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if ln.endswith(",2020")]) + "\n")
    api.ingest_comtrade(eu_2020, store=tmp_path, hs="17")
    series = api.open_context(tmp_path, source="comtrade", hs_target="17").dataset
    assert series.years == [2007, 2008, 2009, 2010, 2011, 2020]
    assert series.hs == "HS17" and series.provenance["converted_from"] == ["HS07"]
    for reporter, year, own in (("THA", 2009, "07"), ("NLD", 2020, "17")):
        got = api.screen(reporter, year, store=tmp_path, source="comtrade", hs_target="17").table
        want = api.screen(reporter, year, store=tmp_path, source="comtrade", hs=own).table
        assert got["import_value_usd"].sum() == pytest.approx(want["import_value_usd"].sum(), rel=1e-12), reporter
