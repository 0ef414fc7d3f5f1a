"""The JSON contract of `second_opinion_eligibility`: parsing and checking its input."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from .eligibility import (
    CurrentService,
    EligibilityInput,
    Reason,
    RequestedBy,
    RequestedService,
    Tumour,
)

# The JSON contract -------------------------------------------------------------------------------


class EligibilityInputError(ValueError):
    """Bad input for `decide`; `key` names the offending key."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key


_ENUM_KEYS: dict[str, type[StrEnum]] = {
    "current_service": CurrentService,
    "requested_service": RequestedService,
    "requested_by": RequestedBy,
    "reason": Reason,
    "tumour": Tumour,
}
REQUIRED_KEYS = (*_ENUM_KEYS, "standard_management")
OPTIONAL_KEYS = ("named_clinician",)


def parse_input(data: Any) -> EligibilityInput:
    """An `EligibilityInput` from a decoded JSON object, or `EligibilityInputError` naming the
    first bad key. Strict: unknown keys, missing keys, wrong types (a bool must be true/false, not
    0/1) and unknown values are all refused. `named_clinician` may be omitted or null."""
    if not isinstance(data, dict):
        raise EligibilityInputError(
            "(input)", 'expected one JSON object, e.g. {"current_service": "RMH", ...}'
        )
    unknown = sorted(set(data) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if unknown:
        raise EligibilityInputError(
            unknown[0], f"unknown key; the keys are {', '.join(REQUIRED_KEYS + OPTIONAL_KEYS)}"
        )
    for key in REQUIRED_KEYS:
        if key not in data:
            raise EligibilityInputError(key, "missing required key")
    values: dict[str, Any] = {}
    for key, enum in _ENUM_KEYS.items():
        value = data[key]
        allowed = ", ".join(f'"{member.value}"' for member in enum)
        if not isinstance(value, str):
            raise EligibilityInputError(key, f"expected a string, one of {allowed}")
        try:
            values[key] = enum(value)
        except ValueError:
            raise EligibilityInputError(key, f"unknown value {value!r}; expected one of {allowed}") from None
    if not isinstance(data["standard_management"], bool):
        raise EligibilityInputError("standard_management", "expected true or false")
    named = data.get("named_clinician")
    if named is not None and not isinstance(named, str):
        raise EligibilityInputError("named_clinician", "expected a string (or leave it out)")
    return EligibilityInput(
        standard_management=data["standard_management"], named_clinician=named or "", **values
    )
