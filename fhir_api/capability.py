"""The CapabilityStatement (GET /fhir/r4/metadata): exactly what this server does, read off the
same tables the views use (resources.SEARCHES), so the two cannot disagree."""

from django.conf import settings

from . import rules
from .profiles import UK_CORE, extension_url, profile
from .resources import SEARCHES, emit

RELEASE_DATE = "2026-11-30"


def capability_statement(url: str) -> dict:
    resources = [
        {
            "type": resource_type,
            "profile": profile(resource_type)[0],
            "documentation": spec.documentation
            + f" Only published (approved) directory data. Paged by Bundle.link next; _count up to "
            f"{rules.MAX_COUNT} (default {rules.DEFAULT_COUNT}).",
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind, "documentation": text}
                for name, (_filter, kind, text) in spec.parameters.items()
            ]
            + [
                {
                    "name": "_count",
                    "type": "number",
                    "documentation": f"Page size, at most {rules.MAX_COUNT}.",
                },
            ],
        }
        for resource_type, spec in SEARCHES.items()
    ]
    resources.append(
        {
            "type": "ServiceRequest",
            "profile": profile("ServiceRequest")[0],
            "documentation": (
                "create only (scope referral.submit): a transaction Bundle with one ServiceRequest and its "
                "Patient, or a ServiceRequest with a contained Patient. Taken in by the referral form's "
                "checks and intake service; answered 201 with the created ServiceRequest, whose extension "
                f"{extension_url('routing-decision')} holds the routing decision and "
                f"{extension_url('patient-match')} says whether the NHS number matched an existing patient "
                "(existing), a likely duplicate was flagged (possible-duplicate) or the patient is new. "
                "Errors: OperationOutcome with the element's expression; nothing is saved."
            ),
            "interaction": [{"code": "create"}],
            "operation": [
                {
                    "name": "route",
                    "definition": f"{settings.FHIR_API_NAMESPACE.rstrip('/')}/OperationDefinition/route",
                    "documentation": "POST Parameters (age, presentation, tumour, site and the flags "
                    "skull_base, transnasal_ccj, suspected_mscc, clinically_urgent): the routing decision as "
                    "Parameters, without saving; the same answer as `manage.py route_referral` "
                    "(scope referral.submit).",
                }
            ],
        }
    )
    return emit(
        {
            "resourceType": "CapabilityStatement",
            "url": url,
            "name": "LSESNPortalFhirApi",
            "title": "LSESN Sarcoma Portal FHIR API",
            "status": "active",
            "date": RELEASE_DATE,
            "publisher": "London and South East Sarcoma Network",
            "description": (
                "The network directory and MDTs to read (public, or with scope directory.read), and "
                "referrals to submit (scope referral.submit), in the UK Core profiles "
                f"({UK_CORE}<Resource>). JSON only. Authentication: Authorization: Bearer <client token>, "
                "issued by a superuser in the admin."
            ),
            "kind": "instance",
            "implementation": {"description": "LSESN Sarcoma Portal", "url": url.removesuffix("/metadata")},
            "fhirVersion": "4.0.1",  # UK Core is R4; the R4B models that validate us serve the same resources
            "format": ["application/fhir+json", "json"],
            "rest": [
                {
                    "mode": "server",
                    "security": {
                        "description": "Directory reads need no token; a token, if sent, must be valid "
                        "and hold directory.read. ServiceRequest create and $route need a token with "
                        "referral.submit."
                    },
                    "resource": resources,
                }
            ],
        }
    )
