"""The index of the patient search's name keys (PatientQuerySet.with_name_keys): the names in upper
case, in code point order (collation "C" on PostgreSQL), then the id. A surname-prefix search reads
its page from here in the list's order, however many patients share the surname. Written as SQL
because the collation is PostgreSQL's; SQLite gets the same keys in its default (binary) order.

On PostgreSQL the index is built CONCURRENTLY, so patients can still be written while it is built;
that cannot run in a transaction, so this migration is not atomic. Every step can be run again."""

from django.db import migrations

NAME = "patient_name_keys"
KEYS = {
    "postgresql": '(UPPER(family_name) COLLATE "C"), (UPPER(given_name) COLLATE "C"), id',
    "sqlite": "UPPER(family_name), UPPER(given_name), id",
}


def drop_if_invalid(schema_editor, name):
    """A CREATE INDEX CONCURRENTLY that failed leaves an invalid index behind, which IF NOT EXISTS
    would then keep: drop it so that the build is tried again."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
            [name],
        )
        row = cursor.fetchone()
    if row and row[0]:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(name)}")


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    keys = KEYS.get(vendor)
    if not keys:
        return
    quote = schema_editor.quote_name
    table = apps.get_model("referrals", "Patient")._meta.db_table
    if vendor == "postgresql":
        drop_if_invalid(schema_editor, NAME)
        create = "CREATE INDEX CONCURRENTLY IF NOT EXISTS"
    else:
        create = "CREATE INDEX IF NOT EXISTS"
    schema_editor.execute(f"{create} {quote(NAME)} ON {quote(table)} ({keys})")


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor in KEYS:
        concurrently = " CONCURRENTLY" if vendor == "postgresql" else ""
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {schema_editor.quote_name(NAME)}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("referrals", "0006_waiting_time_alert_deliveries")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
