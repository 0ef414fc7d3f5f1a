"""`python manage.py route_referral`: one JSON case on stdin, one JSON decision on stdout.

A stable contract for other systems and for acceptance tests. Bad input (invalid JSON, a missing
or unknown key, a wrong type or an unknown value) prints a clear error naming the key to stderr
and exits with status 2."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from referrals.rules import (
    DEFAULT_CAPABILITY_HOLDERS,
    CapabilityHolders,
    Presentation,
    RoutingCase,
    Site,
    Tumour,
    route_referral,
)

CHOICES = {
    "presentation": [p.value for p in Presentation],
    "tumour": [t.value for t in Tumour],
    "site": [s.value for s in Site],
}
BOOLEANS = ("skull_base", "transnasal_ccj", "suspected_mscc", "clinically_urgent")
REQUIRED = ("age", "presentation", "tumour", "site")


def parse_case(data: object) -> RoutingCase:
    """Validate the JSON object and build the case; raises ValueError naming the key."""
    if not isinstance(data, dict):
        raise ValueError("input must be one JSON object")
    unknown = sorted(set(data) - set(REQUIRED) - set(BOOLEANS))
    if unknown:
        raise ValueError(f"unknown key '{unknown[0]}'")
    for key in REQUIRED:
        if key not in data:
            raise ValueError(f"missing key '{key}'")
    age = data["age"]
    if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= 130:
        raise ValueError("key 'age' must be a whole number of years from 0 to 130")
    for key, allowed in CHOICES.items():
        if data[key] not in allowed:
            raise ValueError(f"key '{key}' must be one of {', '.join(allowed)}; got {data[key]!r}")
    for key in BOOLEANS:
        if key in data and not isinstance(data[key], bool):
            raise ValueError(f"key '{key}' must be true or false")
    return RoutingCase(**{key: data[key] for key in data})


def live_capability_holders() -> CapabilityHolders:
    """Which services hold which capability, from the directory (the same source as intake);
    the reference data when the database has no directory yet (e.g. an unmigrated checkout)."""
    from referrals.services import capability_holders

    try:
        holders = {capability: services for capability, services in capability_holders().items() if services}
    except DatabaseError:
        return DEFAULT_CAPABILITY_HOLDERS
    return holders or DEFAULT_CAPABILITY_HOLDERS


def routing_choices():
    from referrals.services import routing_choices

    return routing_choices()


def live_warnings() -> list[str]:
    """The same policy-register warnings as intake; none when the database is not there yet."""
    from referrals.services import routing_policy_warnings

    try:
        return routing_policy_warnings()
    except DatabaseError:
        return ["The policies register could not be read, so the routing rules' version was not checked."]


class Command(BaseCommand):
    help = "Route one referral: reads a JSON object on stdin, prints the decision as JSON."

    def handle(self, *args, **options) -> None:
        raw = sys.stdin.read()
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CommandError(f"input is not valid JSON: {exc.msg}", returncode=2) from exc
        try:
            case = parse_case(data)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        decision = route_referral(
            case,
            holders=live_capability_holders(),
            choices=routing_choices(),
            policy_warnings=live_warnings(),
        )
        self.stdout.write(json.dumps(decision.as_dict()))
