"""Import and export of attendee lists, one row per attendee of a meeting (see
``onechoice.importing``)."""

from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from onechoice import jpdates
from onechoice.importing import (
    CellError,
    ChoiceWidget,
    FiscalYearWidget,
    IntegerWidget,
    LookupWidget,
    NaturalKeyResource,
    OrganizationWidget,
    TextWidget,
    index,
    model_field,
    related_field,
)

from .models import Attendance, Meeting, MeetingKind

YEAR, NUMBER, KIND = "年度", "回", "会議種別"


class MeetingWidget(LookupWidget):
    """A meeting by 年度 (2021, 令和3年度, R3) and 回 (4), and 会議種別 when it is not a
    regular meeting (本部会議)."""

    what = _("会議")

    def __init__(self):
        super().__init__()
        self.years = FiscalYearWidget()
        self.kinds = ChoiceWidget(MeetingKind.choices)
        self.numbers = IntegerWidget()

    def load(self):
        return index(Meeting.objects.exclude(number=None), lambda m: (m.fiscal_year, m.kind, m.number))

    def key(self, text, row):
        try:
            year = self.years.clean(row.get(YEAR))
        except ValueError as error:
            raise CellError(YEAR, error) from None
        if year is None:
            raise CellError(YEAR, _("年度を入力してください（例: 2021、令和3年度）。"))
        try:
            kind = self.kinds.clean(row.get(KIND)) or MeetingKind.REGULAR
        except ValueError as error:
            raise CellError(KIND, error) from None
        return year, kind, self.numbers.clean(text)

    def missing(self, text, row):
        year, kind, number = self.key(text, row)
        return _("%(year)sの第%(number)s回%(kind)sは登録されていません。") % {
            "year": jpdates.fiscal_year_label(year),
            "number": number,
            "kind": MeetingKind(kind).label,
        }

    def label(self, obj):
        return obj.number


class AttendanceResource(NaturalKeyResource):
    """年度・回・会議種別・席次・区分・団体・役職・氏名・出欠・代理者; an attendee is found by
    meeting and 席次, so a list can be re-imported after corrections. The export ends with the
    row as the attendee list prints it (名簿の役職・名簿の氏名: 富山市長 / 副市長 山田 太郎（代理）),
    which import ignores."""

    fiscal_year = related_field("meeting__fiscal_year", YEAR, FiscalYearWidget())
    meeting = model_field(Attendance, "meeting", widget=MeetingWidget(), column=NUMBER)
    meeting_kind = related_field("meeting__kind", KIND, ChoiceWidget(MeetingKind.choices))
    protocol_order = model_field(Attendance, "protocol_order")
    group = model_field(Attendance, "group")
    organization = model_field(Attendance, "organization", widget=OrganizationWidget())
    title = model_field(Attendance, "title")
    name = model_field(Attendance, "name")
    status = model_field(Attendance, "status")
    proxy_title = model_field(Attendance, "proxy_title")
    proxy_name = model_field(Attendance, "proxy_name")
    listed_office = Field(attribute="office", column_name="名簿の役職", widget=TextWidget(), readonly=True)
    listed_name = Field(attribute="present_name", column_name="名簿の氏名", widget=TextWidget(), readonly=True)

    natural_key = ("meeting", "protocol_order")
    key_columns = (YEAR, NUMBER, KIND, "席次")
    required_columns = (YEAR, "区分", "団体", "役職", "氏名")
    error_columns = {"__all__": "席次"}  # the one constraint: 席次 unique within a meeting
    select_related = ("meeting", "organization")

    class Meta:
        model = Attendance
        use_bulk = True  # rows cleaned one by one, written in batches (see NaturalKeyResource)
        fields = (
            "fiscal_year",
            "meeting",
            "meeting_kind",
            "protocol_order",
            "group",
            "organization",
            "title",
            "name",
            "status",
            "proxy_title",
            "proxy_name",
            "listed_office",
            "listed_name",
        )

    export_only = ("listed_office", "listed_name")

    def get_import_fields(self):
        # What the attendee list prints is worked out from the columns before it, never read back.
        skipped = [self.fields[name] for name in self.export_only]
        return [f for f in super().get_import_fields() if not any(f is s for s in skipped)]
