"""The admin screens: django-import-export's, with this package's formats, form and rules, and
a confirmation that imports once (see ``previews``)."""

import re
from urllib.parse import quote

from django import forms as django_forms
from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export import forms as ie_forms
from import_export.admin import ImportExportMixin

from .. import permissions
from . import previews
from .files import (
    CSV,
    ENCODING_CHOICES,
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ExportCSVCP932,
    ImportFileError,
    check_size,
    decode_text,
    limit,
)


def _file_name_part(text: str) -> str:
    """``text`` safe in a file name on Windows and macOS alike (no path separators, no
    characters Explorer refuses, no control characters)."""
    return re.sub(r'[\\/:*?"<>|\x00-\x1f\x7f]', "_", str(text)).strip()


def attachment_disposition(filename: str, ascii_filename: str) -> str:
    """``Content-Disposition`` of a download named ``filename`` (Japanese: RFC 5987's
    ``filename*``) with ``ascii_filename`` for clients that read only ``filename``.
    (Django's ``content_disposition_header`` sends one or the other, never both.)"""
    ascii_filename = ascii_filename.replace("\\", "_").replace('"', "_")
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}; filename=\"{ascii_filename}\""


class ImportForm(ie_forms.ImportForm):
    encoding = django_forms.ChoiceField(
        label=_("文字コード（CSVのとき）"),
        choices=ENCODING_CHOICES,
        initial="auto",
        required=False,
        help_text=_("ふつうは自動判定で読めます。文字化けするときだけ選んでください。"),
    )
    field_order = ["resource", "import_file", "format", "encoding"]

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.format_classes = formats

    def clean_import_file(self):
        # Refused by its size before a byte of it is read (Django keeps a large upload in a
        # temporary file, not in memory).
        upload = self.cleaned_data["import_file"]
        try:
            check_size(upload.size)
        except ImportFileError as error:
            raise django_forms.ValidationError(str(error)) from None
        return upload

    def clean(self):
        # A CSV is decoded here, with the chosen or detected encoding, and kept as UTF-8 for
        # the preview and the confirmation alike.
        cleaned = super().clean()
        upload, chosen = cleaned.get("import_file"), cleaned.get("format")
        if upload is None or chosen in (None, "") or not issubclass(self.format_classes[int(chosen)], CSV):
            return cleaned
        try:
            text = decode_text(b"".join(upload.chunks()), cleaned.get("encoding") or "auto")
        except ImportFileError as error:
            self.add_error("import_file", str(error))
        else:
            cleaned["import_file"] = SimpleUploadedFile(upload.name, text.encode("utf-8"), "text/csv")
        return cleaned


class ImportExportAdminMixin(ImportExportMixin):
    """django-import-export's admin screens with this package's formats, form and rules: only
    the secretariat imports (division staff are limited to their own items, which a file
    could bypass); whoever may view a list may export it."""

    import_form_class = ImportForm
    export_form_class = ie_forms.ExportForm
    import_template_name = "onechoice/admin/import.html"
    tmp_storage_class = previews.PreviewStorage

    def get_import_formats(self):
        return IMPORT_FORMATS

    def get_export_formats(self):
        return EXPORT_FORMATS

    def get_import_context_data(self, **kwargs):
        resource_class = self.get_import_resource_classes(None)[0]
        limits = {
            "size": f"{limit('IMPORT_MAX_BYTES') // (1024 * 1024)} MB",
            "rows": f"{limit('IMPORT_MAX_ROWS'):,}",
            "minutes": previews.timeout() // 60,
        }
        return {"import_required_columns": resource_class().get_required_columns(), "import_limits": limits, **kwargs}

    # -- preview and confirmation: a preview is confirmed once (see previews)

    def import_action(self, request, **kwargs):
        # A preview with errors (or a file that could not be read) offers no confirmation:
        # its stored file goes at once instead of waiting for the timeout.
        with previews.stored_here() as stored:
            response = None
            try:
                response = super().import_action(request, **kwargs)
            finally:
                if "confirm_form" not in (getattr(response, "context_data", None) or {}):
                    for name in stored:
                        self.get_tmp_storage_class()(name=name).remove()
        return response

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:
            initial["import_file_name"] = previews.sign(
                name=initial["import_file_name"],
                format=initial["format"],
                file_name=initial["original_file_name"],
                resource=initial["resource"],
                user=request.user,
                model=self.model,
            )
        return initial

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        """The confirmation: imports the previewed file if this request is the first to take
        it; a replayed, expired or altered confirmation gets a message and changes nothing."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        confirm_form = self.create_confirm_form(request)
        try:
            if not confirm_form.is_valid():
                raise previews.Refused(previews.TAMPERED)
            fields = confirm_form.cleaned_data
            data = previews.claim(
                fields["import_file_name"],
                format=fields["format"],
                file_name=fields["original_file_name"],
                resource=fields.get("resource"),
                user=request.user,
                model=self.model,
            )
            input_format = self.get_import_formats()[int(fields["format"])](encoding=self.from_encoding)
            dataset = input_format.create_dataset(data)
        except (previews.Refused, ImportFileError) as refusal:  # ImportFileError: bounds lowered since
            messages.error(request, str(refusal))
            app_label, model_name = self.get_model_info()
            url = reverse(f"admin:{app_label}_{model_name}_import", current_app=self.admin_site.name)
            return HttpResponseRedirect(url)
        result = self.process_dataset(dataset, confirm_form, request, **kwargs)
        return self.process_result(result, request)

    def has_import_permission(self, request):
        return (
            permissions.role_of(request.user) == permissions.Role.SECRETARIAT
            and self.has_add_permission(request)
            and self.has_change_permission(request)
        )

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, ImportFileError):
            form.add_error("import_file", str(e))
        else:
            form.add_error("import_file", _("ファイルを読めません。形式（csv / xlsx）が合っているか確認してください。"))

    # -- export: files named in Japanese by what they hold

    def export_subject(self, request) -> str:
        """What the export is limited to, first in its file name (令和3年度第4回本部会議 when the
        list is filtered to one meeting); '' for the whole list. An admin overrides it,
        typically with ``filtered_object``."""
        return ""

    def filtered_object(self, request, field_name: str) -> models.Model | None:
        """The record the change list is filtered to by its foreign key ``field_name``
        (``?meeting__id__exact=12``, as the export link carries the list's filters), or None."""
        related = self.model._meta.get_field(field_name).related_model
        for key in (f"{field_name}__id__exact", f"{field_name}__exact", f"{field_name}__pk__exact", field_name):
            value = request.GET.get(key)
            if value:
                try:
                    return related._default_manager.filter(pk=value).first()
                except (ValueError, TypeError, ValidationError):  # ?meeting__id__exact=abc
                    return None
        return None

    def get_export_filename(self, request, queryset, file_format):
        """令和3年度第4回本部会議_出席者_2026-12-03.csv: what the file holds and the day (Japan's)
        it was taken; 出席者_2026-12-03_シフトJIS.csv for the CP932 CSV. The ASCII name for
        older clients is ``get_export_ascii_filename``."""
        cp932 = "_シフトJIS" if isinstance(file_format, ExportCSVCP932) else ""
        parts = [self.export_subject(request), self.model._meta.verbose_name_plural, timezone.localdate().isoformat()]
        stem = "_".join(_file_name_part(part) for part in parts if _file_name_part(part))
        return f"{stem}{cp932}.{file_format.get_extension()}"

    def get_export_ascii_filename(self, request, queryset, file_format) -> str:
        """Attendance-2026-12-03.csv (-cp932.csv for the CP932 CSV), for clients that do not
        read RFC 5987 names."""
        cp932 = "-cp932" if isinstance(file_format, ExportCSVCP932) else ""
        return f"{self.model.__name__}-{timezone.localdate().isoformat()}{cp932}.{file_format.get_extension()}"

    def export_action(self, request):
        # The export takes the list's filters from its URL; one the list cannot apply
        # (?meeting__id__exact=abc) sends the user back to the list instead of failing.
        try:
            return super().export_action(request)
        except IncorrectLookupParameters:
            messages.error(
                request,
                _("絞り込みの条件が正しくないため書き出せませんでした。一覧で絞り込み直してください。"),
            )
            app_label, model_name = self.get_model_info()
            changelist = reverse(f"admin:{app_label}_{model_name}_changelist", current_app=self.admin_site.name)
            return HttpResponseRedirect(changelist)

    def _do_file_export(self, file_format, request, queryset, export_form=None):
        # django-import-export writes ``filename="…"`` as it is, which a Japanese name cannot
        # be (Django would MIME-encode it and browsers would save 「=_utf-8_b_…」).
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)
        response["Content-Disposition"] = attachment_disposition(
            self.get_export_filename(request, queryset, file_format),
            self.get_export_ascii_filename(request, queryset, file_format),
        )
        return response

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The records changed between the preview and the confirmation; nothing was written.
            form_class = self.get_import_form_class(request)
            form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
            context = {
                **self.admin_site.each_context(request),
                **self.get_import_context_data(),
                "title": _("インポート"),
                "opts": self.model._meta,
                "form": form,
                "result": result,
                "media": self.media + form.media,
                "fields_list": [],
                "import_error_display": self.import_error_display,
            }
            request.current_app = self.admin_site.name
            return TemplateResponse(request, [self.import_template_name], context)
        return super().process_result(result, request)

    def add_success_message(self, result, request):
        messages.success(
            request,
            _("取り込みが完了しました（%(what)s）: %(summary)s。")
            % {"what": self.model._meta.verbose_name_plural, "summary": result.summary()},
        )
