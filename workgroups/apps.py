from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkgroupsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workgroups"
    verbose_name = _("ワーキンググループ")

    def ready(self):
        from onechoice.registry import DivisionScope, register_app

        from . import services  # noqa: F401  (registers the write rules)

        # Division staff record the sessions of their own items' WGs; the WGs themselves are
        # the secretariat's, but staff pick among their own when recording a session.
        register_app(
            self.label,
            division_scopes={
                "workinggroupsession": DivisionScope("working_group__project__divisions"),
                "workinggroup": DivisionScope("project__divisions", change=False, add=False),
            },
        )
