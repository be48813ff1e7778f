"""The WG status table (WG開催状況), read back from the PDF."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from onechoice.services import record_save
from tests.pdf_reading import fonts, page_sizes, text
from workgroups.documents import session_lines, wg_status_pdf
from workgroups.models import WorkingGroup, WorkingGroupSession


def test_session_lines_in_the_seeds_notation(toyama):
    digital = WorkingGroup.objects.get(project__title="自治体行政のデジタル化")
    lines = session_lines(list(digital.sessions.all()))
    assert lines[0] == "2/25、8/17、10/14、1/6：IT担当課長会議"
    assert "3/26：情報担当課長会議" in lines
    zero_carbon = WorkingGroup.objects.get(project__title="ゼロカーボンシティ富山の実現")
    assert session_lines(list(zero_carbon.sessions.all())) == ["4/27、5/20、8/19、10/21、2月予定"]
    waste = WorkingGroup.objects.get(project__title="防災・危機管理体制の連携・強化", order=3)
    assert session_lines(list(waste.sessions.all())) == ["4/28、8/10、2/4予定", "11/24：訓練"]


def test_wg_status_table(toyama):
    pdf = wg_status_pdf(2021).content
    body = text(pdf)
    assert set(page_sizes(pdf)) == {(842, 595)}  # A4 landscape
    assert "令和3年度連携推進項目のWG開催状況" in body
    for expected in [
        "有害鳥獣の市町村による連携捕獲の推進（富山市）",
        "生活環境文化部（まとめ）",
        "2/17、4/19、9/7",
        "10/6（市町村等）：農林水産省概算要求等に関する情報共有",
        "①-1子ども医療費（現物支給化）",
        "10/14：副市町村長級検討会",
        "※上記会議以外に、各土木センター",
    ]:
        assert expected in body, expected
    assert all(f["embedded"] for f in fonts(pdf).values())


def test_wg_status_queries_do_not_grow_with_sessions(toyama):
    with CaptureQueriesContext(connection) as before:
        wg_status_pdf(2021)
    wg = WorkingGroup.objects.get(project__title="ゼロカーボンシティ富山の実現")
    for day in range(1, 21):
        record_save(WorkingGroupSession(working_group=wg, date=dt.date(2021, 6, day)))
    with CaptureQueriesContext(connection) as after:
        document = wg_status_pdf(2021)
    assert "6/20" in text(document.content)
    # The cache lookup and store are the same few queries either way.
    assert len(after) <= len(before) + 1


def test_status_pdf_url(client, toyama):
    response = client.get("/workgroups/status.pdf?fiscal_year=2021")
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    assert client.get("/workgroups/status.pdf?fiscal_year=abc").status_code == 404
    assert client.get("/workgroups/status.pdf").status_code == 200  # the current year
