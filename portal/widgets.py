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


class DateInput(forms.MultiWidget):
    """The NHS date input: a saved date shown in three boxes, day, month and year, and read back
    as one ISO date ("2026-11-30") that Django's DateField parses as it parses any date. Every
    date field in the portal uses it (tests/portal/test_date_input.py finds them all), so a date
    opened and saved unchanged is kept: `<input type="date">` showed a date formatted 30/11/2026
    as empty, and saving the form again wiped it (issue 19).

    What was typed goes back into the boxes as typed when the form is refused, so nothing is lost.
    A URL that gives the date as one value (`?name=2026-11-30`) is still read."""

    template_name = "nhsuk/widgets/date_input.html"
    parts = ("day", "month", "year")

    def __init__(self, attrs=None):
        widgets = {part: forms.TextInput(attrs={"inputmode": "numeric"}) for part in self.parts}
        super().__init__(widgets, attrs)

    def decompress(self, value):
        """(day, month, year) of a date, or of the ISO text read back from the three boxes."""
        if value is None or value == "":
            return [None, None, None]
        if hasattr(value, "year"):
            return [value.day, value.month, value.year]
        pieces = str(value).split("-")
        if len(pieces) < 3:  # not "year-month-day": shown as it came, in the first box
            return [str(value), "", ""]
        return [pieces[-1], "-".join(pieces[1:-1]), pieces[0]]

    def value_from_datadict(self, data, files, name):
        if name in data and not any(f"{name}_{part}" in data for part in self.parts):
            return data.get(name)
        day, month, year = (str(data.get(f"{name}_{part}") or "").strip() for part in self.parts)
        if not (day or month or year):
            return None
        return f"{year}-{month}-{day}"

    def value_omitted_from_data(self, data, files, name):
        return name not in data and all(f"{name}_{part}" not in data for part in self.parts)
