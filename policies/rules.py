"""Pure rules for document-controlled policies: version numbers, review status (RAG) and the
review-date alert thresholds. Data in, decision out; no database."""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# "Due within 90 days" is amber; later is green; past the review date is red.
AMBER_WINDOW_DAYS = 90

# Alerts before the review date, in days. 180 days stands for "six months before", when review
# work should start: a fixed number of days keeps every threshold a plain date subtraction.
DAYS_BEFORE_REVIEW = (180, 90, 30, 7)
OVERDUE_ALERT_EVERY_DAYS = 7

_VERSION = re.compile(r"^(0|[1-9]\d*)(?:\.(0|[1-9]\d*))?$")


class VersionNumberError(ValueError):
    """A version number that is not "n" or "n.x" (n and x whole numbers)."""


@dataclass(frozen=True)
class Version:
    """A version number compared numerically: 2.10 is later than 2.9, and 3 is later than 2.10."""

    major: int
    minor: int | None = None

    @property
    def is_whole(self) -> bool:
        return self.minor is None

    def _key(self) -> tuple[int, int]:
        return (self.major, -1 if self.minor is None else self.minor)

    def __lt__(self, other: "Version") -> bool:
        return self._key() < other._key()

    def __le__(self, other: "Version") -> bool:
        return self._key() <= other._key()

    def __gt__(self, other: "Version") -> bool:
        return self._key() > other._key()

    def __ge__(self, other: "Version") -> bool:
        return self._key() >= other._key()

    def __str__(self) -> str:
        return str(self.major) if self.minor is None else f"{self.major}.{self.minor}"


def parse_version(text: str) -> Version:
    """Parse "2" or "2.10" (no leading zeros, no spaces inside). Raises VersionNumberError."""
    match = _VERSION.match((text or "").strip())
    if not match:
        raise VersionNumberError(
            f"“{text}” is not a version number: use a whole number such as 2, or a draft number "
            "such as 0.1 or 2.1."
        )
    major, minor = match.groups()
    return Version(int(major), None if minor is None else int(minor))


def draft_version_problem(number: str, existing: Iterable[str]) -> str | None:
    """Why `number` cannot be a new draft's version number next to the `existing` versions of the
    same document, or None if it can. Drafts are numbered 0.x or n.x and never go backwards."""
    try:
        version = parse_version(number)
    except VersionNumberError as error:
        return str(error)
    if version.is_whole:
        return f"A draft is numbered 0.x or n.x (such as {version.major}.1); {version} is an approved number."
    return _backwards_problem(version, existing)


def approved_version_problem(number: str, existing: Iterable[str]) -> str | None:
    """Why `number` cannot be the whole number an approved version takes, or None if it can.
    `existing` are the other versions of the same document, the draft's own number included."""
    try:
        version = parse_version(number)
    except VersionNumberError as error:
        return str(error)
    if not version.is_whole:
        return f"An approved version takes a whole number, not {version}."
    return _backwards_problem(version, existing)


def _backwards_problem(version: Version, existing: Iterable[str]) -> str | None:
    latest = max((parse_version(number) for number in existing), default=None)
    if latest is not None and version <= latest:
        return f"The version number cannot go backwards: {version} is not later than {latest}."
    return None


def next_approved_version(existing: Iterable[str]) -> str:
    """The whole number a draft becomes when approved: the next after every version of the
    document (a lone 0.x becomes 1; 2.x becomes 3, or 4 if a version 3 overtook it)."""
    latest = max(parse_version(number) for number in existing)
    return str(latest.major + 1)


def next_draft_version(existing: Iterable[str]) -> str:
    """The number a new draft is offered: the next x of n.x after the latest version (2 gives
    2.1, 2.10 gives 2.11), or 0.1 for a document with no versions yet."""
    latest = max((parse_version(number) for number in existing), default=Version(0, 0))
    return f"{latest.major}.{(latest.minor or 0) + 1}"


def review_date_problem(approval_date: datetime.date | None, review_date: datetime.date | None) -> str | None:
    """Why the pair cannot stand, or None. An approved version needs both, review not before approval."""
    if approval_date is None:
        return "An approved version needs an approval date."
    if review_date is None:
        return "An approved version needs a date of review."
    if review_date < approval_date:
        return (
            f"The date of review ({review_date:%d/%m/%Y}) cannot be before the approval date "
            f"({approval_date:%d/%m/%Y})."
        )
    return None


class Rag(StrEnum):
    """Review status: red overdue, amber due within 90 days (the day itself included), green later."""

    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return {"red": "Overdue for review", "amber": "Review due soon", "green": "In date"}[self.value]


def review_rag(review_date: datetime.date, today: datetime.date) -> Rag:
    if today > review_date:
        return Rag.RED
    if (review_date - today).days <= AMBER_WINDOW_DAYS:
        return Rag.AMBER
    return Rag.GREEN


@dataclass(frozen=True)
class AlertThreshold:
    """One review-date alert: `code` is what is recorded as sent, `due_on` the day it falls due."""

    code: str
    label: str
    due_on: datetime.date


def _threshold_before(review_date: datetime.date, days: int) -> AlertThreshold:
    label = (
        "six months before the date of review" if days == 180 else f"{days} days before the date of review"
    )
    return AlertThreshold(f"before-{days}", label, review_date - datetime.timedelta(days=days))


def alert_thresholds_due(review_date: datetime.date, today: datetime.date) -> list[AlertThreshold]:
    """Every alert threshold due on or before `today`, oldest first: 180 (six months), 90, 30 and 7
    days before the review date, on the day, then one a week while overdue (week 1 is seven days
    after the review date). Selecting "on or before today", never "exactly today", is what makes a
    day the task did not run harmless."""
    due = [_threshold_before(review_date, days) for days in DAYS_BEFORE_REVIEW]
    due.append(AlertThreshold("on-the-day", "the date of review is today", review_date))
    due = [threshold for threshold in due if threshold.due_on <= today]
    weeks_overdue = (today - review_date).days // OVERDUE_ALERT_EVERY_DAYS
    for week in range(1, weeks_overdue + 1):
        due.append(
            AlertThreshold(
                f"overdue-week-{week}",
                f"overdue for review, week {week}",
                review_date + datetime.timedelta(days=OVERDUE_ALERT_EVERY_DAYS * week),
            )
        )
    return due


def alerts_to_send(
    due: list[AlertThreshold], already_recorded: Iterable[str]
) -> tuple[AlertThreshold | None, list[AlertThreshold]]:
    """Of the due thresholds not yet recorded, the one to send and the ones it supersedes.

    Only the most recent unrecorded threshold is sent; older unrecorded ones (several days
    missed, or a document first seen long overdue) are recorded as superseded without an e-mail,
    because the latest alert already says everything the older ones would have."""
    recorded = set(already_recorded)
    last_recorded = max((i for i, threshold in enumerate(due) if threshold.code in recorded), default=-1)
    older = [threshold for threshold in due[: last_recorded + 1] if threshold.code not in recorded]
    newer = due[last_recorded + 1 :]
    if not newer:
        return None, older
    return newer[-1], older + newer[:-1]


def describe_threshold(code: str) -> str:
    """A recorded threshold code in words: "before-90" is "90 days before the date of review"."""
    if code == "on-the-day":
        return "the date of review is today"
    if code.startswith("before-"):
        days = int(code.removeprefix("before-"))
        return _threshold_before(datetime.date.max, days).label
    if code.startswith("overdue-week-"):
        return f"overdue for review, week {int(code.removeprefix('overdue-week-'))}"
    return code


# Whether code still follows the approved version ----------------------------------------------------


@dataclass(frozen=True)
class RegisteredVersion:
    """The version of a document the register holds as approved (None: no approved version)."""

    version_number: str
    approval_date: datetime.date | None
    review_date: datetime.date | None


def implemented_version_warning(
    *,
    title: str,
    implemented: str,
    registered: bool,
    approved: RegisteredVersion | None,
    today: datetime.date,
) -> str | None:
    """Why rules written to version `implemented` of `title` may no longer be safe to follow, or
    None when that version is the approved one and not past its date of review. `registered`
    says whether the register holds the document at all."""
    followed = f'The portal\'s rules follow version {implemented} of "{title}"'
    check = "the MDT office must check each decision against the approved document."
    if not registered:
        return f"{followed}, which is not in the policies register, so its approval is not known: {check}"
    if approved is None:
        return f"{followed}, and the register holds no approved version of it now: {check}"
    if approved.version_number != implemented:
        approved_on = f" on {approved.approval_date:%d/%m/%Y}" if approved.approval_date else ""
        return (
            f"{followed}, but version {approved.version_number} is the approved one (approved"
            f"{approved_on}): {check}"
        )
    if approved.review_date is not None and approved.review_date < today:
        return (
            f"{followed}, whose date of review ({approved.review_date:%d/%m/%Y}) has passed without a "
            f"new version: {check}"
        )
    return None
