from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proposals"
    verbose_name = _("提案受付")

    def ready(self):
        from onechoice.registry import register_app

        from . import services  # noqa: F401  (declares the writes)

        # Proposals are portal records (data version, role groups); division staff only view.
        register_app(self.label)
