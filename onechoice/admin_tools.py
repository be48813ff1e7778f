"""Admin building blocks shared by the apps' ``admin.py`` files."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import permissions
from .services import validated_save


class ServiceAdmin(SimpleHistoryAdmin):
    """Saves through ``validated_save`` so the admin and every other writer share one path;
    each record's 「履歴」 page shows who changed what and when (django-simple-history)."""

    def has_change_permission(self, request, obj=None):
        # Model permission first; then, for one record, the division scope (onechoice.permissions).
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.may_edit(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = permissions.choosable_by(request.user, formfield.queryset)
        return formfield

    def save_model(self, request, obj, form, change):
        validated_save(obj)

    def save_formset(self, request, form, formset, change):
        # Mirrors BaseModelFormSet.save(), with each row going through the service.
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            validated_save(obj)
        formset.save_m2m()


class ParentScopedInlineMixin:
    """Inline rows may be added, changed or deleted only by who may change the parent."""

    def _parent_editable(self, request, obj) -> bool:
        return obj is None or permissions.may_edit(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)


class CachedChoicesMixin:
    """Builds each foreign-key dropdown of an inline once per request instead of once per
    row, so an inline with 34 attendees costs the same queries as one with 3."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is None or db_field.name in getattr(self, "autocomplete_fields", ()):
            return formfield
        cache = request.__dict__.setdefault("_inline_choice_cache", {})
        key = (self.model, db_field.name, str(formfield.queryset.query))
        if key not in cache:
            cache[key] = list(formfield.choices)
        formfield.choices = cache[key]
        return formfield


class TabularInline(ParentScopedInlineMixin, CachedChoicesMixin, admin.TabularInline):
    extra = 0


class StackedInline(ParentScopedInlineMixin, CachedChoicesMixin, admin.StackedInline):
    extra = 0
