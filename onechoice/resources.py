"""Import and export of master data: organisations and officials (see ``onechoice.importing``)."""

from .importing import (
    DepartmentWidget,
    NaturalKeyResource,
    OrganizationWidget,
    TextWidget,
    model_field,
    normalise_key,
)
from .models import Official, Organization


class OrganizationResource(NaturalKeyResource):
    """名称・略称・種別・席次・地方公共団体コード. A row names its organisation by local
    government code when it has one, otherwise by name; so a name can be corrected by code."""

    name = model_field(Organization, "name")
    short_name = model_field(Organization, "short_name")
    kind = model_field(Organization, "kind")
    protocol_order = model_field(Organization, "protocol_order")
    lg_code = model_field(Organization, "lg_code", widget=TextWidget(digits=True))

    natural_key = ("name",)
    required_columns = ("種別", "席次")

    class Meta:
        model = Organization
        fields = ("name", "short_name", "kind", "protocol_order", "lg_code")

    def prepare_import(self, *, dry_run):
        super().prepare_import(dry_run=dry_run)
        stored = list(self.existing.values())
        self.by_code = {o.lg_code: o for o in stored if o.lg_code}

    def find_existing(self, row):
        code = self.fields["lg_code"].clean(row) if self.fields["lg_code"].column_name in row else ""
        name = normalise_key(self.fields["name"].clean(row))
        if code and code in self.by_code:
            return ("code", code), self.by_code[code]
        found = self.existing.get((name,))
        return (("code", code) if code else ("name", name)), found


class OfficialResource(NaturalKeyResource):
    """団体・部局・役職・氏名・ふりがな・席次・就任日・退任日; an official is the same record
    when 団体, 役職 and 氏名 match (spaces and full-width characters ignored)."""

    organization = model_field(Official, "organization", widget=OrganizationWidget())
    department = model_field(Official, "department", widget=DepartmentWidget())
    title = model_field(Official, "title")
    name = model_field(Official, "name")
    name_kana = model_field(Official, "name_kana")
    protocol_rank = model_field(Official, "protocol_rank")
    valid_from = model_field(Official, "valid_from")
    valid_to = model_field(Official, "valid_to")

    natural_key = ("organization", "title", "name")
    select_related = ("organization", "department")

    class Meta:
        model = Official
        use_bulk = True  # rows cleaned one by one, written in batches (see NaturalKeyResource)
        fields = ("organization", "department", "title", "name", "name_kana", "protocol_rank", "valid_from", "valid_to")
