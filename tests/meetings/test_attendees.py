"""The attendee list, one rule for the page and the PDF: protocol order as numbers (席次 2
before 10), WEB and proxy attendees counted with those present, absentees named apart."""

import pytest

from meetings import documents, selectors
from meetings.selectors import meeting_detail
from tests import factories
from tests.pdf_reading import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting():
    meeting = factories.meeting(is_published=True)
    org = factories.municipality()
    # Saved out of order, across the digit boundary: str() order would give 1, 10, 11, 2.
    for order, title, status in [
        (10, "南砺市長", "present"),
        (2, "高岡市長", "present"),
        (11, "舟橋村長", "online"),
        (1, "富山市長", "absent"),
        (3, "射水市長", "proxy"),
    ]:
        extra = {"proxy_title": "副市長", "proxy_name": "代理 太郎"} if status == "proxy" else {}
        factories.attendance(
            meeting, org, protocol_order=order, title=title, name=f"{title}の氏名", status=status, **extra
        )
    factories.attendance(meeting, org, protocol_order=20, group="prefecture", title="知事", name="新田 八朗")
    return meeting_detail(meeting.pk)


def test_protocol_order_is_numeric_across_the_digit_boundary(meeting):
    listed = selectors.attendee_list(meeting.attendances.all())
    assert [a.protocol_order for a in listed.groups[0].attendees] == [2, 3, 10, 11]
    pdf = text(documents.attendees_pdf(meeting).content)
    positions = [pdf.index(title) for title in ("高岡市長", "射水市長", "南砺市長", "舟橋村長")]
    assert positions == sorted(positions)


def test_web_and_proxy_attendees_count_absentees_are_named_apart(meeting):
    listed = selectors.attendee_list(meeting.attendances.all())
    assert [block.heading for block in listed.groups] == ["市町村等（4名）", "県（1名）"]
    assert [a.title for a in listed.absentees] == ["富山市長"]
    pdf = text(documents.attendees_pdf(meeting).content)
    assert "市町村等（4名）" in pdf and "県（1名）" in pdf
    assert "舟橋村長" in pdf  # the WEB attendee is on the list
    assert "欠席：富山市長" in pdf


def test_the_meeting_page_counts_as_the_pdf_does(client, meeting):
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "市町村等（4名）" in page
    assert "市町村等（5名）" not in page


def test_the_meeting_page_names_absentees_apart(client, meeting):
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "欠席：富山市長" in page
    assert "富山市長の氏名" not in page  # not listed among those who attend
