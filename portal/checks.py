"""System checks that stop a production deployment that would leak patient data (issue 17
finding 6). They run with `manage.py check` (and `check --deploy`), before `migrate`, and when the
web server (portal/wsgi.py) and a Celery worker (portal/celery.py) start: `refuse_to_start`."""

import sys

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

TAG = "portal_deployment"

# Backends that write each message where it should not be (the console is the server's log; a
# file is on the server's disk) or send nothing (a reminder that never arrives is a hazard too).
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}


@checks.register(TAG, checks.Tags.security)
def check_email_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Production settings refuse a local e-mail backend unless PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED
    says it is meant (a training server with no mail)."""
    if not settings.PORTAL_PRODUCTION or settings.PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED:
        return []
    if settings.EMAIL_BACKEND not in LOCAL_EMAIL_BACKENDS:
        return []
    return [
        checks.Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND}: e-mail with patient data would be written to "
            "the server's log or disk, or not sent at all.",
            hint="Set EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, or, on "
            "a server that must not send mail, PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED=true.",
            id="portal.E001",
        )
    ]


@checks.register(TAG, checks.Tags.security, deploy=True)
def check_email_tls(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """SMTP without TLS sends patient data in clear text across the network."""
    smtp = settings.EMAIL_BACKEND == "django.core.mail.backends.smtp.EmailBackend"
    if not settings.PORTAL_PRODUCTION or not smtp or settings.EMAIL_USE_TLS or settings.EMAIL_USE_SSL:
        return []
    return [
        checks.Warning(
            "E-mail is sent over SMTP without TLS.",
            hint="Leave EMAIL_USE_TLS on (the production default), or set EMAIL_USE_SSL=true.",
            id="portal.W001",
        )
    ]


# The first releases whose cookie parser is linear, not quadratic (CVE-2024-7592).
COOKIE_PARSER_FIXED = {(3, 11): (3, 11, 10), (3, 12): (3, 12, 6)}


@checks.register(TAG, checks.Tags.security, deploy=True)
def check_python_cookie_parser(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Say so when this Python parses cookies in quadratic time. An Info, not a Warning: the
    Cookie header is capped (portal.middleware.CookieSizeLimitMiddleware, gunicorn.conf.py), so
    the cost is bounded; production should still run a fixed release (pyproject.toml)."""
    fixed = COOKIE_PARSER_FIXED.get(sys.version_info[:2])
    if fixed is None or sys.version_info[:3] >= fixed:
        return []
    version = ".".join(map(str, sys.version_info[:3]))
    return [
        checks.Info(
            f"Python {version} parses cookies in quadratic time (CVE-2024-7592); the Cookie header is "
            f"capped at {settings.PORTAL_MAX_COOKIE_BYTES} bytes.",
            hint=f"Run Python {'.'.join(map(str, fixed))} or later in production.",
            id="portal.I001",
        )
    ]


def refuse_to_start() -> None:
    """Raise ImproperlyConfigured if a portal deployment check fails: called when the web server
    and a Celery worker start, which do not run Django's checks themselves."""
    errors = [message for message in checks.run_checks(tags=[TAG]) if message.is_serious()]
    if errors:
        raise ImproperlyConfigured("; ".join(f"{error.id}: {error.msg} {error.hint}" for error in errors))
