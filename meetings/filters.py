import django_filters
from django.utils.translation import gettext_lazy as _

from onechoice.http import fiscal_year_choices

from .models import Meeting, MeetingKind


class MeetingFilter(django_filters.FilterSet):
    """The URL contract's meeting filters: fiscal_year and kind."""

    fiscal_year = django_filters.ChoiceFilter(
        label=_("年度"), choices=fiscal_year_choices(Meeting.objects.all()), empty_label=_("すべての年度")
    )
    kind = django_filters.ChoiceFilter(label=_("種別"), choices=MeetingKind.choices, empty_label=_("すべての種別"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.label_suffix = ""

    class Meta:
        model = Meeting
        fields = ["fiscal_year", "kind"]
