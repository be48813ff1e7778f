"""Japanese text without a word dictionary: NFKC normalisation (ｶﾞｲﾄﾞ = ガイド, ＡＢＣ = ABC,
１２ = 12, the ideographic space a space), the query's words and the highlighted snippet."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_CHARS = 100
MAX_TERMS = 5
NGRAM = 3  # FTS5's trigram tokenizer and pg_trgm index runs of 3 characters
SNIPPET_BEFORE = 30
SNIPPET_CHARS = 120


def normalise(text: str) -> str:
    """NFKC, with runs of spaces and line breaks kept as they are (the snippet shows them as
    written); used for what is stored and for what is asked."""
    return unicodedata.normalize("NFKC", text or "")


def terms(query: str) -> list[str]:
    """The words of a query (split on spaces of any width), each once, at most MAX_TERMS;
    control characters (NUL, which PostgreSQL refuses in a string, and the like) are spaces."""
    words: list[str] = []
    query = "".join(" " if unicodedata.category(c) == "Cc" else c for c in normalise(query))
    for word in query.split():
        if word.casefold() not in (w.casefold() for w in words):
            words.append(word)
    return words[:MAX_TERMS]


def _pattern(words: list[str]) -> re.Pattern:
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)), re.IGNORECASE)


def snippet(text: str, words: list[str]) -> SafeString:
    """About SNIPPET_CHARS characters of ``text`` around the first match, HTML-escaped, each
    match of any word inside ``<mark>``; the start of the text when nothing matches."""
    text = " ".join(text.split())
    if not words:
        return mark_safe(escape(text[:SNIPPET_CHARS]))
    pattern = _pattern(words)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_BEFORE) if first else 0
    window = text[start : start + SNIPPET_CHARS]
    parts = ["…" if start else ""]
    position = 0
    for match in pattern.finditer(window):
        parts.append(escape(window[position : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        position = match.end()
    parts.append(escape(window[position:]))
    if start + SNIPPET_CHARS < len(text):
        parts.append("…")
    return mark_safe("".join(parts))
