"""Preparing a meeting in Chromium as the secretariat would, counting every click and field
entry: the planned 令和4年度第2回本部会議 gets its date, its attendees from the HQ roster (one
代理出席), its agenda, an uploaded handout, reordered rows and a moved seat, and its packet is
printed. The result is checked in the PDFs, and the count is printed and bounded (≤ 40; it
took about 270 before the meeting workspace)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from meetings.models import Meeting, Seat
from tests import pdf_reading

from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser

BUILD = Path(settings.BASE_DIR) / "build"
MOST_STEPS = 40


class Steps:
    """The person's clicks and field entries, each counted once (waiting is not a step)."""

    def __init__(self, page):
        self.page, self.count, self.log = page, 0, []

    def _step(self, what: str) -> None:
        self.count += 1
        self.log.append(what)

    def click(self, locator, what: str, *, navigates: bool = False) -> None:
        self._step(f"click {what}")
        if navigates:
            with self.page.expect_navigation():
                locator.click()
        else:
            locator.click()

    def fill(self, locator, value: str, what: str) -> None:
        self._step(f"enter {what}")
        locator.fill(value)

    def select(self, locator, label: str, what: str) -> None:
        self._step(f"choose {what}")
        locator.select_option(label=label)

    def upload(self, locator, path: Path, what: str) -> None:
        self._step(f"upload {what}")
        locator.set_input_files(str(path))

    def drag(self, source, target, what: str, *, navigates: bool = False) -> None:
        self._step(f"drag {what}")
        if navigates:
            with self.page.expect_navigation():
                source.drag_to(target)
        else:
            source.drag_to(target)


def _handout_pdf(tmp_path: Path) -> Path:
    """A real two-page PDF with text, as a department would send it."""
    from weasyprint import HTML

    path = tmp_path / "県の説明資料.pdf"
    HTML(string="<p>県の説明資料 1ページ目</p><p style='page-break-before: always'>2ページ目</p>").write_pdf(path)
    return path


def _pdf(page, url: str) -> bytes:
    response = page.request.get(url)
    assert response.status == 200, (url, response.status)
    return response.body()


def test_the_secretariat_prepares_a_meeting_in_at_most_40_steps(page, toyama_live, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    handout_file = _handout_pdf(tmp_path)
    csp_violations = record_csp_violations(page)
    server_errors: list[str] = []
    page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "secretariat")
    page.goto("/admin/")
    steps = Steps(page)

    # Find the planned meeting as a person names it.
    steps.click(page.locator("#meetings-meeting").get_by_role("link", name="会議"), "会議", navigates=True)
    steps.fill(page.locator("#searchbar"), "R4 第2回", "検索語")
    with page.expect_navigation():
        steps.click(page.locator("#changelist-search [type=submit]"), "検索")
    steps.click(page.locator("#result_list a", has_text="第2回本部会議"), "会議", navigates=True)

    # The date is decided: the planned month gives way.
    steps.fill(page.locator("#id_date"), "2022-08-24", "開催日")
    steps.fill(page.locator("#id_start_time"), "15:00", "開始時刻")
    steps.fill(page.locator("#id_venue"), "富山県民会館", "場所")
    steps.click(page.locator("[name=_continue]"), "保存して編集を続ける", navigates=True)
    assert "予定時期（令和4年8月下旬）を消去しました" in page.locator(".messagelist").inner_text()

    # The attendee list from the roster, in one click.
    steps.click(
        page.get_by_role("button", name="構成員から出席者名簿を作成"), "構成員から出席者名簿を作成", navigates=True
    )
    assert "34 名を追加しました。" in page.locator(".messagelist").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366  # the workspace fits

    # One 代理出席: the proxy fields appear when it is chosen.
    mayor_row = page.locator("#attendances-group tr.form-row", has=page.locator("input[value='富山市長']"))
    assert not mayor_row.locator("td.field-proxy_name input").is_visible()
    steps.select(mayor_row.locator("td.field-status select"), "代理出席", "出欠")
    steps.fill(mayor_row.locator("td.field-proxy_title input"), "副市長", "代理者の役職")
    steps.fill(mayor_row.locator("td.field-proxy_name input"), "山田 太郎", "代理者の氏名")

    # The agenda: 開会, 議事 and 閉会 — typed in the wrong order and put right below.
    agenda = page.locator("#agenda_items-group")
    for section, title in [("開会", "開会"), ("閉会", "閉会"), ("議事", "令和4年度連携推進項目について")]:
        steps.click(agenda.locator(".add-row a"), "次第の追加")
        row = agenda.locator("tr.form-row.dynamic-agenda_items").last
        # numbered after the last row by the page itself (static/admin/js/ordering.js)
        expected = str(agenda.locator("tr.dynamic-agenda_items").count())
        assert row.locator("td.field-order input").input_value() == expected
        steps.select(row.locator("td.field-section select"), section, "区分")
        steps.fill(row.locator("td.field-title input"), title, "件名")

    # One uploaded handout.
    handouts = page.locator("#handouts-group")
    steps.click(handouts.locator(".add-row a"), "配付資料の追加")
    row = handouts.locator("tr.form-row.dynamic-handouts").last
    assert row.locator("td.field-number input").input_value() == "1"  # 資料1: the first of its kind
    steps.fill(row.locator("td.field-title input"), "県の説明資料", "資料名")
    steps.upload(row.locator("td.field-file input[type=file]"), handout_file, "PDFファイル")
    steps.click(page.locator("[name=_continue]"), "保存して編集を続ける", navigates=True)
    assert not page.locator(".errornote").count(), page.locator(".errorlist").all_inner_texts()

    # Reorder: 議事 above 閉会, with the keyboard-accessible 上へ button, then save.
    agenda = page.locator("#agenda_items-group")
    last = agenda.locator("tr.form-row.has_original").last
    assert last.locator("td.field-title input").input_value() == "令和4年度連携推進項目について"
    steps.click(last.get_by_role("button", name="上へ"), "上へ")
    steps.click(page.locator("[name=_continue]"), "保存して編集を続ける", navigates=True)
    meeting = Meeting.objects.get(fiscal_year=2022, kind="regular", number=2)
    assert list(meeting.agenda_items.order_by("order").values_list("title", flat=True)) == [
        "開会",
        "令和4年度連携推進項目について",
        "閉会",
    ]

    # Seats: open the editor from the workspace and move the deputy to the head of the left side.
    steps.click(page.get_by_role("link", name="配席を編集"), "配席を編集", navigates=True)
    mayor = meeting.attendances.get(title="富山市長")
    mayors_card = page.locator('.seat-handle[data-seat="left-1"]')  # the first municipal seat
    assert "山田 太郎（代理）" in page.locator('g.seat[data-seat="left-1"]').text_content()
    steps.drag(mayors_card, page.locator('.seat-handle[data-seat="left-3"]'), "代理者の席", navigates=True)
    assert "を 左側 3 に移しました" in page.locator(".messagelist").inner_text()
    assert Seat.objects.get(attendance=mayor).position == 3

    # Print the packet from the workspace.
    steps.click(page.get_by_role("link", name="会議の編集に戻る"), "会議に戻る", navigates=True)
    with page.expect_download() as download:  # an attachment: the browser saves it
        steps.click(page.locator("a.print-button", has_text="資料一式"), "資料一式（PDF）")
    packet = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename.endswith("資料一式.pdf") or packet.startswith(b"%PDF-")

    print(f"\nmeeting preparation: {steps.count} clicks and field entries")
    for number, what in enumerate(steps.log, start=1):
        print(f"  {number:2d}. {what}")
    page.screenshot(path=str(BUILD / "meeting_workspace.png"), full_page=True)
    assert steps.count <= MOST_STEPS, steps.log
    assert not server_errors and not csp_violations

    # What the person sees in the documents.
    attendees = pdf_reading.text(_pdf(page, f"/meetings/{meeting.pk}/attendees.pdf"))
    assert "富山市長副市長山田太郎（代理）" in attendees
    assert "市町村等（17名）" in attendees and "県（17名）" in attendees
    agenda_text = pdf_reading.text(_pdf(page, f"/meetings/{meeting.pk}/agenda.pdf"))
    assert agenda_text.index("開会") < agenda_text.index("令和4年度連携推進項目について") < agenda_text.index("閉会")
    pages = pdf_reading.page_texts(packet)
    assert any("県の説明資料1ページ目" in text and "資料1" in text for text in pages)
    assert all(f"{n}/{len(pages)}" in text for n, text in enumerate(pages, start=1))
    assert pdf_reading.text(_pdf(page, f"/meetings/{meeting.pk}/seating.pdf")).count("山田太郎（代理）") == 1
