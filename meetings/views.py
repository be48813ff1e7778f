from django.http import Http404
from django.shortcuts import render

from . import selectors
from .models import Meeting


def meeting_list(request):
    fiscal_year = request.GET.get("fiscal_year")
    fiscal_year = int(fiscal_year) if fiscal_year and fiscal_year.isdigit() else None
    return render(
        request,
        "meetings/meeting_list.html",
        {"meetings": selectors.meetings_for_list(fiscal_year=fiscal_year), "fiscal_year": fiscal_year},
    )


def meeting_detail(request, pk):
    try:
        meeting = selectors.meeting_detail(pk)
    except Meeting.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": selectors.agenda_outline(meeting.agenda_items.all()),
            "attendee_groups": selectors.attendee_groups(meeting.attendances.all()),
        },
    )
