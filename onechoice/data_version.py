"""The data version: a random token in the shared cache that is replaced whenever a record
of the portal changes. Pages and PDFs built from the records are cached under it, so a
request whose answer was built before costs one cache read instead of queries, templates
and a PDF merge; any change anywhere makes every such entry obsolete at once, on every
app server.

* A random token, not a counter: if the cache loses the key (culled or cleared), a new
  token can never equal one that old entries were stored under.
* Replaced inside the writing transaction: the "pages" cache is a table of the same
  database (DatabaseCache), so the new token commits, or rolls back, with the change itself. A
  cache outside the database would not be transactional, so the token is then replaced
  once more after the commit (else a reader between the two could store old records
  under the new token).
* The version is read before the records (``lookup`` then build then ``store``): an entry
  can hold records newer than its version, never older.

Every save, delete and many-to-many change of the portal's models sends a signal that
replaces the token. Writes that send no signals (the importer's bulk inserts) call
``changed()`` themselves.
"""

from __future__ import annotations

import secrets
from functools import partial
from typing import Any

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "onechoice:data-version"
CACHE = "pages"  # the alias holding the token and the entries kept under it
PORTAL_APPS = frozenset({"onechoice", "meetings", "projects", "workgroups"})


def _replace() -> str:
    token = secrets.token_hex(8)
    caches[CACHE].set(VERSION_KEY, token, None)
    return token


def current() -> str:
    cache = caches[CACHE]
    token = cache.get(VERSION_KEY)
    if token is None:
        cache.add(VERSION_KEY, secrets.token_hex(8), None)  # another server may have just set one
        token = cache.get(VERSION_KEY)
    _read()
    return token


def _read() -> None:
    transaction.get_connection().onechoice_unread_replacement = None


def changed(using: str = "default") -> None:
    """Make every entry stored under the current version obsolete.

    Within one transaction the token is replaced once for a run of writes (importing a
    thousand rows replaces it once), and again after anyone has read it."""
    connection = transaction.get_connection(using)
    unread = getattr(connection, "onechoice_unread_replacement", None)
    # ``unread`` is the callback queued with on_commit when this transaction last replaced
    # the token; Django drops it when the transaction (or the savepoint) rolls back, as the
    # database drops the token written in it.
    if connection.in_atomic_block and unread and any(entry[1] is unread for entry in connection.run_on_commit):
        return
    _replace()
    replacement = partial(_after_commit)  # a new object each time, to tell replacements apart
    connection.onechoice_unread_replacement = replacement
    transaction.on_commit(replacement, using=using)


def _after_commit() -> None:
    if not isinstance(caches[CACHE], DatabaseCache):
        _replace()


def lookup(key: str) -> tuple[str, Any]:
    """The current version and the value stored under ``key`` at that version (or None), in
    one cache read."""
    found = caches[CACHE].get_many([VERSION_KEY, key])
    if VERSION_KEY not in found:
        return current(), None
    _read()
    version, entry = found[VERSION_KEY], found.get(key)
    if entry is not None and entry[0] == version:
        return version, entry[1]
    return version, None


def store(key: str, version: str, value: Any, timeout: int) -> None:
    """Keep ``value``, built from the records as they were at ``version``."""
    caches[CACHE].set(key, (version, value), timeout)


def _on_write(sender, using="default", action="post_", **kwargs) -> None:
    if sender._meta.app_label in PORTAL_APPS and action.startswith("post_"):  # m2m: after, not before
        changed(using)


def connect_signals() -> None:
    for name, signal in (("save", post_save), ("delete", post_delete), ("m2m", m2m_changed)):
        signal.connect(_on_write, dispatch_uid=f"onechoice.data_version.{name}")
