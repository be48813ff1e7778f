"""{% open_attendance_requests request.user as replies %}: for the home page's block."""

from django import template

from meetings import selectors

register = template.Library()


@register.simple_tag
def open_attendance_requests(user):
    return selectors.open_attendance_requests(user)
