"""An incoming referral in FHIR: a ServiceRequest with its Patient (in a transaction Bundle, or
contained), read into the referral form's fields so it is checked by the same form (IntakeForm)
and taken in by the same service (referrals.services.referral_create) as one typed in.

How the form's fields are carried (README, "FHIR API"):
- Patient: identifier (system https://fhir.nhs.uk/Id/nhs-number), name[0].given and .family,
  birthDate, gender, address[0].postalCode.
- ServiceRequest: authoredOn (the day received), requester.identifier (ODS code of the referring
  organisation) and requester.display (the referring clinician), performer[0] (the responsible
  consultant: Practitioner/<id> or PractitionerRole/<id> from this API, with a portal account),
  performer[1:] (the care team), orderDetail codings from the portal's code systems (presentation,
  tumour-type, site, referral-flag, lump-depth, lump-growing, lump-painful, imaging-done,
  imaging-result), and extensions key-worker (valueReference Practitioner; the consultant when
  absent), referrer-contact (valueString) and lump-size-cm (valueDecimal)."""

from dataclasses import dataclass, field

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError as PydanticValidationError

from directory.models import Organisation, Practitioner

from .profiles import NHS_NUMBER_SYSTEM, ODS_SYSTEM, code_system, extension_url, identifier_system, profile

GENDER_TO_SEX = {"male": "male", "female": "female", "other": "other", "unknown": "not_known"}
SEX_TO_GENDER = {sex: gender for gender, sex in GENDER_TO_SEX.items()}

# orderDetail code systems -> the form field each fills (one code each).
SINGLE_CODES = {
    "presentation": "presentation",
    "tumour-type": "tumour_type",
    "site": "site",
    "lump-depth": "lump_depth",
    "lump-growing": "lump_growing",
    "lump-painful": "lump_painful",
    "imaging-done": "imaging_done",
    "imaging-result": "imaging_result",
}
FLAGS = ("skull_base", "transnasal_ccj", "suspected_mscc", "clinically_urgent", "transferred_between_trusts")


@dataclass
class Issue:
    """One problem with the submission: what, and where (a FHIRPath expression)."""

    message: str
    expression: str
    code: str = "invalid"


class SubmissionError(Exception):
    def __init__(self, issues: list[Issue], status: int = 422):
        super().__init__("; ".join(issue.message for issue in issues))
        self.issues = issues
        self.status = status


@dataclass
class Submission:
    """The form's data read from the resources, and where each field came from."""

    data: dict = field(default_factory=dict)
    locations: dict = field(default_factory=dict)


def _model_issues(resource: dict, path: str) -> list[Issue]:
    """The fhir.resources R4B model's complaints about one resource, each located."""
    try:
        model = get_fhir_model_class(resource.get("resourceType", ""))
    except KeyError:
        return [Issue(f"Unknown resource type {resource.get('resourceType')!r}.", f"{path}.resourceType")]
    try:
        model.model_validate(resource)
    except PydanticValidationError as error:
        issues = []
        for problem in error.errors():
            location = "".join(
                f"[{part}]" if isinstance(part, int) else f".{part}" for part in problem["loc"]
            )
            issues.append(Issue(problem["msg"], f"{path}{location}", code="structure"))
        return issues
    return []


def _split(body: object) -> tuple[dict, str, dict, str]:
    """(service request, its path, patient, its path) from a transaction Bundle or a
    ServiceRequest with a contained Patient."""
    if not isinstance(body, dict):
        raise SubmissionError([Issue("The body must be one JSON resource.", "", "structure")], 400)
    kind = body.get("resourceType")
    if kind == "Bundle":
        issues = _model_issues(body, "Bundle")
        if issues:
            raise SubmissionError(issues, 400)
        if body.get("type") != "transaction":
            raise SubmissionError([Issue("The Bundle must be a transaction.", "Bundle.type")], 400)
        entries = body.get("entry") or []
        found: dict[str, list[int]] = {"ServiceRequest": [], "Patient": []}
        for index, entry in enumerate(entries):
            kind_ = (entry.get("resource") or {}).get("resourceType")
            if kind_ not in found:
                raise SubmissionError(
                    [Issue("Only a ServiceRequest and its Patient may be sent.", f"Bundle.entry[{index}]")],
                    400,
                )
            found[kind_].append(index)
        for kind_, indexes in found.items():
            if len(indexes) != 1:
                raise SubmissionError(
                    [Issue(f"The Bundle must hold exactly one {kind_}.", "Bundle.entry")], 400
                )
        sr_index, patient_index = found["ServiceRequest"][0], found["Patient"][0]
        service_request = entries[sr_index]["resource"]
        reference = (service_request.get("subject") or {}).get("reference")
        if reference != entries[patient_index].get("fullUrl"):
            raise SubmissionError(
                [
                    Issue(
                        "ServiceRequest.subject must reference the Patient entry's fullUrl.",
                        f"Bundle.entry[{sr_index}].resource.subject",
                    )
                ],
                400,
            )
        return (
            service_request,
            f"Bundle.entry[{sr_index}].resource",
            entries[patient_index]["resource"],
            f"Bundle.entry[{patient_index}].resource",
        )
    if kind == "ServiceRequest":
        issues = _model_issues(body, "ServiceRequest")
        if issues:
            raise SubmissionError(issues, 400)
        reference = (body.get("subject") or {}).get("reference") or ""
        for index, contained in enumerate(body.get("contained") or []):
            if contained.get("resourceType") == "Patient" and reference == f"#{contained.get('id')}":
                return body, "ServiceRequest", contained, f"ServiceRequest.contained[{index}]"
        raise SubmissionError(
            [Issue("subject must reference a contained Patient (#id).", "ServiceRequest.subject")], 400
        )
    raise SubmissionError(
        [Issue("Send a transaction Bundle or a ServiceRequest.", "resourceType", "structure")], 400
    )


def _practitioner(reference: str) -> Practitioner | None:
    for prefix in ("Practitioner/", "PractitionerRole/"):
        if reference.startswith(prefix) and reference[len(prefix) :].isdigit():
            return Practitioner.objects.filter(pk=int(reference[len(prefix) :]), active=True).first()
    return None


def _read_patient(patient: dict, path: str, into: Submission, issues: list[Issue]) -> None:
    put = _putter(into)
    for index, identifier in enumerate(patient.get("identifier") or []):
        if identifier.get("system") == NHS_NUMBER_SYSTEM:
            put("nhs_number", identifier.get("value") or "", f"{path}.identifier[{index}].value")
    names = patient.get("name") or []
    if not names:
        issues.append(Issue("The patient's name is required.", f"{path}.name"))
    else:
        name = next((n for n in names if n.get("use") == "official"), names[0])
        position = names.index(name)
        put("given_name", " ".join(name.get("given") or []), f"{path}.name[{position}].given")
        put("family_name", name.get("family") or "", f"{path}.name[{position}].family")
    put("date_of_birth", patient.get("birthDate") or "", f"{path}.birthDate")
    gender = patient.get("gender") or "unknown"
    put("sex", GENDER_TO_SEX.get(gender, gender), f"{path}.gender")
    addresses = patient.get("address") or []
    put(
        "postcode",
        (addresses[0].get("postalCode") or "") if addresses else "",
        f"{path}.address[0].postalCode",
    )


def _putter(into: Submission):
    def put(name: str, value, location: str) -> None:
        into.data[name] = value
        into.locations[name] = location

    return put


def _read_service_request(request: dict, path: str, into: Submission, issues: list[Issue]) -> None:
    put = _putter(into)
    authored = request.get("authoredOn") or ""
    put("received_on", authored[:10], f"{path}.authoredOn")
    requester = request.get("requester") or {}
    ods = (requester.get("identifier") or {}) if requester else {}
    organisation = None
    if ods:
        if ods.get("system") != ODS_SYSTEM:
            issues.append(
                Issue(f"requester.identifier.system must be {ODS_SYSTEM}.", f"{path}.requester.identifier")
            )
        else:
            organisation = Organisation.objects.filter(ods_code__iexact=ods.get("value") or "").first()
            if organisation is None:
                issues.append(
                    Issue(
                        "No organisation in the directory has this ODS code.", f"{path}.requester.identifier"
                    )
                )
    put("referring_organisation", organisation.pk if organisation else "", f"{path}.requester.identifier")
    put("referring_clinician", requester.get("display") or "", f"{path}.requester.display")

    performers = request.get("performer") or []
    people = []
    for index, performer in enumerate(performers):
        person = _practitioner(performer.get("reference") or "")
        if person is None or person.user_id is None:
            issues.append(
                Issue(
                    "Name a practitioner of this API's directory who has a portal account "
                    "(Practitioner/<id>).",
                    f"{path}.performer[{index}]",
                )
            )
        people.append(person)
    if not performers:
        issues.append(Issue("performer[0] must name the responsible consultant.", f"{path}.performer"))
    users = [p.user_id if p else "" for p in people]
    put("responsible_consultant", users[0] if users else "", f"{path}.performer[0]")
    put("care_team", [u for u in users[1:] if u], f"{path}.performer")

    extensions = {e.get("url"): (i, e) for i, e in enumerate(request.get("extension") or [])}
    key_worker_url = extension_url("key-worker")
    if key_worker_url in extensions:
        index, extension = extensions[key_worker_url]
        person = _practitioner((extension.get("valueReference") or {}).get("reference") or "")
        if person is None or person.user_id is None:
            issues.append(
                Issue(
                    "The key worker must be a practitioner with a portal account.",
                    f"{path}.extension[{index}]",
                )
            )
        put("key_worker", person.user_id if person else "", f"{path}.extension[{index}]")
    else:
        put("key_worker", users[0] if users else "", f"{path}.performer[0]")
    for name, field_name, value_key in (
        ("referrer-contact", "referrer_contact", "valueString"),
        ("lump-size-cm", "lump_size_cm", "valueDecimal"),
    ):
        index, extension = extensions.get(extension_url(name), (None, {}))
        location = f"{path}.extension[{index}]" if index is not None else f"{path}.extension"
        value = extension.get(value_key, "")
        put(field_name, "" if value is None else str(value), location)

    for name in SINGLE_CODES.values():
        put(name, "", f"{path}.orderDetail")
    for flag in FLAGS:
        put(flag, False, f"{path}.orderDetail")
    systems = {code_system(name): field_name for name, field_name in SINGLE_CODES.items()}
    flag_system = code_system("referral-flag")
    for index, detail in enumerate(request.get("orderDetail") or []):
        for coding_index, coding in enumerate(detail.get("coding") or []):
            location = f"{path}.orderDetail[{index}].coding[{coding_index}]"
            system, code = coding.get("system"), coding.get("code") or ""
            if system in systems:
                put(systems[system], code, location)
            elif system == flag_system and code in FLAGS:
                put(code, True, location)
            else:
                issues.append(Issue("A code this API does not know (see the CapabilityStatement).", location))


def read_submission(body: object) -> tuple[Submission, dict]:
    """The form's data from a submission; raises SubmissionError with every located problem.
    Returns the Submission and the Patient resource as sent."""
    service_request, sr_path, patient, patient_path = _split(body)
    issues = _model_issues(patient, patient_path)
    if issues:
        raise SubmissionError(issues, 400)
    submission = Submission()
    problems: list[Issue] = []
    _read_patient(patient, patient_path, submission, problems)
    _read_service_request(service_request, sr_path, submission, problems)
    submission.data.update(hospital_number="", hospital_organisation="")
    if problems:
        raise SubmissionError(problems)
    return submission, patient


# The answer -----------------------------------------------------------------------------------

ROUTING_FIELDS = (
    ("pathway", "valueCode"),
    ("surgery_at", "valueString"),
    ("radiotherapy_at", "valueString"),
    ("mdt", "valueString"),
    ("mdt_before_treatment", "valueBoolean"),
    ("specialist_pathology_review", "valueBoolean"),
    ("urgent", "valueBoolean"),
    ("teenage_young_adult", "valueBoolean"),
)


def routing_extension(decision: dict) -> dict:
    """The routing decision as one extension (README, "FHIR API"): sub-extensions named as the
    keys of `route_referral`'s JSON; refer_to as references to HealthcareService by service code;
    reasons and warnings repeated."""
    parts = [
        {"url": key, kind: decision[key]} for key, kind in ROUTING_FIELDS if decision.get(key) is not None
    ]
    parts += [
        {
            "url": "refer_to",
            "valueReference": {
                "identifier": {"system": identifier_system("service-code"), "value": code},
                "display": code,
            },
        }
        for code in decision.get("refer_to", [])
    ]
    parts += [{"url": "reasons", "valueString": text} for text in decision.get("reasons", [])]
    parts += [{"url": "warnings", "valueString": text} for text in decision.get("warnings", [])]
    return {"url": extension_url("routing-decision"), "extension": parts}


def service_request(referral, *, patient_match: str) -> dict:
    """The ServiceRequest for a referral just taken in: the patient contained as stored, the case
    in the codes it came in, the routing decision and how the patient was matched."""
    patient = referral.patient
    contained_patient = {
        "resourceType": "Patient",
        "id": "patient",
        "meta": {"profile": profile("Patient")},
        "name": [{"use": "official", "family": patient.family_name, "given": patient.given_name.split()}],
        "birthDate": patient.date_of_birth.isoformat(),
        "gender": SEX_TO_GENDER.get(patient.sex, "unknown"),
    }
    if patient.nhs_number:
        contained_patient["identifier"] = [{"system": NHS_NUMBER_SYSTEM, "value": patient.nhs_number}]
    if patient.postcode:
        contained_patient["address"] = [{"postalCode": patient.postcode}]
    details = [
        {"coding": [{"system": code_system(name), "code": getattr(referral, field_name)}]}
        for name, field_name in SINGLE_CODES.items()
        if getattr(referral, field_name)
    ]
    details += [
        {"coding": [{"system": code_system("referral-flag"), "code": flag}]}
        for flag in FLAGS
        if getattr(referral, flag)
    ]
    data = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": {"profile": profile("ServiceRequest")},
        "contained": [contained_patient],
        "extension": [
            routing_extension(referral.routing_decision),
            {"url": extension_url("patient-match"), "valueCode": patient_match},
            {"url": extension_url("source-system"), "valueString": referral.source_system},
        ],
        "status": "active",
        "intent": "order",
        "priority": "urgent" if referral.clinically_urgent else "routine",
        "orderDetail": details,
        "subject": {"reference": "#patient"},
        "authoredOn": referral.received_on.isoformat(),
    }
    if referral.referring_organisation_id:
        data["requester"] = {
            "identifier": {"system": ODS_SYSTEM, "value": referral.referring_organisation.ods_code},
            "display": referral.referring_clinician or referral.referring_organisation.name,
        }
    return data
