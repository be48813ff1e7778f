from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The pages that compose several apps: the home page, an item's page (its WGs and the
    meetings that discussed it) and a municipality's page. No models of its own."""

    name = "portal"
    verbose_name = _("ポータル")
