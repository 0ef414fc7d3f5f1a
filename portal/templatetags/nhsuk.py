"""What the NHS.UK frontend template pack (templates/nhsuk/, CRISPY_TEMPLATE_PACK) needs that a
template cannot say: which component a field is, its input with the component's classes and the
ids of its hint and error message, and where the error summary's link for it should land."""

from django import forms, template
from django.forms.widgets import Input

from portal.widgets import DateInput

register = template.Library()

# A widget's component class, and the class its error state adds.
_WIDGET_CLASSES = (
    (forms.Select, "nhsuk-select", "nhsuk-select--error"),
    (forms.Textarea, "nhsuk-textarea", "nhsuk-textarea--error"),
    # NHS.UK frontend 10's file input (its form group's error state marks it; no class of its own).
    (forms.FileInput, "nhsuk-file-upload__input", ""),
    (Input, "nhsuk-input", "nhsuk-input--error"),
)


@register.filter
def nhsuk_kind(field) -> str:
    """The component that shows `field`: date, radios, checkboxes, checkbox, or input (any other:
    text input, select, textarea)."""
    widget = field.field.widget
    if isinstance(widget, DateInput):
        return "date"
    # Before RadioSelect: Django's CheckboxSelectMultiple is a RadioSelect subclass.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    return "input"


def _described_by(field) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.simple_tag
def nhsuk_described_by(field) -> str:
    """The ids of the field's hint and error message, for aria-describedby."""
    return _described_by(field)


@register.simple_tag
def nhsuk_widget(field):
    """The field's input with its component's classes, marked invalid when it has an error."""
    widget = field.field.widget
    attrs = {}
    for widget_class, css, error_css in _WIDGET_CLASSES:
        if isinstance(widget, widget_class) and not isinstance(widget, forms.CheckboxInput):
            classes = [widget.attrs.get("class", ""), css, error_css if field.errors else ""]
            attrs["class"] = " ".join(c for c in classes if c)
            break
    if isinstance(widget, forms.CheckboxInput):
        attrs["class"] = "nhsuk-checkboxes__input"
    if isinstance(widget, DateInput) and field.errors:
        attrs["class"] = "nhsuk-input--error"
    described = _described_by(field)
    if described and not isinstance(widget, DateInput):
        attrs["aria-describedby"] = described
    return field.as_widget(attrs=attrs)


@register.filter
def nhsuk_anchor(field) -> str:
    """The id the error summary links to: the field's input, or the first of its boxes or choices."""
    kind = nhsuk_kind(field)
    if kind == "date":
        return f"{field.auto_id}_0"
    if kind in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    return field.auto_id
