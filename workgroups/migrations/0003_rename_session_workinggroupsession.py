"""``Session`` becomes ``WorkingGroupSession`` (it shared its name with
``django.contrib.sessions.models.Session``). The table, its history table, the content types
and the permissions are renamed in place, so every row, every history entry and every group's
permissions stay as they were."""

from django.db import migrations

RENAMES = {"session": "workinggroupsession", "historicalsession": "historicalworkinggroupsession"}


def rename_permissions(apps, schema_editor):
    # Django makes permissions for the new name only after migrating (post_migrate); renaming
    # the old ones keeps the groups that hold them.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    for old, new in RENAMES.items():
        content_type = ContentType.objects.filter(app_label="workgroups", model=new).first()
        if content_type is None:
            continue
        for permission in Permission.objects.filter(content_type=content_type, codename__endswith=f"_{old}"):
            action = permission.codename.removesuffix(f"_{old}")
            if Permission.objects.filter(content_type=content_type, codename=f"{action}_{new}").exists():
                continue
            permission.codename = f"{action}_{new}"
            permission.save(update_fields=["codename"])


class Migration(migrations.Migration):
    dependencies = [
        ("workgroups", "0002_historicalsession_historicalworkinggroup_and_more"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RenameModel("Session", "WorkingGroupSession"),
        migrations.RenameModel("HistoricalSession", "HistoricalWorkingGroupSession"),
        migrations.RunPython(rename_permissions, migrations.RunPython.noop),
    ]
