"""Each page's query count is pinned, and stays the same when the data is ten times larger."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting
from projects.models import Project
from tests.scale import multiply

PAGES = {
    "home": "/",
    "meetings": "/meetings/",
    "meeting": "/meetings/{meeting}/",
    "schedule": "/meetings/schedule/2022/",
    "projects": "/projects/",
    "projects-filtered": "/projects/?fiscal_year=2021&municipality=162019&q=連携",
    "project": "/projects/{project}/",
    "municipality": "/projects/municipalities/162019/",
    "workgroups": "/workgroups/",
}
# The pinned counts of a page built afresh (logged in as a municipal officer: + session and
# user lookups, + the data version, one cache read and the cache write that keeps the page).
PINNED = {
    "home": 18,  # + the officer's affiliation (自分の市町村), + their open attendance requests
    "meetings": 11,
    "meeting": 13,
    "schedule": 10,
    "projects": 18,  # + the officer's affiliation
    "projects-filtered": 20,
    "project": 28,  # + the item's milestones and plans (the timeline and the plan links), its adopted proposals
    "municipality": 14,
    "workgroups": 14,
}
# A page served from the cache: session, user, the data version, one cache read; the pages
# with parts filled in per request: + the affiliation (自分の市町村), and on the home page
# + the officer's open attendance requests.
PINNED_CACHED = 4
PERSONAL = {"home": 2, "projects": 1, "projects-filtered": 1}


def count(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


@pytest.fixture
def officer_client(client, toyama):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.create_user("officer"))
    return client


def test_page_queries_are_pinned_and_do_not_grow_tenfold(officer_client):
    ids = {
        "meeting": Meeting.objects.get(fiscal_year=2021, number=4).pk,
        "project": Project.objects.get(title="自治体行政のデジタル化").pk,
    }
    paths = {name: path.format(**ids) for name, path in PAGES.items()}
    at_1x = {name: count(officer_client, path) for name, path in paths.items()}
    cached_1x = {name: count(officer_client, path) for name, path in paths.items()}
    multiply(10)  # a change: every page is built again
    assert Project.objects.count() == 60 and Meeting.objects.count() == 13 + 9
    at_10x = {name: count(officer_client, path) for name, path in paths.items()}
    cached_10x = {name: count(officer_client, path) for name, path in paths.items()}
    assert at_10x == at_1x
    assert at_1x == PINNED
    assert cached_1x == cached_10x == {name: PINNED_CACHED + PERSONAL.get(name, 0) for name in PAGES}
