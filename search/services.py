"""Writes of the search index (``SearchEntry``): each indexed place rebuilt from its records.

Called by the model signals (``search.signals``) in the transaction of the change itself, and
by ``manage.py reindex_search`` for everything. The index is derived data: it holds no change
history and does not replace the data version on its own (the change it follows does)."""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from meetings.models import GeneratedDocument, Handout, Meeting
from onechoice import data_version, jpdates
from onechoice.services import writes
from projects.models import ProjectYear
from workgroups.models import WorkingGroupSession

from .extract import pdf_pages
from .models import Kind, SearchEntry
from .text import normalise

writes(SearchEntry)


def _join(*parts) -> str:
    return normalise("\n".join(str(p) for p in parts if p))


def _put(kind: str, object_id: int, *, page: int = 0, **values) -> None:
    SearchEntry.objects.update_or_create(kind=kind, object_id=object_id, page=page, defaults=values)


def _remove(kind: str, object_id: int) -> None:
    SearchEntry.objects.filter(kind=kind, object_id=object_id).delete()


def project_year_index(*, project_year_id: int) -> None:
    """An item's year: the item's title, every text of the year, the item's measures with the
    year's results, and the year's highlights."""
    year = (
        ProjectYear.objects.select_related("project")
        .prefetch_related("measure_results", "highlights", "project__measures")
        .filter(pk=project_year_id)
        .first()
    )
    if year is None:
        _remove(Kind.ITEM, project_year_id)
        return
    project = year.project
    measures = [_join(m.heading, m.label, m.title) for m in project.measures.all()]
    results = [_join(r.results, r.next_steps) for r in year.measure_results.all()]
    highlights = [_join(h.title, h.overview, h.points) for h in year.highlights.all()]
    text = _join(
        project.title,
        year.selection_reason,
        year.goal,
        year.current_situation,
        year.issues,
        year.concrete_measures,
        year.expected_effects,
        *measures,
        *results,
        *highlights,
    )
    _put(
        Kind.ITEM,
        year.pk,
        fiscal_year=year.fiscal_year,
        title=project.title,
        context=f"{jpdates.fiscal_year_label(year.fiscal_year)} {year.get_status_display()}",
        url=year.get_absolute_url(),
        text=text,
    )


def project_index(*, project_id: int) -> None:
    for pk in ProjectYear.objects.filter(project_id=project_id).values_list("pk", flat=True):
        project_year_index(project_year_id=pk)


def meeting_index(*, meeting_id: int) -> None:
    """A meeting: title, venue, planned topics, agenda items and the titles of the handouts the
    public may download; the labels of its handouts' entries follow the meeting's name."""
    meeting = Meeting.objects.prefetch_related("agenda_items", "handouts").filter(pk=meeting_id).first()
    if meeting is None:
        _remove(Kind.MEETING, meeting_id)
        return
    handouts = list(meeting.handouts.all())
    text = _join(
        str(meeting),
        meeting.venue,
        meeting.planned_topics,
        *(_join(a.title, a.presenter) for a in meeting.agenda_items.all()),
        *(str(h) for h in handouts if h.public),
        *_items_discussed(meeting, handouts),
    )
    when = jpdates.format_date(meeting.date) if meeting.date else str(meeting.planned_date or "")
    _put(
        Kind.MEETING,
        meeting.pk,
        fiscal_year=meeting.fiscal_year,
        date=meeting.sort_date,
        title=str(meeting),
        context=" ".join(p for p in (when, meeting.venue) if p),
        url=meeting.get_absolute_url(),
        text=text,
    )
    SearchEntry.objects.filter(kind=Kind.HANDOUT, object_id__in=[h.pk for h in handouts]).update(
        fiscal_year=meeting.fiscal_year, date=meeting.sort_date, context=str(meeting)
    )


# The items a meeting's generated handouts print: its year's items (取り組み状況) and the next
# year's (協議事項). Published items only: the meeting's entry is what the public searches.
COVERED_YEARS = {GeneratedDocument.PROGRESS_REPORT: 0, GeneratedDocument.NEXT_YEAR_ITEMS: 1}


def _items_discussed(meeting: Meeting, handouts: list[Handout]) -> list[str]:
    years = {meeting.fiscal_year + COVERED_YEARS[h.document] for h in handouts if h.document in COVERED_YEARS}
    on_agenda = [a.project_id for a in meeting.agenda_items.all() if a.project_id]
    if not years and not on_agenda:
        return []
    titles = (
        ProjectYear.objects.visible(public=True)
        .filter(Q(fiscal_year__in=years) | Q(project_id__in=on_agenda))
        .values_list("project__title", flat=True)
        .distinct()
    )
    return sorted(titles)


# Items whose meetings are indexed again after the commit, per thread (each request's
# transaction is its thread's).
_pending = threading.local()


def meetings_discussing(*, project_id: int) -> None:
    """Index again, once the change is committed, the meetings whose entry names the item
    (its title, publication or years changed). Deferred and merged: a load of hundreds of
    items in one transaction indexes each meeting once, not once per item."""
    if not hasattr(_pending, "items"):
        _pending.items = set()
    _pending.items.add(project_id)
    transaction.on_commit(_meetings_discussing_now)


def _meetings_discussing_now() -> None:
    project_ids = set(getattr(_pending, "items", ()))
    _pending.items = set()
    if not project_ids:
        return  # an earlier callback of the same commit did it
    years = set(ProjectYear.objects.filter(project_id__in=project_ids).values_list("fiscal_year", flat=True))
    covering = Q(agenda_items__project_id__in=project_ids)
    for document, offset in COVERED_YEARS.items():
        covering |= Q(handouts__document=document, fiscal_year__in=[y - offset for y in years])
    meeting_ids = list(Meeting.objects.filter(covering).values_list("pk", flat=True).distinct())
    if not meeting_ids:
        return
    with transaction.atomic():
        for pk in meeting_ids:
            meeting_index(meeting_id=pk)
        # Pages built between the change's commit and this one must not stay cached.
        data_version.changed()


def handout_index(*, handout_id: int, extract: bool = False) -> None:
    """A handout's title (page 0) and, for an uploaded PDF, the text of each page. The PDF is
    read again only when its file changed since the last extraction (or ``extract``)."""
    handout = Handout.objects.select_related("meeting").filter(pk=handout_id).first()
    if handout is None:
        _remove(Kind.HANDOUT, handout_id)
        return
    meeting = handout.meeting
    file_url = reverse("meetings:handout_file", args=[handout.pk])
    common = {
        "fiscal_year": meeting.fiscal_year,
        "date": meeting.sort_date,
        "title": str(handout),
        "context": str(meeting),
    }
    source = handout.file.name if handout.file else ""
    handout_entries = SearchEntry.objects.filter(kind=Kind.HANDOUT, object_id=handout.pk)
    stored = handout_entries.filter(page=0).values_list("source", flat=True).first()  # the file read last
    title_url = file_url if source else meeting.get_absolute_url()
    _put(Kind.HANDOUT, handout.pk, url=title_url, text=_join(handout), source=source, **common)
    pages = handout_entries.filter(page__gt=0)
    if not source:
        pages.delete()
    elif extract or stored != source:
        pages.delete()
        SearchEntry.objects.bulk_create(
            SearchEntry(
                kind=Kind.HANDOUT,
                object_id=handout.pk,
                page=number,
                url=f"{file_url}#page={number}",
                text=text,
                source=source,
                **common,
            )
            for number, text in pdf_pages(handout.file)
        )
    else:
        pages.update(**common)


def session_index(*, session_id: int) -> None:
    """A WG session: its name or kind, note and when, with its WG's scope and item."""
    session = WorkingGroupSession.objects.select_related("working_group__project").filter(pk=session_id).first()
    if session is None:
        _remove(Kind.SESSION, session_id)
        return
    group = session.working_group
    _put(
        Kind.SESSION,
        session.pk,
        fiscal_year=session.fiscal_year,
        date=session.sort_date,
        title=f"{session.display_name}（{group.project.title}）",
        context=session.when_label,
        url=group.get_absolute_url(),
        text=_join(
            *dict.fromkeys([session.display_name, session.get_kind_display()]),
            session.note,
            group.scope,
            group.project.title,
        ),
    )


def working_group_index(*, working_group_id: int) -> None:
    for pk in WorkingGroupSession.objects.filter(working_group_id=working_group_id).values_list("pk", flat=True):
        session_index(session_id=pk)


@transaction.atomic
def index_rebuild(*, extract: bool = True) -> dict[str, int]:
    """Everything again (``manage.py reindex_search``): entries of records that are gone are
    removed; handout PDFs are read again when ``extract`` (else only changed files)."""
    SearchEntry.objects.exclude(kind=Kind.HANDOUT).delete()
    SearchEntry.objects.filter(kind=Kind.HANDOUT).exclude(object_id__in=Handout.objects.values("pk")).delete()
    for pk in ProjectYear.objects.values_list("pk", flat=True):
        project_year_index(project_year_id=pk)
    for pk in Meeting.objects.values_list("pk", flat=True):
        meeting_index(meeting_id=pk)
    for pk in Handout.objects.values_list("pk", flat=True):
        handout_index(handout_id=pk, extract=extract)
    for pk in WorkingGroupSession.objects.values_list("pk", flat=True):
        session_index(session_id=pk)
    counts = {kind: SearchEntry.objects.filter(kind=kind).count() for kind in Kind.values}
    return counts
