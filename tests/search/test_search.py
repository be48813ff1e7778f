"""Site search (/search/): Japanese words of any length, NFKC variants, handout PDF text with
its page, the public rule, filters, pagination and a fixed number of queries."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from weasyprint import HTML

from meetings.models import AgendaItem, Handout
from meetings.services import handout_save, meeting_save
from onechoice.services import record_delete, record_save
from projects.models import Project, ProjectYear
from search import selectors
from search.models import Kind, SearchEntry
from search.text import normalise, snippet, terms
from tests import factories

URL = "/search/"


def japanese_pdf(*pages: str) -> bytes:
    body = "".join(f'<section style="page-break-after: always">{p}</section>' for p in pages)
    return HTML(string=f'<html lang="ja"><body style="font-family: sans-serif">{body}</body></html>').write_pdf()


def hits(response, kind):
    """(title, url) of each hit of ``kind`` on a results page."""
    html = response.content.decode()
    match = re.search(rf'<section class="search-group" aria-labelledby="search-{kind}">(.*?)</section>', html, re.S)
    if not match:
        return []
    return re.findall(r'<li>\s*<a href="([^"]+)">([^<]+)</a>', match.group(1))


# ---- text ------------------------------------------------------------------------------------


def test_normalise_folds_width_variants():
    assert normalise("ｶﾞｲﾄﾞﾗｲﾝ　ＡＢＣ１２３") == "ガイドライン ABC123"


def test_terms_split_on_any_space_and_drop_repeats():
    assert terms("防災　輸出  防災 ｶﾞｲﾄﾞ") == ["防災", "輸出", "ガイド"]


def test_snippet_marks_every_word_and_escapes_the_rest():
    html = snippet("前置き<script>の後に 防災 と 医療 が & 続く", ["防災", "医療"])
    assert html == "前置き&lt;script&gt;の後に <mark>防災</mark> と <mark>医療</mark> が &amp; 続く"


def test_snippet_is_a_window_around_the_first_match():
    text = "あ" * 200 + "現物給付" + "い" * 200
    html = snippet(text, ["現物給付"])
    assert html.startswith("…") and html.endswith("…")
    assert "<mark>現物給付</mark>" in html and len(html) < 160


# ---- own records -------------------------------------------------------------------------


@pytest.fixture
def records(db):
    city = factories.municipality()
    dept = factories.department()
    published = factories.project(city, dept, title="公開の連携項目")
    hidden = factories.project(city, dept, title="非公開の連携項目", is_published=False)
    for project, text in ((published, "公開した輸出の取組"), (hidden, "秘密の蜃気楼計画")):
        record_save(ProjectYear(project=project, fiscal_year=2021, status="continuing", goal=text))
    open_meeting = factories.meeting(is_published=True, venue="県民会館")
    closed_meeting = factories.meeting(is_published=False, venue="蜃気楼ホール")
    return {"published": published, "hidden": hidden, "open": open_meeting, "closed": closed_meeting}


def test_the_public_never_sees_unpublished_hits(client, records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    open_meeting, closed = records["open"], records["closed"]
    record_save(AgendaItem(meeting=closed, order=1, section="report", title="蜃気楼の報告"))
    handout_save(
        handout=Handout(
            meeting=open_meeting,
            kind="material",
            number=1,
            title="内部資料",
            public=False,
            file=SimpleUploadedFile("a.pdf", japanese_pdf("蜃気楼の内部検討")),
        )
    )
    handout_save(
        handout=Handout(
            meeting=closed,
            kind="material",
            number=1,
            title="未公開会議の資料",
            file=SimpleUploadedFile("b.pdf", japanese_pdf("蜃気楼の資料")),
        )
    )
    response = client.get(URL, {"q": "蜃気楼"})
    assert response.status_code == 200
    assert "蜃気楼" not in re.sub(r"<input[^>]*>|<title>.*?</title>|<h1>.*?</h1>", "", response.content.decode())
    assert selectors.search("蜃気楼", public=True).total == 0
    staff = selectors.search("蜃気楼", public=False)
    assert {g.kind: g.count for g in staff.groups} == {"item": 1, "meeting": 1, "handout": 2}


def test_staff_see_unpublished_hits(secretariat_client, records):
    response = secretariat_client.get(URL, {"q": "蜃気楼"})
    assert "非公開の連携項目" in [title for _url, title in hits(response, Kind.ITEM)]


def test_a_word_only_in_a_handout_pdf_finds_the_handout_and_its_page(client, records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handout = handout_save(
        handout=Handout(
            meeting=records["open"],
            kind="material",
            number=1,
            title="説明資料",
            file=SimpleUploadedFile("x.pdf", japanese_pdf("一頁目の本文", "二頁目に書いたﾊﾟﾝﾌﾚｯﾄ配布計画")),
        )
    )
    response = client.get(URL, {"q": "パンフレット配布"})
    assert hits(response, Kind.HANDOUT) == [(f"/meetings/handouts/{handout.pk}/file/#page=2", "資料1 説明資料 2ページ")]
    assert "<mark>パンフレット配布</mark>" in response.content.decode()
    # two characters: the LIKE fallback, also inside PDF text
    assert [h.entry.page for h in selectors.search("頁目", public=True, kind=Kind.HANDOUT).groups[0].hits] == [1, 2]


def test_a_replaced_or_removed_file_is_read_again(records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handout = handout_save(
        handout=Handout(
            meeting=records["open"],
            kind="material",
            number=1,
            title="資料",
            file=SimpleUploadedFile("x.pdf", japanese_pdf("古い原稿")),
        )
    )
    assert selectors.search("古い原稿", public=True).total == 1
    handout.file = SimpleUploadedFile("y.pdf", japanese_pdf("新しい原稿"))
    handout_save(handout=handout)
    assert selectors.search("古い原稿", public=True).total == 0
    assert selectors.search("新しい原稿", public=True).total == 1
    record_delete(handout)
    assert selectors.search("新しい原稿", public=True).total == 0


def test_the_index_follows_edits_and_deletes(records):
    meeting = records["open"]
    assert selectors.search("県民会館", public=True).total == 1
    meeting.venue = "ｻﾝﾎﾞｰﾙ"
    meeting_save(meeting=meeting)
    assert selectors.search("県民会館", public=True).total == 0
    assert selectors.search("サンボール", public=True).total == 1
    record_delete(Project.objects.get(pk=records["published"].pk))
    assert selectors.search("輸出", public=True).total == 0


def test_all_words_must_match(records):
    assert selectors.search("公開 輸出", public=True).total == 1
    assert selectors.search("公開した 蜃気楼", public=False).total == 0
    assert selectors.search("公開した輸出 取組", public=True).total == 1


def test_filters_by_fiscal_year_and_kind(client, records):
    factories.meeting(is_published=True, venue="県民会館別館", fiscal_year=2022, date=dt.date(2022, 6, 1))
    assert selectors.search("県民会館", public=True).total == 2
    assert selectors.search("県民会館", public=True, fiscal_year=2022).total == 1
    response = client.get(URL, {"q": "県民会館", "fiscal_year": "2021", "kind": "meeting"})
    assert len(hits(response, Kind.MEETING)) == 1
    assert hits(client.get(URL, {"q": "輸出", "kind": "meeting"}), Kind.MEETING) == []
    assert len(hits(client.get(URL, {"q": "輸出", "kind": "item"}), Kind.ITEM)) == 1


def test_pagination_of_one_kind(client, records):
    for n in range(25):
        factories.meeting(is_published=True, venue=f"体育館{n}")
    first = client.get(URL, {"q": "体育館"})
    assert len(hits(first, Kind.MEETING)) == selectors.PER_GROUP
    assert "会議の25件をすべて見る" in first.content.decode()
    page1 = client.get(URL, {"q": "体育館", "kind": "meeting"})
    page2 = client.get(URL, {"q": "体育館", "kind": "meeting", "page": "2"})
    assert len(hits(page1, Kind.MEETING)) == 20 and len(hits(page2, Kind.MEETING)) == 5
    assert not set(hits(page1, Kind.MEETING)) & set(hits(page2, Kind.MEETING))
    assert "2 / 2" in page2.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"q": "x", "kind": "nonsense"},
        {"q": "x", "fiscal_year": "abc"},
        {"q": "x", "page": "0"},
        {"q": "x", "page": "x"},
    ],
)
def test_bad_parameters_are_the_japanese_404(client, db, params):
    response = client.get(URL, params)
    assert response.status_code == 404


def test_an_overlong_query_is_refused_in_japanese(client, db):
    response = client.get(URL, {"q": "あ" * 101})
    assert response.status_code == 200
    assert "検索語は100文字以内で入力してください。" in response.content.decode()


def test_the_empty_form_and_quotes_in_a_query(client, records):
    assert client.get(URL).status_code == 200
    response = client.get(URL, {"q": '"輸出" OR NEAR(' + "'"})
    assert response.status_code == 200
    assert client.get(URL, {"q": "輸出\x00取組"}).status_code == 200
    assert selectors.search("公開した\x00輸出", public=True).total == 1


def test_the_header_links_to_the_search(client, db):
    assert 'href="/search/"' in client.get("/").content.decode()


def test_reindex_search_rebuilds_everything(records, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handout_save(
        handout=Handout(
            meeting=records["open"],
            kind="material",
            number=1,
            title="資料",
            file=SimpleUploadedFile("x.pdf", japanese_pdf("再索引の確認")),
        )
    )
    SearchEntry.objects.all().delete()
    assert selectors.search("再索引", public=True).total == 0
    call_command("reindex_search")
    assert selectors.search("再索引", public=True).total == 1
    assert selectors.search("輸出", public=True).total == 1


def test_the_database_engine_serves_long_words(records):
    """SQLite: an FTS5 trigram MATCH; PostgreSQL: the pg_trgm GIN index serves the ILIKE."""
    query = selectors.entries_matching(["輸出の取組"])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            assert "MATCH" in str(query.query)
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_searchentry_fts'")
            assert "trigram" in cursor.fetchone()[0]
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            sql, params = query.query.sql_with_params()
            cursor.execute("EXPLAIN " + sql, params)
            assert "search_entry_text_trgm" in "\n".join(row[0] for row in cursor.fetchall())
    assert [e.title for e in query] == ["公開の連携項目"]


def test_hits_of_a_kind_are_newest_first(records):
    factories.meeting(is_published=True, venue="県民会館小ホール", date=dt.date(2022, 3, 1))
    factories.meeting(is_published=True, venue="県民会館大ホール", date=dt.date(2021, 6, 1))
    hits_ = selectors.search("県民会館", public=True, kind=Kind.MEETING).groups[0].hits
    assert [h.entry.date for h in hits_] == [dt.date(2022, 3, 1), dt.date(2022, 1, 20), dt.date(2021, 6, 1)]


def test_a_meeting_names_the_items_its_generated_handouts_print(records, django_capture_on_commit_callbacks):
    meeting = records["open"]
    handout_save(
        handout=Handout(meeting=meeting, kind="material", number=1, title="取り組み状況", document="progress_report")
    )
    assert {
        h.entry.object_id for h in selectors.search("公開の連携項目", public=True, kind=Kind.MEETING).groups[0].hits
    } == {meeting.pk}
    assert selectors.search("非公開の連携項目", public=True, kind=Kind.MEETING).groups[0].count == 0
    item = Project.objects.get(pk=records["published"].pk)
    item.title = "雪害対策の連携"
    with django_capture_on_commit_callbacks(execute=True):
        record_save(item)
    assert [h.entry.object_id for h in selectors.search("雪害対策", public=True, kind=Kind.MEETING).groups[0].hits] == [
        meeting.pk
    ]
    item.is_published = False
    with django_capture_on_commit_callbacks(execute=True):
        record_save(item)
    assert selectors.search("雪害対策", public=True).total == 0


def test_a_year_filter_without_a_query_shows_the_empty_form(client, db):
    response = client.get(URL, {"fiscal_year": "2021"})
    assert response.status_code == 200 and "件見つかりました" not in response.content.decode()
