"""Writes of working groups and their sessions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onechoice.models import Department, Organization
from onechoice.services import current_m2m, record_save, rule, saves, writes

from .models import WorkingGroup, WorkingGroupSession

writes(WorkingGroup, WorkingGroupSession)


@rule(WorkingGroup)
def _has_department(group: WorkingGroup, m2m: Mapping[str, Sequence]) -> None:
    """A WG is run by at least one department (``full_clean`` does not see many-to-many)."""
    if not current_m2m(group, "departments", m2m):
        raise ValidationError({"departments": _("担当部局を1つ以上選んでください。")})


@saves(WorkingGroup, keyword="working_group")
@transaction.atomic
def working_group_save(
    *,
    working_group: WorkingGroup,
    departments: Iterable[Department] | None = None,
    members: Iterable[Organization] | None = None,
) -> WorkingGroup:
    """Create or change a WG; relations given replace the stored ones."""
    m2m = {name: values for name, values in (("departments", departments), ("members", members)) if values is not None}
    return record_save(working_group, m2m=m2m)


def session_record(*, session: WorkingGroupSession) -> WorkingGroupSession:
    """Record a session held or planned: a held session has a date; a planned one a date or
    a planned month, never both (``ScheduledEvent.schedule_errors``)."""
    return record_save(session)
