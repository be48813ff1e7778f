"""Used by the migrations that add a unique constraint on an importer's natural key: before
``AddConstraint``, refuse with the list of offending records if the stored records already
break the constraint, instead of failing with the database's bare IntegrityError.

The module name starts with ``_`` so that Django's migration loader does not take it for a
migration. Migrations call it with their historical ``apps``; it uses nothing else of the
project, so later changes to the models cannot change what an old migration checks.
"""

from django.core.management.base import CommandError
from django.db.models import Count

#: Groups of duplicates listed in the message; the rest are counted.
LISTED = 20


class DuplicateRecords(CommandError):
    """``migrate`` prints it without a traceback and exits; the migration's transaction is
    rolled back, so nothing of it is applied."""


def refuse_duplicates(apps, schema_editor, *, app_label, model_name, fields, constraint, key, show=(), condition=None):
    """Raise ``DuplicateRecords`` if two stored records share ``fields`` (where ``condition``
    holds; a NULL in any of ``fields`` never collides, as in the database). ``key`` names the
    fields in the message, ``show`` are the lookups that show a group (default ``fields``)."""
    model = apps.get_model(app_label, model_name)
    rows = model._base_manager.db_manager(schema_editor.connection.alias).filter(
        **{f"{name}__isnull": False for name in fields}
    )
    if condition is not None:
        rows = rows.filter(condition)
    groups = list(rows.values(*fields).annotate(_copies=Count("pk")).filter(_copies__gt=1).order_by(*fields))
    if not groups:
        return
    lines = []
    for group in groups[:LISTED]:
        same = rows.filter(**{name: group[name] for name in fields}).order_by("pk")
        ids = ", ".join(str(pk) for pk in same.values_list("pk", flat=True))
        label = "・".join("" if v is None else str(v) for v in same.values_list(*(show or fields))[0])
        lines.append(f"  {label}（id {ids}）")
    if len(groups) > LISTED:
        lines.append(f"  ほか {len(groups) - LISTED} 組")
    raise DuplicateRecords(
        f"{model._meta.verbose_name}（{model._meta.label}）に、{key}が同じ記録が {len(groups)} 組あります。"
        f"一意制約 {constraint} を追加できないため、このマイグレーションは適用していません。"
        "管理画面で重複した記録を削除するか直してから、もう一度 migrate してください。\n" + "\n".join(lines)
    )
