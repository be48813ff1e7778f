"""代理出席 reads the same in the five places that print a row: the office in the title column
(富山市長) and who is in the room in the name column, marked as proxy (副市長 山田 太郎（代理）);
the name column is never empty, and WEB出席 keeps its mark. Each place is read back as a person
or a spreadsheet meets it: the PDFs' words with their positions (poppler), the pages' HTML, the
export's cells."""

import csv
import io
import re

import pytest
from django.urls import reverse

from meetings import documents
from meetings.models import Attendance, AttendanceStatus, Meeting
from meetings.resources import AttendanceResource
from meetings.selectors import meeting_detail, seating_chart
from onechoice.importing import ExportCSV, export_file, import_file
from onechoice.services import record_save
from tests.pdf_reading import words

pytestmark = pytest.mark.django_db

OFFICE, PRESENT = "富山市長", "副市長 山田 太郎（代理）"
MM = 72 / 25.4  # points per millimetre


@pytest.fixture
def meeting(toyama):
    """令和3年度第4回 with the mayor of Toyama represented by his deputy and the mayor of Imizu
    on the web."""
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    mayor = Attendance.objects.get(meeting=meeting, title="富山市長")
    mayor.status, mayor.proxy_title, mayor.proxy_name = AttendanceStatus.PROXY, "副市長", "山田 太郎"
    record_save(mayor)
    imizu = Attendance.objects.get(meeting=meeting, title="射水市長")
    imizu.status = AttendanceStatus.ONLINE
    record_save(imizu)
    return meeting_detail(meeting.pk)


def _lines(page_words):
    """Words grouped by line (a word joins the line its vertical centre falls in), top to
    bottom, each line left to right."""
    lines: list[list] = []
    for word in sorted(page_words, key=lambda w: (w.y0 + w.y1) / 2):
        centre = (word.y0 + word.y1) / 2
        if lines and lines[-1][0].y0 <= centre <= lines[-1][0].y1:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(ws, key=lambda w: w.x0) for ws in lines]


def test_the_row_gives_the_office_and_who_is_there(meeting):
    rows = {a.title: a for a in meeting.attendances.all()}
    assert (rows["富山市長"].office, rows["富山市長"].present_name) == (OFFICE, PRESENT)
    assert (rows["射水市長"].office, rows["射水市長"].present_name) == ("射水市長", "夏野 元志")
    assert all(a.present_name.strip() for a in rows.values())


def test_attendee_pdf_prints_office_and_deputy_in_one_column_geometry(meeting):
    laid_out = words(documents.attendees_pdf(meeting).content)
    assert {w.page for w in laid_out} == {1}
    lines = _lines([w for w in laid_out if w.y1 < w.page_height - 16 * MM])  # not the page's footer
    first = next(i for i, ws in enumerate(lines) if ws[0].text == "1.")
    second = next(i for i, ws in enumerate(lines) if ws[0].text == "2.")
    end = next((i for i, ws in enumerate(lines) if ws[0].text.startswith("欠席")), len(lines))
    groups = {"市町村等": lines[first + 1 : second], "県": lines[second + 1 : end]}
    assert [len(rows) for rows in groups.values()] == [17, 17]

    title_x = {round(ws[0].x0, 1) for rows in groups.values() for ws in rows}
    assert len(title_x) == 1, f"the title column moves: {title_x}"
    columns = {}
    for group, rows in groups.items():
        for ws in rows:
            title, name = ws[0], ws[1:]
            assert name, f"{group}: {title.text} has an empty name column"
            assert name[0].x0 > title.x1 + 20, f"{group}: {title.text}: title and name run together"
            columns.setdefault(group, set()).add(round(name[0].x0, 1))
    assert all(len(xs) == 1 for xs in columns.values()), columns
    assert columns["市町村等"] == columns["県"], f"the name column sits at different x: {columns}"

    by_title = {ws[0].text: " ".join(w.text for w in ws[1:]) for rows in groups.values() for ws in rows}
    assert by_title[OFFICE] == PRESENT
    assert by_title["射水市長"] == "夏野 元志（WEB出席）"
    assert by_title["知事"] == "新田 八朗"
    assert not any("代理：" in w.text for w in laid_out)


def test_meeting_page_prints_office_and_deputy(client, meeting):
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).text
    assert f"<tr><td>{OFFICE}</td><td>{PRESENT}</td></tr>" in html
    assert "<tr><td>射水市長</td><td>夏野 元志（WEB出席）</td></tr>" in html
    assert "代理：" not in html


def test_municipality_page_prints_office_and_deputy_once(client, meeting):
    entry = rf"<li><a href=\"/meetings/{meeting.pk}/\">[^<]*</a>([^<]*)</li>"
    toyama = client.get("/projects/municipalities/162019/").text
    assert re.findall(entry, toyama) == [f"：{OFFICE} {PRESENT}"]
    assert "代理：" not in toyama and "代理出席" not in toyama
    imizu = client.get("/projects/municipalities/162116/").text
    assert re.findall(entry, imizu) == ["：射水市長 夏野 元志（WEB出席）"]


def test_export_cells_hold_the_printed_wording_and_the_record(meeting):
    text = export_file(AttendanceResource(), file_format=ExportCSV).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    mayor = next(r for r in rows if (r["年度"], r["回"], r["席次"]) == ("2021", "4", "1"))
    assert (mayor["名簿の役職"], mayor["名簿の氏名"]) == (OFFICE, PRESENT)
    # The record itself is exported as stored, so the file imports back unchanged.
    assert (mayor["役職"], mayor["氏名"], mayor["出欠"], mayor["代理者の役職"], mayor["代理者の氏名"]) == (
        "富山市長",
        "藤井 裕久",
        "代理出席",
        "副市長",
        "山田 太郎",
    )
    assert all(r["名簿の氏名"] for r in rows)


def test_seating_card_prints_office_and_deputy_inside_the_card(meeting):
    seats = {s.attendance.title: s for s in seating_chart(meeting).seats}
    assert (seats[OFFICE].title, seats[OFFICE].name) == (OFFICE, PRESENT)
    laid_out = words(documents.seating_pdf(meeting).content)

    def card_text(seat):
        # The card on the page: margin 14 mm, the chart as wide as the page's content, below
        # the heading's 15.5 mm. A word is the card's if its centre is on the card.
        left, top = (14 + seat.x) * MM, (14 + 15.5 + seat.y) * MM
        right, bottom = left + seat.width * MM, top + seat.height * MM
        on_card = [w for w in laid_out if left < (w.x0 + w.x1) / 2 < right and top < (w.y0 + w.y1) / 2 < bottom]
        for word in on_card:  # and all of it on the card, not cut at its edge
            assert left <= word.x0 < word.x1 <= right + 0.5 and top - 0.5 <= word.y0 < word.y1 <= bottom + 0.5, word
        return [" ".join(w.text for w in line) for line in _lines(on_card)], on_card

    lines, on_card = card_text(seats[OFFICE])
    assert lines == [f"{OFFICE} {PRESENT}"]
    name_pt = [w.y1 - w.y0 for w in on_card if w.text != OFFICE]
    assert min(name_pt) >= 8.0, f"the deputy's name is printed too small to read: {name_pt}"
    assert card_text(seats["射水市長"])[0] == ["射水市長 （WEB） 夏野 元志"]  # the mark printed small: a word apart
    assert card_text(seats["知事"])[0] == ["知事", "新田 八朗"]  # a two-line card at the head table


def test_the_printed_columns_are_not_read_back_on_import(meeting):
    text = export_file(AttendanceResource(), file_format=ExportCSV).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    at = rows[0].index("名簿の氏名")
    for row in rows[1:]:
        row[at] = "書き換えた氏名"
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    result = import_file(AttendanceResource(), out.getvalue().encode("utf-8-sig"), filename="a.csv")
    assert result.error_list() == [] and result.totals["skip"] == len(rows) - 1
    mayor = Attendance.objects.get(meeting=meeting, title=OFFICE)
    assert (mayor.name, mayor.present_name) == ("藤井 裕久", PRESENT)
