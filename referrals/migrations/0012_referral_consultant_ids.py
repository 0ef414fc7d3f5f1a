"""A clinician's referral ids, read from an index alone: (responsible_consultant, id).

The PTL asks for a clinician's referrals whose pathway is open (CancerPathwayQuerySet.
open_visible_to): the ids of their referrals, matched against the open pathways' index. Read
through the foreign key's index, each of a clinician's thousands of referrals is a heap row
fetched for its id (13 to 70 ms at 1,000,000 referrals); this index holds the id, so the read is
index-only (about 1 ms). docs/performance.md has the plans.

The referrals table is large, so on PostgreSQL the index is built CONCURRENTLY, letting referrals
be written meanwhile; CONCURRENTLY cannot run in a transaction, so this migration is not atomic,
and each step can be run again (a failed concurrent build leaves an invalid index, dropped first).
SQLite builds it plainly. Django's model state takes the same change as an AddIndex."""

from django.conf import settings
from django.db import migrations, models

NAME = "referral_consultant_ids"


def forwards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    quote = schema_editor.quote_name
    if postgresql:
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "WHERE c.relname = %s AND pg_table_is_visible(c.oid)",
                [NAME],
            )
            row = cursor.fetchone()
        if row and row[0]:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {quote(NAME)}")
    schema_editor.execute(
        f"CREATE INDEX{' CONCURRENTLY' if postgresql else ''} IF NOT EXISTS {quote(NAME)} "
        f"ON {quote('referrals_referral')} ({quote('responsible_consultant_id')}, {quote('id')})"
    )


def backwards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.execute(
        f"DROP INDEX{' CONCURRENTLY' if postgresql else ''} IF EXISTS {schema_editor.quote_name(NAME)}"
    )


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("referrals", "0011_referral_source_system"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddIndex(
                    model_name="referral",
                    index=models.Index(fields=["responsible_consultant", "id"], name=NAME),
                ),
            ],
            database_operations=[migrations.RunPython(forwards, backwards, elidable=False)],
        ),
    ]
