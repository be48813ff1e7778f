"""The index follows every save and delete of the records it holds text of (the admin, the
services, the loaders and cascades all send these), and every batched write of the spreadsheet
importer (``records_saved_in_bulk``: those send no ``post_save``). ``manage.py reindex_search``
rebuilds it all, for writes outside the write path (a raw ``loaddata``, SQL by hand)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from meetings.models import AgendaItem, Handout, Meeting
from onechoice.services import records_saved_in_bulk
from projects.models import Highlight, Measure, MeasureResult, Project, ProjectYear
from workgroups.models import WorkingGroup, WorkingGroupSession

from . import services

#: The models whose text the index holds (kept by ``_on_change``).
INDEXED: set[type] = set()


def _on_change(*models):
    def connect(handler):
        for model in models:
            INDEXED.add(model)
            receiver(post_save, sender=model, dispatch_uid=f"search-{model.__name__}-save")(handler)
            receiver(post_delete, sender=model, dispatch_uid=f"search-{model.__name__}-delete")(handler)
        return handler

    return connect


def _raw(kwargs) -> bool:
    return kwargs.get("raw", False)  # loaddata: the related rows may not be there yet


@_on_change(Project)
def _project(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.project_index(project_id=instance.pk)
        services.meetings_discussing(project_id=instance.pk)


@_on_change(ProjectYear)
def _project_year(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.project_year_index(project_year_id=instance.pk)
        if kwargs.get("created", True):  # a new or deleted year: the meetings of its year name it or not
            services.meetings_discussing(project_id=instance.project_id)


@_on_change(Measure)
def _measure(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.project_index(project_id=instance.project_id)


@_on_change(MeasureResult, Highlight)
def _year_part(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.project_year_index(project_year_id=instance.project_year_id)


@_on_change(Meeting)
def _meeting(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.meeting_index(meeting_id=instance.pk)


@_on_change(AgendaItem)
def _agenda_item(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.meeting_index(meeting_id=instance.meeting_id)


@_on_change(Handout)
def _handout(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.handout_index(handout_id=instance.pk)
        services.meeting_index(meeting_id=instance.meeting_id)


@_on_change(WorkingGroup)
def _working_group(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.working_group_index(working_group_id=instance.pk)


@_on_change(WorkingGroupSession)
def _session(sender, instance, **kwargs):
    if not _raw(kwargs):
        services.session_index(session_id=instance.pk)


# -- the importer's batched writes: one call per imported model, every row it wrote -------------


@receiver(records_saved_in_bulk, sender=MeasureResult, dispatch_uid="search-MeasureResult-bulk")
def _results_in_bulk(sender, instances, **kwargs):
    for project_year_id in sorted({result.project_year_id for result in instances}):
        services.project_year_index(project_year_id=project_year_id)


@receiver(records_saved_in_bulk, sender=WorkingGroupSession, dispatch_uid="search-WorkingGroupSession-bulk")
def _sessions_in_bulk(sender, instances, **kwargs):
    for session in instances:
        services.session_index(session_id=session.pk)
