"""Pure decisions of the FHIR API: token hashing, scope checks, the page size, the search
parameters' values. Data in, decision out; no database."""

import datetime
import hashlib
from dataclasses import dataclass

SCOPE_DIRECTORY_READ = "directory.read"
SCOPE_REFERRAL_SUBMIT = "referral.submit"

DEFAULT_COUNT = 20
MAX_COUNT = 100

# FHIR search prefixes for dates (R4 3.1.1.4.1.2) that _lastUpdated accepts here.
DATE_PREFIXES = {"eq": "eq", "ge": "gte", "le": "lte", "gt": "gt", "lt": "lt"}


class SearchError(ValueError):
    """A search parameter with a value the API cannot use; `expression` names it."""

    def __init__(self, message: str, expression: str):
        super().__init__(message)
        self.expression = expression


def token_hash(token: str) -> str:
    """What is stored of a client's token: its SHA-256. The token is 256 random bits, so no
    salt or slow hash is needed (nothing to guess), and a lookup by hash is exact."""
    return hashlib.sha256(token.encode()).hexdigest()


def page_size(raw: str | None) -> int:
    """_count: a whole number from 1, capped at MAX_COUNT; DEFAULT_COUNT when absent."""
    if raw is None or raw == "":
        return DEFAULT_COUNT
    if not raw.isascii() or not raw.isdigit() or int(raw) < 1:
        raise SearchError("_count must be a whole number of 1 or more.", "_count")
    return min(int(raw), MAX_COUNT)


def cursor(raw: str | None) -> int | None:
    """_after: the id of the last resource of the previous page (the next link carries it)."""
    if raw is None or raw == "":
        return None
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise SearchError("_after must be the id the next link gave.", "_after")
    return int(raw)


def boolean(raw: str, name: str) -> bool:
    if raw not in {"true", "false"}:
        raise SearchError(f"{name} must be true or false.", name)
    return raw == "true"


@dataclass(frozen=True)
class DateBound:
    lookup: str  # a Django lookup: gte, lte, gt, lt; or "eq" for the whole day or instant given
    value: datetime.datetime
    day: bool  # the value was a date without a time (eq then means that whole day)


def last_updated(raw: str) -> DateBound:
    """One _lastUpdated value: an optional prefix (eq, ge, le, gt, lt) and a date (YYYY-MM-DD,
    taken as UTC midnight) or an instant with its time zone."""
    prefix = raw[:2] if raw[:2].isalpha() else "eq"
    text = raw[2:] if raw[:2].isalpha() else raw
    if prefix not in DATE_PREFIXES:
        raise SearchError("_lastUpdated takes the prefixes eq, ge, le, gt and lt.", "_lastUpdated")
    try:
        if len(text) == 10:
            value = datetime.datetime.combine(
                datetime.date.fromisoformat(text), datetime.time(), datetime.UTC
            )
            return DateBound(DATE_PREFIXES[prefix], value, day=True)
        value = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise SearchError(
            "_lastUpdated must be a date (2026-11-24) or an instant with its zone (2026-11-24T09:00:00Z).",
            "_lastUpdated",
        ) from error
    if value.tzinfo is None:
        raise SearchError("_lastUpdated needs a time zone with its time (Z or +00:00).", "_lastUpdated")
    return DateBound(DATE_PREFIXES[prefix], value, day=False)


def token_value(raw: str) -> tuple[str | None, str]:
    """A token search value, `system|code` or `code`: (system or None, code)."""
    if "|" in raw:
        system, _, code = raw.partition("|")
        return (system or None), code
    return None, raw


def scope_allows(scopes: list[str], needed: str) -> bool:
    return needed in scopes
