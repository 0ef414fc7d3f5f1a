"""Every drop-down of the portal's forms that lists rows of a growing table (the directory's
practitioners, organisations and services, the portal's users) renders its options in Python
(portal.widgets.LongSelect), not through Django's option template. Django's template costs about
0.17 ms an option: the office's patient page took 72 ms to draw one surgeon list of 430 options,
and the intake form 40 ms for its five lists, under load seconds (docs/reliability.md, issue 22)."""

from django import forms

from portal.widgets import LongSelect
from tests.portal.test_single_line import _project_form_classes

# Lists of a handful of fixed rows: Django's own rendering is fine for these.
SMALL_TABLES = {"mdt.Mdt", "auth.Group", "policies.PolicyCategory"}


def _long_lists(form_class) -> list[str]:
    fields = getattr(form_class, "base_fields", {})
    offenders = []
    for name, field in fields.items():
        if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
            continue  # a queryset given in __init__ is the form's own tests' business
        label = field.queryset.model._meta.label
        widget = field.widget
        if label in SMALL_TABLES or isinstance(widget, LongSelect | forms.HiddenInput | forms.RadioSelect):
            continue
        offenders.append(f"{form_class.__module__}.{form_class.__qualname__}.{name} ({label})")
    return offenders


def test_the_check_finds_the_portals_forms():
    found = {f"{f.__module__}.{f.__qualname__}" for f in _project_form_classes()}
    assert "referrals.forms.IntakeForm" in found
    assert "referrals.forms.SurgeonForm" in found
    assert len(found) > 30


def test_every_drop_down_of_a_growing_table_renders_its_options_in_python():
    offenders = [offender for form_class in _project_form_classes() for offender in _long_lists(form_class)]
    assert offenders == []
