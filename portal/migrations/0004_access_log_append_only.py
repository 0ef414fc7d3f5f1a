"""On PostgreSQL, the access log refuses UPDATE and DELETE at the database itself, so not even
a bug or a direct SQL session can rewrite who read what."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION portal_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'portal_accesslog is append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER portal_accesslog_append_only
    BEFORE UPDATE OR DELETE ON portal_accesslog
    FOR EACH ROW EXECUTE FUNCTION portal_accesslog_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS portal_accesslog_append_only ON portal_accesslog;
DROP FUNCTION IF EXISTS portal_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_access_log")]

    operations = [migrations.RunPython(forwards, backwards)]
