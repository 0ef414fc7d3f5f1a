"""Every form of the portal's own templates turns the browser's validation off (`novalidate`), as
the NHS service manual asks: the server's error summary says what is wrong and how to fix it, in
the page's words, where a browser's bubble says "Please fill in this field" in its own, is missed
by some screen readers, and stops the form before the summary can show (issue 19)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FORM = re.compile(r"<form\b[^>]*>", re.S)


def _forms() -> list[tuple[str, str]]:
    found = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        if "admin" in template.relative_to(ROOT / "templates").parts:
            continue  # Django's admin keeps its own templates' behaviour
        found += [(str(template.relative_to(ROOT)), tag) for tag in FORM.findall(template.read_text())]
    return found


def test_the_templates_have_forms_to_check():
    assert len(_forms()) > 40


def test_every_form_turns_the_browsers_validation_off():
    missing = [(path, tag) for path, tag in _forms() if "novalidate" not in tag]
    assert missing == []
