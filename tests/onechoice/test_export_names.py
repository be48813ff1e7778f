"""Exports from the admin are named in Japanese by what they hold (出席者_2026-12-03.csv; with
the meeting first when the list is filtered to one), sent as RFC 5987 ``filename*`` with an
ASCII ``filename`` for older clients."""

import datetime as dt
import re
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting
from onechoice.importing.admin import attachment_disposition

EXPORT = reverse("admin:meetings_attendance_export")
CHANGELIST = reverse("admin:meetings_attendance_changelist")
CSV, CP932 = "1", "2"  # the export form's formats: xlsx, csv (UTF-8), csv (CP932)


def names(response) -> tuple[str, str]:
    """(the RFC 5987 name, the ASCII fallback) of a download."""
    header = response["Content-Disposition"]
    assert header.startswith("attachment; ")
    utf8 = re.search(r"filename\*=UTF-8''([^;]+)", header)
    ascii_name = re.search(r'filename="([^"]*)"', header)
    assert utf8 and ascii_name, header
    header.encode("ascii")  # the header itself is plain ASCII
    return unquote(utf8.group(1)), ascii_name.group(1)


@pytest.fixture
def today():
    return timezone.localdate().isoformat()


def test_export_of_the_whole_list_is_named_by_what_it_holds(secretariat_client, toyama, today):
    response = secretariat_client.post(EXPORT, {"resource": "0", "format": CSV})
    assert response.status_code == 200
    assert names(response) == (f"出席者_{today}.csv", f"Attendance-{today}.csv")


def test_export_of_one_meeting_names_the_meeting_first(secretariat_client, toyama, today):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    response = secretariat_client.post(f"{EXPORT}?meeting__id__exact={meeting.pk}", {"resource": "0", "format": CSV})
    assert names(response)[0] == f"令和3年度第4回本部会議_出席者_{today}.csv"
    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 1 + meeting.attendances.count() == 35  # the filter holds for the rows too


def test_cp932_export_says_so_in_both_names(secretariat_client, toyama, today):
    response = secretariat_client.post(EXPORT, {"resource": "0", "format": CP932})
    assert names(response) == (f"出席者_{today}_シフトJIS.csv", f"Attendance-{today}-cp932.csv")


def test_the_list_can_be_filtered_by_meeting_and_the_export_link_keeps_it(secretariat_client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    page = secretariat_client.get(CHANGELIST, {"meeting__id__exact": meeting.pk})
    assert page.status_code == 200
    assert {a.meeting_id for a in page.context["cl"].result_list} == {meeting.pk}
    assert "会議 で絞り込む" in page.text
    assert f"{EXPORT}?meeting__id__exact={meeting.pk}" in page.text
    export_form = secretariat_client.get(f"{EXPORT}?meeting__id__exact={meeting.pk}")
    assert export_form.status_code == 200  # the form posts back to this URL, filter and all


def test_an_unknown_meeting_filter_names_no_meeting(secretariat_client, toyama, today):
    response = secretariat_client.post(f"{EXPORT}?meeting__id__exact=999999", {"resource": "0", "format": CSV})
    assert names(response)[0] == f"出席者_{today}.csv"
    assert response.content.decode("utf-8-sig").splitlines()[1:] == []  # and holds nobody


def test_a_malformed_filter_sends_the_user_back_to_the_list(secretariat_client, toyama):
    response = secretariat_client.post(f"{EXPORT}?meeting__id__exact=abc", {"resource": "0", "format": CSV})
    assert response.status_code == 302 and response["Location"] == CHANGELIST
    page = secretariat_client.get(CHANGELIST)
    assert "絞り込みの条件が正しくないため書き出せませんでした" in page.text


def test_every_exporting_admin_names_its_file_in_japanese(secretariat_client, toyama, today):
    for url, name in [
        (reverse("admin:onechoice_official_export"), "職員・首長"),
        (reverse("admin:workgroups_workinggroupsession_export"), "WG開催"),
        (reverse("admin:projects_indicatorvalue_export"), "指標の値"),
    ]:
        utf8, ascii_name = names(secretariat_client.post(url, {"resource": "0", "format": "0"}))
        assert utf8 == f"{name}_{today}.xlsx" and ascii_name.endswith(f"-{today}.xlsx")


def test_the_day_in_the_name_is_japans(secretariat_client, toyama, monkeypatch):
    # 2026-12-02 23:30 UTC is already 12月3日 in Toyama.
    monkeypatch.setattr(timezone, "now", lambda: dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.UTC))
    response = secretariat_client.post(EXPORT, {"resource": "0", "format": CSV})
    assert names(response)[0] == "出席者_2026-12-03.csv"


def test_the_header_quotes_what_it_must():
    header = attachment_disposition('令和3年度/第4回"会議"; 出席者.csv', 'a"b\\c.csv')
    utf8, ascii_name = header.removeprefix("attachment; filename*=UTF-8''").split("; filename=")
    assert unquote(utf8) == '令和3年度/第4回"会議"; 出席者.csv'
    assert re.fullmatch(r"[A-Za-z0-9%._~-]+", utf8)  # every other character percent-encoded
    assert ascii_name == '"a_b_c.csv"'
