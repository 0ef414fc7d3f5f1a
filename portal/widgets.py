"""Select widgets for long lists (a national directory has thousands of practitioners).

Django renders every <option> through two templates; at a few thousand options that takes
seconds. These render the same HTML in Python, escaped the same way, and remember the last few
option lists they rendered: the MDT attendance form offers the same directory four times a page."""

from functools import lru_cache

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeData


def _normalised(choices) -> tuple[tuple[str, str, bool], ...]:
    """Each choice as the text it renders to: (value, label, whether the label is already HTML).

    The cache is keyed by these, not by the choices themselves: 1, True and 1.0 are equal keys
    but render as different values, a SafeString label equals the same text unescaped but renders
    differently, and a model instance among the values would be kept alive by the cache."""
    rows = []
    for value, label in choices:
        text = str(label)  # str() of a SafeString (or a lazy safe string) is a SafeString
        rows.append(("" if value is None else str(value), text, isinstance(text, SafeData)))
    return tuple(rows)


@lru_cache(maxsize=16)
def _options(choices: tuple[tuple[str, str, bool], ...], selected: frozenset[str]):
    """The escaped <option> elements of normalised `choices` with `selected` marked. Keyed by the
    choices' text, so a changed directory is a new entry, never a stale one."""
    # format_html_join escapes every value and every label but those already HTML (SafeData: the
    # third item says which, so the two never share a cache entry), as Django's option template does.
    rows = ((value, " selected" if value in selected else "", label) for value, label, _html in choices)
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)


class LongSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = frozenset(str(v) for v in self.format_value(value))
        body = _options(_normalised(self.choices), selected)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), body)


class LongSelectMultiple(LongSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False
