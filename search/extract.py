"""The text of an uploaded handout PDF, page by page, with pypdf — bounded: at most
SEARCH_PDF_MAX_PAGES pages, SEARCH_PDF_MAX_SECONDS in all and SEARCH_PDF_MAX_PAGE_CHARS per
page. A file that cannot be read gives no pages (and a log line), never an error: the handout
itself was checked when it was uploaded."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from pypdf import PdfReader

from .text import normalise

logger = logging.getLogger(__name__)


def _setting(name: str, default):
    return getattr(settings, name, default)


def pdf_pages(file) -> list[tuple[int, str]]:
    """(page number from 1, normalised text) of each page that has text."""
    max_pages = _setting("SEARCH_PDF_MAX_PAGES", 300)
    max_seconds = _setting("SEARCH_PDF_MAX_SECONDS", 20)
    max_chars = _setting("SEARCH_PDF_MAX_PAGE_CHARS", 20_000)
    pages: list[tuple[int, str]] = []
    started = time.monotonic()
    try:
        file.open("rb")
        try:
            reader = PdfReader(file)
            for number, page in enumerate(reader.pages, start=1):
                if number > max_pages or time.monotonic() - started > max_seconds:
                    logger.warning("handout text extraction stopped at page %d of %s", number, file.name)
                    break
                text = normalise(page.extract_text() or "")[:max_chars].strip()
                if text:
                    pages.append((number, text))
        finally:
            file.close()
    except Exception:  # an unreadable file is not a reason to refuse the handout's save
        logger.exception("handout text extraction failed for %s", getattr(file, "name", "?"))
    return pages
