"""Writes shared by every app. Each app's ``services.py`` builds on ``validated_save``."""

from collections.abc import Iterable

from django.db import models, transaction


@transaction.atomic
def validated_save(instance: models.Model, *, m2m: dict[str, Iterable] | None = None) -> models.Model:
    """Validate ``instance`` as the admin does (``full_clean``), save it and set its
    many-to-many values. Raises ``ValidationError`` and writes nothing on bad input."""
    instance.full_clean()
    instance.save()
    for field_name, values in (m2m or {}).items():
        getattr(instance, field_name).set(values)
    return instance
