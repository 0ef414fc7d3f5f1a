import pytest
from django.conf import settings

from portal.celery import app
from portal.tasks import ping


def test_celery_is_configured_for_reliable_delivery():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.task_serializer == "json"
    assert conf.accept_content == ["json"]
    assert conf.task_time_limit
    assert conf.task_soft_time_limit < conf.task_time_limit


def test_redis_visibility_timeout_outlasts_every_task():
    # A task still running when Redis's visibility timeout passes would be delivered twice.
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600) > app.conf.task_time_limit


def test_default_broker_needs_no_server(monkeypatch):
    import importlib

    import portal.settings.base as base

    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    reloaded = importlib.reload(base)
    try:
        assert reloaded.CELERY_BROKER_URL == "filesystem://"
        assert "data_folder_in" in reloaded.CELERY_BROKER_TRANSPORT_OPTIONS
    finally:
        importlib.reload(base)


def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for name, entry in app.conf.beat_schedule.items():
        assert entry["task"] in app.tasks, name
        # Reminders ride on short periodic sweeps, never on long countdowns or ETAs.
        assert "options" not in entry or "countdown" not in entry["options"], name


def test_task_runs_eagerly_in_tests():
    assert ping.delay("x").get(timeout=1) == "pong:x"


@pytest.mark.celery_worker
def test_a_task_runs_through_a_real_worker_on_redis(celery_worker):
    result = ping.delay("through-redis")
    assert result.get(timeout=30) == "pong:through-redis"
