"""Telephone numbers in free text (a directory entry's "020 7946 0100 / 07700 900123"), found so
pages can make each one a `tel:` link. Pure: text in, parts out."""

import re

# A number as people write it: an optional +country code (with a "(0)"), then digits with spaces,
# dots or hyphens, at least 8 digits in all ("020 7946 0100", "+44 (0)20 7946 0100", "07700-900123").
NUMBER = re.compile(r"(?:\+\d{1,3} ?(?:\(0\) ?)?)?\d[\d .-]{6,}\d")
MIN_DIGITS = 8


def tel_href(number: str) -> str:
    """The `tel:` address of a written number: its digits, with a leading + kept; a UK "+44 (0)"
    drops the bracketed 0 (RFC 3966 global numbers carry no trunk prefix)."""
    number = number.replace("(0)", "")
    digits = re.sub(r"\D", "", number)
    return f"tel:+{digits}" if number.lstrip().startswith("+") else f"tel:{digits}"


def phone_parts(text: str) -> list[tuple[str, str]]:
    """`text` cut into (words, href) parts: href is the tel: address of a number, "" elsewhere."""
    parts, last = [], 0
    for match in NUMBER.finditer(text or ""):
        written = match.group().strip()
        if len(re.sub(r"\D", "", written)) < MIN_DIGITS:
            continue
        start = match.start() + match.group().index(written[0])
        if start > last:
            parts.append((text[last:start], ""))
        parts.append((written, tel_href(written)))
        last = start + len(written)
    if last < len(text or ""):
        parts.append((text[last:], ""))
    return parts
