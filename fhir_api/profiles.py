"""The identifier systems and profiles the API uses, from UK Core (HL7 UK / NHS England), and the
portal's own code systems and extensions for what UK Core has no code for.

UK Core: profiles https://fhir.hl7.org.uk/StructureDefinition/UKCore-<Resource>; the ODS
organisation code system https://fhir.nhs.uk/Id/ods-organization-code; the NHS number system
https://fhir.nhs.uk/Id/nhs-number."""

from django.conf import settings

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"

PROFILED = (
    "Organization",
    "HealthcareService",
    "Practitioner",
    "PractitionerRole",
    "CareTeam",
    "Patient",
    "ServiceRequest",
    "Task",
    "OperationOutcome",
)


def profile(resource_type: str) -> list[str]:
    return [f"{UK_CORE}{resource_type}"] if resource_type in PROFILED else []


def namespace() -> str:
    """The network's own namespace for local code systems, identifiers and extensions. Fixed by
    a setting, not taken from the request's host, so codes mean the same on every server."""
    return settings.FHIR_API_NAMESPACE.rstrip("/")


def code_system(name: str) -> str:
    return f"{namespace()}/CodeSystem/{name}"


def identifier_system(name: str) -> str:
    return f"{namespace()}/Id/{name}"


def extension_url(name: str) -> str:
    return f"{namespace()}/StructureDefinition/{name}"
