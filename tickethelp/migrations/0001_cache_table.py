"""The database cache table (throttle counters without Redis), so that `migrate` alone
leaves a working server: before this, login was a 500 until `createcachetable` ran."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    # Idempotent, and a no-op when CACHES names no database cache (REDIS_URL is set).
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
