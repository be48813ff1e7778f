"""The shared cache tables (settings.CACHES: rendered PDFs, built pages) made by migrate
too, so that an installation upgraded with ``migrate`` alone has the table a new cache
alias needs. createcachetable leaves existing tables alone, so running it again is harmless."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("onechoice", "0002_historicalaffiliation_historicaldepartment_and_more")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=True)]
