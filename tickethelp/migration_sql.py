"""What the migrations that install PostgreSQL triggers and functions share."""


def on_postgresql(statement: str):
    """A RunPython function executing `statement` on PostgreSQL only: other databases (the
    SQLite of `make run`) keep no counters or roll-ups, and the selectors count instead."""

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(statement)

    return run
