"""Reading numbers from query strings without a 500: a year, a page, an id typed into the URL."""

from collections.abc import Mapping


def int_param(params: Mapping[str, str], name: str, *, default: int, minimum: int, maximum: int) -> int:
    """`params[name]` as an int when it is written in ASCII digits (an optional leading minus) and
    lies within [minimum, maximum]; `default` otherwise. str.isdigit() alone takes "²", which
    int() refuses, and an unbounded number overflows a database integer or a URL pattern."""
    raw = (params.get(name) or "").strip()
    digits = raw.removeprefix("-")
    if not digits.isascii() or not digits.isdigit() or len(digits) > 18:
        return default
    value = int(raw)
    return value if minimum <= value <= maximum else default
