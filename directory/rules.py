"""Pure decisions of the directory's approval workflow: data in, decision out, no database."""

import datetime
import re
from dataclasses import dataclass
from typing import Any


def may_decide(*, proposer_id: int, decider_id: int) -> bool:
    """The four-eyes rule: nobody approves or rejects their own change request."""
    return proposer_id != decider_id


def is_stale(*, base_version: int | None, current_version: int | None) -> bool:
    """A request is stale when its target record has changed since it was made (or re-based)."""
    return base_version != current_version


def applies_now(*, effective_date: datetime.date | None, today: datetime.date) -> bool:
    """An approved change goes live at once unless it carries an effective date after today."""
    return effective_date is None or effective_date <= today


@dataclass(frozen=True)
class FieldDifference:
    field: str
    current: Any
    proposed: Any

    @property
    def changed(self) -> bool:
        return self.current != self.proposed


def differences(
    *, current: dict[str, Any], proposed: dict[str, Any], fields: list[str]
) -> list[FieldDifference]:
    """Field by field, the current value beside the proposed one. A field the request does not
    propose keeps its current value."""
    return [
        FieldDifference(name, current.get(name), proposed.get(name, current.get(name))) for name in fields
    ]


def changed_values(*, current: dict[str, Any], proposed: dict[str, Any]) -> dict[str, Any]:
    """Only the proposed values that differ from the current ones."""
    return {name: value for name, value in proposed.items() if current.get(name) != value}


def postal_address_lines(text: str) -> list[str]:
    """A postal address as typed, line by line: any kind of line break splits it, and each line
    loses the spaces around it; empty lines are dropped, so an address pasted with a blank line
    or a trailing break reads as its lines."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def name_and_email_disagree(*, name: str, email: str) -> bool:
    """True when an e-mail address does not carry the surname of the person it belongs to.

    The spinal pathway lists "Nick Hayden" with "nicholashaden@nhs.net": such entries are shown to
    the SAG, never silently corrected. First names are not compared (Nick for Nicholas is fine)."""
    if not name.strip() or "@" not in email:
        return False
    surname = _letters(name.split()[-1])
    local_part = _letters(email.split("@", 1)[0])
    return bool(surname) and surname not in local_part


def confirmation_year_due(*, today: datetime.date) -> int:
    """The year whose annual confirmation is due: requests go out from 1 January each year, so
    any practitioner without a request for this year is due (a skipped day loses nothing)."""
    return today.year


# Diagnostic clinic catchments ----------------------------------------------------------------------

# A postcode area is one or two letters ("CM", "E"); a district adds a digit and maybe a digit or
# letter ("ME14", "DA1", "EC1A"). The inward code ("1AB") is a digit and two letters.
_CATCHMENT_ENTRY = re.compile(r"^[A-Z]{1,2}(\d[A-Z\d]?)?$")
_INWARD = re.compile(r"\d[A-Z]{2}$")


def outward_code(postcode: str) -> str:
    """The outward code of a full or partial postcode: "me14 1ab" -> "ME14", "ME14" -> "ME14"."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    if len(compact) >= 5 and _INWARD.search(compact):
        return compact[:-3]
    return compact


def normalise_catchment(raw: str | list[str]) -> list[str]:
    """A catchment typed as text ("ME14, me15; CM": entries split at commas, semicolons and
    lines) or given as a list, as a sorted list of distinct upper-case districts and areas.
    Raises ValueError naming every entry that is not a postcode district or area."""
    items = re.split(r"[,;\n]+", raw) if isinstance(raw, str) else list(raw)
    entries = [re.sub(r"\s+", " ", str(item)).strip().upper() for item in items if str(item).strip()]
    bad = [entry for entry in entries if not _CATCHMENT_ENTRY.match(entry)]
    if bad:
        raise ValueError(
            "Not a postcode district or area: "
            + ", ".join(bad)
            + ' (use districts like "ME14" or "DA1", or areas like "CM").'
        )
    return sorted(set(entries))
