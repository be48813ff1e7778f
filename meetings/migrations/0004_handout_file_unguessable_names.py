"""Handout files under names nobody can guess (meetings.models.handout_upload_to).

New uploads get handouts/<year>/<32 hex digits>.pdf. The files stored before keep their
content and their year directory and get such a name too (handouts/2021/資料1.pdf becomes
handouts/2021/<random>.pdf), in the storage (MEDIA_ROOT or the bucket) and in the handout's
history; the download's name comes from the handout's title, as before. One handout at a
time and outside a transaction: a copy is stored, the row points at it, then the old file is
deleted, so an interruption leaves at most a stray copy and running it again finishes the rest.
"""

import posixpath
import re
import secrets

import django.core.validators
from django.db import migrations, models

import meetings.models

RANDOM_NAME = re.compile(r"handouts/[0-9]{4}/[0-9a-f]{32}\.pdf")
YEAR_DIRECTORY = re.compile(r"handouts/[0-9]{4}")


def rename_stored_files(apps, schema_editor):
    from django.core.files.storage import default_storage

    Handout = apps.get_model("meetings", "Handout")
    HistoricalHandout = apps.get_model("meetings", "HistoricalHandout")
    for pk, old in Handout.objects.exclude(file="").values_list("pk", "file"):
        if RANDOM_NAME.fullmatch(old) or not default_storage.exists(old):
            continue  # renamed already, or a name without a file: nothing to move
        directory = posixpath.dirname(old)
        if YEAR_DIRECTORY.fullmatch(directory):
            wanted = f"{directory}/{secrets.token_hex(16)}.pdf"
        else:
            wanted = meetings.models.handout_upload_to(None, old)
        with default_storage.open(old, "rb") as content:
            new = default_storage.save(wanted, content)
        Handout.objects.filter(pk=pk).update(file=new)
        HistoricalHandout.objects.filter(id=pk, file=old).update(file=new)
        default_storage.delete(old)


class Migration(migrations.Migration):
    atomic = False  # files and rows move together one handout at a time (see above)

    dependencies = [
        ("meetings", "0003_historicalagendaitem_historicalattendance_and_more"),
    ]

    operations = [
        migrations.AlterField(
            model_name="handout",
            name="file",
            field=models.FileField(
                blank=True,
                upload_to=meetings.models.handout_upload_to,
                validators=[
                    django.core.validators.FileExtensionValidator(
                        ["pdf"], message="PDFファイル（.pdf）を選んでください。"
                    ),
                    meetings.models.validate_pdf_upload,
                ],
                verbose_name="PDFファイル",
            ),
        ),
        migrations.RunPython(rename_stored_files, migrations.RunPython.noop),
    ]
