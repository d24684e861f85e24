"""Editions: save, list, show, diff; a changed threshold and a new data year show up as diffs;
bad input never overwrites or loses anything."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

import geomon
from geomon import api
from geomon.analyses.trade import editions as E
from geomon.analyses.trade.edition_diff import diff_editions


def save(ctx, name, reporter, year, note, root):
    """Save an edition through the API with ``ctx``'s configuration and store."""
    return api.save_edition(name, reporter, year, note=note, editions=root, config=ctx.config, store=ctx.store)
from geomon.analyses.context import open_context
from geomon.analyses.trade.tiers import tiers
from geomon.config import load_config
from geomon.errors import InputError, OutputError


def _ctx(ctx, **settings):
    return open_context(store=ctx.store, config=ctx.config.with_overrides(**settings)) if settings else ctx


@pytest.fixture(scope="module")
def eds(ctx, tmp_path_factory) -> Path:
    """NLD 2024 at import_hhi 0.4 (defaults) and 0.5, NLD 2023, EU27 2022 at 0.4 and 0.5."""
    root = tmp_path_factory.mktemp("editions")
    save(ctx, "nl24", "NLD", 2024, "defaults", root)
    save(_ctx(ctx, **{"screening.import_hhi": 0.5}), "nl24-hhi05", "NLD", 2024, "", root)
    save(ctx, "nl23", "NLD", 2023, "", root)
    save(ctx, "eu22", "EU27", 2022, "", root)
    save(_ctx(ctx, **{"screening.import_hhi": 0.5}), "eu22-hhi05", "EU27", 2022, "", root)
    return root


def _snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_saved_edition_holds_rows_provenance_and_config(eds, ctx):
    ed = E.load_edition("nl24", eds)
    m = ed.meta
    assert sorted(p.name for p in Path(m["path"]).iterdir()) == ["config.toml", "edition.json", "tiers.parquet"]
    assert (m["edition"], m["reporter"], m["year"], m["note"]) == ("nl24", "NLD", 2024, "defaults")
    assert m["data_version"] == ctx.dataset.version and m["dataset"] == ctx.dataset.id
    assert m["config_hash"] == ctx.config.hash() and m["settings"]["screening.import_hhi"] == 0.4
    assert len(m["data_fingerprint"]) == 12 and "shipped interest map" in m["input_files"]
    # the rows equal 'geomon tiers' of the same run
    expect = tiers(ctx, "NLD", 2024).table
    key = ["reporter", "product"]
    pd.testing.assert_frame_equal(ed.table.sort_values(key).reset_index(drop=True),
                                  expect.sort_values(key).reset_index(drop=True), check_exact=False, rtol=1e-12)
    assert m["tiers"] == {t: int((expect["tier"] == t).sum()) for t in ("strategic", "possible", "dependency", "none")}
    # config.toml re-creates the configuration: same hash
    assert load_config(Path(m["path"]) / "config.toml").hash() == m["config_hash"]
    assert E.load_edition("nl24-hhi05", eds).meta["config_hash"] != m["config_hash"]


def test_list(eds):
    t = E.list_editions(eds).table
    assert list(t["edition"]) == ["nl24", "nl24-hhi05", "nl23", "eu22", "eu22-hhi05"]  # oldest first
    row = t.set_index("edition").loc["nl23"]
    assert row["reporter"] == "NLD" and row["year"] == 2023 and row["data_version"] == "V202401b"
    assert row[["strategic", "possible", "dependency", "none"]].sum() == row["rows"]


def _hand_import_hhi(ctx, product: str, year: int, importer: int = 528) -> float:
    """HHI = sum_s v_s^2 / (sum_s v_s)^2 over NLD's (BACI 528) suppliers, straight from the year's Parquet file."""
    import pyarrow.parquet as pq

    f = pq.read_table(ctx.dataset.root / "flows" / f"year={year}").to_pandas()
    f = f[(f["importer"] == importer) & (f["product"] == product)]
    iso = dict(zip(ctx.countries.column("code").to_pylist(), ctx.countries.column("iso3").to_pylist()))
    v = f.groupby(f["exporter"].map(iso))["value"].sum()
    return float((v ** 2).sum() / v.sum() ** 2)


def test_diff_threshold_import_hhi_04_vs_05_nld(eds, ctx):
    """Aluminium ores (260600), NLD 2024: import HHI 0.442 (hand check below), between 0.4 and 0.5,
    so c1 holds at 0.4 and fails at 0.5 in 2024 (and in 2023, HHI 0.411): a dependency in 2 of 3
    years at 0.4, none at 0.5. The product leaves its tier because c1 flipped."""
    d = diff_editions("nl24", "nl24-hhi05", eds)
    row = d.table.set_index("product").loc["260600"]
    assert row["tier_before"] in ("strategic", "possible", "dependency")
    assert row["tier_after"] == "none"
    assert (row["left_tier"], row["entered_tier"]) == (row["tier_before"], "none")
    assert row["import_hhi_before"] == pytest.approx(_hand_import_hhi(ctx, "260600", 2024), rel=1e-9)
    assert row["import_hhi_before"] == pytest.approx(0.4418, abs=5e-5)
    # same data, other threshold: the indicators do not move
    assert row["import_hhi_after"] == pytest.approx(row["import_hhi_before"], rel=1e-12)
    assert row["world_export_hhi_after"] == pytest.approx(row["world_export_hhi_before"], rel=1e-12)
    assert (row["criteria_met_years_before"], row["criteria_met_years_after"]) == (2, 0)
    assert bool(row["c1_import_concentration_before"]) and not bool(row["c1_import_concentration_after"])
    assert bool(row["dependent_before"]) and not bool(row["dependent_after"])
    assert "c1 yes->no" in row["flipped"] and "dependent yes->no" in row["flipped"]
    assert row["top_supplier_before"] == row["top_supplier_after"] == "GUY"
    cfg = d.summaries["config"].set_index("setting")
    assert cfg.loc["screening.import_hhi", "before"] == "0.4" and cfg.loc["screening.import_hhi", "after"] == "0.5"
    assert set(cfg.index) == {"screening.import_hhi", "config_hash"}
    assert d.summaries["provenance"].empty
    tiers_sum = d.summaries["tiers"].set_index("tier")
    assert tiers_sum.loc[row["tier_before"], "left"] >= 1 and tiers_sum.loc["none", "entered"] >= 1
    assert (tiers_sum["entered"].sum(), tiers_sum["left"].sum()) == (len(d.table), len(d.table))
    # a stricter c1 can only remove dependencies
    assert not (d.table["dependent_after"].astype(bool) & ~d.table["dependent_before"].astype(bool)).any()


def test_diff_threshold_eu27(eds):
    """EU27 2022: chromium ores (261000) import HHI 0.447 (South Africa / Turkey), dependent at 0.4, not at 0.5."""
    d = diff_editions("eu22", "eu22-hhi05", eds)
    row = d.table.set_index("product").loc["261000"]
    assert 0.4 < row["import_hhi_before"] < 0.5
    assert bool(row["dependent_before"]) and not bool(row["dependent_after"])
    assert row["tier_after"] != row["tier_before"]


def test_diff_new_data_year(eds):
    d = diff_editions("nl23", "nl24", eds)
    prov = d.summaries["provenance"].set_index("key")
    assert (prov.loc["year", "before"], prov.loc["year", "after"]) == ("2023", "2024")
    assert prov.loc["window_years", "after"] == "2022-2024"
    assert d.summaries["config"].empty
    assert len(d.table) > 0 and (d.table["tier_before"] != d.table["tier_after"]).all()
    # Aluminium ores: criteria met in 2023 and 2024, so dependent in 2024 (1 of 2021-2023 before)
    row = d.table.set_index("product").loc["260600"]
    assert not bool(row["dependent_before"]) and bool(row["dependent_after"])
    assert "dependent no->yes" in row["flipped"]


def test_diff_with_itself_is_empty(eds):
    d = diff_editions("nl24", "nl24", eds)
    assert d.table.empty and d.summaries["config"].empty and d.summaries["provenance"].empty


def test_existing_name_is_an_error_and_nothing_is_overwritten(eds, ctx):
    before = _snapshot(eds)
    with pytest.raises(InputError, match="edition 'nl24' already exists"):
        save(_ctx(ctx, **{"screening.import_hhi": 0.6}), "nl24", "NLD", 2022, "", eds)
    assert _snapshot(eds) == before
    assert not [p for p in eds.iterdir() if p.name.startswith(".")]  # no temporary directory left


def test_unknown_edition_lists_the_available_ones(eds, tmp_path):
    with pytest.raises(InputError, match=r"unknown edition 'nope'; available in .*: eu22, eu22-hhi05, nl23, nl24, nl24-hhi05"):
        diff_editions("nl24", "nope", eds)
    with pytest.raises(InputError, match="there are no editions in .* yet"):
        E.load_edition("x", tmp_path / "empty")
    with pytest.raises(InputError, match="unknown edition '../nl24'"):
        E.load_edition("../nl24", eds / "sub")


@pytest.mark.parametrize("name", ["bad name", ".hidden", "", "a/b", "x" * 65])
def test_bad_names(name):
    with pytest.raises(InputError, match="is not allowed"):
        E.check_name(name)


def test_failed_write_leaves_nothing(ctx, tmp_path, monkeypatch):
    import pyarrow.parquet as pq

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pq, "write_table", boom)
    with pytest.raises(OutputError, match="No space left on device"):
        save(ctx, "x", "NLD", 2024, "", tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_editions_dir_resolution(tmp_path, monkeypatch):
    from geomon.store import Store, default_store_dir

    assert E.editions_dir(None, Store(tmp_path / "embedded", embedded=True)) == default_store_dir() / "editions"
    assert E.editions_dir(None, Store(tmp_path / "mine")) == tmp_path / "mine" / "editions"
    monkeypatch.setenv("GEOMON_EDITIONS", str(tmp_path / "env"))
    assert E.editions_dir(None, Store(tmp_path / "mine")) == tmp_path / "env"
    assert E.editions_dir(tmp_path / "explicit") == tmp_path / "explicit"


def test_python_api(tmp_path):
    a = geomon.save_edition("a", "NLD", 2024, editions=tmp_path, note="api")
    b = geomon.save_edition("b", "NLD", 2024, editions=tmp_path, import_hhi=0.5)
    assert a.meta["path"] == str(tmp_path / "a") and b.meta["settings"]["screening.import_hhi"] == 0.5
    assert list(geomon.list_editions(tmp_path).table["edition"]) == ["a", "b"]
    assert geomon.show_edition("a", tmp_path).meta["note"] == "api"
    d = geomon.diff_editions("a", "b", tmp_path)
    assert "260600" in set(d.table["product"])
    with pytest.raises(InputError, match="already exists"):
        geomon.save_edition("a", "NLD", 2023, editions=tmp_path)
    with pytest.raises(InputError, match="unknown edition 'c'; available in .*: a, b"):
        geomon.diff_editions("a", "c", tmp_path)


# --- CLI ------------------------------------------------------------------------------------------

def test_cli_save_list_show_diff(cli, tmp_path):
    d = str(tmp_path)
    res = cli("edition", "save", "base", "-r", "NLD", "-y", "2024", "--note", "pilot", "--editions", d)
    assert res.exit_code == 0, res.output
    assert "saved edition base" in res.stderr
    res = cli("edition", "save", "strict", "-r", "NLD", "-y", "2024", "--import-hhi", "0.5", "--editions", d)
    assert res.exit_code == 0, res.output
    res = cli("edition", "list", "--editions", d, "-f", "csv")
    assert res.exit_code == 0 and [ln.split(",")[0] for ln in res.stdout.strip().splitlines()] == ["edition", "base", "strict"]
    res = cli("edition", "show", "base", "--editions", d)
    assert res.exit_code == 0 and "edition base" in res.stdout and "pilot" in res.stdout
    res = cli("edition", "diff", "base", "strict", "--editions", d)
    assert res.exit_code == 0 and "screening.import_hhi" in res.stdout and "260600" in res.stdout
    res = cli("edition", "diff", "base", "strict", "--editions", d, "-f", "json")
    doc = json.loads(res.stdout)
    assert set(doc["summaries"]) == {"tiers", "config", "provenance"}
    assert "260600" in {r["product"] for r in doc["rows"]}
    res = cli("edition", "diff", "base", "strict", "--editions", d, "-f", "csv", "--summary", "config")
    assert res.stdout.splitlines()[0] == "setting,before,after"


def test_cli_existing_name_exits_2_and_keeps_the_files(cli, tmp_path):
    d = str(tmp_path)
    assert cli("edition", "save", "e1", "-y", "2024", "--editions", d).exit_code == 0
    before = _snapshot(tmp_path)
    res = cli("edition", "save", "e1", "-y", "2022", "--import-hhi", "0.3", "--editions", d)
    assert res.exit_code == 2
    assert "edition 'e1' already exists" in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert _snapshot(tmp_path) == before


@pytest.mark.parametrize("args,needle", [
    (["diff", "e1", "zzz"], "unknown edition 'zzz'; available in"),
    (["show", "zzz"], "unknown edition 'zzz'; available in"),
    (["save", "bad name"], "edition name 'bad name' is not allowed"),
    (["save", "e2", "-y", "1900"], "year 1900 is not in the data"),
])
def test_cli_bad_input(cli, tmp_path, args, needle):
    d = str(tmp_path)
    assert cli("edition", "save", "e1", "-y", "2024", "--editions", d).exit_code == 0
    res = cli("edition", *args, "--editions", d)
    assert res.exit_code == 2
    assert needle in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1"]


def test_cli_default_editions_dir_is_in_the_user_data_dir(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert cli("edition", "save", "home", "-y", "2024").exit_code == 0
    assert (tmp_path / "geomon" / "editions" / "home" / "edition.json").is_file()
    res = cli("edition", "list")
    assert res.exit_code == 0 and "home" in res.stdout


def test_damaged_edition_is_a_one_line_data_error(cli, tmp_path):
    from geomon.errors import DataError

    assert cli("edition", "save", "e1", "-y", "2024", "--editions", tmp_path).exit_code == 0
    (tmp_path / "e1" / "edition.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="edition.json cannot be read"):
        E.list_editions(tmp_path)
    res = cli("edition", "list", "--editions", tmp_path)
    assert res.exit_code == 2 and "the edition is damaged" in res.stderr


def test_cli_list_without_editions(cli, tmp_path):
    res = cli("edition", "list", "--editions", tmp_path / "none")
    assert res.exit_code == 0 and "no editions in" in res.stdout
