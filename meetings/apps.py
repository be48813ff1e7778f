from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "meetings"
    verbose_name = _("会議")

    def ready(self):
        from onechoice.registry import register_app

        from . import services  # noqa: F401  (registers the write rules)

        register_app(self.label)  # the secretariat's alone: no division scope

        from onechoice.page_cache import register_personal

        register_personal("open-attendance-requests", "meetings/_open_requests.html")

        from onechoice.accounts import register_mail_recorder

        from .mail import record_account_mail

        register_mail_recorder(record_account_mail)  # invitations and password resets in 送信メール
