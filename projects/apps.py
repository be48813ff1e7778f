from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "projects"
    verbose_name = _("連携推進項目")

    def ready(self):
        from onechoice.registry import DivisionScope, register_app

        from . import services  # noqa: F401  (registers the write rules)

        # Division staff change the items of their own divisions (never add one) and keep
        # everything recorded about them.
        register_app(
            self.label,
            division_scopes={
                "project": DivisionScope("divisions", add=False),
                "projectyear": DivisionScope("project__divisions"),
                "measure": DivisionScope("project__divisions"),
                "measureresult": DivisionScope("project_year__project__divisions"),
                "highlight": DivisionScope("project_year__project__divisions"),
                "photo": DivisionScope("highlight__project_year__project__divisions"),
                "indicator": DivisionScope("project__divisions"),
                "indicatorvalue": DivisionScope("indicator__project__divisions"),
                "milestone": DivisionScope("project__divisions"),
            },
        )
