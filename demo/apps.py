from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The real Toyama records for the demo and the tests (``load_toyama``), synthetic data
    for benchmarks (``generate_synthetic``) and the demo accounts (``create_demo_users``).
    It has no models: everything it writes goes through the apps' services."""

    name = "demo"
    verbose_name = _("デモデータ")
