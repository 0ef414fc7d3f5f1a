"""`make run` serves the portal's own error pages, not Django's debug page listing every URL
pattern (issue 19, item 9): bin/run-dev takes its environment from bin/dev-env (DEBUG off, a kept
secret key), and this runs a request in exactly that environment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(HTTP_HOST="127.0.0.1")
missing = client.get("/no-such-page/")
body = missing.content.decode()
static = client.get("/static/mdt/mdt-print.css")
print(settings.DEBUG, missing.status_code, "Page not found</h1>" in body, "URLconf" in body)
print(static.status_code)
"""


def _run_as_make_run_does(tmp_path, **env) -> list[str]:
    environment = {
        **{k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}},
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "portal.settings.local",  # manage.py's, which runserver uses
        "PORTAL_VAR_DIR": str(tmp_path),
        "PYTHON_BIN": sys.executable,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'probe.sqlite3'}",
        **env,
    }
    result = subprocess.run(
        ["/bin/bash", "-c", f'source bin/dev-env && exec "{sys.executable}" -c "$PROBE"'],
        cwd=ROOT,
        env={**environment, "PROBE": PROBE},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_run_dev_takes_its_environment_from_dev_env():
    script = (ROOT / "bin" / "run-dev").read_text()
    assert "source bin/dev-env" in script
    assert script.index("source bin/dev-env") < script.index("runserver")


def test_a_missing_page_under_make_run_is_the_portals_own_404(tmp_path):
    debug, status, own_page, url_patterns, static = _run_as_make_run_does(tmp_path)
    assert (debug, status, own_page, url_patterns) == ("False", "404", "True", "False")
    assert static == "200"  # whitenoise serves the static files without collectstatic
    assert len((tmp_path / "secret-key").read_text().strip()) > 50  # kept for the next run


def test_debug_true_make_run_still_brings_back_the_debug_page(tmp_path):
    debug, status, _, url_patterns, _ = _run_as_make_run_does(tmp_path, DEBUG="true")
    assert (debug, status, url_patterns) == ("True", "404", "True")
