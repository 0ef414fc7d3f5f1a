"""`ServiceRequest/$route`: the routing decision without saving anything, the same answer as
`python manage.py route_referral` (the command's own parser and sources are used, so the two
cannot drift). Parameters in, named as the command's JSON keys (age valueInteger; presentation,
tumour, site valueCode; skull_base, transnasal_ccj, suspected_mscc, clinically_urgent
valueBoolean); Parameters out, one parameter per key of the command's answer (lists repeated,
empty values left out)."""

from referrals.management.commands.route_referral import (
    BOOLEANS,
    live_capability_holders,
    live_warnings,
    parse_case,
    routing_choices,
)
from referrals.rules import route_referral

from .intake import Issue, SubmissionError
from .resources import emit

VALUE_KIND = {"age": "valueInteger", **dict.fromkeys(BOOLEANS, "valueBoolean")}


def _case_data(body: object) -> dict:
    if not isinstance(body, dict) or body.get("resourceType") != "Parameters":
        raise SubmissionError([Issue("Send a Parameters resource.", "resourceType", "structure")], 400)
    data = {}
    for index, parameter in enumerate(body.get("parameter") or []):
        name = parameter.get("name") or ""
        kind = VALUE_KIND.get(name, "valueCode")
        values = [key for key in parameter if key.startswith("value")]
        if values != [kind]:
            raise SubmissionError(
                [Issue(f"Parameter '{name}' takes {kind}.", f"Parameters.parameter[{index}]")], 400
            )
        if name in data:
            raise SubmissionError(
                [Issue(f"Parameter '{name}' is given twice.", f"Parameters.parameter[{index}]")], 400
            )
        data[name] = parameter[kind]
    return data


def _where(message: str, data: dict, body: dict) -> str:
    """The parameter an error of parse_case names ("key 'site' ..."), as an expression."""
    for index, parameter in enumerate(body.get("parameter") or []):
        if f"'{parameter.get('name')}'" in message:
            return f"Parameters.parameter[{index}]"
    return "Parameters.parameter"


def route(body: object) -> dict:
    """The decision for the case in `body`, as a Parameters resource (validated)."""
    data = _case_data(body)
    try:
        case = parse_case(data)
    except ValueError as error:
        raise SubmissionError([Issue(str(error), _where(str(error), data, body))], 400) from error
    decision = route_referral(
        case, holders=live_capability_holders(), choices=routing_choices(), policy_warnings=live_warnings()
    ).as_dict()
    return emit({"resourceType": "Parameters", "parameter": decision_parameters(decision)})


def decision_parameters(decision: dict) -> list[dict]:
    parameters = []
    for key, value in decision.items():
        for item in value if isinstance(value, list) else [value]:
            if item is None:
                continue
            if isinstance(item, bool):
                parameters.append({"name": key, "valueBoolean": item})
            else:
                parameters.append({"name": key, "valueString": str(item)})
    return parameters
