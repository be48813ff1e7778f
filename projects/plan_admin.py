"""The plan's 「ありたい姿と取組みの方向性をまとめて編集」 admin screen: every desired state of a
plan, grouped by area, each with its directions as ordered rows, in one form and one save.
Django's admin does not nest inlines (plan → state → direction), so this is a page of its
own, reached from the plan's change page. A thin view: the write is
``projects.services.plan_directions_save``."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet, inlineformset_factory
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from onechoice import concurrency
from onechoice.admin_tools import RowsSavedTogetherFormSetMixin, ServiceModelForm
from onechoice.services import RecordsInvalid

from . import selectors, services
from .models import DesiredState, Direction, Plan

#: Empty rows offered under each state's directions, for adding without JavaScript.
EXTRA_ROWS = 2


class DirectionRowForm(ServiceModelForm):
    """One direction: its 順序 and text, with the version token of the row it shows."""

    class Meta:
        model = Direction
        fields = ["order", "text"]
        widgets = {
            "order": forms.NumberInput(attrs={"min": 0, "class": "vIntegerField", "aria-label": "順序"}),
            "text": forms.TextInput(attrs={"class": "vLargeTextField", "aria-label": "取組みの方向性"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only stored rows are moved by static/admin/js/ordering.js: an empty row that took
        # part in a move would change its number and so count as filled in.
        if self.instance.pk is not None:
            self.fields["order"].widget.attrs["data-ordering"] = ""

    def has_changed(self):
        # An empty row is filled in by its text: a number alone (the one offered, or one a
        # change made meanwhile shifted) adds nothing and is no error.
        if self.instance.pk is None:
            return bool(str(self.data.get(self.add_prefix("text"), "")).strip())
        return super().has_changed()


class BaseDirectionFormSet(RowsSavedTogetherFormSetMixin, concurrency.VersionTokenFormSetMixin, BaseInlineFormSet):
    """A state's directions: rows may trade numbers (checked together), a stale row is
    refused naming it; the rows come from the plan's one prefetch, not a query per state;
    the empty rows are numbered after the last one, so that typing a text is enough."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        last = max((d.order for d in self.get_queryset()), default=0)
        self.initial_extra = [{"order": last + n} for n in range(1, self.extra + 1)]

    def get_queryset(self):
        return list(self.instance.directions.all())  # prefetched by plan_states


DirectionFormSet = inlineformset_factory(
    DesiredState,
    Direction,
    form=DirectionRowForm,
    formset=BaseDirectionFormSet,
    fields=["order", "text"],
    extra=EXTRA_ROWS,
    can_delete=True,
)


def _formsets(states, data=None) -> list:
    return [DirectionFormSet(data, instance=state, prefix=f"directions-{state.pk}") for state in states]


def _show_refusal(formsets, refused: RecordsInvalid) -> None:
    """A row the service refused after the forms passed: its errors on its row."""
    rows = {id(form.instance): (formset, form) for formset in formsets for form in formset.forms}
    for instance, error in refused.problems:
        formset, form = rows.get(id(instance), (None, None))
        if form is None:
            continue
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)


def _areas(formsets) -> list[dict]:
    """The states' formsets grouped by area, in order."""
    areas: list[dict] = []
    for formset in formsets:
        state = formset.instance
        if not areas or areas[-1]["number"] != state.area_number:
            areas.append({"number": state.area_number, "name": state.area, "states": []})
        areas[-1]["states"].append(formset)
    return areas


def plan_directions_view(model_admin, request, object_id):
    """GET: the form; POST: every state's rows saved together, or nothing and the errors.

    Only who may change the plan: a viewer gets 403 rather than a read-only copy, since the
    plan's change page and the public plan page already show the directions to read."""
    plan = model_admin.get_object(request, unquote(object_id))  # None for a missing or malformed id
    if plan is None:
        raise Http404
    if not model_admin.has_change_permission(request, plan):
        raise PermissionDenied
    if request.method == "POST":
        try:
            with transaction.atomic():  # the rows' version checks lock them until the save
                formsets = _formsets(selectors.plan_states(plan), request.POST)
                if all([formset.is_valid() for formset in formsets]):
                    added, changed, deleted = services.plan_directions_save(
                        plan=plan,
                        states=[
                            (formset.instance, formset.save(commit=False), formset.deleted_objects)
                            for formset in formsets
                        ],
                    )
                    model_admin.message_user(
                        request,
                        _(
                            "取組みの方向性を保存しました（追加 %(added)d 件、変更 %(changed)d 件、"
                            "削除 %(deleted)d 件）。"
                        )
                        % {"added": added, "changed": changed, "deleted": deleted},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(request.path)
        except RecordsInvalid as refused:
            _show_refusal(formsets, refused)
        except ValidationError as refused:
            for message in refused.messages:
                model_admin.message_user(request, message, messages.ERROR)
    else:
        formsets = _formsets(selectors.plan_states(plan))
    has_errors = any(formset.total_error_count() for formset in formsets)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "title": _("ありたい姿と取組みの方向性をまとめて編集"),
        "subtitle": str(plan),
        "plan": plan,
        "areas": _areas(formsets),
        "formsets": formsets,
        "has_errors": has_errors,
        "change_url": reverse("admin:projects_plan_change", args=[plan.pk]),
        "media": model_admin.media + forms.Media(js=["admin/js/ordering.js"]),
    }
    return TemplateResponse(request, "admin/projects/plan/directions.html", context)
