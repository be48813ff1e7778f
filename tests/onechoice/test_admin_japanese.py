"""No English on the admin's Japanese screens: every list's column headers and filter titles,
each record's 「履歴」 page and its revert form (django-simple-history, translated in
locale/ja and templates/simple_history/), and the portal's sort options."""

import re
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from meetings.models import Meeting, Seat
from meetings.services import seating_plan_set
from onechoice import roles
from onechoice.models import Affiliation, Division, Organization
from onechoice.services import record_save
from projects.models import Project
from projects.services import project_save
from tests.meetings.test_attendance_requests import stored_request
from workgroups.models import WorkingGroupSession

# Words that read the same on a Japanese screen: abbreviations and technical names, not the
# English of a label nobody translated.
ALLOWED_WORDS = {"ID", "WEB", "PDF", "CSV", "URL", "IP", "WG", "KPI", "HTTP", "User-Agent"}
ENGLISH_WORD = re.compile(r"[A-Za-z][A-Za-z-]*[A-Za-z]")


def english_words(text: str) -> list[str]:
    return [w for w in ENGLISH_WORD.findall(text) if w not in ALLOWED_WORDS]


class _Texts(HTMLParser):
    """The text of each element that matches ``wanted(tag, attrs, ancestors)``, with its
    descendants' text (one string per element)."""

    def __init__(self, wanted):
        super().__init__()
        self.wanted, self.ancestors, self.open, self.found = wanted, [], [], []

    def handle_starttag(self, tag, attrs):
        if tag in {"br", "img", "input", "meta", "link", "hr"}:
            return
        attrs = dict(attrs)
        self.open.append([] if self.wanted(tag, attrs, self.ancestors) else None)
        self.ancestors.append((tag, attrs))

    def handle_endtag(self, tag):
        while self.ancestors:
            open_tag, _ = self.ancestors.pop()
            texts = self.open.pop()
            if texts is not None:
                self.found.append(" ".join("".join(texts).split()))
            if open_tag == tag:
                break

    def handle_data(self, data):
        for texts in self.open:
            if texts is not None:
                texts.append(data)


def texts_of(html: str, wanted) -> list[str]:
    parser = _Texts(wanted)
    parser.feed(html)
    return parser.found


def _inside(ancestors, tag, **attrs) -> bool:
    return any(t == tag and all(a.get(k) == v for k, v in attrs.items()) for t, a in ancestors)


def header_cells(html: str) -> list[str]:
    """The column headers of the change list (``#result_list``'s head)."""
    return texts_of(
        html, lambda tag, _, up: tag == "th" and _inside(up, "thead") and _inside(up, "table", id="result_list")
    )


def filter_titles(html: str) -> list[str]:
    """The titles of the list's filters (the 「… で絞り込む」 headings of the side bar)."""
    return texts_of(html, lambda tag, _, up: tag == "summary" and _inside(up, "nav", id="changelist-filter"))


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", None))
    return client


@pytest.fixture
def every_list_has_a_row(toyama):
    """The Toyama records plus a row for each list they leave empty: Django draws no headers
    for an empty list, and a list without headers would pass unseen."""
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    plan = seating_plan_set(meeting=meeting, layout="hollow_square")
    if not plan.seats.exists():
        first = meeting.attendances.order_by("protocol_order").first()
        record_save(Seat(plan=plan, attendance=first, side="left", position=1))
    roles.ensure_role_groups()
    user = get_user_model().objects.create_user("officer")
    Affiliation.objects.create(user=user, organization=Organization.objects.get(lg_code="162019"))
    stored_request(meeting, Organization.objects.get(lg_code="162019"))  # 出欠照会 and 送信メール
    seen = {"user_agent": "Mozilla/5.0", "ip_address": "192.0.2.1", "username": "officer", "path_info": "/login/"}
    AccessLog.objects.create(attempt_time=timezone.now(), **seen)
    AccessFailureLog.objects.create(attempt_time=timezone.now(), **seen)
    AccessAttempt.objects.create(attempt_time=timezone.now(), failures_since_start=1, **seen)


REGISTERED = list(admin.site._registry)


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: f"{m._meta.app_label}.{m.__name__}")
def test_every_list_header_and_filter_title_is_japanese(superuser_client, every_list_has_a_row, model):
    page = superuser_client.get(changelist_url(model))
    assert page.status_code == 200
    headers = header_cells(page.text)
    assert headers, f"{model.__name__}: no column headers (empty list?)"
    english = {text: english_words(text) for text in [*headers, *filter_titles(page.text)]}
    assert not {text: words for text, words in english.items() if words}


def test_the_header_check_sees_english():
    # The check itself: an untranslated header is caught, an abbreviation is not.
    html = (
        '<table id="result_list"><thead><tr><th><div class="text"><a href="?o=1">Display name</a></div></th>'
        "<th>WEB出席</th><th>ID</th></tr></thead><tbody><tr><th>Not a header</th></tr></tbody></table>"
    )
    headers = header_cells(html)
    assert headers == ["Display name", "WEB出席", "ID"]
    assert [english_words(h) for h in headers] == [["Display", "name"], [], []]


# --- each record's change history -------------------------------------------------------------


@pytest.fixture
def planned_session(toyama):
    """A planned WG session whose 予定旬 was set, then changed with a note, by no user."""
    session = WorkingGroupSession.objects.filter(date__isnull=True, planned_period="").order_by("pk").first()
    session.planned_period = "middle"
    record_save(session)
    session.planned_period, session.note = "late", "日程調整中"
    record_save(session)
    return session


def history_url(session) -> str:
    return reverse("admin:workgroups_workinggroupsession_history", args=[session.pk])


def test_history_page_reads_in_japanese_with_choice_labels(superuser_client, planned_session):
    page = superuser_client.get(history_url(planned_session))
    assert page.status_code == 200
    html = page.text
    assert "下の一覧で「この時点の記録」を選ぶと" in html
    for heading in ("この時点の記録", "日時", "操作", "変更者", "変更理由", "変更内容"):
        assert f'<th scope="col">{heading}</th>' in html
    assert "<td>作成</td>" in html and "<td>変更</td>" in html
    changes = texts_of(html, lambda tag, _, up: tag == "li" and _inside(up, "table", id="change-history"))
    assert "予定旬: 中旬 → 下旬" in changes  # the labels, not middle → late
    assert "予定旬: （なし） → 中旬" in changes  # an empty value says so
    assert "備考: （なし） → 日程調整中" in changes
    assert "3 件" in html
    table = texts_of(html, lambda tag, attrs, _: tag == "table" and attrs.get("id") == "change-history")[0]
    assert not english_words(table.replace("（予定）", "")), table  # no None, middle, Changed …


def test_history_page_names_who_changed_a_record(superuser_client, planned_session):
    planned_session.note = "確定"
    planned_session._history_user = get_user_model().objects.get(username="root")
    record_save(planned_session)
    page = superuser_client.get(history_url(planned_session)).text
    rows = texts_of(
        page, lambda tag, _, up: tag == "tr" and _inside(up, "tbody") and _inside(up, "table", id="change-history")
    )
    assert len(rows) == 4
    assert rows[0].startswith(str(planned_session)) and " root " in f" {rows[0]} "
    assert all("（なし）" in row and " root " not in row for row in rows[1:])  # saved by no user


def test_a_tick_box_change_reads_yes_and_no(superuser_client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=3)
    meeting.is_published = not meeting.is_published
    record_save(meeting)
    page = superuser_client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk])).text
    changes = texts_of(page, lambda tag, _, up: tag == "li" and _inside(up, "table", id="change-history"))
    assert "公開: はい → いいえ" in changes or "公開: いいえ → はい" in changes


def test_many_to_many_and_integer_changes_read_as_they_are(superuser_client, toyama):
    item = Project.objects.get(title="有害鳥獣の市町村による連携捕獲の推進")
    item.first_fiscal_year = 2020
    project_save(project=item, divisions=list(Division.objects.filter(name="自然保護課")))
    page = superuser_client.get(reverse("admin:projects_project_history", args=[item.pk])).text
    changes = texts_of(page, lambda tag, _, up: tag == "li" and _inside(up, "table", id="change-history"))
    assert "県担当課: [自然保護課, 農村振興課] → [自然保護課]" in changes
    assert "開始年度: 2021 → 2020" in changes
    assert "提案市町村: （なし） → [富山市]" in changes  # the empty list the loader started from


def test_revert_form_reads_in_japanese(superuser_client, planned_session):
    oldest = planned_session.history.order_by("history_date").first()
    url = reverse("admin:workgroups_workinggroupsession_simple_history", args=[planned_session.pk, oldest.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    html = page.text
    breadcrumbs = texts_of(html, lambda tag, attrs, _: tag == "div" and attrs.get("class") == "breadcrumbs")[0]
    # The version shown is the oldest one: its own name, 令和4年2月（予定） WG.
    assert breadcrumbs == f"ホーム › ワーキンググループ › WG開催 › {oldest.instance} › 履歴 › この版に戻す"
    assert f"<title>この版に戻す: {oldest.instance}" in html
    assert "この内容に戻すときは、下の「この版に戻す」を押してください" in html
    assert 'value="この版に戻す"' in html
    for english in ("Revert", "Historical", "Workgroups", "Press the"):
        assert english not in html


# --- the portal's sort options ------------------------------------------------------------------


def test_project_list_sort_options_are_japanese(client, toyama):
    page = client.get(reverse("projects:list")).text
    select = texts_of(page, lambda tag, attrs, _: tag == "select" and attrs.get("name") == "sort")[0]
    assert "開始年度（新しい順）" in select and "開始年度（古い順）" in select
    assert "連携項目名順" in select and "連携項目名の逆順" in select
    assert not english_words(select)
    newest_first = client.get(reverse("projects:list"), {"sort": "-first_fiscal_year"}).context["page"]
    years = [p.first_fiscal_year for p in newest_first]
    assert years == sorted(years, reverse=True) and years[0] > years[-1]
