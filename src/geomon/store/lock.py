"""Writers of a store take turns: one lock file per store, and the leftovers of interrupted writers.

``STORE/.geomon-write.lock`` is locked with ``flock`` (exclusive) for the whole of an ingest. The
operating system releases the lock when the process ends in any way (also ``kill -9``), so a
stale lock never blocks the store. The file holds the pid and start time of the current writer,
for the waiting message (emptied when it finishes). Staging folders (``.staging-*``) and swapped-out datasets (``.old-*``)
left by a writer that was killed are removed by the next writer once it holds the lock (no
other writer can be using them then) and listed by ``geomon data`` until then.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from geomon.errors import DataError

LOCK_NAME = ".geomon-write.lock"
LEFTOVER_PREFIXES = (".staging-", ".old-")


def file_mode(directory: bool = False) -> int:
    """The mode new files (0666) or folders (0777) get under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return (0o777 if directory else 0o666) & ~mask


@contextmanager
def writer_lock(root: Path, wait: bool = True, on_wait: Callable[[str], None] | None = None) -> Iterator[None]:
    """Hold the store's writer lock; if another writer holds it, wait (telling ``on_wait``) or,
    with ``wait=False``, raise :class:`DataError` at once."""
    path = root / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, file_mode())
    except OSError as exc:
        raise DataError(f"cannot create the lock file {path} ({exc.strerror}); give a writable --store") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(fd)
            if not wait:
                raise DataError(f"another ingest ({holder}) is writing to the store {root}; try again when it has "
                                f"finished, or leave out --no-wait to wait for it") from None
            if on_wait:
                on_wait(f"waiting for another ingest ({holder}) to finish writing to {root} ...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M:%S} UTC\n".encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)  # no writer now; the empty file stays for the next one
    finally:
        os.close(fd)  # closing releases the lock


def _holder(fd: int) -> str:
    text = os.pread(fd, 200, 0).decode(errors="replace").strip()
    return text or "pid unknown"


def leftovers(root: Path) -> list[Path]:
    """Staging and swapped-out folders of interrupted writers directly under ``root`` or its sources."""
    found: list[Path] = []
    for parent in [root, *[p for p in root.glob("*") if p.is_dir() and not p.name.startswith(".")]]:
        found += [p for p in parent.glob(".*") if p.is_dir() and p.name.startswith(LEFTOVER_PREFIXES)]
    return sorted(found)


def folder_bytes(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def remove_leftovers(root: Path) -> list[Path]:
    """Remove :func:`leftovers` (call only while holding :func:`writer_lock`); returns what was removed."""
    gone = leftovers(root)
    for p in gone:
        shutil.rmtree(p, ignore_errors=True)
    return gone
