"""What scripts/mutation found the tests did not pin down about ``publishable``: the apps call
it once, when their models are defined, so a broken queryset class never met a test. Here it
is called afresh: the class it makes filters the public's rows on exactly the lookups given."""

import datetime as dt

import pytest

from meetings.models import Handout, Meeting
from onechoice.models import PublishableQuerySet, publishable
from tests import factories

pytestmark = pytest.mark.django_db


class MeetingQuerySet(PublishableQuerySet):
    def of_2021(self):
        return self.filter(fiscal_year=2021)


def test_publishable_makes_a_queryset_class_named_after_its_base():
    made = publishable(is_published=True)
    assert issubclass(made, PublishableQuerySet) and made is not PublishableQuerySet
    assert (made.__name__, made.__module__) == ("PublishableQuerySet", "onechoice.models")
    assert made.published == {"is_published": True}
    assert PublishableQuerySet.published == {}  # the base keeps no filter


def test_the_public_sees_only_the_rows_the_lookups_let_through():
    shown = factories.meeting(is_published=True)
    hidden = factories.meeting(is_published=False)
    meetings = publishable(is_published=True)(model=Meeting)
    assert list(meetings.visible(public=True)) == [shown]
    assert set(meetings.visible(public=False)) == {shown, hidden}


def test_lookups_across_relations_and_several_lookups_together():
    published, unpublished = factories.meeting(is_published=True), factories.meeting(is_published=False)
    handouts = {
        (meeting, public): Handout.objects.create(meeting=meeting, number=n, title="資料", public=public)
        for n, (meeting, public) in enumerate(
            [(published, True), (published, False), (unpublished, True), (unpublished, False)], start=1
        )
    }
    queryset = publishable(public=True, meeting__is_published=True)(model=Handout)
    assert list(queryset.visible(public=True)) == [handouts[(published, True)]]
    assert queryset.visible(public=False).count() == 4


def test_a_queryset_class_of_its_own_keeps_its_methods():
    made = publishable(MeetingQuerySet, is_published=True)
    assert issubclass(made, MeetingQuerySet) and made.__name__ == "MeetingQuerySet"
    shown = factories.meeting(is_published=True, fiscal_year=2021)
    factories.meeting(is_published=True, fiscal_year=2022, date=dt.date(2022, 6, 1))
    factories.meeting(is_published=False, fiscal_year=2021)
    assert list(made(model=Meeting).visible(public=True).of_2021()) == [shown]
