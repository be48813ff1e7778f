"""The data version: a random token, replaced after every committed change to the portal's
records. Pages and PDFs built from the records are cached under it (and under the release,
so a deploy starts afresh), so a request whose answer was built before costs a cache read
instead of queries, templates and a PDF merge; any change anywhere makes every such entry
obsolete at once, on every app server.

* One row of its own table (``DataVersion``), not a cache entry: never culled, and a failed
  replacement raises instead of passing unnoticed.
* Replaced after the commit (``on_commit``), in its own short statement: writers never hold
  a lock on the row for the length of their transaction, and a rolled-back transaction
  replaces nothing. Once per transaction, however many rows it wrote.
* The version is read before the records (``lookup``, then build, then ``store``): an entry
  can hold records newer than its version (the commit came between the two reads; the
  replacement after it makes the entry obsolete), never older.
* A random token, not a counter: a restored or re-created row can never equal a token that
  old entries were stored under.

Every save, delete and many-to-many change of the portal's models sends a signal that
schedules the replacement. Writes that send no signals (the importer's bulk inserts) call
``changed()`` themselves; edits made outside the portal (psql, a restore) need it too.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from functools import cache
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connections, router, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import registry

CACHE = "pages"  # the cache alias holding the entries kept under the version


def _model():
    from .models import DataVersion

    return DataVersion


def current() -> str:
    DataVersion = _model()
    connection = connections[router.db_for_read(DataVersion)]
    with connection.cursor() as cursor:  # on every cached request: plain SQL, no ORM compiling
        cursor.execute(f"SELECT token FROM {connection.ops.quote_name(DataVersion._meta.db_table)} WHERE id = 1")
        row = cursor.fetchone()
    token = row[0] if row else None
    if token is None:  # the row was deleted by hand: make it again
        token = DataVersion.objects.get_or_create(pk=1, defaults={"token": secrets.token_hex(8)})[0].token
    return token


def _replace() -> None:
    DataVersion = _model()
    if not DataVersion.objects.filter(pk=1).update(token=secrets.token_hex(8)):
        DataVersion.objects.get_or_create(pk=1, defaults={"token": secrets.token_hex(8)})


class _Batch:
    """The writes whose commit one replacement covers: every write queues a callback, and
    the first of them to run after the commit replaces the version for all."""

    done = False


_pending = threading.local()  # database alias -> the batch of this thread's open writes


def changed(using: str = "default") -> None:
    """Make every entry stored under the current version obsolete once this transaction
    commits (at once outside a transaction); one UPDATE per commit however many rows."""
    batch = getattr(_pending, using, None)
    if batch is None or batch.done:
        batch = _Batch()
        setattr(_pending, using, batch)

    def replace_once() -> None:
        if not batch.done:
            batch.done = True
            _replace()

    # Every write queues its own callback: Django drops the callbacks of a transaction (or
    # savepoint) that rolls back, so a batch whose callbacks were all dropped stays pending
    # and the next committed write still replaces the version.
    transaction.on_commit(replace_once, using=using)


@cache
def release() -> str:
    """What besides the records shapes a page or a document: ``ONECHOICE_RELEASE`` (set by
    the deployment, e.g. to the git revision), else a hash of the portal's own code,
    templates and stylesheets (read once per process). Servers of two releases, as during a
    rolling restart, never share entries."""
    if os.environ.get("ONECHOICE_RELEASE"):
        return os.environ["ONECHOICE_RELEASE"]
    digest = hashlib.sha256()
    base = Path(settings.BASE_DIR)
    folders = [Path(apps.get_app_config(label).path) for label in registry.portal_apps()]
    folders += [base / "templates", base / "static" / "css"]
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix in {".py", ".html", ".css", ".txt"} and "migrations" not in path.parts:
                digest.update(str(path.relative_to(base)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def lookup(key: str) -> tuple[str, Any]:
    """The current version and the value stored under ``key`` at that version (or None)."""
    version = current()
    entry = caches[CACHE].get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def store(key: str, version: str, value: Any, timeout: int) -> None:
    """Keep ``value``, built from the records as they were at ``version``."""
    caches[CACHE].set(key, (version, value), timeout)


def _on_write(sender, using="default", action="post_", **kwargs) -> None:
    if (
        sender._meta.app_label in registry.portal_apps()
        and sender._meta.model_name != "dataversion"
        and action.startswith("post_")  # m2m: after, not before
    ):
        changed(using)


def connect_signals() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_on_write, dispatch_uid=f"onechoice.data_version.{name}")
