"""NHS.UK frontend comes from the pinned npm package, from this site only (issue 19)."""

import json
import re
from pathlib import Path

from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]


def test_the_compiled_css_is_of_the_pinned_nhsuk_frontend():
    """portal/static/portal/nhsuk.css is compiled from node_modules (`make css`): after a change
    of version in package.json it must be compiled again."""
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["nhsuk-frontend"]
    css = (ROOT / "portal" / "static" / "portal" / "nhsuk.css").read_text()
    assert f'--nhsuk-frontend-version: "{pinned}"' in css or f'--nhsuk-frontend-version:"{pinned}"' in css


def test_the_compiled_css_loads_nothing_from_another_site():
    css = (ROOT / "portal" / "static" / "portal" / "nhsuk.css").read_text()
    urls = re.findall(r"url\(([^)]*)\)", css)
    assert urls
    assert all(u.strip("\"'").startswith(("/static/", "data:")) for u in urls), urls
    assert "@font-face" not in css


def test_nhsuk_frontends_javascript_and_icons_are_served_from_node_modules():
    served = dict(settings.STATICFILES_DIRS)
    folder = Path(served["vendor/nhsuk-frontend"])
    assert (folder / "nhsuk-frontend.min.js").exists()
    assert (folder / "assets" / "images" / "nhsuk-icon-cross.svg").exists()


def test_pages_start_nhsuk_frontend_without_inline_script(client, db):
    html = client.get(reverse("login")).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts
    assert all('src="' in attrs and not body.strip() for attrs, body in scripts)
    assert 'type="module" src="/static/portal/nhsuk-init.js"' in html
