"""Japanese date filters, available in every template (registered as builtins).

{{ meeting.date|wareki }}            令和4年1月20日（木）
{{ meeting.date|wareki_date }}       令和4年1月20日
{{ meeting.date|wareki_short }}      R4.1.20
{{ 2021|fiscal_year }}               令和3年度
{{ 2021|fiscal_year_short }}         R3年度
{{ start|time_range:end }}           午後3時～4時30分
"""

import functools

from django import template

from onechoice import jpdates

register = template.Library()


def _blank_on_none(func):
    @functools.wraps(func)  # keeps the signature Django reads to count filter arguments
    def wrapper(value, *args):
        return "" if value in (None, "") else func(value, *args)

    return wrapper


@register.filter
@_blank_on_none
def wareki(value):
    return jpdates.format_date(value)


@register.filter
@_blank_on_none
def wareki_date(value):
    return jpdates.format_date(value, weekday=False)


@register.filter
@_blank_on_none
def wareki_short(value):
    return jpdates.format_date_short(value)


@register.filter
@_blank_on_none
def fiscal_year(value):
    return jpdates.fiscal_year_label(int(value))


@register.filter
@_blank_on_none
def fiscal_year_short(value):
    return jpdates.fiscal_year_short(int(value))


@register.filter
@_blank_on_none
def time_range(start, end=None):
    return jpdates.format_time_range(start, end or None)
