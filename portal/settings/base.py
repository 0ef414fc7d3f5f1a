"""Settings shared by every environment. Everything that differs between machines comes from
the environment; README.md lists every variable."""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else int(value)


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def database_from_url(url: str) -> dict:
    """A DATABASES entry from a URL. SQLite gets what it needs to take the web server and a
    Celery worker writing at once: WAL journal, a busy timeout and BEGIN IMMEDIATE, so a writer
    waits for the lock instead of failing half way through a transaction."""
    config = dj_database_url.parse(url, conn_max_age=0 if url.startswith("sqlite") else 60)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    else:
        config["CONN_HEALTH_CHECKS"] = True
    return config


def require_secret_key(secret_key: str) -> str:
    """Refuse to start without a real secret key (DEBUG off or production settings)."""
    if not secret_key or secret_key.startswith("django-insecure"):
        raise ImproperlyConfigured(
            "SECRET_KEY must be set in the environment to a long random value when DEBUG is off."
        )
    return secret_key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PORTAL_NETWORK_NAME = "London and South East Sarcoma Network"

INSTALLED_APPS = [
    # django.contrib.admin with the portal's admin site (portal/admin_site.py).
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "simple_history",
    "django_filters",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_password_validators",
    "django_password_validators.password_history",
    "portal",
    "directory",
    "policies",
    "referrals",
    "mdt",
    "diagnostics",
    "second_opinions",
    "waiting_times",
    "fhir_api",
    "letters",
]

# The FHIR API's own namespace (fhir_api/profiles.py): local code systems, identifiers and
# extensions are named under it. Fixed, not taken from a request's host, so codes mean the same
# on every server; change it only with every client.
FHIR_API_NAMESPACE = os.environ.get("FHIR_API_NAMESPACE", "https://portal.lsesn.nhs.uk/fhir")

# The composition root's wiring of intake: what apps above referrals/ add to a referral as it is
# taken in, inside referral_create's transaction (referrals/ imports none of them: STYLE.md).
REFERRAL_INTAKE_STEPS = [
    "diagnostics.services.referral_apply_intake_suggestions",
    "waiting_times.services.pathway_create_for_referral",
]
# What other apps add to a patient's timeline (referrals/timeline.py): callables taking patient,
# referrals and user, returning referrals.timeline.TimelineEntry rows.
REFERRAL_TIMELINE_SOURCES = [
    "mdt.timeline.referral_timeline_entries",
]
# What a deactivated account held in the other apps, ended at once by user_deactivate (portal
# imports none of these apps: the composition root names them here).
USER_DEACTIVATION_STEPS = [
    "referrals.services.alert_deliveries_withdraw_for_user",
    "waiting_times.services.alert_deliveries_withdraw_for_user",
    "mdt.services.calendar_token_revoke_for_user",
]
# ... and what recording an unplanned excision does in other apps (issue 16): each step takes the
# referral and the user, runs in the same transaction and returns what it did, for the office.
# ... and what recording the first definitive treatment does in other apps: the cancer pathway's
# treatment date (its 62- and 31-day clocks stop), in the same transaction.
REFERRAL_FIRST_TREATMENT_STEPS = ["waiting_times.services.pathway_record_first_treatment"]
UNPLANNED_EXCISION_STEPS = ["mdt.services.discussion_list_unplanned_excision"]

MIDDLEWARE = [
    # First: refuses an over-long Cookie header before anything parses it (CVE-2024-7592).
    "portal.middleware.CookieSizeLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionExpiryMiddleware",
    "portal.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during sign-in into its response.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out account is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    },
    # The PTL's rows only (portal/jinja2.py says why): found in templates/jinja2/, asked for by name
    # with `using="jinja2"`.
    {
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.jinja2.environment"},
    },
]

DATABASES = {
    "default": database_from_url(os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"))
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Passwords are stored with Argon2id at OWASP's minimum parameters (portal/hashers.py says why).
# The others verify hashes made before, which Django re-hashes at the owner's next sign-in.
PASSWORD_HASHERS = [
    "portal.hashers.PortalArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {
        # No reuse of the last five passwords.
        "NAME": "django_password_validators.password_history.password_validation.UniquePasswordsValidator",
        "OPTIONS": {"last_passwords": 5},
    },
]

# Reverse proxies in front of the portal (a load balancer, nginx): how many append to
# X-Forwarded-For. 0 (the default) believes no forwarded header: the client's address is the
# connection's, and X-Forwarded-Proto does not make a request secure. Set it to the number of
# proxies, exactly: one more lets a client choose its own address.
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)

# Sign-in protection: lockout after repeated failures (django-axes, portal/sign_in.py). Counted
# per account and address together, so that guessing from one place is stopped while nobody
# elsewhere can lock a clinician out of their patients' records by failing on purpose (a clinical
# safety hazard); and per address across accounts, so one address cannot try a few passwords on
# every account (a spray). The address is the client's, read through the trusted proxies.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "portal.sign_in.client_address"
AXES_HANDLER = "portal.sign_in.PortalAxesHandler"
# Failed sign-ins from one address, over all accounts, within the cool-off before it is refused.
# High enough for a trust whose staff share one public address, low enough to stop a spray.
PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT = env_int("PORTAL_SIGN_IN_ADDRESS_FAILURE_LIMIT", 20)

# The longest Cookie header accepted (bytes): the portal's own cookies need under 3 KB. The web
# server's header limits are in gunicorn.conf.py.
PORTAL_MAX_COOKIE_BYTES = env_int("PORTAL_MAX_COOKIE_BYTES", 4096)

# Sessions end after 30 minutes idle and 10 hours after sign-in, whatever the activity
# (portal.middleware.SessionExpiryMiddleware); changing a password ends the user's other
# sessions (Django's session auth hash).
PORTAL_SESSION_IDLE_SECONDS = int(os.environ.get("PORTAL_SESSION_IDLE_SECONDS", str(30 * 60)))
PORTAL_SESSION_MAX_SECONDS = int(os.environ.get("PORTAL_SESSION_MAX_SECONDS", str(10 * 60 * 60)))
SESSION_COOKIE_AGE = PORTAL_SESSION_MAX_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Break-glass access: a clinician who must open a patient who is not theirs (an emergency) gives
# a reason and may read that patient's page for this many hours; each read is logged as
# break-glass and the MDT office lead is told (portal.services.break_glass_grant).
PORTAL_BREAK_GLASS_HOURS = int(os.environ.get("PORTAL_BREAK_GLASS_HOURS", "4"))

# Two-factor sign-in (TOTP, django-otp) for staff and SAG members; production turns it on.
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "LSESN Sarcoma Portal"

# Content Security Policy (django-csp): only this site's own scripts and styles, no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        # No page frames anything, except an approved policy's page its own PDF (policies.views).
        "frame-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Front-end libraries from npm (package.json, pinned in package-lock.json; `make install` runs
# `npm ci`), served by whitenoise like everything else: nothing comes from a CDN. chart.js draws
# every chart (portal/static/portal/charts.js, from data built by portal/charts.py). NHS.UK frontend
# (nhsuk-frontend) gives every page its components: its JavaScript and icons from here, its CSS
# compiled into portal/static/portal/nhsuk.css (`make css`; portal/styles/nhsuk.scss says why).
STATICFILES_DIRS = [
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/nhsuk-frontend", BASE_DIR / "node_modules" / "nhsuk-frontend" / "dist" / "nhsuk"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

# History is evidence: nobody reverts a controlled record from the admin, and reading a model's
# history needs that history model's own view permission.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_ENFORCE_HISTORY_MODEL_PERMISSIONS = True

# Forms are drawn with NHS.UK frontend's components by the portal's own crispy-forms template
# pack, templates/nhsuk/ (with portal/templatetags/nhsuk.py).
CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"

# Production settings set this; checks that only production must pass read it (portal/checks.py).
PORTAL_PRODUCTION = False

# E-mail: printed to the console unless an SMTP server is configured. Production sends by SMTP
# with TLS, and refuses the console and file backends (portal/checks.py) unless
# PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED says so.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED = env_bool("PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED", False)
# E-mail with patient-identifiable content goes only to these domains (exact match); anyone else
# gets a link and the referral number (portal/mail.py). NHSmail by default.
PORTAL_SECURE_EMAIL_DOMAINS = env_list("PORTAL_SECURE_EMAIL_DOMAINS", ["nhs.net"])
# Seconds to wait for the mail server: a sweep sends inside a transaction holding its rows' locks,
# which a hung server would otherwise hold until the task's time limit.
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
# Where the file backend (allowed only with PORTAL_EMAIL_LOCAL_BACKEND_ALLOWED) writes: `make load`
# counts the messages there to check that every notification owed was sent once.
EMAIL_FILE_PATH = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "LSESN Sarcoma Portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Celery. The database, not the broker, records what is due and what was sent: beat runs short
# periodic "find what is due" tasks (portal/celery.py), never long countdowns or ETAs.
# Default broker: kombu's filesystem transport under var/, which needs no server, so a worker and
# beat run on a fresh machine. It is for a first run on one machine only; production uses Redis.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
if CELERY_BROKER_URL.startswith("filesystem"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
    # The transport expects its folders to exist: make them, so a first run can send a task
    # (seed_demo, a web request) before any worker has started.
    for _folder in (_queue_dir, VAR_DIR / "celery" / "processed"):
        _folder.mkdir(parents=True, exist_ok=True)
else:
    # Longer than any task's hard time limit, so Redis never redelivers a task that is running.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# Referrals (issue 5). The day of each waiting-time standard on which an open clock counts as
# "at risk" and the MDT office and responsible consultant are alerted.
REFERRAL_AT_RISK_DAY = {"fds_28": 21, "rtt_62": 50, "dtt_31": 24}
# The network's choices where the pathway documents are silent (issue 16; docs/clinical-safety.md,
# "The network's choices"): the age under which a referral follows the children's pathway, and
# whether at every site or only the spine; the teenage and young adult age band flagged to the MDT
# office (inclusive; None: no flag); the route of a tumour of unknown type outside the spine
# ("bone": as a primary bone tumour, RNOH and the LSS MDT; "either_centre": LSS or RMH).
REFERRAL_CHILD_AGE_LIMIT = 16
REFERRAL_CHILD_PATHWAY_ALL_SITES = True
REFERRAL_TYA_AGE_BAND = (16, 24)
REFERRAL_UNKNOWN_TUMOUR_ROUTE = "bone"
# Asked at intake whether the documents the routing rules implement are still the approved
# versions (referrals/ does not import policies/): a callable taking `documents`, a sequence of
# (title, version), and returning warnings. Empty: not checked, and intake says so.
REFERRAL_POLICY_CHECK = "policies.services.implemented_version_warnings"
# Who is told of a clinically urgent override of the pathway at a first treatment (issue 16): a
# callable taking the referral and returning e-mail addresses (the MDT lead; else the office).
REFERRAL_MDT_LEAD_ADDRESSES = "mdt.services.mdt_lead_addresses_for_referral"

# Cancer waiting times (issue 18, waiting_times/). Network choices, kept in code rather than the
# environment: changing one changes what the PTL shows, so it goes through review like the rules.
# After changing CWT_CLOCK_POLICY or CWT_AT_RISK_DAY run `manage.py cwt_refresh` (the PTL keeps
# each open pathway's due and at-risk dates, computed from these, to sort and filter on).
# - CWT_CLOCK_POLICY: waiting_times.rules.ClockPolicy fields, where the guidance leaves the choice
#   to the network (docs/cwt-guidance.md lists them). Empty: the defaults (handover by day 38...).
# - CWT_AT_RISK_DAY: the day of each standard from which a running clock shows as "at risk"
#   (a display state only; keys are the standards "fds", "62" and "31").
# - CWT_THRESHOLDS: the operational standard, in per cent of patients, for the performance figures.
# - CWT_EXTRACT_PROVIDER_CODES: service code -> the ODS code the national extract gives as its
#   provider, for a service of several organisations (the London Sarcoma Service is RRV and RAN);
#   a service of one organisation gives that one's. Empty: such records are refused, with the reason.
CWT_CLOCK_POLICY: dict = {}
CWT_AT_RISK_DAY = {"fds": 21, "62": 50, "31": 24}
CWT_THRESHOLDS = {"fds": 80, "31": 96, "62": 85}
CWT_EXTRACT_PROVIDER_CODES: dict = {}

# Second opinions: chase records not received after this many days, and flag an opinion not
# sent this many days after the request was received.
SECOND_OPINION_RECORDS_CHASE_DAYS = int(os.environ.get("SECOND_OPINION_RECORDS_CHASE_DAYS", "14"))
SECOND_OPINION_OPINION_DUE_DAYS = int(os.environ.get("SECOND_OPINION_OPINION_DUE_DAYS", "42"))
# MDT meetings: days after a meeting before the office is reminded of outcomes not yet sent.
MDT_OUTCOME_SEND_REMINDER_DAYS = int(os.environ.get("MDT_OUTCOME_SEND_REMINDER_DAYS", "3"))
# The network's choices for MDTs (issue 16; docs/clinical-safety.md): a weekly slot on a bank
# holiday "move"s to the next working day, or is left out ("cancel"); the quorum counts only the
# MDT's core members from the directory and their named deputies (False: anyone present counts).
MDT_BANK_HOLIDAY_MEETINGS = os.environ.get("MDT_BANK_HOLIDAY_MEETINGS", "move")
if MDT_BANK_HOLIDAY_MEETINGS not in {"move", "cancel"}:
    raise ImproperlyConfigured('MDT_BANK_HOLIDAY_MEETINGS must be "move" or "cancel".')
MDT_QUORUM_CORE_MEMBERS_ONLY = env_bool("MDT_QUORUM_CORE_MEMBERS_ONLY", True)

# Letters (issue 20): the wording the SAG may change without a code change. The header names the
# network (each service's postal address and contacts come from the directory, changed through
# the SAG's approval); the sign-off ends every letter. LETTERS_DEFAULT_SERVICE heads a letter
# whose record names no service.
LETTERS_NETWORK_NAME = os.environ.get("LETTERS_NETWORK_NAME", "London and South East Sarcoma Network")
LETTERS_DEFAULT_SERVICE = os.environ.get("LETTERS_DEFAULT_SERVICE", "LSS")
LETTERS_SIGN_OFF = os.environ.get(
    "LETTERS_SIGN_OFF", "MDT Coordinator, on behalf of the sarcoma multidisciplinary team"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each layout step of every letter at INFO: only its warnings are kept.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}

if not DEBUG:
    require_secret_key(SECRET_KEY)

# django-filter's "don't filter" choice reads "Any" on every filter form, not "---------".
FILTERS_EMPTY_CHOICE_LABEL = "Any"
