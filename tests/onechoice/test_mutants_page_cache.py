"""What scripts/mutation found the page-cache tests did not pin down: each part of the key on
its own. Two requests share a cached page exactly when they have the same audience (who sees
unpublished records), the same kind of visitor (whose menu is part of the page), language,
date, full path and data version; the audience and the visitor are kept apart even though
today every logged-in role sees unpublished records."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import translation

from onechoice import data_version, page_cache

pytestmark = pytest.mark.django_db


def request_for(user, path="/meetings/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


@pytest.fixture
def member():
    return get_user_model().objects.create_user("officer")


def test_the_same_request_gets_the_same_key(member):
    assert page_cache.page_key(request_for(member)) == page_cache.page_key(request_for(member))
    assert page_cache.page_key(request_for(AnonymousUser())) == page_cache.page_key(request_for(AnonymousUser()))
    # its own namespace in the cache it shares with the documents (document:…)
    assert page_cache.page_key(request_for(member)).startswith("page:")


def test_staff_and_public_pages_have_different_keys(member):
    assert page_cache.page_key(request_for(member)) != page_cache.page_key(request_for(AnonymousUser()))


def test_a_member_who_sees_only_published_records_shares_no_page_with_anyone(member, monkeypatch):
    staff_key = page_cache.page_key(request_for(member))
    anonymous_key = page_cache.page_key(request_for(AnonymousUser()))
    # a logged-in role that sees only the published records (none today): the public's
    # records, but the member's menu, so neither the staff page nor the anonymous page
    monkeypatch.setattr(page_cache, "sees_unpublished", lambda user: False)
    restricted_key = page_cache.page_key(request_for(member))
    assert restricted_key not in (staff_key, anonymous_key)


def test_an_anonymous_visitor_who_would_see_unpublished_records_gets_the_staff_audience(member, monkeypatch):
    anonymous_key = page_cache.page_key(request_for(AnonymousUser()))
    staff_key = page_cache.page_key(request_for(member))
    monkeypatch.setattr(page_cache, "sees_unpublished", lambda user: True)
    assert page_cache.page_key(request_for(AnonymousUser())) not in (anonymous_key, staff_key)


def test_the_language_is_part_of_the_key(member):
    with translation.override("ja"):
        japanese = page_cache.page_key(request_for(member))
    with translation.override("en"):
        english = page_cache.page_key(request_for(member))
    assert japanese != english


def test_the_date_path_and_data_version_are_part_of_the_key(member, monkeypatch):
    key = page_cache.page_key(request_for(member))
    assert page_cache.page_key(request_for(member, "/meetings/?fiscal_year=2021")) != key
    assert page_cache.page_key(request_for(member, "/projects/")) != key
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: dt.date(2099, 4, 1))
    tomorrow = page_cache.page_key(request_for(member))
    assert tomorrow != key
    monkeypatch.setattr(data_version, "release", lambda: "another-release")
    assert page_cache.page_key(request_for(member)) not in (key, tomorrow)
