from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpendataConfig(AppConfig):
    """Open data (``/opendata/``): the published records as CSV and JSON under CC BY 4.0.
    No models of its own."""

    name = "opendata"
    verbose_name = _("オープンデータ")
