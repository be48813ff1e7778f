"""Hostile and unlucky imports: files past the bounds (size, rows, an xlsx zip bomb, cells),
control characters, a confirmation replayed, altered or sent three times at once, and
migrations that meet duplicates. Each is refused with a Japanese message and leaves the
database as it was; none answers 500. The files are made here, by the tests.

Runs on SQLite and, with ``DATABASE_URL=postgres://…``, on PostgreSQL (the concurrent
confirmation is truly concurrent there; SQLite takes one writer at a time, see that test)."""

import datetime as dt
import importlib
import io
import re
import threading
import zipfile
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache, caches
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from onechoice import roles
from onechoice.importing import CONFLICT, ImportFileError, ImportForm, import_file, previews, read_csv
from onechoice.importing.files import IMPORT_FORMATS
from onechoice.models import Official, Organization
from onechoice.resources import OfficialResource
from projects.resources import IndicatorValueResource, MeasureResultResource, ProjectResource
from tests.spreadsheets import csv_bytes, xlsx_bytes
from workgroups.resources import WorkingGroupSessionResource

HEADER = ["団体", "部局", "役職", "氏名", "ふりがな", "席次", "就任日", "退任日"]
IMPORT = reverse("admin:onechoice_official_import")
CONFIRM = reverse("admin:onechoice_official_process_import")
CHANGELIST = reverse("admin:onechoice_official_changelist")
GONE = "この取り込みは既に実行されたか、期限が切れています。もう一度ファイルを選んでください。"
TAMPERED = "この確認の内容がプレビューのときと一致しないため、取り込みませんでした。"
NUL = "制御文字（NUL など）が含まれています。"


# --- data and files


@pytest.fixture
def towns(db):
    return [
        Organization.objects.create(kind="municipality", name="富山市", protocol_order=2, lg_code="162019"),
        Organization.objects.create(kind="municipality", name="高岡市", protocol_order=3, lg_code="162027"),
    ]


def official_rows(count: int, *, start: int = 0) -> list[list]:
    return [
        ["富山市", "", f"職員{i}", f"髙橋 {i:05d}", "たかはし", str(i % 50), "R4.4.1", ""]
        for i in range(start, start + count)
    ]


def officials_csv(count: int, **kwargs) -> bytes:
    return csv_bytes([HEADER, *official_rows(count, **kwargs)])


def state():
    """Everything an import of officials could touch, change history included."""
    return {
        "officials": list(Official.objects.order_by("pk").values()),
        "organizations": list(Organization.objects.order_by("pk").values()),
        "history": Official.history.count(),
    }


def stored_previews() -> int:
    """Previews in the cache table, expired ones included."""
    backend = caches["default"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {connection.ops.quote_name(backend._table)} WHERE cache_key LIKE %s",
            [backend.make_key(previews.PreviewStorage.CACHE_PREFIX) + "%"],
        )
        return cursor.fetchone()[0]


def upload(client, data: bytes, name: str = "職員.csv", **extra):
    form = {"resource": "0", "format": "1" if name.endswith(".xlsx") else "0", "encoding": "auto"}
    return client.post(IMPORT, form | {"import_file": SimpleUploadedFile(name, data)} | extra)


def file_errors(response) -> str:
    return " ".join(response.context["form"].errors.get("import_file", []))


def followed_message(client, response) -> str:
    """The messages of the page a refused confirmation redirects to."""
    assert response.status_code == 302, response.status_code
    page = client.get(response["Location"])
    return " ".join(str(m) for m in page.context["messages"])


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="職員" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        "</Relationships>"
    ),
}


def _cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def bomb_xlsx(unpacked: int) -> bytes:
    """A well-formed workbook whose one sheet unpacks to more than ``unpacked`` bytes of the
    same row over and over: tiny packed (deflate squeezes repetition about a thousandfold)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                (
                    '<?xml version="1.0" encoding="UTF-8"?>'
                    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                    f"<row>{''.join(_cell(h) for h in HEADER)}</row>"
                ).encode()
            )
            row = f"<row>{_cell('富山市')}{_cell('')}{_cell('職員')}{_cell('髙橋 一郎')}</row>".encode()
            chunk, written = row * 10_000, 0
            while written <= unpacked:
                sheet.write(chunk)
                written += len(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


# --- bounds: size, rows, the xlsx zip bomb, cells


def test_an_oversized_csv_is_refused_by_its_size_before_it_is_read(secretariat_client, towns):
    data = officials_csv(1)
    data += b"#" * (10 * 1024 * 1024 + 1 - len(data))  # one byte over 10 MB
    before = state()

    response = upload(secretariat_client, data)

    assert response.status_code == 200
    assert "ファイルが大きすぎます（10 MB）。1回に取り込めるのは 10 MB までです。" in file_errors(response)
    assert "confirm_form" not in response.context
    assert state() == before and stored_previews() == 0


def test_the_size_is_checked_without_reading_the_upload(towns):
    class Unreadable(SimpleUploadedFile):
        size = property(lambda self: 11 * 1024 * 1024, lambda self, value: None)

        def read(self, *args):
            raise AssertionError("the upload was read")

        chunks = multiple_chunks = open = read

    form = ImportForm(
        IMPORT_FORMATS,
        [OfficialResource],
        data={"resource": "0", "format": "0", "encoding": "auto"},
        files={"import_file": Unreadable("職員.csv", b"x")},
    )

    assert not form.is_valid()
    assert "ファイルが大きすぎます（11 MB）" in form.errors["import_file"][0]


def test_50001_rows_are_refused_and_nothing_is_written(secretariat_client, towns):
    data = officials_csv(50_001)
    before = state()

    with pytest.raises(ImportFileError) as refused:
        read_csv(data)
    response = upload(secretariat_client, data)

    message = "データの行が多すぎます（50,000行を超えています）。1回に取り込めるのは50,000行までです。"
    assert str(refused.value).startswith(message) and refused.value.row == 50_002
    assert message in file_errors(response)
    assert "confirm_form" not in response.context
    assert state() == before and stored_previews() == 0


def test_blank_rows_do_not_count_towards_the_row_bound(settings, towns):
    settings.IMPORT_MAX_ROWS = 3
    rows = [HEADER, *official_rows(3), *[[""] * 8] * 20]

    assert len(read_csv(csv_bytes(rows))) == 3
    with pytest.raises(ImportFileError, match="3行を超えています"):
        read_csv(csv_bytes([*rows, *official_rows(1, start=3)]))


def test_a_zip_bomb_xlsx_is_refused_from_its_directory_before_any_xml_is_parsed(secretariat_client, towns, monkeypatch):
    import openpyxl

    bomb = bomb_xlsx(101 * 1024 * 1024)  # over the 100 MB unpacked bound
    assert len(bomb) < 1024 * 1024  # a small upload
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:  # a real bomb: it does unpack that far
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 101 * 1024 * 1024

    def parse(*args, **kwargs):
        raise AssertionError("the workbook was parsed")

    monkeypatch.setattr(openpyxl, "load_workbook", parse)
    before = state()

    response = upload(secretariat_client, bomb, "職員.xlsx")

    assert response.status_code == 200
    assert re.search(r"このxlsxファイルは展開すると大きすぎます（10[1-3] MB、上限 100 MB）。", file_errors(response))
    assert "confirm_form" not in response.context
    assert state() == before and stored_previews() == 0


def test_an_xlsx_packed_far_more_tightly_than_excel_packs_is_refused(towns):
    bomb = bomb_xlsx(5 * 1024 * 1024)  # under the unpacked bound, but packed ~1000:1

    with pytest.raises(ImportFileError, match="圧縮率が異常に高く（「xl/worksheets/sheet1.xml」が [0-9,]+ 倍）"):
        import_file(OfficialResource(), bomb, filename="職員.xlsx")
    assert Official.objects.count() == 0


def test_an_ordinary_xlsx_passes_the_zip_guard(towns):
    result = import_file(OfficialResource(), xlsx_bytes([HEADER, *official_rows(3)]), filename="職員.xlsx")

    assert result.error_list() == [] and Official.objects.count() == 3


def test_a_sheet_with_too_many_cells_is_refused(settings, towns):
    settings.IMPORT_XLSX_MAX_CELLS = 1_000
    rows = [HEADER, *official_rows(2), [None] * 999 + ["stray"]]  # a stray cell far to the right

    with pytest.raises(ImportFileError, match="シートのセルが多すぎます（空のセルも含めて1,000個を超えています）"):
        import_file(OfficialResource(), xlsx_bytes(rows), filename="職員.xlsx")
    assert Official.objects.count() == 0


def test_a_csv_that_csv_cannot_parse_is_a_message_not_an_error(towns):
    data = csv_bytes([HEADER, official_rows(1)[0][:3] + ["x" * 200_000]])  # past csv.field_size_limit()

    with pytest.raises(ImportFileError, match="CSVの2行目を読めません"):
        import_file(OfficialResource(), data, filename="職員.csv")


def test_the_import_page_states_the_bounds_and_keeps_previews_in_the_shared_cache(secretariat_client, towns):
    from onechoice.admin import OfficialAdmin

    page = secretariat_client.get(IMPORT)

    assert "1回に取り込めるのは 10 MB・50,000行までです。" in page.text
    assert "プレビューから60分以内に「インポート実行」を押してください（取り込みは1回だけです）。" in page.text
    assert issubclass(OfficialAdmin(Official, None).get_tmp_storage_class(), previews.PreviewStorage)


# --- control characters


def test_a_csv_with_nul_and_other_control_characters_is_refused_by_row_and_column(secretariat_client, towns):
    rows = [
        HEADER,
        ["富山市", "", "副市長", "髙橋\x00一郎", "", "", "", ""],
        ["富山市", "", "参与", "山田 太郎", "", "", "", ""],
        ["高岡市", "", "副市長\x1b", "山﨑 ①", "", "", "R4.4.1\x00", ""],
        ["高岡市", "", "理事", "佐藤\t花子", "", "", "", ""],
        ["高岡市", "", "理事", "鈴木 次郎\r\n", "", "", "", ""],  # at the end: trimmed, as ever
    ]
    before = state()

    response = upload(secretariat_client, csv_bytes(rows))
    result = import_file(OfficialResource(), csv_bytes(rows), filename="職員.csv")

    assert response.status_code == 200 and "confirm_form" not in response.context
    errors = [(e.row, e.column, e.message) for e in result.error_list()]
    assert [(row, column) for row, column, _ in errors] == [(2, "氏名"), (4, "役職"), (4, "就任日"), (5, "氏名")]
    assert all(NUL in message for _, _, message in errors[:3])
    assert "U+0000" in errors[0][2] and "U+001B" in errors[1][2]
    assert errors[3][2] == "改行またはタブが含まれています。この列は1行で入力してください。"
    assert NUL in response.text and '<td class="row">4</td>' in response.text
    assert state() == before and stored_previews() == 0


def test_a_nul_in_a_column_the_file_does_not_use_or_in_a_header_is_refused_too(towns):
    rows = [[*HEADER, "メモ", "見出し\x00"], ["富山市", "", "副市長", "髙橋 一郎", "", "", "", "", "a\x00b", ""]]

    result = import_file(OfficialResource(), csv_bytes(rows), filename="職員.csv")

    assert [(e.row, e.column) for e in result.error_list()] == [(1, "見出し\x00"), (2, "メモ")]
    assert Official.objects.count() == 0


def test_an_xlsx_line_break_inside_a_one_line_cell_is_refused(towns):
    rows = [HEADER, ["富山市", "", "企画管理部\n次長", "髙橋 一郎", "", "", "", ""]]

    result = import_file(OfficialResource(), xlsx_bytes(rows), filename="職員.xlsx")

    assert [(e.row, e.column) for e in result.error_list()] == [(2, "役職")]
    assert Official.objects.count() == 0


def test_multi_line_text_and_lists_may_hold_line_breaks():
    assert {"取り組み成果", "今後の取組み"} <= MeasureResultResource().takes_lines()
    assert {"提案市町村", "対象市町村", "担当部局", "県担当課"} <= ProjectResource().takes_lines()
    assert OfficialResource().takes_lines() == set()


def test_many_control_characters_are_listed_up_to_a_bound(towns):
    rows = [HEADER, *[["富山市", "", f"職員{i}", "髙橋\x00一郎", "", "", "", ""] for i in range(250)]]

    errors = import_file(OfficialResource(), csv_bytes(rows), filename="職員.csv").error_list()

    assert len(errors) == 201
    assert errors[0].message == "ほかにも制御文字などを含むセルが 50 個あります。"


# --- the confirmation: once, unaltered


def test_a_confirmation_replayed_after_success_is_refused_and_changes_nothing(secretariat_client, towns):
    preview = upload(secretariat_client, officials_csv(3))
    assert stored_previews() == 1
    confirm = dict(preview.context["confirm_form"].initial)

    done = secretariat_client.post(CONFIRM, confirm)
    assert done.status_code == 302 and done["Location"] == CHANGELIST
    assert Official.objects.count() == 3 and stored_previews() == 0
    after = state()

    again = secretariat_client.post(CONFIRM, confirm)

    assert again.status_code == 302 and again["Location"] == IMPORT
    assert GONE in followed_message(secretariat_client, again)
    assert state() == after


@pytest.mark.parametrize(
    "change",
    [
        {"format": "1"},  # the xlsx reader for a CSV
        {"format": "7"},  # no such format
        {"format": "x"},
        {"original_file_name": "別の.csv"},
        {"resource": "3"},
        {"import_file_name": "0" * 32},  # a cache key guessed or taken from another form
        {"import_file_name": "../../etc/passwd"},
        {"import_file_name": ""},
    ],
)
def test_a_tampered_confirmation_is_refused_and_the_real_one_still_works(secretariat_client, towns, change):
    preview = upload(secretariat_client, officials_csv(3))
    confirm = dict(preview.context["confirm_form"].initial)
    before = state()

    tampered = secretariat_client.post(CONFIRM, confirm | change)

    assert TAMPERED in followed_message(secretariat_client, tampered)
    assert state() == before
    assert secretariat_client.post(CONFIRM, confirm)["Location"] == CHANGELIST
    assert Official.objects.count() == 3


def test_a_token_with_one_character_changed_is_refused(secretariat_client, towns):
    preview = upload(secretariat_client, officials_csv(3))
    confirm = dict(preview.context["confirm_form"].initial)
    token = confirm["import_file_name"]
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")

    tampered = secretariat_client.post(CONFIRM, confirm | {"import_file_name": forged})

    assert TAMPERED in followed_message(secretariat_client, tampered)
    assert Official.objects.count() == 0


def test_another_users_confirmation_is_refused(secretariat_client, client, towns):
    preview = upload(secretariat_client, officials_csv(3))
    confirm = dict(preview.context["confirm_form"].initial)
    other = get_user_model().objects.create_user("other-secretariat", is_staff=True)
    other.groups.add(roles.ensure_role_groups()[roles.Role.SECRETARIAT])
    other_client = Client()
    other_client.force_login(other)

    refused = other_client.post(CONFIRM, confirm)

    assert TAMPERED in followed_message(other_client, refused)
    assert Official.objects.count() == 0


def test_an_expired_preview_is_refused(secretariat_client, towns, monkeypatch):
    preview = upload(secretariat_client, officials_csv(3))
    confirm = dict(preview.context["confirm_form"].initial)
    monkeypatch.setattr(previews, "timeout", lambda: -1)  # the token's age is past the timeout

    refused = secretariat_client.post(CONFIRM, confirm)

    assert GONE in followed_message(secretariat_client, refused)
    assert Official.objects.count() == 0


def test_a_preview_that_cache_expired_is_refused(secretariat_client, towns):
    preview = upload(secretariat_client, officials_csv(3))
    confirm = dict(preview.context["confirm_form"].initial)
    cache.clear()  # as if the entry had expired

    refused = secretariat_client.post(CONFIRM, confirm)

    assert GONE in followed_message(secretariat_client, refused)
    assert Official.objects.count() == 0


def test_previews_expire_and_expired_ones_leave_the_cache_table(secretariat_client, towns, settings):
    settings.IMPORT_PREVIEW_TIMEOUT = 600
    abandoned = previews.PreviewStorage(name="abandoned")
    cache.set(abandoned.key, b"old", -10)  # an entry past its expiry, still in the table
    cache.set("unrelated", b"kept", -10)  # other entries are left to the cache itself
    assert stored_previews() == 1

    preview = upload(secretariat_client, officials_csv(1))

    assert stored_previews() == 1  # the abandoned one is gone, the new one is kept
    assert _expires(previews.PreviewStorage(name=_stored_name(preview)).key) - dt.datetime.now(dt.UTC) > dt.timedelta(
        seconds=590
    )
    assert _expires(previews.PreviewStorage(name=_stored_name(preview)).key) - dt.datetime.now(dt.UTC) <= dt.timedelta(
        seconds=600
    )
    assert _expires("unrelated") is not None


def _expires(key: str):
    backend = caches["default"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT expires FROM {connection.ops.quote_name(backend._table)} WHERE cache_key = %s",
            [backend.make_key(key)],
        )
        found = cursor.fetchone()
    if found is None:
        return None
    expires = dt.datetime.fromisoformat(found[0]) if isinstance(found[0], str) else found[0]  # SQLite: text
    return expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)  # stored in UTC


def _stored_name(preview) -> str:
    return preview.context["form"].cleaned_data["import_file"].tmp_storage_name


def test_a_preview_with_errors_is_not_kept(secretariat_client, towns):
    rows = [HEADER, ["何処市", "", "副市長", "髙橋 一郎", "", "", "", ""]]

    preview = upload(secretariat_client, csv_bytes(rows))

    assert "confirm_form" not in preview.context
    assert "団体「何処市」は登録されていません。" in preview.text
    assert stored_previews() == 0


def test_of_confirmations_that_all_read_the_preview_only_the_first_delete_wins(db):
    """The step concurrent confirmations race on, in the worst order (all read the file, then
    all try to take it), as three app servers would send it: only one DELETE removes the row."""
    storage = previews.PreviewStorage()
    storage.save(b"file")
    servers = [previews.PreviewStorage(name=storage.name) for _ in range(3)]

    read = [s.read() for s in servers]
    claimed = [s.claim() for s in servers]

    assert read == [b"file"] * 3
    assert claimed == [True, False, False]
    assert servers[0].take() is None


def _confirm_in_thread(client, confirm, results, index, start, serial):
    try:
        start.wait()
        with serial:
            response = client.post(CONFIRM, confirm)
            page = client.get(response["Location"]) if response.status_code == 302 else None
        messages = " ".join(str(m) for m in page.context["messages"]) if page is not None else ""
        results[index] = (response.status_code, response.get("Location"), messages)
    except Exception as error:  # reported by the test
        results[index] = error
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_three_concurrent_confirmations_of_one_preview_import_once(secretariat_client, towns):
    """Three POSTs of one confirm form (three sessions of the user who previewed), started
    together by a barrier. On PostgreSQL they run at once, each thread with its own connection;
    SQLite's in-memory test database takes one writer at a time (a second one fails at once
    instead of waiting), so there each request runs whole, in whichever order the threads reach
    it — the result must be the same. The worst interleaving is tested step by step above."""
    preview = upload(secretariat_client, officials_csv(2_000))
    assert "confirm_form" in preview.context, preview.context["form"].errors
    confirm = dict(preview.context["confirm_form"].initial)
    user = get_user_model().objects.get(username="test-secretariat")
    clients = [Client() for _ in range(3)]
    for client in clients:
        client.force_login(user)
    start = threading.Barrier(3)
    serial = threading.Lock() if connection.vendor == "sqlite" else _NoLock()
    results = [None] * 3
    threads = [
        threading.Thread(target=_confirm_in_thread, args=(client, confirm, results, i, start, serial))
        for i, client in enumerate(clients)
    ]

    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert not any(isinstance(r, Exception) for r in results), results
    assert sorted(status for status, _, _ in results) == [302, 302, 302]
    done = [r for r in results if r[1] == CHANGELIST]
    refused = [r for r in results if r[1] == IMPORT]
    assert len(done) == 1 and "取り込みが完了しました" in done[0][2]
    assert len(refused) == 2 and all(GONE in messages for _, _, messages in refused)
    assert Official.objects.count() == 2_000
    assert Official.history.count() == 2_000
    assert stored_previews() == 0


class _NoLock:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# --- natural keys held by the database


def test_the_database_refuses_a_second_official_with_the_same_key_and_the_model_says_so_in_japanese(towns):
    Official.objects.create(organization=towns[0], title="副市長", name="髙橋 一郎")
    twin = Official(organization=towns[0], title="副市長", name="髙橋 一郎")

    with pytest.raises(ValidationError) as invalid:
        twin.full_clean()
    assert invalid.value.messages == ["この団体には同じ役職・氏名の職員・首長が既に登録されています。"]
    with pytest.raises(IntegrityError), transaction.atomic():
        twin.save()


def test_resources_still_trust_their_natural_key_for_uniqueness():
    """No per-row uniqueness queries: each constraint is the natural key or implied by it."""
    for resource in (OfficialResource, IndicatorValueResource, WorkingGroupSessionResource, MeasureResultResource):
        assert resource().key_implies_uniqueness(), resource


def test_an_import_that_meets_a_concurrent_write_of_the_same_record_writes_nothing(towns, monkeypatch):
    """Another import or an edit writes the same official between this import's reading of the
    stored records and its writing: the database's constraint refuses, with a message."""
    prepare = OfficialResource.prepare_import

    def meanwhile(self, *, dry_run):
        prepare(self, dry_run=dry_run)
        Official.objects.create(organization=towns[0], title="職員1", name="髙橋 00001")

    monkeypatch.setattr(OfficialResource, "prepare_import", meanwhile)

    result = import_file(OfficialResource(), officials_csv(3), filename="職員.csv")

    assert [e.message for e in result.error_list()] == [str(CONFLICT)]
    # Rolled back: here the "other writer" shares the import's transaction, so its row goes too.
    assert Official.objects.count() == 0


def _create_duplicates(apps, app_label):
    Organization = apps.get_model("onechoice", "Organization")
    town = Organization.objects.create(kind="municipality", name="富山市", protocol_order=2, lg_code="162019")
    if app_label == "onechoice":
        Official = apps.get_model("onechoice", "Official")
        for title, name in [("副市長", "髙橋 一郎"), ("副市長", "髙橋 一郎"), ("副市長", "山田 二郎")]:
            Official.objects.create(organization=town, title=title, name=name)
        return ["富山市・副市長・髙橋 一郎（id "]
    project = apps.get_model("projects", "Project").objects.create(
        title="自治体行政のデジタル化", first_fiscal_year=2021
    )
    if app_label == "projects":
        indicator = apps.get_model("projects", "Indicator").objects.create(project=project, name="交付率")
        IndicatorValue = apps.get_model("projects", "IndicatorValue")
        for when in [{"date": dt.date(2022, 1, 1)}] * 2 + [{"fiscal_year": 2022}] * 2 + [{"fiscal_year": 2023}]:
            IndicatorValue.objects.create(indicator=indicator, value=1, **when)
        return ["自治体行政のデジタル化・交付率・2022-01-01（id "]  # the first constraint's are listed
    group = apps.get_model("workgroups", "WorkingGroup").objects.create(project=project, order=1, scope="WG")
    Session = apps.get_model("workgroups", "WorkingGroupSession")
    for when in [{"date": dt.date(2022, 2, 17)}] * 2 + [{"planned_year": 2023, "planned_month": 2}] * 2:
        Session.objects.create(working_group=group, kind="wg", status="held", **when)
    return ["自治体行政のデジタル化・1・2022-02-17・wg（id "]


MIGRATIONS = [
    ("onechoice", "0004_data_version", "0005_official_unique_title_name", "refuse_duplicate_officials"),
    (
        "projects",
        "0002_historicaldesiredstate_historicalhighlight_and_more",
        "0003_indicator_value_unique_date_or_year",
        "refuse_duplicate_indicator_values",
    ),
    (
        "workgroups",
        "0003_rename_session_workinggroupsession",
        "0004_session_unique_date_or_planned",
        "refuse_duplicate_sessions",
    ),
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("app_label, previous, migration, check", MIGRATIONS)
def test_a_constraint_migration_refuses_duplicates_with_a_list_of_them(app_label, previous, migration, check):
    executor = MigrationExecutor(connection)
    executor.migrate([(app_label, previous)])  # back to before the constraint
    try:
        apps = executor.loader.project_state([(app_label, previous)]).apps
        expected = _create_duplicates(apps, app_label)
        module = importlib.import_module(f"{app_label}.migrations.{migration}")

        with pytest.raises(CommandError) as refused:
            getattr(module, check)(apps, SimpleNamespace(connection=connection))

        message = str(refused.value)
        assert "が同じ記録が" in message and "組あります" in message and "もう一度 migrate してください" in message
        assert all(line in message for line in expected), message
        assert "山田 二郎" not in message
        executor = MigrationExecutor(connection)
        with pytest.raises(CommandError):
            executor.migrate([(app_label, migration)])  # migrate itself stops there, applying nothing
        assert (app_label, migration) not in MigrationExecutor(connection).loader.applied_migrations
    finally:
        with connection.cursor() as cursor:  # the duplicates go, the constraint comes back
            for table in (
                "workgroups_workinggroupsession",
                "workgroups_workinggroup",
                "projects_indicatorvalue",
                "projects_indicator",
                "projects_project",
                "onechoice_official",
                "onechoice_organization",
            ):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    constraints = connection.introspection.get_constraints(connection.cursor(), _table_of(app_label))
    assert _constraint_of(app_label) in constraints


def _table_of(app_label):
    return {
        "onechoice": "onechoice_official",
        "projects": "projects_indicatorvalue",
        "workgroups": "workgroups_workinggroupsession",
    }[app_label]


def _constraint_of(app_label):
    return {
        "onechoice": "official_unique_title_name",
        "projects": "indicator_value_unique_date",
        "workgroups": "wg_session_unique_date",
    }[app_label]
