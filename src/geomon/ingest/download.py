"""Download a source release and ingest it: CEPII BACI zips, Eurostat Comext bulk files.

URL patterns (each publisher's download site):

- BACI: ``https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS{rev}_V{version}.zip`` (CEPII's
  download folder, linked from https://www.cepii.fr/DATA_DOWNLOAD/baci/doc/baci_webpage.html;
  the same pattern is used e.g. by ONE Campaign's ``bblocks`` BACI importer). CEPII's page names
  the rules: one zip per HS revision holding ``BACI_HS{rev}_Y{year}_V{version}.csv`` per year, the
  version being the release's year and month ``YYYYMM`` ("202501 for the January 2025 release"),
  a new release every January (CEPII, BACI FAQ, https://www.cepii.fr/DATA_DOWNLOAD/baci/doc/FAQ_BACI.html),
  and a letter suffix for a corrected release (``202401b`` superseded ``202401``; CEPII's BACI
  item page, http://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37).
  Default release: ``V202501``, the newest one CEPII's own page names (its file table then ran to
  2023). ``V202601`` (January 2026, data to 2024) appears only in other projects' code, not on a
  CEPII page geomon could check, so it is not the default: give ``--version V202601`` for it.
- Comext bulk: ``https://ec.europa.eu/eurostat/api/dissemination/files?file=comext%2FCOMEXT_DATA%2FPRODUCTS%2Ffull_v2_{YYYYMM}.7z``
  (Eurostat's bulk download, folder COMEXT_DATA/PRODUCTS, as linked from its bulk download page;
  ``YYYY52`` is the annual file). 7-Zip archives holding one data file, unpacked (py7zr, which
  checks the archive's CRCs) into ``--to DIR`` and ingested with the Comext reader.

The transfer writes ``NAME.part`` beside the target and resumes it with an HTTP Range request
when it exists (a server answering 200 instead of 206 restarts it). It is complete only when its
size equals the size the server announced; a zip is then checked member by member (CRC-32 of
every file, :meth:`zipfile.ZipFile.testzip`), and against ``sha256`` when one is given (CEPII
publishes none). Then it is renamed into place. Nothing half-downloaded is ever ingested.
"""

from __future__ import annotations

import hashlib
import os
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Callable

from geomon.errors import DataError, InputError

BACI_BASE = "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/"
BACI_PAGE = "https://www.cepii.fr/DATA_DOWNLOAD/baci/doc/baci_webpage.html"
COMEXT_BASE = "https://ec.europa.eu/eurostat/api/dissemination/files?file=comext%2FCOMEXT_DATA%2FPRODUCTS%2F"
COMEXT_PAGE = "https://ec.europa.eu/eurostat/databrowser/bulk?lang=en&selectedTab=fileComext"
#: Newest BACI release named on CEPII's BACI page (January 2025; see the module docstring); give
#: --version for another (e.g. V202601, which CEPII's page as checked does not name yet).
BACI_DEFAULT_VERSION = "V202501"
CHUNK = 1 << 20

Progress = Callable[[int, int | None], None]


def baci_file(hs: str, version: str | None = None) -> str:
    """BACI_HS17_V202501.zip for hs '17' (or 'HS17') and version 'V202501' (or '202501'); the
    default version is :data:`BACI_DEFAULT_VERSION`."""
    rev = str(hs).upper().removeprefix("HS")
    if rev not in ("92", "96", "02", "07", "12", "17", "22"):
        raise InputError(f"HS revision {hs!r} is not one BACI is published in; give 92, 96, 02, 07, 12, 17 or 22")
    v = "V" + str(version or BACI_DEFAULT_VERSION).upper().removeprefix("V")
    return f"BACI_HS{rev}_{v.replace('B', 'b')}.zip"


def comext_file(period: str) -> str:
    """full_v2_202401.7z for '2024-01' (monthly) or '2024' (the annual file full_v2_202452.7z)."""
    p = str(period).replace("-", "")
    if not (p.isdigit() and len(p) in (4, 6)) or (len(p) == 6 and not 1 <= int(p[4:]) <= 12):
        raise InputError(f"period {period!r} is not YYYY-MM or YYYY; give e.g. 2024-01 (a month) or 2024 (the year)")
    return f"full_v2_{p if len(p) == 6 else p + '52'}.7z"


def fetch(url: str, dest: Path, progress: Progress | None = None, sha256: str | None = None,
          manual: str = "") -> Path:
    """Download ``url`` to ``dest`` (resuming ``dest.part``), check size (and zip CRCs, sha256), rename."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    req = urllib.request.Request(url, headers={"Range": f"bytes={have}-"} if have else {})
    try:
        resp = urllib.request.urlopen(req, timeout=60)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:  # the part is already complete
            return _finish(part, dest, have, sha256)
        raise DataError(f"{url} answered HTTP {exc.code} ({exc.reason}); check the release name, {manual}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DataError(f"cannot reach {url} ({reason}); offline? {manual}") from None
    with resp:
        if resp.status == 206:
            total = _total(resp.headers.get("Content-Range"), have)
            mode = "ab"
        else:
            have, mode = 0, "wb"
            total = int(resp.headers["Content-Length"]) if resp.headers.get("Content-Length") else None
        with open(part, mode) as fh:
            done = have
            while chunk := resp.read(CHUNK):
                fh.write(chunk)
                done += len(chunk)
                if progress:
                    progress(done, total)
    if total is not None and done != total:
        raise DataError(f"{dest.name}: got {done:,} of {total:,} bytes; run the command again to resume")
    return _finish(part, dest, total, sha256)


def _total(content_range: str | None, have: int) -> int | None:
    """Total size from 'bytes 100-999/1000'."""
    if content_range and "/" in content_range and content_range.rsplit("/", 1)[1].isdigit():
        return int(content_range.rsplit("/", 1)[1])
    return None


def _finish(part: Path, dest: Path, total: int | None, sha256: str | None) -> Path:
    size = part.stat().st_size
    if total is not None and size != total:
        raise DataError(f"{dest.name}: {size:,} bytes on disk, the server announced {total:,}; delete {part} and download again")
    if sha256:
        h = hashlib.sha256()
        with open(part, "rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        if h.hexdigest() != sha256.lower():
            part.unlink()
            raise DataError(f"{dest.name}: SHA-256 {h.hexdigest()[:16]}... is not the expected {sha256[:16]}...; "
                            "the download was removed, run the command again")
    if dest.suffix == ".zip":
        try:
            with zipfile.ZipFile(part) as zf:
                bad = zf.testzip()
        except zipfile.BadZipFile:
            bad = "(not a zip file)"
        if bad is not None:
            part.unlink()
            raise DataError(f"{dest.name}: damaged member {bad} (CRC check); the download was removed, run the command again")
    os.replace(part, dest)
    return dest


def download_baci(hs: str, version: str | None = None, to: str | Path | None = None, store: str | Path | None = None,
                  progress: Progress | None = None, base_url: str = BACI_BASE, sha256: str | None = None):
    """Download a BACI release and ingest it. ``to``: keep the zip in that folder (else it is
    downloaded into the store's folder and removed after the ingest). Returns (zip path or None,
    ingest results)."""
    from geomon.ingest.baci import ingest_baci
    from geomon.store.layout import default_store_dir

    name = baci_file(hs, version)
    root = Path(store).expanduser() if store is not None else default_store_dir()
    folder = Path(to).expanduser() if to is not None else root / ".downloads"
    manual = (f"download {name} by hand from {BACI_PAGE} and run 'geomon ingest baci {name}'"
              + (f" --store {store}" if store else ""))
    path = fetch(base_url.rstrip("/") + "/" + name, folder / name, progress, sha256, manual)
    results = ingest_baci(path, store=store)
    if to is None:
        path.unlink()
        return None, results
    return path, results


def download_comext(period: str, to: str | Path, store: str | Path | None = None, progress: Progress | None = None,
                    base_url: str = COMEXT_BASE, sha256: str | None = None):
    """Download one Comext bulk file (7z) into ``to``, unpack its data file there and ingest it.
    Returns (the unpacked file, the ingest result)."""
    import py7zr

    from geomon.ingest.comext import ingest_comext

    name = comext_file(period)
    folder = Path(to).expanduser()
    manual = (f"download {name} by hand from {COMEXT_PAGE} (folder COMEXT_DATA/PRODUCTS), unpack it and run "
              f"'geomon ingest comext FILE.dat'")
    archive = fetch(base_url + name, folder / name, progress, sha256, manual)
    try:
        with py7zr.SevenZipFile(archive) as z:
            members = [m for m in z.getnames() if not m.endswith("/")]
            if len(members) != 1:
                raise DataError(f"{name} holds {len(members)} files, not one Comext data file; unpack it by hand")
            z.extractall(folder)
    except (py7zr.exceptions.Bad7zFile, py7zr.exceptions.CrcError, OSError) as exc:
        archive.unlink()
        raise DataError(f"{name} is damaged ({exc}); the download was removed, run the command again") from None
    data = folder / members[0]
    return data, ingest_comext(data, store=store)
