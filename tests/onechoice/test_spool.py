"""The download spool: whole files named by ETag, refused names, a bounded directory."""

import hashlib
import os
import time

import pytest

from onechoice import spool


@pytest.fixture
def spool_dir(settings, tmp_path):
    settings.PDF_SPOOL_DIR = tmp_path / "spool"
    return settings.PDF_SPOOL_DIR


def etag(n) -> str:
    return hashlib.sha256(str(n).encode()).hexdigest()


def test_filled_once_then_read_from_disk(spool_dir):
    assert spool.open_existing(etag(1)) is None
    with pytest.raises(FileNotFoundError):
        spool.open_or_fill(etag(1), None)  # nothing to fill it with
    with spool.open_or_fill(etag(1), b"%PDF-1.7 one") as fh:
        assert fh.read() == b"%PDF-1.7 one"
    spool.open_existing(etag(1)).close()
    with spool.open_or_fill(etag(1), None) as fh:  # the bytes are not needed any more
        assert fh.read() == b"%PDF-1.7 one"
    assert sorted(p.name for p in spool_dir.iterdir()) == [f"{etag(1)}.pdf"]  # no temporary file left


@pytest.mark.parametrize("name", ["../../etc/passwd", "a" * 63, "A" * 64, etag(1) + "/x", ""])
def test_only_etags_name_files(spool_dir, name):
    with pytest.raises(ValueError):
        spool.open_or_fill(name, b"x")
    assert not spool_dir.exists()


def test_the_oldest_files_go_when_there_are_too_many(spool_dir, monkeypatch):
    monkeypatch.setattr(spool, "MAX_FILES", 5)
    now = time.time()
    for n in range(5):
        spool.open_or_fill(etag(n), b"x").close()
        os.utime(spool.path_of(etag(n)), (now - 100 + n, now - 100 + n))
    spool.open_or_fill(etag(5), b"x").close()  # the sixth: trimmed back to 90 %
    assert sorted(p.name for p in spool_dir.glob("*.pdf")) == sorted(f"{etag(n)}.pdf" for n in (2, 3, 4, 5))


def test_leftovers_of_a_failed_write_are_removed(spool_dir, monkeypatch):
    monkeypatch.setattr(spool, "MAX_FILES", 5)
    spool_dir.mkdir(parents=True)
    old, recent = spool_dir / ".tmp-old", spool_dir / ".tmp-recent"
    old.write_bytes(b"half"), recent.write_bytes(b"half")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    spool.open_or_fill(etag(1), b"x").close()
    assert not old.exists() and recent.exists()  # a write in progress elsewhere is left alone
