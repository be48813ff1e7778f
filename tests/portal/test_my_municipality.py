"""「自分の市町村」: an officer affiliated with a municipality finds its items (this year's
status and grade), the next meeting and its items' WG sessions on the home page, a one-click
filter with its rows marked in the items list, and the municipality page as a profile. Other
officers and the public see the general pages; queries are pinned and do not grow."""

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from meetings.models import Meeting
from onechoice.models import Affiliation, Organization
from onechoice.roles import Role, ensure_role_groups
from portal import selectors
from projects.models import Project
from tests.scale import multiply
from workgroups.models import WorkingGroupSession

TOYAMA, IMIZU = "162019", "162116"


def officer(client, username, lg_code=None):
    user = get_user_model().objects.create_user(username)
    if lg_code:
        Affiliation.objects.create(user=user, organization=Organization.objects.get(lg_code=lg_code))
    client.force_login(user)
    return client


def items_of(lg_code):
    found = Project.objects.filter(Q(proposers__lg_code=lg_code) | Q(targets__lg_code=lg_code)).distinct()
    return list(found.order_by("first_fiscal_year", "pk"))


def summary_html(html):
    found = re.search(r'<section class="my-municipality".*?</section>', html, re.S)
    return found.group(0) if found else None


def test_home_opens_with_the_officers_municipality(client, toyama):
    upcoming = Meeting.objects.get(fiscal_year=2022, kind="regular", number=2)
    Meeting.objects.filter(pk=upcoming.pk).update(date=timezone.localdate() + dt.timedelta(days=10))
    html = officer(client, "toyama-officer", TOYAMA).get("/").text
    mine = summary_html(html)
    assert mine is not None
    assert "自分の市町村：富山市" in mine
    assert html.index("my-municipality") < html.index('id="h-meetings"')  # the page opens with it
    expected = items_of(TOYAMA)
    assert expected and all(p.title in mine for p in expected)
    assert not any(p.title in mine for p in Project.objects.exclude(pk__in=[p.pk for p in expected]))
    assert "令和4年度の区分・評価" in mine  # the working year the home page shows
    year = next(y for p in expected for y in p.years.all() if y.fiscal_year == 2022)
    assert f'status-{year.status}">{year.get_status_display()}' in mine
    # the next meeting, one tap away
    assert f'<a href="/meetings/{upcoming.pk}/">令和4年度 第2回本部会議</a>' in mine.split("次の会議")[-1]
    # recent held WG sessions of its items only, latest first
    sessions = list(
        WorkingGroupSession.objects.filter(working_group__project__in=expected, status="held").order_by("-date")[:5]
    )
    assert sessions and sessions[0].working_group.project.title in mine
    listed = re.findall(r"<li>(R\d+\.\d+\.\d+) ", mine)
    assert listed == [s.when_label for s in sessions]
    assert f'href="/projects/?municipality={TOYAMA}"' in mine
    assert f'href="/projects/municipalities/{TOYAMA}/"' in mine


def test_others_see_the_general_home_and_the_cache_keeps_each_officers_own(client, toyama):
    public = client.get("/").text
    assert summary_html(public) is None and "<!--portal:" not in public
    unaffiliated = officer(client, "plain").get("/").text
    assert summary_html(unaffiliated) is None and "<!--portal:" not in unaffiliated
    toyama_page = officer(client, "toyama-officer", TOYAMA).get("/").text  # the page now in the cache
    imizu_page = officer(client, "imizu-officer", IMIZU).get("/").text
    assert "自分の市町村：富山市" in toyama_page and "自分の市町村：射水市" in imizu_page
    assert "富山市" not in summary_html(imizu_page).split("</h2>")[0]
    assert summary_html(officer(client, "plain2").get("/").text) is None


def test_the_summary_takes_a_fixed_number_of_queries(toyama):
    toyama_city = Organization.objects.get(lg_code=TOYAMA)
    today = timezone.localdate()

    def queries():
        with CaptureQueriesContext(connection) as captured:
            summary = selectors.my_municipality_summary(toyama_city, today=today)
            [(item.project.title, year and year.status) for item, year in summary.this_years()]
            [s.working_group.project.title for s in summary.recent_sessions]
        return len(captured)

    at_1x = queries()
    multiply(10)
    assert queries() == at_1x == 6


def test_items_list_offers_the_own_municipality_and_marks_its_rows(client, toyama):
    html = officer(client, "toyama-officer", TOYAMA).get("/projects/").text
    assert f'<a href="/projects/?municipality={TOYAMA}">自分の市町村（富山市）の項目だけ表示</a>' in html
    rows = re.findall(r"<tr>\s*<td data-label=\"連携項目名\">(.*?)</td>", html, re.S)
    mine = {p.title for p in items_of(TOYAMA)}
    assert rows
    for cell in rows:
        title = re.search(r">([^<]+)</a>", cell).group(1)
        assert ("mine-row" in cell) == (title in mine), title
    assert "<!--projects:" not in html
    proposed = Project.objects.filter(proposers__lg_code=TOYAMA).first()
    cell = next(c for c in rows if f">{proposed.title}</a>" in c)
    assert "自分の市町村が提案" in cell
    filtered = client.get(f"/projects/?municipality={TOYAMA}").text
    assert '<a href="/projects/">すべての市町村の項目を表示</a>' in filtered
    assert filtered.count("mine-row") == len(mine)


def test_items_list_is_unchanged_for_other_officers_and_the_public(client, toyama):
    for html in (client.get("/projects/").text, officer(client, "plain").get("/projects/").text):
        assert "mine-row" not in html and "自分の市町村" not in html and "<!--projects:" not in html


def test_municipality_page_lists_each_item_once_with_its_roles_and_years(client, toyama):
    both = Project.objects.filter(proposers__lg_code=TOYAMA, targets__lg_code=TOYAMA).first()
    html = client.get(f"/projects/municipalities/{TOYAMA}/").text
    items = items_of(TOYAMA)
    titles = re.findall(r'<td data-label="連携項目名"><a href="/projects/\d+/">([^<]+)</a>', html)
    assert titles == [p.title for p in items]  # each once, in the order they started
    if both is not None:
        row = html[html.index(f">{both.title}</a>") :].split("</tr>")[0]
        assert "提案</span>" in row and "参加</span>" in row
    first = items[0]
    row = html[html.index(f">{first.title}</a>") :].split("</tr>")[0]
    for year in first.years.all():
        assert year.get_status_display() in row
        if year.grade:
            assert f"評価 {year.grade}" in row
    sessions = WorkingGroupSession.objects.filter(working_group__project__in=items)
    assert sessions.exists()
    assert all(s.when_label in html for s in sessions)
    assert "会議への出席" in html


def test_municipality_profile_takes_a_fixed_number_of_queries(toyama):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            profile = selectors.municipality_profile(TOYAMA, public=True)
            [(i.proposed, i.takes_part, [y.status for y in i.years]) for i in profile.items]
            [s.working_group.project.title for s in profile.sessions]
            [a.meeting.name for a in profile.attendances]
        return len(captured)

    at_1x = queries()
    multiply(10)
    assert queries() == at_1x == 5


def test_municipality_profile_hides_unpublished_items_from_the_public(toyama):
    hidden = items_of(TOYAMA)[0]
    Project.objects.filter(pk=hidden.pk).update(is_published=False)
    assert hidden.pk not in [i.project.pk for i in selectors.municipality_profile(TOYAMA, public=True).items]
    assert hidden.pk in [i.project.pk for i in selectors.municipality_profile(TOYAMA, public=False).items]
    with pytest.raises(Organization.DoesNotExist):
        selectors.municipality_profile("160008", public=True)  # the prefecture is no municipality


@pytest.mark.parametrize(
    ("role", "lg_code", "sees"),
    [
        ("public", None, None),
        ("municipal", TOYAMA, "富山市"),
        ("municipal", IMIZU, "射水市"),
        ("municipal", None, None),  # an officer with no affiliation
        ("division", "160008", None),  # prefectural staff: the prefecture is no municipality
        ("secretariat", None, None),
    ],
)
def test_who_gets_the_summary(client, toyama, role, lg_code, sees):
    if role != "public":
        groups = ensure_role_groups()
        officer(client, f"{role}-{lg_code}", lg_code)
        user = get_user_model().objects.get(username=f"{role}-{lg_code}")
        user.groups.add(groups[Role(role)])
    for path in ("/", "/projects/"):
        html = client.get(path).text
        assert "<!--portal:" not in html and "<!--projects:" not in html
        if sees:
            assert f"自分の市町村（{sees}）" in html or f"自分の市町村：{sees}" in html
        else:
            assert "自分の市町村" not in html, (role, path)
