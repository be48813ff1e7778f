"""Lost updates (issue 11, item 3): two secretariat users open the same record; the one who
saves second, from the page opened before the first one's save, is refused with a message
naming what changed — never a silent overwrite, never a 500 — and the database keeps the
first one's change (onechoice.concurrency, through ServiceModelForm / ServiceAdmin).

Everything goes through the real admin with two logged-in users: a page is opened (GET) and
posted back as a browser would, hidden version token included."""

import threading

import pytest
from django import forms
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse

from meetings.models import Attendance, Meeting
from onechoice import concurrency, roles
from onechoice.models import Official
from onechoice.services import record_save
from tests import factories

REOPEN = "画面を開き直して最新の内容を確認してから、もう一度保存してください。"


@pytest.fixture
def a(secretariat_client):
    return secretariat_client


@pytest.fixture
def b(db):
    user = get_user_model().objects.create_user("test-secretariat-b", is_staff=True)
    user.groups.add(roles.ensure_role_groups()[roles.Role.SECRETARIAT])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def meeting(db):
    meeting = factories.meeting(venue="県庁大会議室")
    city = factories.municipality()
    factories.attendance(meeting, city, title="富山市長", name="藤井 裕久", protocol_order=1)
    factories.attendance(meeting, city, title="富山市副市長", name="副 市長", protocol_order=2)
    return meeting


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _field_data(form) -> dict:
    """What a browser posts for ``form``: its bound fields as rendered (files left out)."""
    data = {}
    for bound in form:
        field, value = bound.field, bound.value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[bound.html_name] = [getattr(v, "pk", v) for v in value or ()]
        elif value is None:
            data[bound.html_name] = ""
        else:
            data[bound.html_name] = getattr(value, "pk", value)
    return data


def open_page(client, path) -> dict:
    """Open a change (or revert) page and return what its form would post back unchanged."""
    response = client.get(path)
    assert response.status_code == 200
    data = _field_data(response.context["adminform"].form)
    for inline in response.context.get("inline_admin_formsets") or ():
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management[name].html_name] = management[name].value()
        for form in formset.forms:
            data |= _field_data(form)
    assert data.get(concurrency.TOKEN_FIELD), "the page carries a version token"
    return data


def row(data, prefix, attendance) -> str:
    """The form prefix (``attendances-0``) of ``attendance``'s row in the posted data."""
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-id") and str(value) == str(attendance.pk):
            return key.removesuffix("-id")
    raise AssertionError(f"no row for {attendance}")


def errors_of(response) -> list[str]:
    """Every error the re-shown page holds: the form's, the inline rows' and formsets'."""
    found = list(response.context["adminform"].form.non_field_errors())
    for inline in response.context.get("inline_admin_formsets") or ():
        found += list(inline.formset.non_form_errors())
        for form in inline.formset.forms:
            found += list(form.non_field_errors())
    return found


def snapshot(meeting):
    meeting = Meeting.objects.get(pk=meeting.pk)
    rows = list(Attendance.objects.filter(meeting=meeting).order_by("pk").values())
    return meeting.title, meeting.venue, rows, meeting.history.count()


# -- (1) the case from the issue ------------------------------------------------------------


def test_a_stale_title_change_does_not_wipe_the_new_venue(a, b, meeting):
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    saved = a.post(change_url(meeting), page_a | {"venue": "県民会館"})
    assert saved.status_code == 302
    before = snapshot(meeting)

    refused = b.post(change_url(meeting), page_b | {"title": "差し替え後の件名"})

    assert refused.status_code == 200  # the form again, with B's input
    message = f"この画面を開いた後に、ほかの人がこの記録を変更しました（場所: 「県民会館」に変更）。{REOPEN}"
    assert errors_of(refused) == [message]
    assert message in refused.text
    assert refused.context["adminform"].form["title"].value() == "差し替え後の件名"
    assert snapshot(meeting) == before
    meeting.refresh_from_db()
    assert (meeting.venue, meeting.title) == ("県民会館", "")


def test_the_message_names_every_changed_field_with_its_value_now(a, b, meeting):
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    assert a.post(change_url(meeting), page_a | {"venue": "", "mode": "online"}).status_code == 302
    before = snapshot(meeting)
    refused = b.post(change_url(meeting), page_b | {"title": "差し替え後の件名"})
    assert refused.status_code == 200
    assert errors_of(refused) == [
        f"この画面を開いた後に、ほかの人がこの記録を変更しました（開催形式: 「WEB」に変更、場所: 空欄に変更）。{REOPEN}"
    ]
    assert snapshot(meeting) == before


# -- (2) an inline attendee row changed by A, then saved stale by B -------------------------


def test_a_stale_inline_row_is_refused_by_name(a, b, meeting):
    mayor = meeting.attendances.get(protocol_order=1)
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    in_a, in_b = row(page_a, "attendances", mayor), row(page_b, "attendances", mayor)
    saved = a.post(change_url(meeting), page_a | {f"{in_a}-status": "absent"})
    assert saved.status_code == 302
    before = snapshot(meeting)

    refused = b.post(change_url(meeting), page_b | {f"{in_b}-title": "富山市長（職務代理者）"})

    assert refused.status_code == 200
    message = (
        f"この画面を開いた後に、ほかの人が出席者「富山市長 藤井 裕久」を変更しました（出欠: 「欠席」に変更）。{REOPEN}"
    )
    assert errors_of(refused) == [message]
    assert message in refused.text
    assert snapshot(meeting) == before
    mayor.refresh_from_db()
    assert (mayor.status, mayor.title) == ("absent", "富山市長")


def test_a_stale_row_left_untouched_still_refuses_the_post_that_would_write_it_back(a, b, meeting):
    # B only retitles the meeting, but B's page still shows the mayor as present: saving it
    # would write that back over A's change.
    mayor = meeting.attendances.get(protocol_order=1)
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    assert (
        a.post(change_url(meeting), page_a | {f"{row(page_a, 'attendances', mayor)}-status": "absent"}).status_code
        == 302
    )
    before = snapshot(meeting)
    refused = b.post(change_url(meeting), page_b | {"title": "差し替え後の件名"})
    assert refused.status_code == 200
    assert errors_of(refused) == [
        f"この画面を開いた後に、ほかの人が出席者「富山市長 藤井 裕久」を変更しました（出欠: 「欠席」に変更）。{REOPEN}"
    ]
    assert snapshot(meeting) == before


# -- (3) a row deleted by A, then edited stale by B -------------------------------------------


@pytest.mark.parametrize("order", [2, 1], ids=["last row", "first row"])
def test_a_row_deleted_meanwhile_is_refused_by_name(a, b, meeting, order):
    deputy = meeting.attendances.get(protocol_order=order)
    label = str(deputy)
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    deleted = a.post(change_url(meeting), page_a | {f"{row(page_a, 'attendances', deputy)}-DELETE": "on"})
    assert deleted.status_code == 302
    assert not Attendance.objects.filter(pk=deputy.pk).exists()
    before = snapshot(meeting)

    in_b = row(page_b, "attendances", deputy)
    refused = b.post(change_url(meeting), page_b | {f"{in_b}-name": "新しい 氏名", "venue": "県民会館"})

    assert refused.status_code == 200
    message = f"この画面を開いた後に、ほかの人が出席者「{label}」を削除しました。{REOPEN}"
    assert errors_of(refused) == [message]
    assert message in refused.text
    assert snapshot(meeting) == before
    assert not Attendance.objects.filter(pk=deputy.pk).exists()
    assert Meeting.objects.get(pk=meeting.pk).venue == "県庁大会議室"


def test_deleting_a_row_somebody_changed_meanwhile_is_refused(a, b, meeting):
    mayor = meeting.attendances.get(protocol_order=1)
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    assert (
        a.post(change_url(meeting), page_a | {f"{row(page_a, 'attendances', mayor)}-status": "absent"}).status_code
        == 302
    )
    before = snapshot(meeting)
    refused = b.post(change_url(meeting), page_b | {f"{row(page_b, 'attendances', mayor)}-DELETE": "on"})
    assert refused.status_code == 200
    message = (
        f"この画面を開いた後に、ほかの人が出席者「富山市長 藤井 裕久」を変更しました（出欠: 「欠席」に変更）。{REOPEN}"
    )
    assert errors_of(refused) == [message]
    assert snapshot(meeting) == before


def test_deleting_a_row_somebody_deleted_meanwhile_is_no_conflict(a, b, meeting):
    deputy = meeting.attendances.get(protocol_order=2)
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))
    assert (
        a.post(change_url(meeting), page_a | {f"{row(page_a, 'attendances', deputy)}-DELETE": "on"}).status_code == 302
    )
    both = b.post(change_url(meeting), page_b | {f"{row(page_b, 'attendances', deputy)}-DELETE": "on"})
    assert both.status_code == 302
    assert list(meeting.attendances.values_list("protocol_order", flat=True)) == [1]


# -- (4) fresh saves, added rows, fields the form does not show --------------------------------


def test_a_save_from_a_fresh_page_works_as_before(a, b, meeting):
    mayor = meeting.attendances.get(protocol_order=1)
    page = open_page(a, change_url(meeting))
    saved = a.post(
        change_url(meeting), page | {"venue": "県民会館", f"{row(page, 'attendances', mayor)}-status": "online"}
    )
    assert saved.status_code == 302
    page = open_page(b, change_url(meeting))  # opened after A's save: no conflict
    assert b.post(change_url(meeting), page | {"title": "差し替え後の件名"}).status_code == 302
    page = open_page(b, change_url(meeting))  # and saving the same page twice in a row is fine
    assert b.post(change_url(meeting), page | {"_continue": "1"}).status_code == 302
    meeting.refresh_from_db()
    mayor.refresh_from_db()
    assert (meeting.venue, meeting.title, mayor.status) == ("県民会館", "差し替え後の件名", "online")


def test_rows_added_meanwhile_or_by_the_stale_page_are_no_conflict(a, b, meeting):
    page_a, page_b = open_page(a, change_url(meeting)), open_page(b, change_url(meeting))

    def new_row(page, **fields):
        total = int(page["attendances-TOTAL_FORMS"])
        values = {
            "group": "municipal",
            "organization": meeting.attendances.first().organization_id,
            "status": "present",
        }
        added = {f"attendances-{total}-{k}": v for k, v in (values | fields).items()}
        return page | added | {"attendances-TOTAL_FORMS": total + 1, f"attendances-{total}-meeting": meeting.pk}

    assert (
        a.post(change_url(meeting), new_row(page_a, title="射水市長", name="夏野 元志", protocol_order=3)).status_code
        == 302
    )
    saved = b.post(
        change_url(meeting),
        new_row(page_b, title="高岡市長", name="角田 悠紀", protocol_order=4) | {"title": "差し替え後の件名"},
    )
    assert saved.status_code == 302
    assert list(meeting.attendances.order_by("protocol_order").values_list("name", flat=True)) == [
        "藤井 裕久",
        "副 市長",
        "夏野 元志",
        "角田 悠紀",
    ]
    assert Meeting.objects.get(pk=meeting.pk).title == "差し替え後の件名"


def test_a_change_to_a_field_the_page_does_not_show_is_kept_not_refused(a, meeting):
    # The meeting page's attendee rows leave out 職員マスタ (official); somebody links one
    # meanwhile: the stale page neither loses that link nor is refused for it.
    mayor = meeting.attendances.get(protocol_order=1)
    page = open_page(a, change_url(meeting))
    official = record_save(Official(organization=mayor.organization, title="富山市長", name="藤井 裕久"))
    mayor.official = official
    record_save(mayor)
    saved = a.post(change_url(meeting), page | {f"{row(page, 'attendances', mayor)}-name": "藤井　裕久"})
    assert saved.status_code == 302
    mayor.refresh_from_db()
    assert (mayor.name, mayor.official_id) == ("藤井　裕久", official.pk)


def test_a_stale_many_to_many_change_is_named(a, b, db):
    toyama, takaoka = factories.municipality(), factories.municipality(name="高岡市", lg_code="162027")
    project = factories.project(toyama, factories.department(name="地方創生局"))
    path = change_url(project)
    page_a, page_b = open_page(a, path), open_page(b, path)
    assert a.post(path, page_a | {"proposers": [toyama.pk, takaoka.pk]}).status_code == 302
    refused = b.post(path, page_b | {"title": "差し替え後の項目名"})
    assert refused.status_code == 200
    assert errors_of(refused) == [
        f"この画面を開いた後に、ほかの人がこの記録を変更しました（提案市町村: 「富山市、高岡市」に変更）。{REOPEN}"
    ]
    project.refresh_from_db()
    assert project.title != "差し替え後の項目名"
    assert set(project.proposers.all()) == {toyama, takaoka}


# -- posts the check cannot vouch for -----------------------------------------------------------


@pytest.mark.parametrize("token", [None, "", "改ざんされた:トークン"], ids=["missing", "empty", "forged"])
def test_a_post_without_a_valid_token_is_refused(a, meeting, token):
    page = open_page(a, change_url(meeting))
    if token is None:
        del page[concurrency.TOKEN_FIELD]
    else:
        page[concurrency.TOKEN_FIELD] = token
    before = snapshot(meeting)
    refused = a.post(change_url(meeting), page | {"venue": "県民会館"})
    assert refused.status_code == 200
    assert errors_of(refused) == [
        f"ほかの人の変更と重なっていないかを確かめられないため、保存できませんでした。{REOPEN}"
    ]
    assert snapshot(meeting) == before


def test_a_token_of_another_record_is_refused(a, meeting):
    other = factories.meeting()
    page = open_page(a, change_url(meeting))
    page[concurrency.TOKEN_FIELD] = open_page(a, change_url(other))[concurrency.TOKEN_FIELD]
    before = snapshot(meeting)
    refused = a.post(change_url(meeting), page | {"venue": "県民会館"})
    assert refused.status_code == 200
    assert snapshot(meeting) == before


def test_adding_a_record_needs_no_token(a, meeting):
    city = meeting.attendances.first().organization
    form = {
        "meeting": meeting.pk,
        "group": "municipal",
        "organization": city.pk,
        "title": "魚津市長",
        "name": "村椿 晃",
        "protocol_order": 9,
        "status": "present",
    }
    assert a.post(reverse("admin:meetings_attendance_add"), form).status_code == 302
    assert meeting.attendances.filter(name="村椿 晃").exists()


def test_the_token_carries_no_value_in_clear(meeting):
    token = concurrency.version_token(meeting)
    assert "県庁大会議室" not in token
    version = concurrency.read_token(token, Meeting)
    assert version.pk == meeting.pk and "県庁大会議室" not in "".join(version.digests.values())


def test_the_plain_check_for_writers_without_a_form(meeting):
    from django.core.exceptions import ValidationError

    token = concurrency.version_token(meeting)
    concurrency.check_version(token, Meeting, pk=meeting.pk)  # nobody changed it
    meeting.venue = "県民会館"
    record_save(meeting)
    with pytest.raises(ValidationError) as refused:
        concurrency.check_version(token, Meeting, pk=meeting.pk)
    assert refused.value.code == concurrency.STALE
    assert refused.value.messages == [
        f"この画面を開いた後に、ほかの人がこの記録を変更しました（場所: 「県民会館」に変更）。{REOPEN}"
    ]


# -- (5) the history revert form ------------------------------------------------------------------


def revert_url(meeting, version):
    return reverse("admin:meetings_meeting_simple_history", args=[meeting.pk, version.history_id])


def test_reverting_to_an_old_version_still_works(a, meeting):
    page = open_page(a, change_url(meeting))
    assert a.post(change_url(meeting), page | {"venue": "県民会館"}).status_code == 302
    first = meeting.history.order_by("history_date").first()
    assert first.venue == "県庁大会議室"

    reverted = a.post(revert_url(meeting, first), open_page(a, revert_url(meeting, first)))

    assert reverted.status_code == 302
    meeting.refresh_from_db()
    assert meeting.venue == "県庁大会議室"


def test_a_stale_revert_is_refused(a, b, meeting):
    first = meeting.history.order_by("history_date").first()
    page_b = open_page(b, revert_url(meeting, first))
    page_a = open_page(a, change_url(meeting))
    assert a.post(change_url(meeting), page_a | {"title": "Aが付けた件名"}).status_code == 302
    before = snapshot(meeting)

    refused = b.post(revert_url(meeting, first), page_b)

    assert refused.status_code == 200
    message = f"この画面を開いた後に、ほかの人がこの記録を変更しました（件名: 「Aが付けた件名」に変更）。{REOPEN}"
    assert list(refused.context["adminform"].form.non_field_errors()) == [message]
    assert message in refused.text
    assert snapshot(meeting) == before


# -- the lock ------------------------------------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no row locks (it writes one at a time)")
@pytest.mark.real_commits
@pytest.mark.django_db(transaction=True)
def test_the_check_keeps_the_row_locked_until_the_save_commits():
    # Nobody can slip a change in between the check and the save: the checked row stays
    # locked until the checking transaction ends.
    meeting = factories.meeting(venue="県庁大会議室")
    token = concurrency.version_token(meeting)
    checked, done = threading.Event(), threading.Event()

    def check_and_hold():
        try:
            with transaction.atomic():
                assert concurrency.find_conflict(token, Meeting, pk=meeting.pk) is None
                checked.set()
                done.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=check_and_hold)
    holder.start()
    try:
        assert checked.wait(10)
        with pytest.raises(DatabaseError), transaction.atomic():
            Meeting.objects.select_for_update(nowait=True).get(pk=meeting.pk)
    finally:
        done.set()
        holder.join()
    with transaction.atomic():  # released with the transaction
        assert Meeting.objects.select_for_update(nowait=True).get(pk=meeting.pk).venue == "県庁大会議室"
