"""gunicorn's settings for the portal. `gunicorn portal.wsgi:application` reads this file from the
directory it is started in (README, "Running in production").

Request header limits (issue 17 finding 13): CPython before 3.11.10 parses a cookie in time
quadratic in its length (CVE-2024-7592), and a 32 KB Cookie header cost 2 s. gunicorn refuses a
longer request line, more header fields or a longer field with 400 before Django sees it; the
portal then refuses a Cookie header over PORTAL_MAX_COOKIE_BYTES (portal.middleware
.CookieSizeLimitMiddleware), whatever server is in front."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
# Threads per worker (gthread): a request waiting on PostgreSQL leaves the worker free for another.
# Each thread keeps its own database connection (CONN_MAX_AGE), so PostgreSQL's max_connections
# must exceed workers x threads plus the Celery worker's (docs/reliability.md).
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
worker_class = "gthread" if threads > 1 else "sync"

# The request line (method, path and query string), in bytes.
limit_request_line = 4094
# Header fields per request.
limit_request_fields = 50
# Bytes in one header field, name and value: a Cookie header longer than this is refused.
limit_request_field_size = 8190
