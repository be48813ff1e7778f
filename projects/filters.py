import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from onechoice.http import fiscal_year_choices
from onechoice.models import Department, Organization

from .models import Project, ProjectYear, YearStatus


def _municipality_choices():
    # 15 rows: a small list, keyed by the local government code as the URL contract says.
    return list(Organization.objects.municipalities().values_list("lg_code", "name"))


class ProjectFilter(django_filters.FilterSet):
    """The URL contract's filters: fiscal_year, municipality (local government code),
    department, status, q."""

    fiscal_year = django_filters.ChoiceFilter(
        label=_("年度"),
        choices=fiscal_year_choices(ProjectYear.objects.all()),
        method="filter_fiscal_year",
        empty_label=_("すべての年度"),
    )
    municipality = django_filters.ChoiceFilter(
        label=_("市町村"),
        choices=_municipality_choices,
        method="filter_municipality",
        empty_label=_("すべての市町村"),
        help_text=_("その市町村が提案した項目と参加している項目を表示します。"),
    )
    department = django_filters.ModelChoiceFilter(
        label=_("担当部局"), queryset=Department.objects.all(), field_name="departments", empty_label=_("すべての部局")
    )
    status = django_filters.ChoiceFilter(
        label=_("区分"),
        choices=YearStatus.choices,
        method="filter_status",
        empty_label=_("すべての区分"),
        help_text=_("新規・継続・協議終了。年度も選ぶと、その年度の区分で絞り込みます。"),
    )
    q = django_filters.CharFilter(
        label=_("キーワード"), method="filter_text", help_text=_("項目名・施策名・目標に含まれることば。")
    )
    sort = django_filters.OrderingFilter(
        label=_("並び順"),
        fields=(("first_fiscal_year", "first_fiscal_year"), ("title", "title")),
        # Each direction named in Japanese (django-filter's own is 「開始年度 (descending)」).
        choices=[
            ("first_fiscal_year", _("開始年度（古い順）")),
            ("-first_fiscal_year", _("開始年度（新しい順）")),
            ("title", _("連携項目名順")),
            ("-title", _("連携項目名の逆順")),
        ],
        empty_label=_("標準（開始年度順）"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.label_suffix = ""

    class Meta:
        model = Project
        fields = ["fiscal_year", "municipality", "department", "status", "q", "sort"]

    def filter_fiscal_year(self, queryset, name, value):
        return queryset.filter(years__fiscal_year=int(value)).distinct()

    def filter_municipality(self, queryset, name, value):
        return queryset.filter(Q(proposers__lg_code=value) | Q(targets__lg_code=value)).distinct()

    def filter_status(self, queryset, name, value):
        year = self.form.cleaned_data.get("fiscal_year")
        years = ProjectYear.objects.filter(status=value)
        if year:
            years = years.filter(fiscal_year=int(year))
        return queryset.filter(pk__in=years.values("project_id"))

    def filter_text(self, queryset, name, value):
        text = Q(title__icontains=value) | Q(measures__title__icontains=value) | Q(years__goal__icontains=value)
        return queryset.filter(text).distinct()
