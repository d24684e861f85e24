"""The report sections of the monitor's other parts: one mechanism for their labels in both
languages (``templates/parts/PART.labels.toml``), and the infrastructure section reads the
ingested SMDG list of the report's store."""

from __future__ import annotations

import string

import pandas as pd
import pytest

from geomon.errors import DataError
from geomon.outputs.report import labels as report_labels
from geomon.outputs.report.parts import RENDERERS

HEADER = ("UNLOCODE,Alternative UNLOCODE,Terminal Code,Terminal Facility Name,Terminal Company Name,Latitude (DMS),"
          "Longitude (DMS),Latitude,Longitude,Last change,Valid from,Valid to,Terminal Website,Terminal Address,Remarks")


def fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("part", sorted(RENDERERS))
def test_part_labels_in_every_language(part):
    """Every key of the part's label file has a text in en and nl with the same {fields}."""
    mod = RENDERERS[part]
    assert mod.LABELS is report_labels.part_file_labels(part)  # read once
    assert set(mod.LABELS) == set(report_labels.LABELS) == {"en", "nl"}
    en, nl = mod.LABELS["en"], mod.LABELS["nl"]
    assert en.keys() == nl.keys() and f"{part}_nav" in en
    assert all(k.startswith(f"{part}_") for k in en)
    assert {k: fields(v) for k, v in en.items()} == {k: fields(v) for k, v in nl.items()}
    assert all(v.strip() for v in [*en.values(), *nl.values()])


def test_a_label_without_its_dutch_text_is_refused(tmp_path, monkeypatch):
    (tmp_path / "demo.labels.toml").write_text('[demo_nav]\nen = "Demo"\nnl = "Demo"\n\n[demo_title]\nen = "Title"\n',
                                               encoding="utf-8")
    monkeypatch.setattr(report_labels, "PART_LABELS", tmp_path)
    report_labels.part_file_labels.cache_clear()
    try:
        with pytest.raises(DataError, match="label 'demo_title' must start with 'demo_' and have one text for each of en, nl; it has en"):
            report_labels.part_file_labels("demo")
    finally:
        report_labels.part_file_labels.cache_clear()


def test_knowledge_field_names_are_labels():
    """The NCSES field names in Dutch come from the same label file (knowledge_f_FIELD)."""
    from geomon.outputs.report.parts.knowledge import LABELS, field_label

    assert field_label(LABELS["nl"], "semiconductors") == "halfgeleiders"
    assert field_label(LABELS["en"], "semiconductors") == "semiconductors"
    assert field_label(LABELS["nl"], "a field NCSES adds later") == "a field NCSES adds later"


def smdg_csv(path, rows: list[str]):
    """An SMDG Terminal Code List with ``rows`` copied from the shipped list (by UNLOCODE,terminal code)."""
    from geomon.analyses.infrastructure.register import SHIPPED_SMDG

    lines = SHIPPED_SMDG.read_text(encoding="utf-8").splitlines()
    keep = [ln for ln in lines[1:] if any(ln.startswith(f"{loc},,{code},") for loc, code in (r.split(":") for r in rows))]
    assert len(keep) == len(rows)
    path.write_text("\n".join([HEADER, *keep]) + "\n", encoding="utf-8")
    return path


def test_infrastructure_section_reads_the_reports_store(tmp_path, ctx):
    """The report's --store holds an SMDG list with two Dutch terminals (Euromax Rotterdam, CTVrede
    Amsterdam), the per-user store one with Vlissingen only: the section of a report on that store
    shows the store's two; a report on the embedded data shows the per-user store's one, as
    'geomon infrastructure' without --store does."""
    from geomon import api
    from geomon.analyses.context import open_context
    from geomon.analyses.infrastructure.report import build
    from geomon.store import default_store_dir, embedded_store_dir

    store = tmp_path / "store"
    store.mkdir()
    (store / "baci").symlink_to(embedded_store_dir() / "baci", target_is_directory=True)  # the embedded BACI data
    api.ingest_smdg(smdg_csv(tmp_path / "two.csv", ["NLRTM:EMX", "NLAMS:CTVA"]), store=store)
    api.ingest_smdg(smdg_csv(tmp_path / "one.csv", ["NLVLI:KBV"]), store=None)  # the per-user store (a tmp folder here)
    assert (default_store_dir() / "infrastructure" / "smdg.parquet").is_file()
    products = pd.DataFrame({"product": ["283691"], "tier": ["strategic"]})

    on_store = build(open_context(store=store, config=ctx.config), "NLD", 2022, products)
    assert set(on_store.tables["nodes"]["node_id"]) == {"SMDG:NLRTM:EMX", "SMDG:NLAMS:CTVA"}
    on_embedded = build(ctx, "NLD", 2022, products)
    assert ctx.store.embedded
    assert set(on_embedded.tables["nodes"]["node_id"]) == {"SMDG:NLVLI:KBV"}
