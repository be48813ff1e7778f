"""What each app tells the core about itself, so that no core module names an app's models.

An app calls ``register_app`` from its ``AppConfig.ready``:

* its records are the portal's records: their changes replace the data version
  (``onechoice.data_version``) and the role groups get permissions on them
  (``onechoice.roles``);
* ``division_scopes`` say which of its models division staff may work on, and how each one
  leads to the divisions responsible for it (``onechoice.permissions``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Model


@dataclass(frozen=True)
class DivisionScope:
    """How a record leads to the divisions responsible for it (a lookup path such as
    ``project__divisions``), and what division staff may do with their own records."""

    path: str
    change: bool = True  # division staff change their own records of this model
    add: bool = True  # … and add new ones (``change`` without ``add``: the item itself)


_apps: list[str] = []
_scopes: dict[str, DivisionScope] = {}


def register_app(app_label: str, *, division_scopes: dict[str, DivisionScope] | None = None) -> None:
    """Declare ``app_label``'s models portal records; ``division_scopes`` maps a model name
    of the app (``"projectyear"``) to its scope. Safe to call again with the same values."""
    if app_label not in _apps:
        _apps.append(app_label)
    for model_name, scope in (division_scopes or {}).items():
        _scopes[f"{app_label}.{model_name}"] = scope


def portal_apps() -> tuple[str, ...]:
    return tuple(_apps)


def division_scope(model: type[Model]) -> DivisionScope | None:
    return _scopes.get(model._meta.label_lower)


def division_scopes() -> dict[str, DivisionScope]:
    """``{"app.model": scope}`` of every registered scope."""
    return dict(_scopes)
