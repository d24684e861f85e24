"""geomon download: a small real-format BACI zip served from a local HTTP server on 127.0.0.1.

The zip holds two years of the real BACI HS92 extract (CEPII's CSV layout, as the conftest's
``baci_dir`` fixture writes it from the embedded store when ../shared is absent) and CEPII's
two code lists, named as CEPII names its release zips (BACI_HS92_V202401b.zip). The server
honours HTTP Range requests, so resuming is tested; it can also cut a transfer short.
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import zipfile
from pathlib import Path

import pytest

from geomon import api
from geomon.errors import DataError, InputError
from geomon.ingest import download


class Handler(http.server.BaseHTTPRequestHandler):
    files: dict[str, bytes] = {}
    cut: dict[str, int] = {}      # name -> bytes to send before closing (once)
    ranges: list[str] = []

    def log_message(self, *args):  # keep the test output clean
        pass

    def do_GET(self):
        name = self.path.rsplit("/", 1)[-1]
        body = self.files.get(name)
        if body is None:
            self.send_error(404)
            return
        start = 0
        rng = self.headers.get("Range")
        if rng:
            self.ranges.append(rng)
            start = int(rng.removeprefix("bytes=").split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(body) - start))
        self.end_headers()
        n = self.cut.pop(name, None)
        self.wfile.write(body[start:start + n] if n is not None else body[start:])


@pytest.fixture(scope="module")
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/data/"
    srv.shutdown()


@pytest.fixture(scope="module")
def baci_zip(baci_dir, tmp_path_factory) -> bytes:
    out = tmp_path_factory.mktemp("zip") / "BACI_HS92_V202401b.zip"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(Path(baci_dir).iterdir()):
            if p.name.startswith(("country_codes", "product_codes")) or p.name.endswith(("Y2021_V202401b.csv", "Y2022_V202401b.csv")):
                zf.write(p, p.name)
    return out.read_bytes()


def test_file_names():
    assert download.baci_file("17", "V202401b") == "BACI_HS17_V202401b.zip"
    assert download.baci_file("HS92") == "BACI_HS92_V202501.zip"   # newest release named on CEPII's BACI page
    assert download.comext_file("2024-01") == "full_v2_202401.7z" and download.comext_file("2024") == "full_v2_202452.7z"
    with pytest.raises(InputError, match="HS revision '18'"):
        download.baci_file("18")
    with pytest.raises(InputError, match="not YYYY-MM"):
        download.comext_file("2024-13")


def test_download_resume_and_ingest(server, baci_zip, tmp_path):
    Handler.files["BACI_HS92_V202401b.zip"] = baci_zip
    Handler.cut["BACI_HS92_V202401b.zip"] = len(baci_zip) // 3
    keep, store = tmp_path / "zips", tmp_path / "store"
    seen = []
    with pytest.raises(DataError, match="run the command again to resume"):
        api.download_baci("92", "V202401b", to=keep, store=store, base_url=server, progress=lambda d, t: seen.append((d, t)))
    part = keep / "BACI_HS92_V202401b.zip.part"
    assert part.stat().st_size == len(baci_zip) // 3 and not (store / "baci").exists()
    Handler.ranges.clear()
    path, results = api.download_baci("92", "V202401b", to=keep, store=store, base_url=server,
                                      sha256=hashlib.sha256(baci_zip).hexdigest())
    assert Handler.ranges == [f"bytes={len(baci_zip) // 3}-"]          # resumed, not restarted
    assert path.read_bytes() == baci_zip and not part.exists()
    assert results[0].dataset.id == "BACI HS92 V202401b" and results[0].dataset.years == [2021, 2022]
    assert seen and seen[-1] == (len(baci_zip) // 3, len(baci_zip))
    # the downloaded release screens like the embedded data
    a = api.screen("NLD", 2022, store=store).table
    b = api.screen("NLD", 2022).table
    assert a["import_value_usd"].sum() == pytest.approx(b["import_value_usd"].sum(), rel=1e-9)


def test_damaged_download_is_removed(server, baci_zip, tmp_path):
    bad = bytearray(baci_zip)
    bad[len(bad) // 2] ^= 0xFF                                          # one flipped byte inside a member
    Handler.files["BACI_HS17_V202401b.zip"] = bytes(bad)
    with pytest.raises(DataError, match="CRC check|damaged"):
        api.download_baci("17", "V202401b", to=tmp_path, store=tmp_path / "s", base_url=server)
    assert not list(tmp_path.glob("*.zip*")) and not (tmp_path / "s" / "baci").exists()


def test_offline_says_how_to_do_it_by_hand(cli, tmp_path):
    r = cli("download", "baci", "--hs", "17", "--store", str(tmp_path), "--base-url", "http://127.0.0.1:9/")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "by hand from https://www.cepii.fr/DATA_DOWNLOAD/baci/doc/baci_webpage.html" in r.output
    assert "geomon ingest baci BACI_HS17_V202501.zip" in r.output


def test_download_comext_bulk_file(server, tmp_path):
    """A Comext bulk 7z holding one data file in the documented bulk layout (REPORTER, PARTNER,
    PRODUCT_NC, FLOW, STAT_PROCEDURE, PERIOD, VALUE_IN_EUROS, QUANTITY_IN_KG), written from the real
    NL rows of 2024-01 of the shipped SDMX extract (no real bulk excerpt is public)."""
    import csv
    import gzip
    import io

    import py7zr

    sample = Path(__file__).resolve().parents[1] / "src/geomon/data/sources/DS-045409_monthly_CN48114900_EU27_bilateral_2023-2025.csv.gz"
    with gzip.open(sample, "rt") as fh:
        rows = [r for r in csv.DictReader(fh) if r["reporter"] == "NL" and r["TIME_PERIOD"] == "2024-01"
                and r["partner"] != "WORLD"]
    keys: dict = {}
    for r in rows:
        keys.setdefault((r["partner"], r["flow"]), {})[r["indicators"]] = float(r["OBS_VALUE"])
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["REPORTER", "PARTNER", "TRADE_TYPE", "PRODUCT_NC", "FLOW", "STAT_PROCEDURE", "PERIOD", "VALUE_IN_EUROS", "QUANTITY_IN_KG"])
    for (partner, flow), ind in sorted(keys.items()):
        w.writerow(["NL", partner, "I", "48114900", flow, "1", "202401", ind["VALUE_IN_EUROS"], ind.get("QUANTITY_IN_100KG", 0) * 100])
    src = tmp_path / "src"
    src.mkdir()
    (src / "full_v2_202401.dat").write_text(out.getvalue())
    archive = tmp_path / "full_v2_202401.7z"
    with py7zr.SevenZipFile(archive, "w") as z:
        z.write(src / "full_v2_202401.dat", "full_v2_202401.dat")
    Handler.files["full_v2_202401.7z"] = archive.read_bytes()
    data, res = api.download_comext("2024-01", to=tmp_path / "dl", store=tmp_path / "store", base_url=server)
    assert data.name == "full_v2_202401.dat" and (tmp_path / "dl" / "full_v2_202401.7z").exists()
    imports = {p: v["VALUE_IN_EUROS"] for (p, f), v in keys.items() if f == "1"}
    assert res.dataset.currency == "EUR" and res.dataset.months == ["2024-01"]
    got = api.suppliers("NLD", "481149", first="2024-01", last="2024-01", store=tmp_path / "store", source="comext").table
    assert got["value"].sum() == pytest.approx(sum(imports.values()))
