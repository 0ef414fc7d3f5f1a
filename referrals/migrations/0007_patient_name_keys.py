"""The index of the patient search's name keys (PatientQuerySet.with_name_keys): the names in upper
case, in code point order (collation "C" on PostgreSQL), then the id. A surname-prefix search reads
its page from here in the list's order, however many patients share the surname. Written as SQL
because the collation is PostgreSQL's; SQLite gets the same keys in its default (binary) order."""

from django.db import migrations

KEYS = {
    "postgresql": '(UPPER(family_name) COLLATE "C"), (UPPER(given_name) COLLATE "C"), id',
    "sqlite": "UPPER(family_name), UPPER(given_name), id",
}


def create_index(apps, schema_editor):
    keys = KEYS.get(schema_editor.connection.vendor)
    if keys:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS patient_name_keys ON referrals_patient ({keys})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor in KEYS:
        schema_editor.execute("DROP INDEX IF EXISTS patient_name_keys")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_waiting_time_alert_deliveries")]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
