"""The health endpoint for load balancers (portal/health.py, issue 22): up/down per component,
no sign-in, nothing else revealed, no access-log row, and "down" when a component is unreachable."""

import importlib

import pytest
from celery import current_app
from django.test import override_settings

from portal.models import AccessLog

pytestmark = pytest.mark.django_db

# Nothing listens on port 1 of the loopback: a connection there is refused at once.
DEAD_REDIS = "redis://127.0.0.1:1/0"


def test_health_answers_up_for_every_component_without_sign_in(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"database": "up", "cache": "up", "broker": "up"}
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_health_answers_the_same_to_a_signed_in_user_and_logs_no_patient_read(client, clinician):
    client.force_login(clinician)
    before = AccessLog.objects.count()
    response = client.get("/health/")
    assert response.status_code == 200
    assert set(response.json().values()) == {"up"}
    assert AccessLog.objects.count() == before


def test_health_says_the_broker_is_down_when_redis_is_unreachable(client, monkeypatch):
    monkeypatch.setitem(current_app.conf, "broker_url", DEAD_REDIS)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "up", "cache": "up", "broker": "down"}
    # Only the word: no host, port or error text for whoever asks.
    assert b"127.0.0.1" not in response.content
    assert b"refused" not in response.content.lower()


def test_health_says_the_cache_is_down_when_its_redis_is_unreachable(client):
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": DEAD_REDIS}}
    with override_settings(CACHES=caches):
        response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"database": "up", "cache": "down", "broker": "up"}
    assert b"redis" not in response.content.lower()


def test_health_refuses_anything_but_get(client):
    assert client.post("/health/").status_code == 405


def test_health_answers_plain_http_under_the_production_https_redirect(client):
    """A load balancer probes over plain HTTP on the private network: production redirects every
    other page to HTTPS, but not this one."""
    production = importlib.import_module("portal.settings.production")
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=production.SECURE_REDIRECT_EXEMPT
    ):
        assert client.get("/health/").status_code == 200
        assert client.get("/").status_code == 301
