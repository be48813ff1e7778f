"""The index follows every save and delete of the records it holds text of (the admin, the
services, the loaders and cascades all send these). Bulk writes that send no signals — the
spreadsheet importer's batched inserts — are caught up by ``manage.py reindex_search``."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from meetings.models import AgendaItem, Handout, Meeting
from projects.models import Highlight, Measure, MeasureResult, Project, ProjectYear
from workgroups.models import WorkingGroup, WorkingGroupSession

from . import services


def _on_change(*models):
    def connect(handler):
        for model in models:
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
