"""Reading the search index: matches of every word (AND), visible to the requester, grouped
by kind. A search costs the same few queries however many rows match."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber

from meetings.models import Handout, Meeting
from projects.models import ProjectYear
from workgroups.models import WorkingGroupSession

from .models import Kind, SearchEntry
from .text import NGRAM, snippet, terms

PER_GROUP = 5  # hits shown per kind on the first, mixed page
PER_PAGE = 20  # hits per page of one kind

FTS_TABLE = "search_searchentry_fts"


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def entries_matching(words: list[str]) -> QuerySet[SearchEntry]:
    """Entries holding every word. Words of NGRAM characters or more go to the engine (FTS5
    MATCH on SQLite; on PostgreSQL icontains, served by the pg_trgm index); shorter ones, which a
    trigram index cannot hold, are matched with LIKE on the normalised text."""
    entries = SearchEntry.objects.all()
    long_words = [w for w in words if len(w) >= NGRAM]
    short_words = [w for w in words if len(w) < NGRAM]
    if connection.vendor == "sqlite" and long_words:
        match = " AND ".join(_fts_phrase(w) for w in long_words)
        entries = entries.extra(
            where=[f"search_searchentry.id IN (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s)"],
            params=[match],
        )
    else:
        short_words = words
    for word in short_words:
        entries = entries.filter(text__icontains=word)
    return entries


def visible(entries: QuerySet[SearchEntry], *, public: bool) -> QuerySet[SearchEntry]:
    """The public sees entries of published records only, by the records' own rules
    (``visible(public=True)``): items of published items, published meetings, sessions of
    published items, public handouts of published meetings."""
    if not public:
        return entries
    return entries.filter(
        Q(kind=Kind.ITEM, object_id__in=ProjectYear.objects.visible(public=True).values("pk"))
        | Q(kind=Kind.MEETING, object_id__in=Meeting.objects.visible(public=True).values("pk"))
        | Q(kind=Kind.SESSION, object_id__in=WorkingGroupSession.objects.visible(public=True).values("pk"))
        | Q(kind=Kind.HANDOUT, object_id__in=Handout.objects.visible(public=True).values("pk"))
    )


@dataclass
class Hit:
    entry: SearchEntry
    snippet: str


@dataclass
class Group:
    kind: str
    label: str
    count: int
    hits: list[Hit] = field(default_factory=list)


@dataclass
class Results:
    words: list[str]
    groups: list[Group]
    total: int
    fiscal_years: list[int]
    page: int = 1
    pages: int = 1


ORDER = ("-fiscal_year", "kind", "-date", "title", "object_id", "page")


def search(query: str, *, public: bool, fiscal_year: int | None = None, kind: str | None = None, page: int = 1):
    """Results of ``query``: with ``kind``, that kind's hits paginated PER_PAGE; without,
    the first PER_GROUP hits of every kind. Three queries: the years that hold hits (for
    the filter), the count per kind, the hits."""
    words = terms(query)
    matching = visible(entries_matching(words), public=public)
    fiscal_years = sorted(
        {y for y in matching.values_list("fiscal_year", flat=True).distinct() if y is not None}, reverse=True
    )
    if fiscal_year is not None:
        matching = matching.filter(fiscal_year=fiscal_year)
    counts = dict(matching.order_by().values_list("kind").annotate(n=Count("pk")))
    labels = dict(Kind.choices)
    kinds = [kind] if kind else [k for k in Kind.values if counts.get(k)]
    groups = {k: Group(kind=k, label=labels[k], count=counts.get(k, 0)) for k in kinds}
    pages = 1
    if kind:
        pages = max(1, -(-groups[kind].count // PER_PAGE))
        page = min(max(page, 1), pages)
        rows = list(matching.filter(kind=kind).order_by(*ORDER)[(page - 1) * PER_PAGE : page * PER_PAGE])
    elif counts:
        order = [F(o[1:]).desc(nulls_last=True) if o.startswith("-") else F(o).asc() for o in ORDER]
        ranked = matching.annotate(rank=Window(RowNumber(), partition_by=[F("kind")], order_by=order))
        rows = list(ranked.filter(rank__lte=PER_GROUP).order_by(*ORDER))
    else:
        rows = []
    for entry in rows:
        groups[entry.kind].hits.append(Hit(entry=entry, snippet=snippet(entry.text, words)))
    return Results(
        words=words,
        groups=[groups[k] for k in kinds],
        total=sum(counts.values()),
        fiscal_years=fiscal_years,
        page=page,
        pages=pages,
    )
