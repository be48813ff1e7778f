import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from meetings.models import AgendaItem, Attendance, Handout, Meeting
from meetings.selectors import agenda_outline, attendee_groups
from onechoice.services import record_save
from tests import factories

pytestmark = pytest.mark.django_db


def errors_of(instance) -> dict:
    with pytest.raises(ValidationError) as error:
        record_save(instance)
    return error.value.message_dict


def test_meeting_ending_before_it_starts_is_refused():
    meeting = Meeting(
        fiscal_year=2021,
        kind="regular",
        number=4,
        status="held",
        date=dt.date(2022, 1, 20),
        start_time=dt.time(16, 30),
        end_time=dt.time(15, 0),
    )
    assert errors_of(meeting) == {"end_time": ["終了時刻は開始時刻より後にしてください。"]}
    assert not Meeting.objects.exists()


def test_meeting_date_must_fall_in_its_fiscal_year():
    meeting = Meeting(fiscal_year=2022, kind="regular", number=4, status="held", date=dt.date(2022, 1, 20))
    assert errors_of(meeting)["fiscal_year"] == ["開催日は令和4年度に含まれません（令和3年度の日付です）。"]


def test_regular_meeting_needs_a_number_and_held_meeting_a_date():
    errors = errors_of(Meeting(fiscal_year=2021, kind="regular", status="held"))
    assert errors["number"] == ["本部会議には回数（第N回）を入力してください。"]
    assert errors["date"] == ["開催済みの会議には開催日を入力してください。"]


def test_planned_meeting_needs_a_date_or_a_planned_month():
    errors = errors_of(Meeting(fiscal_year=2022, kind="regular", number=1, status="planned"))
    assert "予定年と予定月" in errors["planned_month"][0]
    errors = errors_of(Meeting(fiscal_year=2022, kind="regular", number=1, status="planned", planned_year=2022))
    assert errors["planned_month"] == ["予定時期は年と月の両方を入力してください。"]


def test_planned_meeting_with_a_fuzzy_date():
    meeting = record_save(
        Meeting(
            fiscal_year=2022,
            kind="regular",
            number=1,
            status="planned",
            planned_year=2022,
            planned_month=5,
            planned_period="middle",
        )
    )
    assert meeting.when_label == "令和4年5月中旬"
    assert str(meeting) == "令和4年度 第1回本部会議"


def test_planned_month_outside_the_fiscal_year_is_refused():
    errors = errors_of(
        Meeting(fiscal_year=2022, kind="regular", number=4, status="planned", planned_year=2022, planned_month=1)
    )
    assert "令和4年度に含まれません" in errors["fiscal_year"][0]


def test_the_same_meeting_number_twice_in_a_year_is_refused():
    factories.meeting(number=4)
    errors = errors_of(Meeting(fiscal_year=2021, kind="regular", number=4, status="held", date=dt.date(2022, 1, 21)))
    assert errors["__all__"] == ["令和3年度の第4回本部会議は既に登録されています。"]


def test_extraordinary_meetings_need_no_number_and_may_repeat():
    for day in (dt.date(2021, 5, 14), dt.date(2021, 12, 8)):
        record_save(
            Meeting(fiscal_year=2021, kind="extraordinary", title="臨時会議", status="held", date=day, mode="online")
        )
    assert Meeting.objects.filter(kind="extraordinary").count() == 2


def test_a_handout_number_used_twice_in_one_meeting_is_refused():
    meeting = factories.meeting()
    record_save(Handout(meeting=meeting, kind="material", number=1, title="資料その1"))
    errors = errors_of(Handout(meeting=meeting, kind="material", number=1, title="別の資料"))
    assert errors["__all__"] == ["この会議では「資料1」は既に使われています。別の番号にしてください。"]
    # 参考資料1 is a different number series, and another meeting has its own 資料1.
    record_save(Handout(meeting=meeting, kind="reference", number=1, title="参考"))
    record_save(Handout(meeting=factories.meeting(), kind="material", number=1, title="次の会議の資料1"))
    assert Handout.objects.count() == 3


def test_a_handout_file_must_be_a_pdf():
    from django.core.files.uploadedfile import SimpleUploadedFile

    handout = Handout(
        meeting=factories.meeting(),
        kind="material",
        number=1,
        title="資料",
        file=SimpleUploadedFile("memo.docx", b"PK"),
    )
    assert errors_of(handout)["file"][0] == "PDFファイル（.pdf）を選んでください。"


def test_a_proxy_without_the_proxys_name_is_refused():
    meeting, org = factories.meeting(), factories.municipality()
    attendance = Attendance(
        meeting=meeting,
        organization=org,
        group="municipal",
        title="富山市長",
        name="藤井 裕久",
        protocol_order=1,
        status="proxy",
        proxy_title="副市長",
    )
    assert errors_of(attendance) == {"proxy_name": ["代理出席の場合は代理者の氏名を入力してください。"]}
    assert not Attendance.objects.exists()


def test_proxy_wording_and_a_proxy_name_without_proxy_status():
    meeting, org = factories.meeting(), factories.municipality()
    attendance = record_save(
        Attendance(
            meeting=meeting,
            organization=org,
            group="municipal",
            title="富山市長",
            name="藤井 裕久",
            protocol_order=1,
            status="proxy",
            proxy_title="副市長",
            proxy_name="髙﨑 太郎",
        )
    )
    assert (attendance.office, attendance.present_name) == ("富山市長", "副市長 髙﨑 太郎（代理）")
    stray = Attendance(
        meeting=meeting,
        organization=org,
        group="municipal",
        title="高岡市長",
        name="角田 悠紀",
        protocol_order=2,
        proxy_name="誰か",
    )
    assert "status" in errors_of(stray)


def test_a_protocol_order_is_used_once_per_meeting():
    meeting, org = factories.meeting(), factories.municipality()
    factories.attendance(meeting, org, protocol_order=1)
    errors = errors_of(
        Attendance(meeting=meeting, organization=org, group="municipal", title="x", name="y", protocol_order=1)
    )
    assert errors["__all__"] == ["この会議では席次 1 は既に使われています。"]


def test_agenda_outline_numbers_sections_and_deliberation_items():
    meeting = factories.meeting()
    lines = [
        ("opening", "開会"),
        ("greeting", "知事あいさつ"),
        ("deliberation", "議題A"),
        ("deliberation", "議題B"),
        ("deliberation", "その他"),
        ("closing", "閉会"),
    ]
    for order, (section, title) in enumerate(lines, start=1):
        record_save(AgendaItem(meeting=meeting, order=order, section=section, title=title))
    outline = agenda_outline(list(meeting.agenda_items.all()))
    assert [(s.number, s.title, [i.title for i in s.items]) for s in outline] == [
        (1, "開会", []),
        (2, "知事あいさつ", []),
        (3, "議事", ["議題A", "議題B", "その他"]),
        (4, "閉会", []),
    ]


def test_attendee_groups_count_their_members_in_protocol_order():
    meeting, org = factories.meeting(), factories.municipality()
    factories.attendance(meeting, org, group="prefecture", protocol_order=3, title="知事")
    factories.attendance(meeting, org, group="municipal", protocol_order=2, title="高岡市長")
    factories.attendance(meeting, org, group="municipal", protocol_order=1, title="富山市長")
    blocks = attendee_groups(list(meeting.attendances.all()))
    assert [b.heading for b in blocks] == ["市町村等（2名）", "県（1名）"]
    assert [a.title for a in blocks[0].attendees] == ["富山市長", "高岡市長"]


def test_upcoming_meetings_in_time_order_with_fuzzy_dates_between_fixed_ones(db):
    from meetings.selectors import meetings_upcoming

    def planned(**fields):
        defaults = {"status": "planned", "date": None, "start_time": None, "end_time": None, "is_published": True}
        return factories.meeting(fiscal_year=2022, **(defaults | fields))

    factories.meeting(fiscal_year=2022, date=dt.date(2022, 4, 30), is_published=True)  # past
    late_may = planned(planned_year=2022, planned_month=5, planned_period="late")
    may_10 = planned(date=dt.date(2022, 5, 10), start_time=dt.time(10), end_time=dt.time(11))
    mid_may = planned(planned_year=2022, planned_month=5, planned_period="middle")
    june = planned(planned_year=2022, planned_month=6)
    unpublished = planned(date=dt.date(2022, 5, 2), start_time=dt.time(10), end_time=dt.time(11), is_published=False)
    may_1 = planned(planned_year=2022, planned_month=5)  # 「5月予定」: the start of the month

    today = dt.date(2022, 5, 1)
    assert meetings_upcoming(today=today, public=True) == [may_1, may_10, mid_may]
    assert meetings_upcoming(today=today, public=False) == [may_1, unpublished, may_10]
    assert meetings_upcoming(today=today, public=True, limit=5) == [may_1, may_10, mid_may, late_may, june]
    assert meetings_upcoming(today=dt.date(2022, 6, 1), public=True) == [june]
