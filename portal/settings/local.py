"""A developer's machine: DEBUG on and a throwaway key unless the environment says otherwise.
`make run` (bin/run-dev, bin/dev-env) turns DEBUG off with a kept key, so pages and errors look as
users will see them; whitenoise then serves the static files from their sources, as runserver
would with DEBUG on (no collectstatic needed)."""

import os

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "django-insecure-local-development-only")

from .base import *  # noqa: F403

WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
