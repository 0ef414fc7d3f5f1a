import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from portal.settings.base import database_from_url

ROOT = Path(__file__).resolve().parents[2]


def _run_django(settings_module: str, env_overrides: dict, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update({"DJANGO_SETTINGS_MODULE": settings_module, **env_overrides})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _run_django("portal.settings.production", {}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_insecure_development_key():
    result = _run_django(
        "portal.settings.production", {"SECRET_KEY": "django-insecure-local-development-only"}, "check"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_base_settings_refuse_to_start_with_debug_off_and_no_key():
    result = _run_django("portal.settings.base", {"DEBUG": "false"}, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_the_deploy_check_with_a_real_key(tmp_path):
    result = _run_django(
        "portal.settings.production",
        {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "portal.example.nhs.uk",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    # Nothing but, on a Python with the quadratic cookie parser, the note saying so (portal.I001).
    reported = [line for line in result.stdout.splitlines() if line.startswith("?: (")]
    assert all(line.startswith("?: (portal.I001)") for line in reported), result.stdout


def test_sqlite_is_configured_for_concurrent_writers():
    config = database_from_url("sqlite:////tmp/x.sqlite3")
    assert config["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert config["OPTIONS"]["timeout"] >= 5
    assert "journal_mode=WAL" in config["OPTIONS"]["init_command"]


def test_postgres_url_gets_no_sqlite_options():
    config = database_from_url("postgres://postgres@127.0.0.1:5432/portal")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert "transaction_mode" not in config.get("OPTIONS", {})


@pytest.mark.django_db
def test_sqlite_connection_uses_wal_and_a_busy_timeout(tmp_path, settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    from django.db.utils import ConnectionHandler

    handler = ConnectionHandler({"default": database_from_url(f"sqlite:///{tmp_path / 'wal.sqlite3'}")})
    conn = handler["default"]
    try:
        with conn.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] >= 5000
    finally:
        conn.close()


def test_time_zone_is_london(settings):
    assert settings.TIME_ZONE == "Europe/London"
    assert settings.USE_TZ is True


@pytest.mark.parametrize(
    ("count", "expected"), [("", "None"), ("0", "None"), ("1", "('HTTP_X_FORWARDED_PROTO', 'https')")]
)
def test_production_believes_x_forwarded_proto_only_from_trusted_proxies(tmp_path, count, expected):
    """Guards issue 17 finding 10: SECURE_PROXY_SSL_HEADER was set whatever sat in front, so a
    client talking plain HTTP could send X-Forwarded-Proto: https and pass for HTTPS."""
    result = _run_django(
        "portal.settings.production",
        {
            "SECRET_KEY": secrets.token_urlsafe(64),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.sqlite3'}",
            "PORTAL_TRUSTED_PROXY_COUNT": count,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        },
        "shell",
        "-c",
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


def test_gunicorn_caps_the_request_headers():
    """Guards issue 17 finding 13: a 32 KB Cookie header cost 2 s to parse (CVE-2024-7592)."""
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["limit_request_field_size"] <= 8190
    assert config["limit_request_line"] <= 4094
    assert config["limit_request_fields"] <= 100


@pytest.mark.django_db
def test_an_over_long_cookie_header_is_refused_before_it_is_parsed(client, monkeypatch):
    """Guards issue 17 finding 13: whatever server is in front, the portal parses no Cookie
    header over PORTAL_MAX_COOKIE_BYTES."""
    from django.http import cookie

    def must_not_parse(raw):
        raise AssertionError("the over-long Cookie header was parsed")

    monkeypatch.setattr(cookie, "parse_cookie", must_not_parse)
    monkeypatch.setattr("django.core.handlers.wsgi.parse_cookie", must_not_parse, raising=False)
    client.cookies.load({"x": "\\" * 32000})
    response = client.get("/accounts/login/")
    assert response.status_code == 400
    assert b"more cookies than this site accepts" in response.content


@pytest.mark.django_db
def test_ordinary_cookies_pass(client):
    client.cookies.load({"csrftoken": "a" * 64, "sessionid": "b" * 32})
    assert client.get("/accounts/login/").status_code == 200
