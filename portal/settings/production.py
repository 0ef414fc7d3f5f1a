"""Production: DEBUG off, a real secret key from the environment, HTTPS everywhere.
`python manage.py check --deploy --settings=portal.settings.production` passes with no warnings."""

import os

from .base import *  # noqa: F403
from .base import EMAIL_USE_SSL, PORTAL_TRUSTED_PROXY_COUNT, SECRET_KEY, env_bool, require_secret_key

DEBUG = False
require_secret_key(SECRET_KEY)
PORTAL_PRODUCTION = True

# E-mail by SMTP with TLS unless told otherwise; a console or file backend is refused by the
# system check portal.E001 unless PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED is set.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# A load balancer probes /health/ over plain HTTP on the private network: it answers there
# rather than redirecting to HTTPS (it reveals only up/down per component: portal/health.py).
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
# X-Forwarded-Proto is believed only from trusted proxies: without one, a client could send it
# and pass for HTTPS over plain HTTP (issue 17 finding 10).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PORTAL_TRUSTED_PROXY_COUNT > 0 else None
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
PORTAL_REQUIRE_2FA = True  # not switchable: staff and SAG members always use two factors
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
