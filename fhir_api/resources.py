"""The directory and the MDTs as FHIR R4 resources in the UK Core profiles, and their searches.

Only what the public directory shows (directory/views.py): organisations, services with their
capabilities, active practitioners with speciality, role, designation, e-mail and phone. Live
directory rows are approved data: every change reaches them only through a SAG-approved change
request (directory.services). Every resource is validated by fhir.resources' R4B model before
it is sent (`emit`). Each search is one query for the page plus at most one per related list,
whatever the number of rows (a keyset page on the id: no COUNT)."""

import datetime
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from fhir.resources.R4B import get_fhir_model_class

from directory.models import Organisation, Practitioner, Service
from mdt.models import Mdt

from . import rules
from .profiles import ODS_SYSTEM, code_system, identifier_system, profile


def emit(data: dict) -> dict:
    """Validate `data` with the fhir.resources R4B model of its type and return it as JSON data.
    A resource the model refuses is a bug here, so it raises (never sent half-valid)."""
    model = get_fhir_model_class(data["resourceType"])
    return model.model_validate(data).model_dump(mode="json")


def _meta(resource_type: str, last_updated: datetime.datetime | None) -> dict:
    meta: dict = {"profile": profile(resource_type)}
    if last_updated is not None:
        meta["lastUpdated"] = last_updated.isoformat()
    return meta


def _coding(system: str, code: str, display: str) -> dict:
    return {"system": code_system(system), "code": code, "display": display}


def with_last_updated(queryset: QuerySet) -> QuerySet:
    """`last_updated`: the time of the row's latest history record (django-simple-history), as
    one subquery on the history table's indexed id."""
    history = queryset.model.history.model
    latest = history.objects.filter(id=OuterRef("pk")).order_by("-history_date").values("history_date")[:1]
    return queryset.annotate(last_updated=Subquery(latest))


# Resources -----------------------------------------------------------------------------------


def organization(org: Organisation) -> dict:
    data = {
        "resourceType": "Organization",
        "id": str(org.pk),
        "meta": _meta("Organization", getattr(org, "last_updated", None)),
        "identifier": [{"system": ODS_SYSTEM, "value": org.ods_code}],
        "active": True,
        "type": [{"coding": [_coding("organisation-kind", org.kind, org.get_kind_display())]}],
        "name": org.name,
    }
    if org.parent_id:
        data["partOf"] = {"reference": f"Organization/{org.parent_id}"}
    return emit(data)


def healthcare_service(service: Service) -> dict:
    organisations = list(service.organisations.all())
    capabilities = list(service.capabilities.all())
    data = {
        "resourceType": "HealthcareService",
        "id": str(service.pk),
        "meta": _meta("HealthcareService", getattr(service, "last_updated", None)),
        "identifier": [{"system": identifier_system("service-code"), "value": service.code}],
        "active": True,
        "name": service.name,
        "type": [
            {"coding": [_coding("capability", c.code, c.get_code_display())], "text": c.get_code_display()}
            for c in capabilities
        ],
    }
    if organisations:
        data["providedBy"] = {
            "reference": f"Organization/{organisations[0].pk}",
            "display": organisations[0].name,
        }
    if len(organisations) > 1:
        data["comment"] = "Also at: " + "; ".join(o.name for o in organisations[1:])
    return emit(data)


def practitioner(person: Practitioner) -> dict:
    return emit(
        {
            "resourceType": "Practitioner",
            "id": str(person.pk),
            "meta": _meta("Practitioner", getattr(person, "last_updated", None)),
            "identifier": [{"system": identifier_system("directory-practitioner"), "value": str(person.pk)}],
            "active": person.active,
            "name": [{"text": person.name}],
        }
    )


def practitioner_role(person: Practitioner) -> dict:
    codes = []
    if person.is_core_mdt_member:
        codes.append({"coding": [_coding("directory-role", "core-mdt-member", "Core MDT member")]})
    if person.designation_scope:
        label = person.get_designation_scope_display()
        codes.append(
            {
                "coding": [_coding("designation-scope", person.designation_scope, label)],
                "text": f"Designated practitioner: {label}",
            }
        )
    telecom = []
    if person.email:
        telecom.append({"system": "email", "value": person.email, "use": "work"})
    if person.phone:
        telecom.append({"system": "phone", "value": person.phone, "use": "work"})
    data = {
        "resourceType": "PractitionerRole",
        "id": str(person.pk),
        "meta": _meta("PractitionerRole", getattr(person, "last_updated", None)),
        "active": person.active,
        "practitioner": {"reference": f"Practitioner/{person.pk}", "display": person.name},
        "organization": {
            "reference": f"Organization/{person.organisation_id}",
            "display": person.organisation.name,
        },
        "code": codes,
        "specialty": [
            {"coding": [_coding("speciality", person.speciality, person.get_speciality_display())]}
        ],
        "telecom": telecom,
    }
    if person.designation_scope and person.designation_date:
        # The designation's date: the role, as designated, holds from then.
        data["period"] = {"start": person.designation_date.isoformat()}
    if person.core_mdt_service_id:
        data["healthcareService"] = [
            {"reference": f"HealthcareService/{person.core_mdt_service_id}", "display": "Core MDT member of"}
        ]
    return emit({key: value for key, value in data.items() if value != []})


def care_team(mdt: Mdt, members: list[Practitioner]) -> dict:
    participants = []
    if mdt.lead_id and mdt.lead is not None and mdt.lead.active:
        participants.append(
            {
                "role": [{"coding": [_coding("mdt-role", "lead", "MDT lead")]}],
                "member": {"reference": f"Practitioner/{mdt.lead_id}", "display": mdt.lead.name},
            }
        )
    participants += [
        {
            "role": [{"coding": [_coding("mdt-role", "core-member", "Core MDT member")]}],
            "member": {"reference": f"Practitioner/{person.pk}", "display": person.name},
            "onBehalfOf": {"reference": f"Organization/{person.organisation_id}"},
        }
        for person in members
    ]
    data = {
        "resourceType": "CareTeam",
        "id": str(mdt.pk),
        "meta": _meta("CareTeam", getattr(mdt, "last_updated", None)),
        "identifier": [{"system": identifier_system("mdt-code"), "value": mdt.code}],
        "status": "active" if mdt.active else "inactive",
        "category": [{"coding": [_coding("care-team-kind", "sarcoma-mdt", "Sarcoma MDT")]}],
        "name": mdt.name,
        "participant": participants,
        "managingOrganization": [
            {"reference": f"Organization/{o.pk}", "display": o.name} for o in mdt.service.organisations.all()
        ],
    }
    return emit({key: value for key, value in data.items() if value != []})


# Searches ------------------------------------------------------------------------------------


Filter = Callable[[QuerySet, str], QuerySet]


def _name(field_name: str) -> Filter:
    return lambda qs, value: qs.filter(**{f"{field_name}__icontains": value})


def _reference_id(value: str, resource_type: str, parameter: str) -> int:
    """`Organization/12` or `12`: the id."""
    raw = value.removeprefix(f"{resource_type}/")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise rules.SearchError(
            f"{parameter} must be a {resource_type} id or {resource_type}/<id>.", parameter
        )
    return int(raw)


def _active(qs: QuerySet, value: str) -> QuerySet:
    """Everything published is active: organisations and services have no retired state, and a
    retired practitioner is not published (the public directory shows none). So active=false
    finds nothing."""
    return qs if rules.boolean(value, "active") else qs.none()


def _ods_identifier(qs: QuerySet, value: str) -> QuerySet:
    system, code = rules.token_value(value)
    if system not in (None, ODS_SYSTEM):
        return qs.none()
    return qs.filter(ods_code__iexact=code)


def _organisation_of_service(qs: QuerySet, value: str) -> QuerySet:
    return qs.filter(organisations=_reference_id(value, "Organization", "organization"))


def _service_type(qs: QuerySet, value: str) -> QuerySet:
    system, code = rules.token_value(value)
    if system not in (None, code_system("capability")):
        return qs.none()
    return qs.filter(capabilities__code=code)


def _organisation_of_practitioner(qs: QuerySet, value: str) -> QuerySet:
    """A trust includes its hospital sites, as in the public directory's search."""
    pk = _reference_id(value, "Organization", "organization")
    return qs.filter(Q(organisation=pk) | Q(organisation__parent=pk))


def _specialty(qs: QuerySet, value: str) -> QuerySet:
    system, code = rules.token_value(value)
    if system not in (None, code_system("speciality")):
        return qs.none()
    return qs.filter(speciality=code)


def _practitioner(qs: QuerySet, value: str) -> QuerySet:
    return qs.filter(pk=_reference_id(value, "Practitioner", "practitioner"))


def _care_team_status(qs: QuerySet, value: str) -> QuerySet:
    if value not in {"active", "inactive"}:
        raise rules.SearchError("status must be active or inactive.", "status")
    return qs.filter(active=value == "active")


def _last_updated_filter(qs: QuerySet, value: str) -> QuerySet:
    bound = rules.last_updated(value)
    if bound.lookup != "eq":
        return qs.filter(**{f"last_updated__{bound.lookup}": bound.value})
    if bound.day:
        return qs.filter(
            last_updated__gte=bound.value, last_updated__lt=bound.value + datetime.timedelta(days=1)
        )
    return qs.filter(last_updated=bound.value)


@dataclass(frozen=True)
class SearchSpec:
    """One resource type: its published rows, its search parameters (name -> (filter, FHIR
    type, description)), and how a page of rows becomes resources."""

    queryset: Callable[[], QuerySet]
    parameters: dict[str, tuple[Filter, str, str]]
    render: Callable[[list], list[dict]]
    documentation: str = ""


def _render_care_teams(mdts: list[Mdt]) -> list[dict]:
    """The MDTs' core members in one query for the whole page: active practitioners the
    directory lists as core members of each MDT's service (Mdt.core_member_practitioners)."""
    members: dict[int, list[Practitioner]] = defaultdict(list)
    for person in Practitioner.objects.filter(
        core_mdt_service__in={m.service_id for m in mdts}, is_core_mdt_member=True, active=True
    ).order_by("name", "pk"):
        members[person.core_mdt_service_id].append(person)
    return [care_team(mdt, members[mdt.service_id]) for mdt in mdts]


LAST_UPDATED = (_last_updated_filter, "date", "When the entry last changed (prefixes eq, ge, le, gt, lt).")

SEARCHES: dict[str, SearchSpec] = {
    "Organization": SearchSpec(
        queryset=lambda: with_last_updated(Organisation.objects.all()),
        parameters={
            "name": (_name("name"), "string", "Any part of the name, case-insensitive."),
            "identifier": (_ods_identifier, "token", f"The ODS code ({ODS_SYSTEM}|<code> or <code>)."),
            "active": (_active, "token", "true or false: every organisation listed is active."),
            "_lastUpdated": LAST_UPDATED,
        },
        render=lambda rows: [organization(o) for o in rows],
        documentation="Trusts and hospital sites of the network, with their ODS code.",
    ),
    "HealthcareService": SearchSpec(
        queryset=lambda: with_last_updated(Service.objects.all()).prefetch_related(
            "organisations", "capabilities"
        ),
        parameters={
            "name": (_name("name"), "string", "Any part of the service's name, case-insensitive."),
            "organization": (
                _organisation_of_service,
                "reference",
                "An organisation the service is at (Organization/<id>).",
            ),
            "service-type": (
                _service_type,
                "token",
                "A capability the service is commissioned for (routing reads these).",
            ),
            "active": (_active, "token", "true or false: every service listed is active."),
            "_lastUpdated": LAST_UPDATED,
        },
        render=lambda rows: [healthcare_service(s) for s in rows],
        documentation="The network's services and the capabilities they are commissioned for (type).",
    ),
    "Practitioner": SearchSpec(
        queryset=lambda: with_last_updated(Practitioner.objects.filter(active=True)),
        parameters={
            "name": (_name("name"), "string", "Any part of the name, case-insensitive."),
            "active": (_active, "token", "true or false: only active practitioners are published."),
            "_lastUpdated": LAST_UPDATED,
        },
        render=lambda rows: [practitioner(p) for p in rows],
        documentation="Published (active) practitioners of the directory.",
    ),
    "PractitionerRole": SearchSpec(
        queryset=lambda: with_last_updated(
            Practitioner.objects.filter(active=True).select_related("organisation")
        ),
        parameters={
            "organization": (
                _organisation_of_practitioner,
                "reference",
                "The practitioner's organisation; a trust includes its sites.",
            ),
            "specialty": (_specialty, "token", "The speciality code (CodeSystem speciality)."),
            "practitioner": (_practitioner, "reference", "Practitioner/<id>."),
            "active": (_active, "token", "true or false: only active roles are published."),
            "_lastUpdated": LAST_UPDATED,
        },
        render=lambda rows: [practitioner_role(p) for p in rows],
        documentation="One role per published practitioner: speciality, core MDT membership, "
        "designation scope and date, work e-mail and phone.",
    ),
    "CareTeam": SearchSpec(
        queryset=lambda: (
            with_last_updated(Mdt.objects.all())
            .select_related("service", "lead")
            .prefetch_related("service__organisations")
        ),
        parameters={
            "name": (_name("name"), "string", "Any part of the MDT's name, case-insensitive."),
            "status": (_care_team_status, "token", "active or inactive."),
            "_lastUpdated": LAST_UPDATED,
        },
        render=_render_care_teams,
        documentation="Each sarcoma MDT with its lead and its core members (from the directory).",
    ),
}
