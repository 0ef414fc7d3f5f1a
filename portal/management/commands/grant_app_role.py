"""`python manage.py grant_app_role portal_app`: give the application's database role what it
needs and nothing more (PostgreSQL; issue 17 finding 11).

Run it as the migration role, the one that owns the tables, after every `migrate`. The web server
and the Celery worker connect as the application role, which can read and write rows but owns no
table: it cannot TRUNCATE, ALTER or DROP a table, nor disable the access log's append-only
trigger. On the access log it may only SELECT and INSERT. README.md, "Database roles", shows the
whole deployment."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

# Tables the application may only read and append to.
APPEND_ONLY_TABLES = ("portal_accesslog",)


def grant_statements(role: str, tables: list[str]) -> list[str]:
    """The GRANTs for `role` on `tables` (the identifiers quoted)."""
    quote = connection.ops.quote_name
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {quote(role)}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quote(role)}",
    ]
    for table in tables:
        rights = "SELECT, INSERT" if table in APPEND_ONLY_TABLES else "SELECT, INSERT, UPDATE, DELETE"
        statements += [
            f"REVOKE ALL ON TABLE {quote(table)} FROM {quote(role)}",
            f"GRANT {rights} ON TABLE {quote(table)} TO {quote(role)}",
        ]
    return statements


class Command(BaseCommand):
    help = (
        "Grant the application's database role row access to every table (the access log: read and append)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("role", help="The role the web server and workers connect as, e.g. portal_app.")
        parser.add_argument(
            "--print", action="store_true", help="Print the statements instead of running them."
        )

    def handle(self, *args, role: str, **options) -> None:
        if connection.vendor != "postgresql":
            raise CommandError(
                "Database roles are for PostgreSQL; this database is " + connection.vendor + "."
            )
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (owner,) = cursor.fetchone()
        if owner == role:
            raise CommandError(
                "Run this as the migration role that owns the tables, not as the application role."
            )
        statements = grant_statements(role, sorted(connection.introspection.table_names()))
        if options["print"]:
            self.stdout.write(";\n".join(statements) + ";")
            return
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.stdout.write(f"Granted {role} row access to {len(statements) // 2 - 1} tables.")
