"""The one print engine: Django template → HTML → WeasyPrint → PDF, for every document.

* Fonts ship with the project (static/fonts): BIZ UDPGothic for text, BIZ UDGothic for
  fixed-width columns, and a fallback face with the kanji BIZ UDPGothic lacks (𠮷 …).
* Nothing is fetched from the network or the file system at large: ``PortalURLFetcher``
  serves the project's own static and media files and ``data:`` URLs, and refuses the rest.
  Media (uploads) are read through the storage API, so documents refer to them as
  ``/media/<name>`` whether they sit on the file system or in an S3 bucket.
* The PDF is cached under the SHA-256 of its HTML, so the same records give the same bytes
  without rendering again, in every process that shares the cache.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote, unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.files.storage import FileSystemStorage, default_storage
from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.cache import get_conditional_response

from . import data_version, spool

logger = logging.getLogger(__name__)

# A reserved name (RFC 6761) that never resolves: documents refer to /static/… and /media/…,
# which the fetcher maps to files; any other host is refused.
BASE_URL = "https://print.onechoice.invalid/"
PRINT_STYLESHEET = "css/print.css"
ENGINE_VERSION = "1"  # bump to invalidate every cached PDF after a layout change
CACHE_TIMEOUT = 60 * 60 * 24 * 30


class RefusedURL(ValueError):
    """A document asked for something outside the project's own files."""


def _allowed_roots() -> list[Path]:
    roots = [Path(p).resolve() for p in settings.STATICFILES_DIRS]
    roots += [Path(settings.STATIC_ROOT).resolve(), Path(settings.MEDIA_ROOT).resolve()]
    return roots


def _resolve(url: str) -> Path:
    """Map https://print.onechoice.invalid/static/x or /media/x to a file of the project."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}/" != BASE_URL:
        raise RefusedURL(f"refused: {url}")
    path = unquote(parts.path)
    if ".." in path.split("/") or "\0" in path:
        raise RefusedURL(f"refused: {url}")
    static_prefix, media_prefix = "/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/")
    if path.startswith(static_prefix):
        found = finders.find(path.removeprefix(static_prefix))
        candidate = Path(found) if found else Path(settings.STATIC_ROOT) / path.removeprefix(static_prefix)
    elif path.startswith(media_prefix):
        candidate = Path(settings.MEDIA_ROOT) / path.removeprefix(media_prefix)
    else:
        raise RefusedURL(f"refused: {url}")
    candidate = candidate.resolve()
    if not any(candidate.is_relative_to(root) for root in _allowed_roots()) or not candidate.is_file():
        raise RefusedURL(f"refused: {url}")
    return candidate


def _read(url: str) -> tuple[str, bytes]:
    """The name and bytes of the project file at ``url``; uploads in a bucket through the storage."""
    parts = urlsplit(url)
    media_prefix = "/" + settings.MEDIA_URL.lstrip("/")
    path = unquote(parts.path)
    if (
        f"{parts.scheme}://{parts.netloc}/" == BASE_URL
        and path.startswith(media_prefix)
        and not isinstance(default_storage, FileSystemStorage)
    ):
        name = path.removeprefix(media_prefix)
        if not name or ".." in name.split("/") or "\0" in name or name.startswith("/"):
            raise RefusedURL(f"refused: {url}")
        try:
            with default_storage.open(name, "rb") as fh:
                return name, fh.read()
        except Exception as error:
            raise RefusedURL(f"refused: {url}") from error
    path = _resolve(url)
    return path.name, path.read_bytes()


def _is_media(url: str) -> bool:
    return unquote(urlsplit(url).path).startswith("/" + settings.MEDIA_URL.lstrip("/"))


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PortalURLFetcher(URLFetcher):
        """Serves static and media files of the project and data: URLs; refuses file://,
        http(s) to any host, loopback included, and never follows a redirect."""

        def __init__(self):
            super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False, timeout=1)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            try:
                name, body = _read(url)
            except RefusedURL:
                logger.warning("PDF: refused to fetch %s", url[:200])
                raise
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            if content_type.startswith("image/") and _is_media(url):  # an uploaded photo: at print size
                from . import uploads

                body, content_type = uploads.print_rendition(body) or (body, content_type)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})

    return PortalURLFetcher


class _Engine:
    """WeasyPrint objects made once per process: importing WeasyPrint costs about a second,
    and reusing the font configuration and the parsed stylesheet saves a fifth of a render."""

    def __init__(self):
        self._lock = threading.Lock()  # one FontConfiguration is not safe to share between threads

    @cached_property
    def _weasy(self):
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration

        from . import uploads

        uploads.limit_image_decoding()  # Pillow, which decodes the photos, stops at PHOTO_MAX_PIXELS
        font_config = FontConfiguration()
        fetcher = _fetcher_class()()
        stylesheet = weasyprint.CSS(
            url=BASE_URL + settings.STATIC_URL.lstrip("/") + PRINT_STYLESHEET,
            url_fetcher=fetcher,
            font_config=font_config,
        )
        return weasyprint, font_config, fetcher, stylesheet

    def render(self, html: str, *, tagged: bool = True) -> bytes:
        """``html`` as PDF; ``tagged``: a structured PDF (headings, lists and tables as such,
        language from ``<html lang>``) for screen readers — it costs about a tenth of a
        render (benchmarks: raw ms). Untagged for what is only drawn over other pages."""
        weasyprint, font_config, fetcher, stylesheet = self._weasy
        with self._lock:
            document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
            return document.write_pdf(stylesheets=[stylesheet], font_config=font_config, pdf_tags=tagged)


engine = _Engine()


@dataclass(frozen=True)
class PDFDocument:
    """A rendered document: its bytes, its download names and the ETag of its content (the
    key its bytes are cached under). ``content`` is None when the bytes are ``spooled``: open
    in this server's download spool (the common case for a repeated download)."""

    content: bytes | None
    filename: str  # 令和3年度第4回_次第.pdf
    ascii_filename: str  # onechoice-2021-4-agenda.pdf, for clients without RFC 5987
    etag: str
    spooled: BinaryIO | None = None  # the bytes, opened in this server's spool

    def response(self, request) -> HttpResponseBase:
        """The PDF as a download, sent from the spool; 304 when the client already holds
        these bytes."""
        etag = f'"{self.etag}"'
        # Django's own If-None-Match handling (weak comparison, lists, "*"): a 304 or None.
        response = get_conditional_response(request, etag=etag)
        if response is not None:
            if self.spooled:
                self.spooled.close()
        else:
            file = self.spooled or spool.open_or_fill(self.etag, self.content)
            response = FileResponse(file, content_type="application/pdf")
            response["Content-Disposition"] = (
                f"attachment; filename=\"{self.ascii_filename}\"; filename*=UTF-8''{quote(self.filename)}"
            )
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"  # revalidate: records may have changed
        return response


def render_html(template_name: str, context: dict) -> str:
    return render_to_string(template_name, context)


_asset_digest: str | None = None


def _assets_version() -> str:
    """What besides the HTML shapes every PDF: the print stylesheet and the fonts."""
    global _asset_digest
    if _asset_digest is None:
        digest = hashlib.sha256(ENGINE_VERSION.encode())
        digest.update(Path(finders.find(PRINT_STYLESHEET)).read_bytes())
        for font in sorted(Path(settings.BASE_DIR, "static", "fonts").glob("*.[ot]tf")):
            digest.update(f"{font.name}:{font.stat().st_size}".encode())
        _asset_digest = digest.hexdigest()
    return _asset_digest


def fingerprint(*parts: str | bytes) -> str:
    digest = hashlib.sha256(_assets_version().encode())
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def cached_pdf(key: str, build) -> bytes:
    """The bytes cached under ``key``, or ``build()`` rendered once and stored. A document's
    ETag is this key, which ``current_document`` relies on."""
    cache_key = f"pdf:{key}"
    content = cache.get(cache_key)
    if content is None:
        content = build()
        cache.set(cache_key, content, CACHE_TIMEOUT)
    return content


def _document_key(name: str) -> str:
    parts = f"{name}\0{timezone.localdate().isoformat()}\0{data_version.release()}"
    return "document:" + hashlib.sha256(parts.encode()).hexdigest()


def document_is_current(name: str) -> bool:
    """Whether the document ``name`` (as ``current_document`` names it) was built since the
    records last changed: printing it now serves the stored bytes, else it is built anew."""
    return data_version.lookup(_document_key(name))[1] is not None


def current_document(name: str, build: Callable[[], PDFDocument]) -> PDFDocument:
    """``build()``, or, while no record has changed since it last ran, the document it built
    then: its names and ETag from the cache and its bytes from this server's spool (else
    from the shared cache), instead of the queries, templates and merges that tell whether
    the bytes are still right. ``name`` says which document for whom, e.g.
    ``packet:12:True``. The first request after a change pays ``build()``, which renders
    only what the change touched (the bytes are cached by content)."""
    key = _document_key(name)
    version, entry = data_version.lookup(key)
    if entry is not None:
        filename, ascii_filename, etag = entry
        spooled = spool.open_existing(etag)
        if spooled is not None:
            return PDFDocument(None, filename, ascii_filename, etag, spooled)
        content = cache.get(f"pdf:{etag}")
        if content is not None:
            return PDFDocument(content, filename, ascii_filename, etag)
    document = build()
    entry = (document.filename, document.ascii_filename, document.etag)
    data_version.store(key, version, entry, 60 * 60 * 24)  # the date is in the key
    return document


def render_document(template_name: str, context: dict, *, filename: str, ascii_filename: str) -> PDFDocument:
    """Render a template to PDF, or serve the cached bytes of identical HTML."""
    html = render_html(template_name, context)
    key = fingerprint(html)
    return PDFDocument(cached_pdf(key, lambda: engine.render(html)), filename, ascii_filename, key)
