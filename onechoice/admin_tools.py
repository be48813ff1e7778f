"""Admin building blocks shared by the apps' ``admin.py`` files."""

from importlib import import_module
from importlib.util import find_spec

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import EmptyResultSet, ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import router, transaction
from simple_history.admin import SimpleHistoryAdmin

from . import concurrency, permissions, services


def _m2m_values(form) -> dict:
    """The many-to-many values a model form is about to set (those it has fields for)."""
    opts = form._meta.model._meta
    return {f.name: form.cleaned_data[f.name] for f in opts.many_to_many if f.name in form.cleaned_data}


def _with_token_field(fieldsets) -> list:
    """``fieldsets`` with the hidden version-token field in the first fieldset (if the
    form's fields do not list it already), so the admin renders it and it travels back."""
    fieldsets = list(fieldsets)
    if not fieldsets or concurrency.TOKEN_FIELD in flatten_fieldsets(fieldsets):
        return fieldsets
    name, options = fieldsets[0]
    fieldsets[0] = (name, {**options, "fields": [*options.get("fields", ()), concurrency.TOKEN_FIELD]})
    return fieldsets


class ServiceModelForm(concurrency.VersionTokenFormMixin, forms.ModelForm):
    """An admin form that checks the services' rules too (``services.record_rules``), so a
    rule ``full_clean`` cannot see is shown on the form like any other error instead of
    failing the save.

    It carries the version token of the record it shows and refuses a post made from a
    stale page — somebody else saved the record, or the inline row, since it was opened —
    instead of silently writing over their change (``onechoice.concurrency``); the rules are
    then not checked."""

    def _post_clean(self):
        super()._post_clean()  # ModelForm's validation, then the version check
        if self._errors:
            return
        try:
            services.record_rules(self.instance, m2m=_m2m_values(self))
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)


def _add_error(form, error: ValidationError) -> None:
    """``error`` (by field, or not) on ``form``: on the fields the form shows, else above the row."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


class _SaveRefused(ValidationError):
    """A service refused a save the forms had passed: ``refusals`` lists (formset prefix —
    ``None`` for the main form —, row index — ``None`` for above the rows —, the error). A
    ``ValidationError`` still, for callers other than the change view."""

    def __init__(self, refusals: list[tuple[str | None, int | None, ValidationError]]):
        super().__init__([message for _where, _index, error in refusals for message in error.messages])
        self.refusals = refusals

    def for_prefix(self, prefix: str | None) -> list[tuple[int | None, ValidationError]]:
        return [(index, error) for where, index, error in self.refusals if where == prefix]


class _RefusedSaveFormMixin:
    """The main form of a post whose save a service refused: shows the refusal."""

    refused: list = []

    def _post_clean(self):
        super()._post_clean()
        for _index, error in self.refused:
            _add_error(self, error)


class RowsSavedTogetherFormSetMixin:
    """For a model formset whose rows ``ServiceAdmin`` saves together
    (``services.records_save_reordered``): the rows may trade numbers held unique — swap two
    agenda items' 順序, rotate three attendees' 席次 — in one post. Uniqueness is checked
    against the state after the save, among the rows and against stored records the formset
    does not show, and a clash is reported in Japanese on the number field of each row
    concerned (Django's own check reports it above the rows). ``refused_save`` holds what a
    service refused in an earlier try of the same post (``ServiceAdmin.changeform_view``)."""

    refused_save: _SaveRefused | None = None

    def validate_unique(self):
        forms = [form for form in self.forms if form.is_valid() and form not in self.deleted_forms]
        numbered = {f.name for fields, _constraint in services.unique_sets(self.model) for f in fields}
        if any(form.instance.pk is None or numbered & set(form.changed_data) for form in forms):
            fk = getattr(self, "fk", None)
            problems = services.records_unique_problems(
                [form.instance for form in forms],
                deleted=[form.instance for form in self.deleted_forms if form.instance.pk is not None],
                shared=[fk.name] if fk is not None else [],
            )
            for form, errors in zip(forms, problems, strict=True):
                for field, messages in errors.items():
                    form.add_error(field if field in form.fields else None, messages)
        super().validate_unique()  # the rest (unique_for_date), among the rows still valid

    def clean(self):
        super().clean()
        above = []
        for index, error in self.refused_save.for_prefix(self.prefix) if self.refused_save else ():
            if index is None or index >= len(self.forms):
                above.append(error)
            else:
                _add_error(self.forms[index], error)
        if above:
            raise ValidationError(above)


def _queued_messages(request) -> list:
    return list(getattr(getattr(request, "_messages", None), "_queued_messages", ()))


def _restore_messages(request, queued: list) -> None:
    # A refused try's messages (「…を消去しました」) tell of a change that was rolled back.
    storage = getattr(request, "_messages", None)
    if hasattr(storage, "_queued_messages"):
        storage._queued_messages[:] = queued


class ServiceAdmin(SimpleHistoryAdmin):
    """Saves through the services (``onechoice.services.record_write``: the model's named
    service, else ``record_save``), so the admin and
    every other writer share one path and one set of rules, many-to-many ones included;
    each record's 「履歴」 page shows who changed what and when (django-simple-history)."""

    form = ServiceModelForm

    def __init__(self, model, admin_site):
        # The admin is discovered before the apps are ready: load the model's services (and
        # so its rules) here.
        services_module = f"{model._meta.app_config.name}.services"
        if find_spec(services_module) is not None:
            import_module(services_module)
        if not services.is_declared(model):
            raise ImproperlyConfigured(f"{model._meta.label}: no app's services declare its writes.")
        super().__init__(model, admin_site)

    def has_change_permission(self, request, obj=None):
        # Model permission first; then, for one record, the division scope (onechoice.permissions).
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.may_edit(request.user, obj))

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # The revert form writes every field of an old version on purpose: its version token
        # is of the record as stored now, and every field is checked against it (get_form).
        request._revert_form = True
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        # django-simple-history lets anyone who may *view* a record post its revert form;
        # a revert is a change, so it takes the change permission on the stored record. One
        # transaction, as the change view has: the version check locks the stored row.
        with transaction.atomic(using=router.db_for_write(self.model)):
            current = self.get_object(request, unquote(object_id))
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
            return super().history_form_view(request, object_id, version_id, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if getattr(request, "_revert_form", False) and issubclass(form, concurrency.VersionTokenFormMixin):
            form = type(form.__name__, (form,), {"version_token_strict": True})
        refused = getattr(request, "_refused_save", None)
        if refused is not None:
            form = type(form.__name__, (_RefusedSaveFormMixin, form), {"refused": refused.for_prefix(None)})
        return form

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A save that a service refuses after the forms passed (a rule only the service sees, a
        # record changed meanwhile) never answers 500: the try is rolled back (the view's
        # transaction) and the same post is shown again, with the refusal on its form or row.
        if request.method != "POST" or hasattr(request, "_refused_save"):
            return super().changeform_view(request, object_id, form_url, extra_context)
        queued = _queued_messages(request)
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refused:
            _restore_messages(request, queued)
            request._refused_save = (
                refused if isinstance(refused, _SaveRefused) else _SaveRefused([(None, None, refused)])
            )
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_fieldsets(self, request, obj=None):
        return _with_token_field(super().get_fieldsets(request, obj))

    def get_formsets_with_inlines(self, request, obj=None):
        # A stale row marked for deletion is refused by its formset (onechoice.concurrency);
        # rows are checked and saved together, so that they may trade numbers.
        refused = getattr(request, "_refused_save", None)
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            mixins = [
                mixin
                for mixin in (RowsSavedTogetherFormSetMixin, concurrency.VersionTokenFormSetMixin)
                if not issubclass(formset, mixin)
            ]
            if mixins or refused is not None:
                formset = type(formset.__name__, (*mixins, formset), {"refused_save": refused})
            yield formset, inline

    def get_inline_formsets(self, request, formsets, inline_instances, obj=None):
        # Inline rows carry their version tokens too: render the hidden field in each row.
        inline_admin_formsets = super().get_inline_formsets(request, formsets, inline_instances, obj)
        for inline_admin_formset in inline_admin_formsets:
            if concurrency.TOKEN_FIELD in inline_admin_formset.formset.form.base_fields:
                inline_admin_formset.fieldsets = _with_token_field(inline_admin_formset.fieldsets)
        return inline_admin_formsets

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and hasattr(formfield, "queryset"):
            formfield.queryset = permissions.choosable_by(request.user, formfield.queryset)
        return formfield

    def save_model(self, request, obj, form, change):
        try:
            services.record_write(obj, m2m=_m2m_values(form))
        except ValidationError as error:
            raise _SaveRefused([(None, None, error)]) from error

    def save_related(self, request, form, formsets, change):
        # The form's many-to-many values were set by save_model, through the service.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # Mirrors BaseModelFormSet.save(), with each row going through its service — all rows
        # as one change, so that they may trade numbers held unique (records_save_reordered).
        instances = formset.save(commit=False)
        try:
            services.records_save_reordered(instances, deleted=formset.deleted_objects)
        except services.RecordsInvalid as refused:
            rows = {id(row.instance): index for index, row in enumerate(formset.forms)}
            raise _SaveRefused(
                [(formset.prefix, rows.get(id(obj)), error) for obj, error in refused.problems]
            ) from refused
        formset.save_m2m()

    def delete_model(self, request, obj):
        services.record_delete(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            services.record_delete(obj)


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
        try:
            sql = str(formfield.queryset.query)
        except EmptyResultSet:  # .none(): no choices to cache
            return formfield
        key = (self.model, db_field.name, sql)
        if key not in cache:
            cache[key] = list(formfield.choices)
        formfield.choices = cache[key]
        return formfield


class ParentLimitedChoicesMixin:
    """Limits an inline's dropdowns to the records of the parent being edited.

    ``parent_limited_choices = {"measure": "project"}`` offers, in the ``measure`` column,
    only the measures whose ``project`` is the parent record (any lookup path works, e.g.
    ``"project__years"``); on the add page, where there is no parent yet, nothing."""

    parent_limited_choices: dict[str, str] = {}

    def get_formset(self, request, obj=None, **kwargs):
        request._inline_parent_pk = obj.pk if obj is not None else None
        return super().get_formset(request, obj, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        path = self.parent_limited_choices.get(db_field.name)
        if path is not None:
            related = db_field.remote_field.model._default_manager
            parent_pk = getattr(request, "_inline_parent_pk", None)
            kwargs["queryset"] = related.filter(**{path: parent_pk}) if parent_pk else related.none()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class OrderedInlineMixin:
    """A tabular inline whose rows carry a number held unique (順序, 番号, 席次, 並び順) that
    the user puts in order: drag a row by its handle, or move it with its 「上へ」「下へ」
    buttons, and the numbers are rewritten (static/admin/js/ordering.js). The number inputs
    stay, so that without JavaScript any permutation typed by hand saves too (the rows are
    saved together, ``RowsSavedTogetherFormSetMixin``).

    ``order_field``: the number; ``order_within``: a field whose rows are numbered among
    themselves (a handout's 種別, a seat's 位置) and are reordered only among themselves."""

    order_field = "order"
    order_within: str | None = None

    @property
    def media(self):
        return super().media + forms.Media(js=["admin/js/ordering.js"])

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and db_field.name == self.order_field:
            formfield.widget.attrs["data-ordering"] = self.order_within or ""
        return formfield


class TabularInline(ParentScopedInlineMixin, ParentLimitedChoicesMixin, CachedChoicesMixin, admin.TabularInline):
    extra = 0
    form = ServiceModelForm


class StackedInline(ParentScopedInlineMixin, ParentLimitedChoicesMixin, CachedChoicesMixin, admin.StackedInline):
    extra = 0
    form = ServiceModelForm


def actions_without_permissions(site=admin.site) -> list[str]:
    """``ModelAdmin.action`` names of the portal's admins whose action declares no
    permission: Django then offers it to anyone who may view the list (checked at start-up,
    ``onechoice.E002``). Other apps' admins are for superusers only: no role holds their
    permissions."""
    return [
        f"{type(model_admin).__name__}.{name}"
        for model_admin in site._registry.values()
        if isinstance(model_admin, ServiceAdmin)
        for func, name, _description in model_admin._get_base_actions()
        if not getattr(func, "allowed_permissions", None)
    ]
