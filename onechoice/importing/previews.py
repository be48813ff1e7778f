"""The file waiting between a preview and its confirmation, and the confirmation's one-time token.

* **Where.** The uploaded file (CSV already decoded to UTF-8) is kept in the shared "default"
  cache (a database table, see ``CACHES``) under ``import-preview-<random hex>`` for
  ``IMPORT_PREVIEW_TIMEOUT`` seconds, so the confirmation may reach another app server. A
  preview that cannot be confirmed (the file could not be read, or has errors) is deleted at once; whenever a preview is
  stored, expired ones are deleted from the table (the database cache itself only does that
  when it is full).
* **Token.** The confirm form's ``import_file_name`` is a signed token (``django.core.signing``,
  timestamped) naming that entry together with what the preview was made from: format, file
  name, resource, user and model. A token that does not verify, is older than the timeout, or
  disagrees with the other fields posted (a tampered ``format`` …) is refused.
* **Once.** A confirmation takes the file out of the cache: it reads the entry, then deletes
  it, and goes on only if *its* DELETE removed the row (``cache.delete`` reports the row count
  of one committed statement; the database lets only one of concurrent DELETEs of a row remove
  it). Of concurrent or repeated confirmations of one preview, on any app servers, exactly one
  imports; the others are refused with a message and change nothing.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from uuid import uuid4

from django.conf import settings
from django.core import signing
from django.core.cache import cache, caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.tmp_storages import CacheStorage

DEFAULT_TIMEOUT = 60 * 60
_SALT = "onechoice.importing.previews"

GONE = _("この取り込みは既に実行されたか、期限が切れています。もう一度ファイルを選んでください。")
TAMPERED = _(
    "この確認の内容がプレビューのときと一致しないため、取り込みませんでした。もう一度ファイルを選んでください。"
)


#: Names of the previews stored inside ``stored_here()`` (per thread and task).
_stored: ContextVar[list | None] = ContextVar("onechoice_import_previews_stored", default=None)


@contextmanager
def stored_here():
    """The names of the previews stored inside the block, for the caller to remove those it
    offers no confirmation for."""
    names: list[str] = []
    token = _stored.set(names)
    try:
        yield names
    finally:
        _stored.reset(token)


def timeout() -> int:
    return getattr(settings, "IMPORT_PREVIEW_TIMEOUT", DEFAULT_TIMEOUT)


class Refused(Exception):
    """A confirmation that must not import; ``message`` says why, in Japanese."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class PreviewStorage(CacheStorage):
    """django-import-export's temporary storage for the file between preview and confirm."""

    CACHE_PREFIX = "import-preview-"

    @property
    def key(self) -> str:
        return self.CACHE_PREFIX + self.name

    def save(self, data):
        if not self.name:
            self.name = uuid4().hex
        cache.set(self.key, data, timeout())
        collected = _stored.get()
        if collected is not None:
            collected.append(self.name)
        remove_expired()

    def read(self):
        return cache.get(self.key)

    def remove(self):
        cache.delete(self.key)

    def take(self):
        """The file, to this caller only: None if it is gone or another caller took it first."""
        data = self.read()
        if data is None or not self.claim():
            return None
        return data

    def claim(self) -> bool:
        """Whether this caller deleted the entry (and so may import it)."""
        return bool(cache.delete(self.key))


def remove_expired() -> int:
    """Delete expired previews from the cache table; the number deleted."""
    backend = caches["default"]
    if not isinstance(backend, DatabaseCache):
        return 0  # other backends drop expired entries themselves
    connection = connections[router.db_for_write(backend.cache_model_class)]
    quote = connection.ops.quote_name
    now = connection.ops.adapt_datetimefield_value(timezone.now().replace(microsecond=0))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(backend._table)} WHERE {quote('cache_key')} LIKE %s AND {quote('expires')} < %s",
            [backend.make_key(PreviewStorage.CACHE_PREFIX) + "%", now],
        )
        return cursor.rowcount


def _identity(*, name, format, file_name, resource, user, model) -> dict:
    return {
        "name": str(name),
        "format": str(format),
        "file": str(file_name),
        "resource": str(resource or "0"),
        "user": getattr(user, "pk", None),
        "model": model._meta.label,
    }


def sign(*, name, format, file_name, resource, user, model) -> str:
    """The token the confirm form carries for the preview stored as ``name``."""
    identity = _identity(name=name, format=format, file_name=file_name, resource=resource, user=user, model=model)
    return signing.dumps(identity, salt=_SALT)


def claim(token, *, format, file_name, resource, user, model) -> bytes:
    """The previewed file, if ``token`` and the fields posted with it are the preview's and no
    one has confirmed it yet; otherwise ``Refused``. Taking it is the confirmation: the same
    token is refused from then on."""
    try:
        signed = signing.loads(token, salt=_SALT, max_age=timeout())
    except signing.SignatureExpired:
        raise Refused(GONE) from None
    except signing.BadSignature:
        raise Refused(TAMPERED) from None
    posted = dict(format=format, file_name=file_name, resource=resource, user=user, model=model)
    if _identity(name=signed.get("name"), **posted) != signed:
        raise Refused(TAMPERED)
    data = PreviewStorage(name=signed["name"]).take()
    if data is None:
        raise Refused(GONE)
    return data
