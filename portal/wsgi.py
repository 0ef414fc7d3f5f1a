import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.production")

application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve with a deployment that would leak patient data.
from portal.checks import refuse_to_start  # noqa: E402  (needs the apps loaded above)

refuse_to_start()
