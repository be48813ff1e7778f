"""The download spool: a directory on each app server holding the PDFs it has sent, one
file per ETag, so that a download is sent by the kernel (sendfile, through gunicorn's file
wrapper) instead of being read out of the shared cache, decoded and copied by Python each
time. On meeting day that is the difference between reading the 0.7 MB packet from the
database 200 times and reading it once per server.

Nothing here is state: a file's name is the ETag, the hash the document's bytes are cached
under in the shared cache, so a file never goes stale and a server that lacks it (or lost
its spool) fills it again from the shared cache on the next download. Files are written
whole, synced and renamed into place; when there are more than ``MAX_FILES``, the ones sent
least recently go. A file is opened before the response is made, so trimming by another
process cannot take it away mid-download.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path

from django.conf import settings

MAX_FILES = 1000
_ETAG = re.compile(r"[0-9a-f]{64}")


def _directory() -> Path:
    return Path(settings.PDF_SPOOL_DIR)


def path_of(etag: str) -> Path:
    if not _ETAG.fullmatch(etag):
        raise ValueError(f"not an ETag: {etag[:80]!r}")
    return _directory() / f"{etag}.pdf"


def open_existing(etag: str):
    """The spooled file of ``etag`` opened for reading, or None if this server has none."""
    path = path_of(etag)
    try:
        file = path.open("rb")
    except FileNotFoundError:
        return None
    try:
        os.utime(path)  # recently sent: trimmed last
    except OSError:
        pass
    return file


def open_or_fill(etag: str, content: bytes | None):
    """The spooled file of ``etag`` opened for reading, written from ``content`` first if
    this server does not hold it yet."""
    path = path_of(etag)
    file = open_existing(etag)
    if file is not None:
        return file
    if content is None:
        raise FileNotFoundError(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as temporary:
        temporary.write(content)
        temporary.flush()
        os.fsync(temporary.fileno())  # on disk before its name is: never an empty file after a crash
    os.replace(temporary.name, path)  # whole or not at all, for a reader in another process
    _trim(path.parent)
    return path.open("rb")


def _trim(directory: Path) -> None:
    for leftover in directory.glob(".tmp-*"):  # of a write that failed (a full disk)
        try:
            if leftover.stat().st_mtime < time.time() - 3600:
                leftover.unlink(missing_ok=True)
        except FileNotFoundError:
            pass
    files = list(directory.glob("*.pdf"))
    if len(files) <= MAX_FILES:
        return

    def age(p: Path) -> float:
        try:
            return p.stat().st_mtime
        except FileNotFoundError:  # trimmed by another process meanwhile
            return 0.0

    for old in sorted(files, key=age)[: len(files) - int(MAX_FILES * 0.9)]:
        old.unlink(missing_ok=True)
