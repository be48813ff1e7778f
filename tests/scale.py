"""Make the real records N times larger for query-count tests: copies of every item (with its
years, measures, results, highlights, indicators, WGs and sessions) and of the 4th meeting
(with its agenda, handouts and 34 attendees) in later fiscal years."""

import datetime as dt

from meetings.models import AgendaItem, Attendance, Handout, Meeting
from projects.models import (
    Highlight, Indicator, IndicatorValue, Measure, MeasureResult, Photo, Project, ProjectYear,
)
from workgroups.models import WorkingGroupSession, WorkingGroup


def _copy(obj, **changes):
    obj.pk = None
    obj.id = None
    for name, value in changes.items():
        setattr(obj, name, value)
    return obj


def multiply(factor: int) -> None:
    projects = list(Project.objects.prefetch_related("proposers", "targets", "departments", "divisions"))
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    for n in range(1, factor):
        for original in projects:
            copy = _copy(Project.objects.get(pk=original.pk), title=f"{original.title}（複製{n}）")
            copy.save()
            copy.proposers.set(original.proposers.all())
            copy.targets.set(original.targets.all())
            copy.departments.set(original.departments.all())
            copy.divisions.set(original.divisions.all())
            measures = {}
            for measure in Measure.objects.filter(project=original):
                old = measure.pk
                measures[old] = _copy(measure, project=copy)
                measures[old].save()
            for year in ProjectYear.objects.filter(project=original):
                old_year = year.pk
                year = _copy(year, project=copy)
                year.save()
                MeasureResult.objects.bulk_create(
                    _copy(r, project_year=year, measure=measures[r.measure_id])
                    for r in MeasureResult.objects.filter(project_year_id=old_year)
                )
                for highlight in Highlight.objects.filter(project_year_id=old_year):
                    old_h = highlight.pk
                    highlight = _copy(highlight, project_year=year)
                    highlight.save()
                    Photo.objects.bulk_create(_copy(p, highlight=highlight) for p in Photo.objects.filter(highlight_id=old_h))
            for indicator in Indicator.objects.filter(project=original):
                old_i = indicator.pk
                indicator = _copy(indicator, project=copy, measure=measures.get(indicator.measure_id))
                indicator.save()
                IndicatorValue.objects.bulk_create(_copy(v, indicator=indicator) for v in IndicatorValue.objects.filter(indicator_id=old_i))
            for wg in WorkingGroup.objects.filter(project=original).prefetch_related("departments"):
                old_wg, departments = wg.pk, list(wg.departments.all())
                wg = _copy(wg, project=copy)
                wg.save()
                wg.departments.set(departments)
                WorkingGroupSession.objects.bulk_create(_copy(s, working_group=wg) for s in WorkingGroupSession.objects.filter(working_group_id=old_wg))
        year = 2030 + n
        new_meeting = _copy(Meeting.objects.get(pk=meeting.pk), fiscal_year=year, date=dt.date(year, 6, 1))
        new_meeting.save()
        AgendaItem.objects.bulk_create(_copy(a, meeting=new_meeting, project=None) for a in AgendaItem.objects.filter(meeting=meeting))
        Handout.objects.bulk_create(_copy(h, meeting=new_meeting) for h in Handout.objects.filter(meeting=meeting))
        Attendance.objects.bulk_create(_copy(a, meeting=new_meeting) for a in Attendance.objects.filter(meeting=meeting))
