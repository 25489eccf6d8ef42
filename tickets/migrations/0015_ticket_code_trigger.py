# A ticket's code is filled by PostgreSQL as the row is inserted (BEFORE INSERT trigger),
# from the primary key the same INSERT draws: the create no longer runs an UPDATE of the row
# it has just written (one statement, one dead row version and one index entry less).
# tickets.models.ticket_code_for computes the same text in Python; SQLite keeps the UPDATE.

from django.db import migrations

from tickethelp.migration_sql import on_postgresql

INSTALL = """
CREATE OR REPLACE FUNCTION tickets_ticket_fill_code() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.code IS NULL THEN
        -- f"TK-{pk:06d}": at least six digits, never cut
        NEW.code := 'TK-' || CASE WHEN NEW.id < 1000000 THEN lpad(NEW.id::text, 6, '0') ELSE NEW.id::text END;
    END IF;
    RETURN NEW;
END $$;

DROP TRIGGER IF EXISTS tickets_ticket_code ON tickets_ticket;
CREATE TRIGGER tickets_ticket_code BEFORE INSERT ON tickets_ticket
    FOR EACH ROW EXECUTE FUNCTION tickets_ticket_fill_code();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS tickets_ticket_code ON tickets_ticket;
DROP FUNCTION IF EXISTS tickets_ticket_fill_code();
"""


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_sla_compliance_indexes")]

    operations = [migrations.RunPython(on_postgresql(INSTALL), on_postgresql(UNINSTALL))]
