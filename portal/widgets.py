"""Select widgets for long lists (a national directory has thousands of practitioners).

Django renders every <option> through two templates; at a few thousand options that takes
seconds. These render the same HTML in Python, escaped the same way."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class LongSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        rows = []
        for choice_value, label in self.choices:
            key = "" if choice_value is None else str(choice_value)
            rows.append((key, " selected" if key in selected else "", label))
        # format_html_join escapes every value and label, as Django's option template does.
        body = format_html_join("", '<option value="{}"{}>{}</option>', rows)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), body)


class LongSelectMultiple(LongSelect):
    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        return forms.SelectMultiple().value_from_datadict(data, files, name)

    def value_omitted_from_data(self, data, files, name):
        return False
