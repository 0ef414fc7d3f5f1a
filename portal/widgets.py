"""Select widgets for long lists (a national directory has thousands of practitioners).

Django renders every <option> through two templates; at a few thousand options that takes
seconds. These render the same HTML in Python, escaped the same way, and remember the last few
option lists they rendered: the MDT attendance form offers the same directory four times a page."""

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


@lru_cache(maxsize=16)
def _options(choices: tuple, selected: frozenset):
    """The escaped <option> elements of `choices` with `selected` marked. Keyed by the choices
    themselves, so a changed directory is a new entry, never a stale one."""
    rows = []
    for choice_value, label in choices:
        key = "" if choice_value is None else str(choice_value)
        rows.append((key, " selected" if key in selected else "", label))
    # format_html_join escapes every value and label, as Django's option template does.
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)


class LongSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = frozenset(str(v) for v in self.format_value(value))
        body = _options(tuple(self.choices), selected)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), body)


class LongSelectMultiple(LongSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False
