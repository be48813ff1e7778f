from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OnechoiceConfig(AppConfig):
    name = "onechoice"
    verbose_name = _("共通マスタ（団体・部局・職員）")

    def ready(self):
        from . import (  # noqa: F401  (services: the core's write rules)
            checks,  # noqa: F401  (registers the start-up checks)
            data_version,
            registry,
            services,
        )

        registry.register_app(self.label)
        data_version.connect_signals()
