"""On PostgreSQL, the ledger refuses UPDATE and DELETE in the database too (whatever the client).

A row-level trigger raises on any UPDATE or DELETE of ``points_pointentry``. TRUNCATE (a test
database's flush, a restore) is not a row operation and still works. SQLite keeps the model's
checks only: its test databases are emptied with DELETE.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION points_ledger_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'points_pointentry is append-only: ' || TG_OP || ' refused (withdraw points with a reversing line)',
        ERRCODE = 'restrict_violation';
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER points_ledger_append_only
BEFORE UPDATE OR DELETE ON points_pointentry
FOR EACH ROW EXECUTE FUNCTION points_ledger_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS points_ledger_append_only ON points_pointentry;
DROP FUNCTION IF EXISTS points_ledger_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)
        schema_editor.execute(TRIGGER)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("points", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
