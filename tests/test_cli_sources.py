"""``geomon screen --source/--period/--hs-target`` and ``geomon suppliers --source --from/--to`` (issue 14,
items 3, 4 and 7) on the shipped Eurostat Comext sample (DS-045409, CN8 48114900, EU27 reporters,
monthly 2023-01 to 2025-12; see src/geomon/data/sources/README.md), ingested into a temporary store
with ``geomon ingest comext``. Expected numbers are computed by hand from the raw SDMX-CSV rows with
the csv module, independently of geomon, or taken from the API the command wraps."""

from __future__ import annotations

import io
import re
import json

import pandas as pd
import pytest

from geomon import api

from test_comext import SAMPLE, raw  # noqa: F401  (the sample and its raw rows, read with the csv module)
from test_comext import nl_imports as nl_imports_by_partner

#: Eurostat partner codes of the sample -> ISO3 (Eurostat geonomenclature; the sample's partners are the EU27 and CN)
ISO3 = {"AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK", "EE": "EST",
        "EL": "GRC", "GR": "GRC", "ES": "ESP", "FI": "FIN", "FR": "FRA", "HR": "HRV", "HU": "HUN", "IE": "IRL", "IT": "ITA",
        "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT", "NL": "NLD", "PL": "POL", "PT": "PRT", "RO": "ROU",
        "SE": "SWE", "SI": "SVN", "SK": "SVK", "CN": "CHN"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """The sample ingested through the CLI, as a user would."""
    from typer.testing import CliRunner

    from geomon.cli import app

    root = tmp_path_factory.mktemp("comext-cli")
    res = CliRunner().invoke(app, ["ingest", "comext", str(SAMPLE), "--store", str(root)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return root


def nl_imports(raw, months: set[str]) -> dict[str, float]:
    """NL's declared imports (flow 1, VALUE_IN_EUROS) per partner country over ``months`` (partner WORLD,
    Eurostat's total, left out; see test_comext), keyed by ISO3 through the hand-made table above."""
    return {ISO3[k]: v for k, v in nl_imports_by_partner(raw, months).items()}


def months(first: str, last: str) -> set[str]:
    y0, m0 = map(int, first.split("-"))
    y1, m1 = map(int, last.split("-"))
    return {f"{i // 12}-{i % 12 + 1:02d}" for i in range(y0 * 12 + m0 - 1, y1 * 12 + m1)}


def test_screen_period_equals_the_api_and_the_raw_rows(cli, raw, store):
    res = cli("screen", "--store", store, "--source", "comext", "--period", "2025-06", "-r", "NLD", "-f", "csv")
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout), dtype={"product": str})
    want = api.screen("NLD", store=store, source="comext", period="2025-06").table
    want = want.astype({"description": "str"})  # a Categorical in the API's table (issue 15); CSV has the texts
    pd.testing.assert_frame_equal(got, want.reset_index(drop=True), check_dtype=False, rtol=1e-12)
    assert "import_value_eur" in got.columns and not any(c.endswith("_usd") for c in got.columns)
    # by hand: the 12 months 2024-07 to 2025-06 summed per origin
    v = nl_imports(raw, months("2024-07", "2025-06"))
    total = sum(v.values())
    row = got.query("product == '481149'").iloc[0]
    assert row["import_value_eur"] == pytest.approx(total, rel=1e-12)
    assert row["top_supplier"] == max(v, key=v.get) == "DEU"
    assert row["top_supplier_share"] == pytest.approx(max(v.values()) / total, rel=1e-12)
    assert row["import_hhi"] == pytest.approx(sum((x / total) ** 2 for x in v.values()), rel=1e-12)


def test_screen_table_names_euros_and_the_window(cli, store, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    res = cli("screen", "--store", store, "--source", "comext", "--period", "2025-06")
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "NLD 12 months 2024-07 to 2025-06:" in text
    assert "imports EUR" in text and "$" not in text and "USD" not in text
    assert "12-month windows ending 2023-06, 2024-06, 2025-06" in text


def test_screen_json_carries_the_period(cli, store):
    """--source is read case-blind (Comext as Eurostat writes it)."""
    doc = json.loads(cli("screen", "--store", store, "--source", "Comext", "--period", "2025-06", "-f", "json").stdout)
    assert doc["meta"]["currency"] == "EUR" and doc["meta"]["period_months"] == "2024-07 to 2025-06"


def test_suppliers_month_range_equals_a_hand_computation(cli, raw, store):
    """share(s) = sum of s's monthly values 2023-01..2024-12 / sum over all origins (raw rows, by hand)."""
    res = cli("suppliers", "--store", store, "--source", "comext", "--reporter", "NLD", "--product", "481149",
              "--from", "2023-01", "--to", "2024-12", "-f", "csv")
    assert res.exit_code == 0, res.output
    got = pd.read_csv(io.StringIO(res.stdout)).set_index("supplier")
    v = nl_imports(raw, months("2023-01", "2024-12"))
    total = sum(v.values())
    assert set(got.index) == set(v)
    for partner, value in v.items():
        assert got.loc[partner, "value"] == pytest.approx(value, rel=1e-12)
        assert got.loc[partner, "share"] == pytest.approx(value / total, rel=1e-12)
    y24 = nl_imports(raw, months("2024-01", "2024-12"))
    assert got.loc["CHN", "share_2024"] == pytest.approx(y24["CHN"] / sum(y24.values()), rel=1e-12)
    assert set(got["currency"]) == {"EUR"}


def test_suppliers_table_and_cn8_code(cli, store, monkeypatch):
    """The table says EUR and names the months. The store holds HS6 (CN8 rolled up at ingest), so a CN8
    code is refused in one line that names the HS6 code to give instead."""
    monkeypatch.setenv("COLUMNS", "200")
    args = ("suppliers", "--store", store, "--source", "comext", "--from", "2023-01", "--to", "2024-12")
    cn8 = cli(*args, "-p", "48114900")
    assert cn8.exit_code == 2 and cn8.stderr.count("\n") == 1 and "481149" in cn8.stderr.split("codes:")[-1]
    text = " ".join(cli(*args, "-p", "481149").stdout.split())
    assert "2023-01 to 2024-12 (24 months)" in text and "value EUR" in text and "USD" not in text


def test_suppliers_years_on_comext_say_eur(cli, store, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    res = cli("suppliers", "--store", store, "--source", "comext", "-p", "481149", "--year", "2024", "--from", "2023")
    assert res.exit_code == 0, res.output
    text = " ".join(res.stdout.split())
    assert "value 2024 EUR" in text and "USD" not in text


@pytest.mark.parametrize("args,message", [
    (["screen", "--source", "comext", "--period", "2024-13"], "period '2024-13' is not YYYY-MM"),
    (["screen", "--source", "foo"], "unknown --source foo; choose one of baci, comext, comtrade"),
    (["screen", "--source", "comext", "--period", "2025-06", "--year", "2025"], "give one of them"),
    (["screen", "--source", "comext", "--hs-split", "synthetic"], "--hs-split synthetic needs --hs-target"),
    (["suppliers", "--source", "comext", "-p", "481149", "--from", "2024-12", "--to", "2023-01"],
     "--from must not be after --to"),
    (["suppliers", "--source", "comext", "-p", "481149", "--from", "2023-1"], "--from 2023-1 is neither a year nor a month"),
    (["suppliers", "--source", "comext", "-p", "481149", "--from", "2023-01", "--to", "2024"], "give both as months (YYYY-MM) or both as years"),
    (["suppliers", "--source", "comext", "-p", "481149", "--from", "2023-01", "--to", "2024-12", "--hs-target", "17"],
     "--hs-target 17 works on years"),
    (["suppliers", "--source", "baci", "-p", "481149"], "source baci is not in the store"),
])
def test_bad_input_is_one_line(cli, store, args, message):
    res = cli(*args, "--store", store)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert res.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: "), res.output
    assert message in lines[0] and "Traceback" not in res.output


def test_hs_target_reaches_the_screen(cli):
    """--hs-target on the embedded HS92 data: every row says how it was converted (column hs_conversion)."""
    res = cli("screen", "-r", "NLD", "-y", "2022", "--hs-target", "17", "-f", "csv")
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.stdout), dtype={"product": str})
    assert df["hs_conversion"].notna().all() and len(df)
    assert cli("screen", "-r", "NLD", "-y", "2022", "-f", "csv").stdout != res.stdout


@pytest.mark.parametrize("first,last,message", [
    ("2023-1", None, "--from 2023-1 is neither a year nor a month"),
    ("2023-01", 2024, "give both as months (YYYY-MM) or both as years"),
    (2023, "2024-13", "--to 2024-13 is neither a year nor a month"),
])
def test_the_api_checks_from_and_to_by_the_same_rule(store, first, last, message):
    """The API is the front door: the rule for --from/--to (year YYYY or month YYYY-MM, both alike) lives
    there (ingest.windows.year_or_month), so a Python caller gets the CLI's message."""
    from geomon.errors import InputError

    with pytest.raises(InputError, match=re.escape(message)):
        api.suppliers("NLD", "481149", first=first, last=last, source="comext", store=store)


def test_the_api_takes_years_as_text_or_numbers(store):
    """'2023' and 2023 are the same year for the API (the CLI passes text)."""
    a = api.suppliers("NLD", "481149", 2024, first="2023", last="2024", source="comext", store=store)
    b = api.suppliers("NLD", "481149", 2024, first=2023, last=2024, source="comext", store=store)
    pd.testing.assert_frame_equal(a.table, b.table)
