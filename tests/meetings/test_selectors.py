"""What each audience sees of meetings (``visible``) and the reads built on it."""

import datetime as dt

import pytest

from meetings import selectors
from meetings.models import AgendaItem, Attendance, Handout, Meeting
from meetings.services import agenda_item_save, handout_save, meeting_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings():
    published = factories.meeting(is_published=True)
    unpublished = factories.meeting(is_published=False)
    return published, unpublished


def test_the_public_sees_published_meetings_only(meetings):
    published, unpublished = meetings
    assert list(Meeting.objects.visible(public=True)) == [published]
    assert set(Meeting.objects.visible(public=False)) == {published, unpublished}
    assert list(selectors.meetings_visible(public=True)) == [published]


def test_a_public_handout_of_an_unpublished_meeting_stays_hidden(meetings):
    published, unpublished = meetings
    shown = handout_save(handout=Handout(meeting=published, number=1, title="公開資料", public=True))
    handout_save(handout=Handout(meeting=published, number=2, title="非公開資料", public=False))
    handout_save(handout=Handout(meeting=unpublished, number=1, title="未公開会議の資料", public=True))
    assert list(Handout.objects.visible(public=True)) == [shown]
    assert Handout.objects.visible(public=False).count() == 3


def test_agenda_items_and_attendees_follow_their_meeting(meetings):
    published, unpublished = meetings
    toyama = factories.municipality()
    for meeting in meetings:
        agenda_item_save(agenda_item=AgendaItem(meeting=meeting, order=1, section="opening", title="開会"))
        factories.attendance(meeting, toyama)
    assert [a.meeting for a in AgendaItem.objects.visible(public=True)] == [published]
    assert [a.meeting for a in Attendance.objects.visible(public=True)] == [published]
    assert Attendance.objects.visible(public=False).count() == 2


def test_upcoming_meetings_leave_out_unpublished_ones_for_the_public():
    factories.meeting(is_published=True, date=dt.date(2030, 5, 1), status="planned", number=1, fiscal_year=2030)
    factories.meeting(is_published=False, date=dt.date(2030, 6, 1), status="planned", number=2, fiscal_year=2030)
    today = dt.date(2030, 4, 1)
    assert len(selectors.meetings_upcoming(today=today, public=True)) == 1
    assert len(selectors.meetings_upcoming(today=today, public=False)) == 2


def test_the_public_cannot_download_a_public_handout_of_an_unpublished_meeting(client, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from tests.meetings.test_pdf import _pdf_bytes

    settings.MEDIA_ROOT = tmp_path
    hidden = factories.meeting(is_published=False)
    handout = handout_save(
        handout=Handout(
            meeting=hidden,
            number=1,
            title="公開予定の資料",
            public=True,
            file=SimpleUploadedFile("a.pdf", _pdf_bytes()),
        )
    )
    url = reverse("meetings:handout_file", args=[handout.pk])
    missing = reverse("meetings:handout_file", args=[handout.pk + 1000])
    assert client.get(url).status_code == client.get(missing).status_code == 404
    hidden.is_published = True
    meeting_save(meeting=hidden)
    assert client.get(url).status_code == 200
