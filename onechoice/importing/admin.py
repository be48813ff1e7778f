"""The admin screens: django-import-export's, with this package's formats, form and rules."""

from django import forms as django_forms
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export import forms as ie_forms
from import_export.admin import ImportExportMixin

from .. import permissions
from .files import CSV, ENCODING_CHOICES, EXPORT_FORMATS, IMPORT_FORMATS, ExportCSVCP932, ImportFileError, decode_text


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

    def get_import_formats(self):
        return IMPORT_FORMATS

    def get_export_formats(self):
        return EXPORT_FORMATS

    def get_import_context_data(self, **kwargs):
        resource_class = self.get_import_resource_classes(None)[0]
        return {"import_required_columns": resource_class().get_required_columns(), **kwargs}

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

    def get_export_filename(self, request, queryset, file_format):
        name = super().get_export_filename(request, queryset, file_format)
        return name.replace(".csv", "-cp932.csv") if isinstance(file_format, ExportCSVCP932) else name

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # The records changed between the preview and the confirmation; nothing was written.
            form_class = self.get_import_form_class(request)
            form = form_class(self.get_import_formats(), self.get_import_resource_classes(request))
            context = {
                **self.admin_site.each_context(request),
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
