"""`{{ value|tel_links }}`: every telephone number in the text as a `tel:` link, the rest escaped."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from portal.phone import phone_parts

register = template.Library()


@register.filter
def tel_links(value) -> SafeString:
    parts = phone_parts(str(value or ""))
    return format_html_join(
        "",
        "{}",
        ((format_html('<a href="{}">{}</a>', href, words) if href else words,) for words, href in parts),
    )
