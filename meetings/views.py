from django.http import Http404
from django.shortcuts import render

from . import documents, selectors
from .models import Meeting
from .packet import packet_pdf as build_packet


def meeting_list(request):
    fiscal_year = request.GET.get("fiscal_year")
    fiscal_year = int(fiscal_year) if fiscal_year and fiscal_year.isdigit() else None
    return render(
        request,
        "meetings/meeting_list.html",
        {"meetings": selectors.meetings_for_list(fiscal_year=fiscal_year), "fiscal_year": fiscal_year},
    )


def _meeting_or_404(pk) -> Meeting:
    try:
        return selectors.meeting_detail(pk)
    except Meeting.DoesNotExist:
        raise Http404 from None


def meeting_detail(request, pk):
    meeting = _meeting_or_404(pk)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": selectors.agenda_outline(meeting.agenda_items.all()),
            "attendee_groups": selectors.attendee_groups(meeting.attendances.all()),
        },
    )


def schedule(request, fiscal_year):
    return render(
        request, "meetings/schedule.html",
        {"fiscal_year": fiscal_year, "years": selectors.annual_schedule(fiscal_year)},
    )


def agenda_pdf(request, pk):
    return documents.agenda_pdf(_meeting_or_404(pk)).response(request)


def attendees_pdf(request, pk):
    return documents.attendees_pdf(_meeting_or_404(pk)).response(request)


def seating_pdf(request, pk):
    return documents.seating_pdf(_meeting_or_404(pk)).response(request)


def packet_pdf(request, pk):
    return build_packet(_meeting_or_404(pk)).response(request)


def schedule_pdf(request, fiscal_year):
    return documents.schedule_pdf(fiscal_year).response(request)
