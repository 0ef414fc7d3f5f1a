"""`python manage.py cwt_clocks`: one pathway's facts as JSON on stdin, its three cancer
waiting-time clocks as JSON on stdout.

Input keys (dates YYYY-MM-DD; every key but `route` and `received_on` may be left out or null):
`route`, `received_on`, `upgraded_on`, `transferred_on`, `dna_rebooked_on`, `told_on`, `outcome`,
`decision_to_treat_on`, `admitted_offer_declined` (`{"offered_for": date, "available_from":
date}`), `treated_on`, `ended`, `today` (default: today's date). Output: `fds`, `62` and `31`,
each with `applies`, `start`, `due`, `stopped_on`, `days`, `status` and `adjustment_days`; `62`
also `handover_by` and `breach_allocation`. Bad input (invalid JSON, a missing or unknown key, a
wrong type, an impossible date, a treatment before the referral...) prints a message naming the
key on stderr and exits with status 2. The rules are `waiting_times.rules`; the portal's choices
where the guidance is silent come from the `CWT_CLOCK_POLICY` setting."""

import datetime
import json
import re
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from waiting_times.rules import (
    ClockPolicy,
    DeclinedOffer,
    Ending,
    Outcome,
    PathwayFacts,
    Route,
    pathway_clocks,
)

REQUIRED = ("route", "received_on")
DATE_KEYS = (
    "received_on",
    "upgraded_on",
    "transferred_on",
    "dna_rebooked_on",
    "told_on",
    "decision_to_treat_on",
    "treated_on",
    "today",
)
CHOICES = {"route": Route, "outcome": Outcome, "ended": Ending}
OFFER = "admitted_offer_declined"
OFFER_KEYS = ("offered_for", "available_from")
KNOWN = {*DATE_KEYS, *CHOICES, OFFER}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(key: str, value: object, *, field: str = "") -> datetime.date:
    """A YYYY-MM-DD string that is a real date; raises ValueError naming the key (and the field
    of an object)."""
    name = f"key '{key}'" + (f": '{field}'" if field else "")
    if not isinstance(value, str) or not ISO_DATE.fullmatch(value):
        raise ValueError(f"{name} must be a date YYYY-MM-DD; got {value!r}")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{name} is not a real date: {value!r}") from exc


def parse_offer(value: object) -> DeclinedOffer:
    if not isinstance(value, dict) or set(value) != set(OFFER_KEYS):
        raise ValueError(f"key '{OFFER}' must be an object with exactly offered_for and available_from")
    return DeclinedOffer(**{field: parse_date(OFFER, value[field], field=field) for field in OFFER_KEYS})


def parse_facts(data: object, *, today: datetime.date) -> PathwayFacts:
    """Check the JSON object's keys and types and build the facts; raises ValueError naming the
    key. Whether the facts make a possible pathway is `rules.validate`'s question."""
    if not isinstance(data, dict):
        raise ValueError("input must be one JSON object")
    unknown = sorted(set(data) - KNOWN)
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}'")
    for key in REQUIRED:
        if data.get(key) is None:
            raise ValueError(f"missing key '{key}'")
    values: dict[str, Any] = {key: value for key, value in data.items() if value is not None}
    facts: dict[str, Any] = {"today": today}
    for key, value in values.items():
        if key in DATE_KEYS:
            facts[key] = parse_date(key, value)
        elif key in CHOICES:
            allowed = [choice.value for choice in CHOICES[key]]
            if value not in allowed:
                raise ValueError(f"key '{key}' must be one of {', '.join(allowed)}; got {value!r}")
            facts[key] = CHOICES[key](value)
        else:
            facts[OFFER] = parse_offer(value)
    return PathwayFacts(**facts)


class Command(BaseCommand):
    help = "Count one pathway's cancer waiting-time clocks: reads a JSON object on stdin, prints JSON."

    def handle(self, *args, **options) -> None:
        try:
            data = json.loads(sys.stdin.read())
        except json.JSONDecodeError as exc:
            raise CommandError(f"input is not valid JSON: {exc.msg}", returncode=2) from exc
        try:
            facts = parse_facts(data, today=timezone.localdate())
            clocks = pathway_clocks(facts, policy=ClockPolicy(**getattr(settings, "CWT_CLOCK_POLICY", {})))
        except ValueError as exc:  # PathwayError included
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(clocks.as_dict()))
