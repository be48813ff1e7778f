"""``{% load plans %}``: ``milestones|timeline`` lays an item's milestones out as the seed's
timeline (fiscal-year columns, months April→March as rows), for the item page's include."""

from django import template

from ..documents.bundle import timeline_of

register = template.Library()


@register.filter
def timeline(milestones):
    return timeline_of(list(milestones))
