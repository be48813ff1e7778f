"""The base resource: natural keys, all-or-nothing imports, errors by row and column."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.db import IntegrityError, models
from django.db.models.fields import NOT_PROVIDED
from django.utils.encoding import force_str
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from import_export import resources
from import_export.fields import Field
from import_export.results import Result, RowResult

from .. import services
from .files import ROW_COLUMN, ImportFileError, cell_problem, check_size, normalise_key, read_csv, read_xlsx
from .widgets import _AMBIGUOUS, CellError, LookupWidget, ManyWidget, index

#: Rows shown in the preview; every row is still validated and counted.
PREVIEW_ROWS = 100
#: Cells with control characters listed one by one; the rest are counted.
CELL_PROBLEMS_LISTED = 200
_ANY_CONTROL = re.compile(r"[\x00-\x1f]")
#: When the database refuses a write as a duplicate: another import or an edit wrote the same
#: record at the same time (the natural keys have unique constraints).
CONFLICT = _(
    "同じ記録がほかの取り込みか編集で同時に登録されたため、取り込みませんでした（データベースは変更していません）。"
    "もう一度ファイルを選んで、プレビューからやり直してください。"
)


@dataclass(frozen=True)
class RowError:
    row: int | None  # as Excel numbers it: the header is row 1
    column: str  # "" when the error concerns the whole row or file
    message: str


def _file_row(row, number):
    found = row.get(ROW_COLUMN) if row else None
    return int(found) if found not in (None, "") else number + 1


class ImportResult(Result):
    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(_file_row(row, number), row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(_file_row(row, number), row, errors)

    def row_errors(self):
        return [(_file_row(e.row, e.number), [e]) for r in self.rows for e in r.errors]

    def error_list(self) -> list[RowError]:
        """Every problem, file-wide ones first, then by row."""
        found = []
        for error in self.base_errors:
            exc = error.error
            if isinstance(exc, ImportFileError):
                found.append(RowError(exc.row, exc.column, str(exc)))
            elif isinstance(exc, IntegrityError):
                found.append(RowError(None, "", str(CONFLICT)))
            else:
                found.append(RowError(None, "", _("取り込み中に予期しないエラーが起きました: %s") % exc))
        for invalid in self.invalid_rows:
            for column, texts in invalid.error_dict.items():
                for text in texts:
                    found.append(RowError(invalid.number, "" if column == NON_FIELD_ERRORS else column, text))
        for number, errors in self.row_errors():
            for error in errors:
                if isinstance(error.error, IntegrityError):
                    found.append(RowError(number, "", str(CONFLICT)))
                else:
                    found.append(RowError(number, "", _("取り込み中に予期しないエラーが起きました: %s") % error.error))
        position = {column: i for i, column in enumerate(self.diff_headers)}
        return sorted(found, key=lambda e: (e.row or 0, position.get(e.column, len(position))))

    def summary(self) -> str:
        return _("新規 %(new)s 件、更新 %(update)s 件、変更なし %(skip)s 件") % {
            "new": self.totals[RowResult.IMPORT_TYPE_NEW],
            "update": self.totals[RowResult.IMPORT_TYPE_UPDATE],
            "skip": self.totals[RowResult.IMPORT_TYPE_SKIP],
        }


def diff_cells(before: list, after: list, *, new: bool) -> list:
    """The preview's cells: each value with what changed marked (<ins>, <del>), escaped."""
    dmp = diff_match_patch()
    cells = []
    for left, right in zip(before, after):
        diff = dmp.diff_main("" if new else force_str(left), force_str(right))
        dmp.diff_cleanupSemantic(diff)
        cells.append(mark_safe(dmp.diff_prettyHtml(diff)))
    return cells


# --------------------------------------------------------------------------------------------
# Resources


def _default(field: Field):
    return None if field.default is NOT_PROVIDED else field.default


def _key_part(value):
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str):
        return normalise_key(value)
    return value


class NaturalKeyResource(resources.ModelResource):
    """A resource whose records are found by ``natural_key`` (resource field names) instead of
    ids, and whose import is all-or-nothing (see the module docstring)."""

    natural_key: tuple[str, ...] = ()
    #: How messages name the key, when its fields read more columns than their own.
    key_columns: tuple[str, ...] = ()
    #: Natural key fields whose column a file may leave out (the key part is then empty).
    optional_key_fields: tuple[str, ...] = ()
    #: Columns a file must have besides those of the natural key.
    required_columns: tuple[str, ...] = ()
    #: Where a model error that names no field (or a field not in the file) is shown.
    error_columns: dict[str, str] = {}
    #: Model fields set by a field besides its own attribute (with Meta.use_bulk).
    also_updates: tuple[str, ...] = ()
    #: Columns whose cells may hold tabs and line breaks, besides text fields (TextField) and
    #: lists (ManyWidget), which always may; in other columns they are refused.
    multiline_columns: tuple[str, ...] = ()
    #: Unique constraints (by name) that the natural key implies though their fields differ
    #: from it: conditional ones, e.g. one for each of two key fields of which one is set.
    key_constraints: tuple[str, ...] = ()
    select_related: tuple[str, ...] = ()
    prefetch_related: tuple[str, ...] = ()

    class Meta:
        skip_unchanged = True
        report_skipped = False
        use_transactions = True
        clean_model_instances = False  # rows are validated by the services (see validate_instance)
        skip_diff = True  # no deepcopy per row: see snapshot() and after_import_row()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if self._meta.use_bulk and any(isinstance(f.widget, ManyWidget) for f in self.fields.values()):
            raise ImproperlyConfigured(f"{type(self).__name__}: Meta.use_bulk cannot set many-to-many fields.")

    @classmethod
    def get_result_class(cls):
        return ImportResult

    @classmethod
    def get_display_name(cls):
        return str(cls._meta.model._meta.verbose_name)

    def get_queryset(self):
        return self.filter_export(super().get_queryset())

    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(*self.select_related).prefetch_related(*self.prefetch_related)

    # -- which columns

    def get_import_fields(self):
        if not hasattr(self, "_import_fields"):
            self._import_fields = super().get_import_fields()
        return self._import_fields

    def column_names(self) -> list[str]:
        return [f.column_name for f in self.get_import_fields()]

    def get_required_columns(self) -> list[str]:
        keys = [self.fields[name].column_name for name in self.natural_key if name not in self.optional_key_fields]
        required = set(keys) | set(self.required_columns)
        return [c for c in self.column_names() if c in required]

    def check_headers(self, dataset) -> list[ImportFileError]:
        """Map headers to the columns (NFKC, spaces ignored); report missing or doubled ones."""
        canonical = {normalise_key(c): c for c in self.column_names()}
        headers = [canonical.get(normalise_key(h or ""), h) for h in dataset.headers or []]
        if not set(headers) & set(canonical.values()):
            return [
                ImportFileError(
                    _(
                        "1行目に知っている列名が1つもありません。1行目を見出し（%(columns)s）にしてください。"
                        "文字化けしているときは、文字コードを選び直すか、"
                        "Excelで「CSV UTF-8」として保存し直してください。"
                    )
                    % {"columns": "、".join(self.column_names())},
                    row=1,
                )
            ]
        problems = [
            ImportFileError(_("列「%(column)s」が2つあります。1つにしてください。") % {"column": h}, row=1, column=h)
            for h, n in Counter(headers).items()
            if n > 1 and h in canonical.values()
        ]
        problems += [
            ImportFileError(
                _("必須の列「%(column)s」がありません。1行目の見出しに「%(column)s」の列を入れてください。")
                % {"column": c},
                row=1,
                column=c,
            )
            for c in self.get_required_columns()
            if c not in headers
        ]
        if not problems:
            dataset.headers = headers
        return problems

    def takes_lines(self) -> set[str]:
        """The columns whose cells may hold tabs and line breaks."""
        columns = set(self.multiline_columns)
        opts = self._meta.model._meta
        for field in self.get_import_fields():
            if isinstance(field.widget, ManyWidget):
                columns.add(field.column_name)
                continue
            try:
                model_field = opts.get_field(field.attribute) if field.attribute else None
            except FieldDoesNotExist:
                model_field = None
            if isinstance(model_field, models.TextField):
                columns.add(field.column_name)
        return columns

    def check_cells(self, dataset) -> list[ImportFileError]:
        """Every cell (headers included) with a control character, by row and column: NUL and
        the other C0 characters anywhere (PostgreSQL cannot store NUL, and SQLite would), tabs
        and line breaks inside one-line values. Before any row is read, so none reaches a query."""
        known = set(self.column_names())
        lines = self.takes_lines()
        headers = list(dataset.headers or [])
        number_at = headers.index(ROW_COLUMN) if ROW_COLUMN in headers else None
        columns = [(i, h, h not in known or h in lines) for i, h in enumerate(headers) if i != number_at]
        problems = []
        for header in headers:
            problem = cell_problem(header, multiline=False)
            if problem:
                problems.append(ImportFileError(problem, row=1, column=header))
        for values in dataset:
            if not _ANY_CONTROL.search("".join(v for v in values if isinstance(v, str))):
                continue  # the common case: one search per row
            for i, column, multiline in columns:
                problem = cell_problem(values[i], multiline=multiline)
                if problem:
                    row = values[number_at] if number_at is not None else None
                    problems.append(ImportFileError(problem, row=row, column=column))
        if len(problems) > CELL_PROBLEMS_LISTED:
            more = len(problems) - CELL_PROBLEMS_LISTED
            problems = problems[:CELL_PROBLEMS_LISTED] + [
                ImportFileError(_("ほかにも制御文字などを含むセルが %(count)s 個あります。") % {"count": f"{more:,}"})
            ]
        return problems

    # -- the import run

    def import_data(
        self,
        dataset,
        dry_run=False,
        raise_errors=False,
        use_transactions=None,
        collect_failed_rows=False,
        rollback_on_validation_errors=False,
        **kwargs,
    ):
        # All or nothing whatever the caller asks: one transaction, rolled back on any bad row.
        self.import_user = kwargs.get("user")
        return super().import_data(
            dataset,
            dry_run=dry_run,
            raise_errors=raise_errors,
            use_transactions=True,
            collect_failed_rows=collect_failed_rows,
            rollback_on_validation_errors=True,
            **kwargs,
        )

    def import_data_inner(self, dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs):
        problems = self.check_headers(dataset)
        if not problems:
            problems = self.check_cells(dataset)
        if not problems:
            try:
                self.prepare_import(dry_run=dry_run)
            except Exception as error:  # reported as a file-wide error; no row is read
                problems = [error]
        if problems:
            result = self.get_result_class()()
            result.total_rows = len(dataset)
            for problem in problems:
                result.append_base_error(self.get_error_result_class()(problem))
            return result
        return super().import_data_inner(
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )

    def prepare_import(self, *, dry_run: bool) -> None:
        """Read every table the file may refer to, and the stored records, once."""
        cache = {}
        for field in self.fields.values():
            if hasattr(field.widget, "prepare"):
                field.widget.prepare(cache)
        self.existing = index(self.get_queryset(), self.instance_key)
        self.seen: dict = {}
        self.seen_rows = 0
        self.row_number = 0
        self.current = None
        self.dry_run = dry_run

    def before_import_row(self, row, **kwargs):
        self.row_number = _file_row(row, kwargs.get("row_number", 0))
        self.row_problems: dict[str, list] = {}

    def in_preview(self) -> bool:
        return self.dry_run and self.seen_rows <= PREVIEW_ROWS

    # -- natural keys

    def row_key(self, row) -> tuple:
        fields = [self.fields[name] for name in self.natural_key]
        return tuple(_key_part(f.clean(row) if f.column_name in row else _default(f)) for f in fields)

    def instance_key(self, obj) -> tuple:
        return tuple(_key_part(self.fields[name].get_value(obj)) for name in self.natural_key)

    def find_existing(self, row) -> tuple[object, models.Model | None]:
        """(key, stored record or None); key None when the row's key cells are themselves bad
        (the fields report why)."""
        try:
            key = self.row_key(row)
        except (ValueError, ValidationError):
            return None, None
        return key, self.existing.get(key)

    def key_label(self) -> str:
        return "・".join(self.key_columns or [self.fields[name].column_name for name in self.natural_key])

    def get_or_init_instance(self, instance_loader, row):
        self.seen_rows += 1
        key, instance = self.find_existing(row)
        if instance is _AMBIGUOUS:
            self.row_problems.setdefault(self.key_label(), []).append(
                _("同じ%(key)sの記録が2件以上登録されていて、どれを更新するか決められません。")
                % {"key": self.key_label()}
            )
            key, instance = None, None
        for k in (key, instance and ("pk", instance.pk)):
            if k is None:
                continue
            if k in self.seen:
                self.row_problems.setdefault(self.key_label(), []).append(
                    _("%(row)s行目と同じ%(key)sの行です。1行にまとめてください。")
                    % {"row": self.seen[k], "key": self.key_label()}
                )
                break
            self.seen[k] = self.row_number
        if instance is None:
            instance = self.init_instance(row)
        else:
            instance._import_before = self.snapshot(instance)
        self.current = instance if self.in_preview() else None
        if self.current is not None:
            instance._import_cells = self.cells(instance) if instance.pk else []
        return instance, instance.pk is None

    def snapshot(self, instance) -> dict:
        """What a stored record holds in the file's terms, to tell whether a row changes it."""
        values = {}
        for field in self.get_import_fields():
            if isinstance(field.widget, ManyWidget):
                values[field.column_name] = {o.pk for o in field.get_value(instance).all()}
            else:
                values[field.column_name] = field.get_value(instance)
        return values

    def cells(self, instance) -> list:
        return ["" if v is None else v for v in (f.export(instance) for f in self.get_import_fields())]

    # -- one row

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        instance._import_m2m = {}
        instance._import_failed = set()  # attributes left unset because their cells are bad
        for field in self.get_import_fields():
            if field.readonly or field.column_name not in row:
                continue
            try:
                if isinstance(field.widget, ManyWidget):
                    instance._import_m2m[field.attribute] = field.clean(row)
                else:
                    self.import_field(field, instance, row, **kwargs)
            except (ValueError, ValidationError) as error:
                instance._import_failed.add(field.attribute.split("__")[0])
                column = error.column if isinstance(error, CellError) else field.column_name
                texts = error.messages if isinstance(error, ValidationError) else [str(error)]
                known = errors.setdefault(column, [])
                known.extend(t for t in texts if t not in known)  # two lookups may share a column
        for column, texts in self.row_problems.items():
            errors.setdefault(column, []).extend(texts)
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if import_validation_errors or instance.pk is None:
            return False
        before = instance._import_before
        for field in self.get_import_fields():
            if field.column_name not in row:
                continue
            if isinstance(field.widget, ManyWidget):
                now = {o.pk for o in instance._import_m2m.get(field.attribute, [])}
            else:
                now = field.get_value(instance)
            if now != before[field.column_name]:
                return False
        return True

    def after_import_row(self, row, row_result, **kwargs):
        # The preview's first rows show each cell as it was and as it will be.
        instance, self.current = self.current, None
        if instance is not None and row_result.import_type in (RowResult.IMPORT_TYPE_NEW, RowResult.IMPORT_TYPE_UPDATE):
            before = instance._import_cells or [""] * len(self.get_import_fields())
            row_result.diff = diff_cells(before, self.cells(instance), new=row_result.is_new())

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # Saved one by one, a row whose cells are fine is cleaned once, by record_save (see
        # do_instance_save). Saved in bulk, or when its cells are bad, it is cleaned here, so the
        # preview shows all of a row's problems at once.
        errors = dict(import_validation_errors or {})
        if not errors and not self._meta.use_bulk:
            return
        failed = getattr(instance, "_import_failed", set()) | {
            f.attribute.split("__")[0] for f in self.get_import_fields() if f.column_name in errors and f.attribute
        }
        try:
            self.clean_instance(instance, exclude=failed | set(getattr(instance, "_import_m2m", {})))
        except ValidationError as error:
            for column, texts in self.column_errors(error).items():
                errors.setdefault(column, texts)  # a bad cell is reported once, for itself
        if errors:
            raise ValidationError(errors)

    def clean_instance(self, instance, *, exclude: set[str]) -> None:
        """The record's rules as every writer applies them (``services.record_validate``:
        ``full_clean`` and the rules its app registered), told what this import has already
        answered: a foreign key found in a table read once per import is not looked up again,
        a foreign key the file does not set is not checked again (as in an admin form), and
        unique constraints the natural key implies hold because keys are unique in the file
        and stored records are updated, not duplicated."""
        opts = self._meta.model._meta
        imported = {f.attribute.split("__")[0] for f in self.get_import_fields() if f.attribute and not f.readonly}
        untouched = {f.name for f in opts.concrete_fields if f.is_relation and f.name not in imported}
        services.record_validate(
            instance,
            m2m=getattr(instance, "_import_m2m", None),
            exclude=exclude,
            resolved=self.looked_up_attributes(),
            unset=untouched,
            validate_unique=not self.key_implies_uniqueness(),
        )

    def looked_up_attributes(self) -> set[str]:
        return {
            f.attribute
            for f in self.get_import_fields()
            if isinstance(f.widget, LookupWidget) and not f.readonly and "__" not in f.attribute
        }

    def key_implies_uniqueness(self) -> bool:
        """Whether every unique field set of the model contains the natural key's fields."""
        opts = self._meta.model._meta
        constraints = [c for c in opts.constraints if c.name not in self.key_constraints]
        if any(not getattr(c, "fields", ()) for c in constraints):
            return False  # check constraints and expressions: Django checks them
        key = {self.fields[name].attribute.split("__")[0] for name in self.natural_key}
        unique_sets = [{f.name} for f in opts.concrete_fields if f.unique and not f.primary_key]
        unique_sets += [set(fields) for fields in opts.unique_together]
        unique_sets += [set(c.fields) for c in constraints]
        return all(key <= fields for fields in unique_sets)

    def column_errors(self, error: ValidationError) -> dict[str, list[str]]:
        """A model's ValidationError keyed by the file's columns, in plain Japanese."""
        by_attribute = {}
        for field in self.get_import_fields():
            if field.attribute and not field.readonly:
                by_attribute.setdefault(field.attribute.split("__")[0], field.column_name)
        out: dict[str, list[str]] = {}
        items = error.error_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.error_list)]
        for name, errors in items:
            column = self.error_columns.get(name) or by_attribute.get(name)
            if column is None and name != NON_FIELD_ERRORS:
                column = str(self._meta.model._meta.get_field(name).verbose_name)
            for e in errors:
                text = _("値を入力してください。") if e.code in ("blank", "null", "required") else e.messages[0]
                out.setdefault(column or NON_FIELD_ERRORS, []).append(str(text))
        return out

    def do_instance_save(self, instance, is_create):
        try:
            services.record_write(instance, m2m=getattr(instance, "_import_m2m", None))
        except ValidationError as error:
            raise ValidationError(self.column_errors(error)) from None

    def save_m2m(self, instance, row, **kwargs):
        pass  # set by services.record_save, with the record

    # -- in bulk (Meta.use_bulk): rows validated by validate_instance (the same
    # services.record_validate as a single save), written batch by batch by
    # services.records_save_bulk, with their change history.

    def bulk_update_fields(self) -> list[str]:
        names = [f.attribute for f in self.get_import_fields() if f.attribute and not f.readonly]
        return list(dict.fromkeys(names + list(self.also_updates)))

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances and (using_transactions or not dry_run):
            try:
                services.records_save_bulk(
                    model=self._meta.model,
                    create=self.create_instances,
                    user=self.import_user,
                    batch_size=batch_size,
                    validated=True,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances and (using_transactions or not dry_run):
            try:
                services.records_save_bulk(
                    model=self._meta.model,
                    update=self.update_instances,
                    fields=self.bulk_update_fields(),
                    user=self.import_user,
                    batch_size=batch_size,
                    validated=True,
                )
            except Exception as error:
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()


def import_file(
    resource: NaturalKeyResource,
    data: bytes,
    *,
    filename: str,
    encoding: str = "auto",
    dry_run: bool = False,
    user=None,
) -> ImportResult:
    """Import a CSV or xlsx file (told apart by its name) as the admin does: all rows or none.
    Raises ``ImportFileError`` when the file cannot be read at all (or is past the bounds)."""
    check_size(len(data))
    dataset = read_xlsx(data) if filename.lower().endswith(".xlsx") else read_csv(data, encoding)
    return resource.import_data(dataset, dry_run=dry_run, user=user)


def export_file(resource: NaturalKeyResource, queryset=None, *, file_format) -> bytes:
    """The file the admin's export gives for ``queryset`` (all records by default)."""
    return file_format().export_data(resource.export(queryset))
