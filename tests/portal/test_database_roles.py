"""A deployment where the application's database role does not own the tables, and flush refused
under production settings (issue 17 finding 11)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from portal.models import AccessLog

ROOT = Path(__file__).resolve().parents[2]


def test_flush_is_refused_under_production_settings(tmp_path):
    """Guards issue 17 finding 11: `manage.py flush` emptied every table, the access log too."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        DATABASE_URL=f"sqlite:///{tmp_path / 'p.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "flush", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "flush is refused under production settings" in result.stderr


@pytest.fixture
def app_role(transactional_db):
    """A login role like production's portal_app, granted by the command, dropped afterwards."""
    role = f"portal_app_test_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE ROLE {role} LOGIN")
    try:
        call_command("grant_app_role", role)
        yield role
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP OWNED BY {role}")
            cursor.execute(f"DROP ROLE {role}")


def _connect_as(role: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(
        host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, dbname=db["NAME"], user=role, autocommit=True
    )


@pytest.mark.postgres
def test_the_application_role_cannot_truncate_or_unprotect_the_access_log(app_role, clinician):
    """Guards issue 17 finding 11: the owner role could TRUNCATE the access log or disable its
    append-only trigger. The application's role owns no table."""
    AccessLog.objects.create(user=clinician, patient_id=9, action="read", page="/patients/9/")
    with _connect_as(app_role) as app:
        insert = (
            "INSERT INTO portal_accesslog (at, user_id, patient_id, action, page) "
            "VALUES (now(), %s, 10, 'read', 'x')"
        )
        app.execute(insert, [clinician.pk])
        assert app.execute("SELECT count(*) FROM portal_accesslog").fetchone() == (2,)
        refused = [
            "TRUNCATE portal_accesslog",
            "ALTER TABLE portal_accesslog DISABLE TRIGGER ALL",
            "DELETE FROM portal_accesslog",
            "UPDATE portal_accesslog SET patient_id = 1",
            "DROP TABLE portal_accesslog",
            "TRUNCATE referrals_patient CASCADE",
        ]
        for statement in refused:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                app.execute(statement)
        # Ordinary rows are read and written as the portal needs.
        app.execute("UPDATE portal_user SET last_name = last_name WHERE id = %s", [clinician.pk])
        app.execute("DELETE FROM django_session")
    assert AccessLog.objects.count() == 2


@pytest.mark.postgres
def test_the_grant_command_refuses_to_run_as_the_application_role(transactional_db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (me,) = cursor.fetchone()
    with pytest.raises(Exception, match="migration role"):
        call_command("grant_app_role", me)
