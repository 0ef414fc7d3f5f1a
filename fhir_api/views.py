"""The FHIR R4 endpoints, JSON only (application/fhir+json). Thin: authenticate the client,
check its scope, parse, call a reader or a service, answer; every call is logged (ApiCall:
client, resource type, interaction, outcome; never a patient identifier).

Directory reads are public, as the directory page is; a token, if sent, must be valid and hold
directory.read. Submitting a referral and $route need a token with referral.submit."""

import functools
import json
from urllib.parse import urlencode

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from . import intake, routing, rules, services
from .capability import capability_statement
from .models import ApiCall
from .resources import SEARCHES, emit

FHIR_JSON = "application/fhir+json; charset=utf-8"
ACCEPTED_BODY_TYPES = {"application/fhir+json", "application/json"}
PAGING_PARAMETERS = {"_count", "_after", "_format"}
Outcome = ApiCall.Outcome


class FhirError(Exception):
    def __init__(self, status: int, issues: list[intake.Issue], outcome: str):
        super().__init__(issues[0].message if issues else "")
        self.status, self.issues, self.outcome = status, issues, outcome


def fhir_response(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(
        data, status=status, content_type=FHIR_JSON, json_dumps_params={"ensure_ascii": False}
    )


def operation_outcome(issues: list[intake.Issue]) -> dict:
    return emit(
        {
            "resourceType": "OperationOutcome",
            "issue": [
                {
                    "severity": "error",
                    "code": issue.code,
                    "diagnostics": issue.message,
                    **({"expression": [issue.expression]} if issue.expression else {}),
                }
                for issue in issues
            ],
        }
    )


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def fhir_endpoint(*, interaction: str, scope: str | None, public: bool = False):
    """Authenticate, check the scope, answer errors as OperationOutcome, log the call."""

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
            client = None
            # Only a type this API knows goes into the log: a path segment could be anything.
            known = kwargs.get("resource_type", "") in {*SEARCHES, "ServiceRequest"}
            resource = kwargs["resource_type"] if known else ("unknown" if kwargs else "metadata")
            resource += "/$route" if interaction == "operation" else ""
            try:
                token = _bearer(request)
                if token is not None:
                    client = services.api_client_for_token(token)
                    if client is None:
                        raise FhirError(
                            401,
                            [intake.Issue("The token is not valid, or was revoked.", "", "login")],
                            Outcome.UNAUTHORISED,
                        )
                if scope and client is None and not public:
                    raise FhirError(
                        401,
                        [intake.Issue(f"A client token with the scope {scope} is needed.", "", "login")],
                        Outcome.UNAUTHORISED,
                    )
                if scope and client is not None and not rules.scope_allows(client.scopes, scope):
                    raise FhirError(
                        403,
                        [intake.Issue(f"This client does not hold the scope {scope}.", "", "forbidden")],
                        Outcome.FORBIDDEN,
                    )
                response, outcome = view(request, client=client, **kwargs)
            except FhirError as error:
                response, outcome = (
                    fhir_response(operation_outcome(error.issues), error.status),
                    error.outcome,
                )
            except intake.SubmissionError as error:
                response, outcome = (
                    fhir_response(operation_outcome(error.issues), error.status),
                    Outcome.INVALID,
                )
            except rules.SearchError as error:
                issue = intake.Issue(str(error), error.expression)
                response, outcome = fhir_response(operation_outcome([issue]), 400), Outcome.INVALID
            services.api_call_record(
                client=client,
                method=request.method,
                resource=resource,
                interaction=interaction,
                status=response.status_code,
                outcome=outcome,
            )
            return response

        return wrapper

    return decorate


def _not_allowed(request: HttpRequest, allowed: str) -> FhirError:
    return FhirError(
        405,
        [intake.Issue(f"{request.method} is not supported here; use {allowed}.", "", "not-supported")],
        Outcome.NOT_ALLOWED,
    )


def _spec(resource_type: str):
    spec = SEARCHES.get(resource_type)
    if spec is None:
        raise FhirError(
            404,
            [
                intake.Issue(
                    f"This server does not serve {resource_type} (see /metadata).", "", "not-supported"
                )
            ],
            Outcome.NOT_FOUND,
        )
    return spec


def _body(request: HttpRequest) -> object:
    content_type = request.content_type or ""
    if content_type not in ACCEPTED_BODY_TYPES:
        raise FhirError(
            415, [intake.Issue("Send application/fhir+json.", "", "not-supported")], Outcome.INVALID
        )
    try:
        return json.loads(request.body)
    except RequestDataTooBig as error:
        raise FhirError(
            413, [intake.Issue("The body is too large.", "", "too-costly")], Outcome.INVALID
        ) from error
    except (ValueError, UnicodeDecodeError) as error:
        raise FhirError(
            400, [intake.Issue("The body is not valid JSON.", "", "structure")], Outcome.INVALID
        ) from error


@fhir_endpoint(interaction="capabilities", scope=None)
def metadata(request: HttpRequest, *, client) -> tuple[HttpResponse, str]:
    if request.method != "GET":
        raise _not_allowed(request, "GET")
    return fhir_response(
        capability_statement(request.build_absolute_uri(reverse("fhir_api:metadata")))
    ), Outcome.OK


def _search(request: HttpRequest, resource_type: str) -> HttpResponse:
    spec = _spec(resource_type)
    for name in request.GET:
        if name not in spec.parameters and name not in PAGING_PARAMETERS:
            raise rules.SearchError(
                f"{resource_type} has no search parameter {name} here (see /metadata).", name
            )
    size = rules.page_size(request.GET.get("_count"))
    after = rules.cursor(request.GET.get("_after"))
    queryset = spec.queryset()
    for name, values in request.GET.lists():
        if name in spec.parameters:
            for value in values:
                queryset = spec.parameters[name][0](queryset, value)
    if after is not None:
        queryset = queryset.filter(pk__gt=after)
    rows = list(queryset.distinct().order_by("pk")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    base = request.build_absolute_uri(reverse("fhir_api:type", kwargs={"resource_type": resource_type}))
    kept = [(k, v) for k, values in request.GET.lists() if k not in {"_after", "_count"} for v in values]
    links = [
        {
            "relation": "self",
            "url": f"{base}?{urlencode([*kept, ('_count', size)] + ([('_after', after)] if after else []))}",
        }
    ]
    if more:
        links.append(
            {
                "relation": "next",
                "url": f"{base}?{urlencode([*kept, ('_count', size), ('_after', rows[-1].pk)])}",
            }
        )
    entries = [
        {"fullUrl": f"{base}/{resource['id']}", "resource": resource, "search": {"mode": "match"}}
        for resource in spec.render(rows)
    ]
    return fhir_response(
        emit({"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entries})
    )


@fhir_endpoint(interaction="search-type", scope=rules.SCOPE_DIRECTORY_READ, public=True)
def directory_search(request: HttpRequest, *, client, resource_type: str) -> tuple[HttpResponse, str]:
    if request.method != "GET":
        raise _not_allowed(request, "GET")
    return _search(request, resource_type), Outcome.OK


@fhir_endpoint(interaction="create", scope=rules.SCOPE_REFERRAL_SUBMIT)
def service_request_create(request: HttpRequest, *, client, resource_type: str) -> tuple[HttpResponse, str]:
    if request.method != "POST":
        raise _not_allowed(request, "POST")
    submitted = services.referral_submit(client=client, body=_body(request))
    resource = emit(intake.service_request(submitted.referral, patient_match=submitted.patient_match))
    return fhir_response(resource, 201), Outcome.CREATED


@csrf_exempt  # systems authenticate with a bearer token, never a cookie
def resource_type_view(request: HttpRequest, resource_type: str) -> HttpResponse:
    """/fhir/r4/<type>: search the directory's types; POST a ServiceRequest."""
    if resource_type == "ServiceRequest":
        return service_request_create(request, resource_type=resource_type)
    return directory_search(request, resource_type=resource_type)


@fhir_endpoint(interaction="read", scope=rules.SCOPE_DIRECTORY_READ, public=True)
def read(request: HttpRequest, *, client, resource_type: str, resource_id: str) -> tuple[HttpResponse, str]:
    if request.method != "GET":
        raise _not_allowed(request, "GET")
    spec = _spec(resource_type)
    found = None
    if resource_id.isascii() and resource_id.isdigit() and len(resource_id) <= 18:
        found = spec.queryset().filter(pk=int(resource_id)).first()
    if found is None:
        raise FhirError(
            404,
            [intake.Issue(f"No published {resource_type} with this id.", "", "not-found")],
            Outcome.NOT_FOUND,
        )
    return fhir_response(spec.render([found])[0]), Outcome.OK


@fhir_endpoint(interaction="operation", scope=rules.SCOPE_REFERRAL_SUBMIT)
def route(request: HttpRequest, *, client, resource_type: str = "ServiceRequest") -> tuple[HttpResponse, str]:
    if request.method != "POST":
        raise _not_allowed(request, "POST")
    return fhir_response(routing.route(_body(request))), Outcome.OK
