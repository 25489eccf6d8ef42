# A trigram index for the ticket search (tickets.selectors.TICKET_SEARCH_TEXT), PostgreSQL only.

from django.db import migrations

INDEX = "tickets_search_trgm_idx"
TEXT = "upper(code || ' ' || titulo || ' ' || descripcion || ' ' || equipo)"  # = TICKET_SEARCH_TEXT


def create(apps, schema_editor):
    # Other databases (the SQLite of `make run`) search without an index.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON tickets_ticket USING gin ({TEXT} gin_trgm_ops)")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_ticket_counts")]

    operations = [migrations.RunPython(create, drop)]
