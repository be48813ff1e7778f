"""Site search on the real Toyama records (fixtures/toyama/)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting
from projects.models import ProjectYear
from search import selectors
from search.models import Kind, SearchEntry

URL = "/search/"


def hits(response, kind):
    html = response.content.decode()
    match = re.search(rf'<section class="search-group" aria-labelledby="search-{kind}">(.*?)</section>', html, re.S)
    if not match:
        return []
    return re.findall(r'<li>\s*<a href="([^"]+)">([^<]+)</a>', match.group(1))


@pytest.mark.django_db
def test_bousai_finds_the_item_and_the_r3_fourth_meeting(client, toyama):
    response = client.get(URL, {"q": "防災"})
    assert response.status_code == 200
    items = [title for _url, title in hits(response, Kind.ITEM)]
    assert "防災・危機管理体制の連携・強化" in items
    r3_fourth = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    all_meetings = selectors.search("防災", public=True, kind=Kind.MEETING).groups[0].hits
    assert r3_fourth.pk in [h.entry.object_id for h in all_meetings]
    assert "<mark>防災</mark>" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("word", ["防災", "輸出", "医療", "マイナンバーカード", "現物給付"])
def test_japanese_words_of_two_and_more_characters_find_items(client, toyama, word):
    expected = {
        e.object_id
        for e in SearchEntry.objects.filter(kind=Kind.ITEM)
        if word in e.text and e.object_id in set(ProjectYear.objects.visible(public=True).values_list("pk", flat=True))
    }
    assert expected, f"{word} occurs in no published item year of the fixture"
    found = selectors.search(word, public=True, kind=Kind.ITEM)
    assert found.groups[0].count == len(expected)


@pytest.mark.django_db
def test_half_width_input_finds_full_width_text(client, toyama):
    full = selectors.search("マイナンバーカード", public=True)
    half = selectors.search("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ", public=True)
    assert half.total == full.total > 0


@pytest.mark.django_db
def test_a_search_costs_the_same_queries_for_few_and_many_hits(client, toyama, django_assert_num_queries):
    selectors.search("防災", public=True)  # warm: content types and the like
    with CaptureQueriesContext(connection) as few:
        selectors.search("防災・危機管理体制", public=True)
    with CaptureQueriesContext(connection) as many:
        result = selectors.search("の", public=True)
    assert result.total > 20
    assert len(few) == len(many) == 3
    with django_assert_num_queries(3):
        selectors.search("の", public=False, kind=Kind.ITEM, page=2)
