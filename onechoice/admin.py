from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import accounts
from .admin_tools import ServiceAdmin, TabularInline
from .importing import ImportExportAdminMixin
from .models import Affiliation, Department, Division, Official, Organization
from .resources import OfficialResource, OrganizationResource

admin.site.site_header = _("「ワンチームとやま」連携推進本部 管理画面")
admin.site.site_title = _("ワンチームとやま 管理画面")
admin.site.index_title = _("データの管理")


@admin.register(Organization)
class OrganizationAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [OrganizationResource]
    list_display = ["name", "short_name", "kind", "lg_code", "protocol_order"]
    list_editable = ["protocol_order"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "lg_code"]
    ordering = ["protocol_order", "name"]


class DivisionInline(TabularInline):
    model = Division
    fields = ["name", "protocol_order"]


@admin.register(Department)
class DepartmentAdmin(ServiceAdmin):
    list_display = ["name", "protocol_order"]
    list_editable = ["protocol_order"]
    search_fields = ["name"]
    inlines = [DivisionInline]


@admin.register(Division)
class DivisionAdmin(ServiceAdmin):
    list_display = ["name", "department", "protocol_order"]
    list_filter = ["department"]
    list_select_related = ["department"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]


@admin.register(Official)
class OfficialAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [OfficialResource]
    list_display = ["title", "name", "name_kana", "organization", "department", "valid_from", "valid_to"]
    list_filter = ["organization__kind", "department"]
    list_select_related = ["organization", "department"]
    search_fields = ["name", "name_kana", "title", "organization__name"]
    autocomplete_fields = ["organization", "department"]
    date_hierarchy = "valid_from"


@admin.register(Affiliation)
class AffiliationAdmin(ServiceAdmin):
    list_display = ["user", "organization"]
    list_select_related = ["user", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization", "divisions"]
    actions = ["send_invitations"]

    @admin.action(description=_("招待メールを送る（パスワードを設定するリンク）"), permissions=["change"])
    def send_invitations(self, request, queryset):
        users = [affiliation.user for affiliation in queryset.select_related("user")]
        missed = [user.get_username() for user in users if not accounts.invitation_send(user)]
        sent = len(users) - len(missed)
        self.message_user(request, _("%(count)d 人に招待メールを送りました。") % {"count": sent}, messages.SUCCESS)
        if missed:
            self.message_user(
                request,
                _("送れなかったユーザー（メールアドレスがないか、送信に失敗）: %(names)s")
                % {"names": "、".join(missed)},
                messages.WARNING,
            )
