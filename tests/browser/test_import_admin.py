"""The admin import flow in Chromium: upload a CP932 CSV, see the preview, confirm; and a bad
file shows its errors and writes nothing; nothing on the way breaks the Content Security Policy."""

import pytest

from onechoice.models import Official

from .conftest import SCREENSHOTS
from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser


def test_admin_import_in_a_browser(page, toyama_live, tmp_path):
    csv_file = tmp_path / "職員.csv"
    csv_file.write_bytes("団体,役職,氏名\r\n富山市,副市長,髙橋 一郎\r\n朝日町,副町長,山﨑 ①\r\n".encode("cp932"))
    csp_violations = record_csp_violations(page)
    log_in(page, "secretariat")
    page.goto("/admin/onechoice/official/")
    page.get_by_role("link", name="インポート").click()
    page.locator("input[name=import_file]").set_input_files(str(csv_file))
    page.locator("input[type=submit]").first.click()
    page.wait_for_selector("text=取り込むと")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "import-preview.png"), full_page=True)
    assert "新規 2 件" in page.content()
    assert not Official.objects.filter(name="髙橋 一郎").exists()  # a preview writes nothing
    page.locator("input[name=confirm]").click()
    page.wait_for_selector("text=取り込みが完了しました")
    assert Official.objects.filter(name="髙橋 一郎").exists() and Official.objects.filter(name="山﨑 ①").exists()

    bad = tmp_path / "bad.csv"
    bad.write_bytes("団体,役職,氏名\r\n163430,町長,山田 太郎\r\n".encode())
    page.goto("/admin/onechoice/official/import/")
    page.locator("input[name=import_file]").set_input_files(str(bad))
    page.locator("input[type=submit]").first.click()
    page.wait_for_selector("table.import-errors")
    page.screenshot(path=str(SCREENSHOTS / "import-errors.png"), full_page=True)
    assert "検査数字が正しくありません" in page.content()
    assert not Official.objects.filter(name="山田 太郎").exists()
    assert not csp_violations, "\n".join(csp_violations)
