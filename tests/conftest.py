"""Persona fixtures and the switches for tests that need real services.

Markers (pyproject.toml): `postgres` tests run only on PostgreSQL (TEST_DATABASE_URL), `redis`
and `celery_worker` tests only with a reachable REDIS_URL. Without them such tests are skipped
with the reason; with REQUIRE_SERVICES=1 (CI) a missing service stops the run instead. `e2e`
tests (tests/e2e/) need Chromium, Playwright and axe-core: skipped without them, except in CI
(CI=true or REQUIRE_SERVICES=1), where that stops the run."""

import datetime
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from directory.seed import load_reference_data
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parent.parent


def _redis_reachable(url: str) -> bool:
    if not url:
        return False
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _services_required() -> bool:
    return os.environ.get("REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def _browser_required() -> bool:
    """Browser tests must run, not skip, in CI and wherever the services are required."""
    return _services_required() or os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def pytest_collection_modifyitems(config, items):
    from tests.e2e.conftest import e2e_missing

    on_postgres = connection.vendor == "postgresql"
    redis_ok = _redis_reachable(os.environ.get("REDIS_URL", ""))
    browser_missing = e2e_missing() if any("e2e" in item.keywords for item in items) else ""
    missing = []
    for item in items:
        if "e2e" in item.keywords and browser_missing:
            if _browser_required():
                raise pytest.UsageError(f"The browser tests cannot run in CI: {browser_missing}")
            item.add_marker(pytest.mark.skip(reason=f"browser tests: {browser_missing}"))
        if "postgres" in item.keywords and not on_postgres:
            missing.append("PostgreSQL (set TEST_DATABASE_URL=postgres://...)")
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set TEST_DATABASE_URL"))
        if ("redis" in item.keywords or "celery_worker" in item.keywords) and not redis_ok:
            missing.append("Redis (set REDIS_URL=redis://... to a running server)")
            item.add_marker(pytest.mark.skip(reason="needs a reachable Redis: set REDIS_URL"))
    if missing and _services_required():
        raise pytest.UsageError(
            "REQUIRE_SERVICES is set but these services are missing: " + "; ".join(sorted(set(missing)))
        )


# Personas ---------------------------------------------------------------------------------------


@pytest.fixture
def office_user(db):
    return UserFactory(username="office", role="MDT office", is_staff=True)


@pytest.fixture
def clinician(db):
    return UserFactory(username="clinician1", role="Clinician")


@pytest.fixture
def other_clinician(db):
    return UserFactory(username="clinician2", role="Clinician")


@pytest.fixture
def sag_member(db):
    return UserFactory(username="sag", role="SAG member")


@pytest.fixture
def other_sag_member(db):
    return UserFactory(username="sag2", role="SAG member")


@pytest.fixture
def outsider(db):
    """Logged in, but with no role."""
    return UserFactory(username="outsider")


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


# A real Celery worker ---------------------------------------------------------------------------


@pytest.fixture
def celery_worker(settings):
    """Start a real Celery worker on Redis for one test and send tasks to it (eager mode off).

    On PostgreSQL the worker uses the test database, so a test marked `django_db(transaction=True)`
    can see what the worker wrote."""
    from portal.celery import app

    redis_url = os.environ["REDIS_URL"]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "REDIS_URL": redis_url}
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        env["TEST_DATABASE_URL"] = (
            f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        )
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    # Its own name, so that the ping below hears this worker and not another pytest worker's
    # (`make test` runs the suite in parallel with pytest-xdist; each test has its own queue).
    hostname = f"{queue}@localhost"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "portal",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            f"--hostname={hostname}",
        ],
        cwd=ROOT,
        env=env,
    )
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        deadline = time.monotonic() + 60
        while not app.control.ping(timeout=1, destination=[hostname]):
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the Celery worker did not start")
        yield app
    finally:
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"
        worker.terminate()
        worker.wait(timeout=30)


# Dates and the directory, for the referral, MDT and diagnostic tests ----------------------------

LONDON = ZoneInfo("Europe/London")


def on(day: datetime.date, hour: int = 9):
    """Freeze time at `hour` o'clock London time on `day`."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, tzinfo=LONDON), tick=False
    )


@pytest.fixture
def directory(db):
    """The network directory as the spinal pathway gives it."""
    load_reference_data()


@pytest.fixture
def today():
    """Tests run on the portal's 'today' of the brief: Tuesday 24 November 2026."""
    day = datetime.date(2026, 11, 24)
    with on(day):
        yield day
