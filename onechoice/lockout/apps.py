from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    """django-axes itself (label ``axes``: its tables, migrations and permissions are
    unchanged), shown in the admin as 「ログイン制限」 with a Japanese state column."""

    verbose_name = _("ログイン制限")

    def ready(self):
        super().ready()
        from . import admin  # axes.admin has registered its admins (the admin app is readied first)

        admin.register()
