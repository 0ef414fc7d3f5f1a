"""The test suite. SQLite in memory by default; TEST_DATABASE_URL points it at PostgreSQL."""

import os

os.environ["SECRET_KEY"] = "test-only-key-never-used-outside-the-test-suite-0123456789"  # noqa: S105
os.environ["DEBUG"] = "false"

from .base import *  # noqa: F403
from .base import database_from_url

DEBUG = False
DATABASES = {"default": database_from_url(os.environ.get("TEST_DATABASE_URL") or "sqlite://:memory:")}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The factories' addresses (@example.invalid) count as secure, so tests see the full messages;
# the tests of the secure-domain rule (tests/portal/test_mail.py) set their own list.
PORTAL_SECURE_EMAIL_DOMAINS = ["nhs.net", "example.invalid"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Tasks run in-process, unless a test starts a real worker on Redis (the `celery_worker`
# fixture in tests/conftest.py turns eager mode off for that test).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_IGNORE_RESULT = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600} if REDIS_URL else {}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
