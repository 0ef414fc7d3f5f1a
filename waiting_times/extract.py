"""The national return: a month's records in the layout of the National Cancer Waiting Times
Monitoring Data Set (item names as the NHS Data Dictionary spells them), each checked before it
is written. A record the national system would refuse (no NHS number, dates the clock rules
refuse such as a treatment before the clock start, no provider code, a treatment without its
decision to treat or modality) is not written: it is listed with its reasons, for the MDT office
to correct. Used by `manage.py cwt_extract` and the performance page's download.

Which records: every pathway whose 28-day FDS stopped in the month (told, or decided) or whose
first definitive treatment was in the month, open or closed. The columns, and where each comes
from, are listed in COLUMNS and in docs/cwt-guidance.md ("The national extract")."""

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from directory.models import Organisation

from . import rules
from .models import CancerPathway, Route
from .performance import month_end
from .tracking import clock_policy, clock_start_on, facts_of

# (Data Dictionary item, where the value comes from). The order is the file's column order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("NHS NUMBER", "the patient's NHS number, 10 digits"),
    ("NHS NUMBER STATUS INDICATOR CODE", "02 (present, not traced): the portal checks the check digit only"),
    ("PRIORITY TYPE CODE", "from how the pathway started: 3 (two week wait) for urgent suspected cancer and "
     "breast symptomatic referrals; blank for screening, consultant upgrade and other (not recorded)"),
    ("CANCER REFERRAL TO TREATMENT PERIOD START DATE", "the clock start: the first provider's receipt, or "
     "the date the patient rebooked a first appointment they did not attend"),
    ("CONSULTANT UPGRADE DATE", "the pathway's consultant upgrade date"),
    ("DATE FIRST SEEN", "the referral's first appointment date"),
    ("CANCER FASTER DIAGNOSIS PATHWAY END DATE", "the day the 28-day FDS clock stopped (told, or decided)"),
    ("CANCER TREATMENT PERIOD START DATE", "the decision to treat (the 31-day clock start)"),
    ("TREATMENT START DATE (CANCER)", "the first definitive treatment"),
    ("CANCER TREATMENT MODALITY", "the first treatment's modality (Referral.first_treatment_modality)"),
    ("ORGANISATION IDENTIFIER (CODE OF PROVIDER)", "the ODS code of the referral's service: its one "
     "organisation, or CWT_EXTRACT_PROVIDER_CODES"),
    ("ORGANISATION SITE IDENTIFIER (OF TREATMENT)", "the treating site: the centre recorded with the first "
     "treatment (Referral.first_treatment_centre), else the provider a transfer out went to, else the "
     "provider's code"),
)  # fmt: skip
HEADER = [name for name, _ in COLUMNS]
TWO_WEEK_WAIT = "3"
PRIORITY_TYPE = {Route.URGENT_SUSPECTED_CANCER: TWO_WEEK_WAIT, Route.BREAST_SYMPTOMATIC: TWO_WEEK_WAIT}
NHS_NUMBER_PRESENT_NOT_TRACED = "02"
TEN_DIGITS = re.compile(r"\d{10}")


@dataclass
class Record:
    """One pathway's row of the extract, or the reasons it cannot be written."""

    pathway: CancerPathway
    row: list = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.reasons)


# CANCER TREATMENT MODALITY (NHS Data Dictionary) for the referral's first treatment (issue 16's
# Referral.first_treatment_modality): 01 surgery, 02 anti-cancer drug regimen (cytotoxic
# chemotherapy), 05 teletherapy (beam radiation), 97 other treatment. To verify against the
# Data Dictionary's current list (docs/cwt-guidance.md).
MODALITY_CODES = {"surgery": "01", "chemotherapy": "02", "radiotherapy": "05", "other": "97"}


def month_pathways(month: datetime.date) -> QuerySet:
    """The pathways with a record in `month`'s return, with what the rows read."""
    span = (month, month_end(month))
    organisations = Organisation.objects.order_by("ods_code")
    services = Prefetch("referral__service__organisations", queryset=organisations)
    centres = Prefetch("referral__first_treatment_centre__organisations", queryset=organisations)
    return (
        CancerPathway.objects.filter(Q(fds_stopped_on__range=span) | Q(treated_on__range=span))
        .select_related(
            "referral__patient", "referral__service", "referral__first_treatment_centre", "transfer_out_to"
        )
        .prefetch_related(services, centres)
        .order_by("pk")
    )


def service_code(service, what: str = "provider code") -> tuple[str, str]:
    """The ODS code of a directory service, or "" and why not: a setting names a service's code
    (CWT_EXTRACT_PROVIDER_CODES, by service code), else a service belonging to exactly one
    organisation gives that organisation's."""
    named = settings.CWT_EXTRACT_PROVIDER_CODES.get(service.code)
    if named:
        return named, ""
    codes = [organisation.ods_code for organisation in service.organisations.all()]
    if len(codes) == 1:
        return codes[0], ""
    return "", (
        f"{what} not known: {service.name} belongs to {len(codes)} organisations "
        f"({', '.join(codes) or 'none'}); name its code in CWT_EXTRACT_PROVIDER_CODES"
    )


def provider_code(pathway: CancerPathway) -> tuple[str, str]:
    """The ODS code of the provider the pathway is with (the referral's service), or "" and why."""
    service = pathway.referral.service
    if service is None:
        return "", "provider code not known: the referral has no service"
    return service_code(service)


def treatment_site(pathway: CancerPathway, provider: str) -> tuple[str, str]:
    """Where the first treatment was given, or "" and why not: the centre recorded with it
    (Referral.first_treatment_centre, a directory service), else the provider a transfer out
    went to, else this provider. A centre whose code cannot be told refuses the record rather
    than name the wrong site."""
    centre = pathway.referral.first_treatment_centre
    if centre is not None:
        return service_code(centre, "treatment site code (ORGANISATION SITE IDENTIFIER (OF TREATMENT))")
    if pathway.transfer_out_to:
        return pathway.transfer_out_to.ods_code, ""
    return provider, ""


def record(pathway: CancerPathway, *, today: datetime.date) -> Record:
    """The pathway's row, checked: what the national system would refuse is a reason."""
    result = Record(pathway)
    patient = pathway.referral.patient
    if not patient.nhs_number:
        result.reasons.append("NHS number missing")
    elif not TEN_DIGITS.fullmatch(patient.nhs_number):
        result.reasons.append("NHS number is not 10 digits")
    if clock_start_on(pathway) is None or pathway.first_receipt_missing:
        result.reasons.append("clock start missing: enter the date the first provider received the referral")
        return result
    try:
        clocks = rules.pathway_clocks(facts_of(pathway, today), policy=clock_policy())
    except rules.PathwayError as error:
        result.reasons.append(f"dates to correct: {error}")
        return result
    provider, why = provider_code(pathway)
    if why:
        result.reasons.append(why)
    site = ""
    if pathway.treated_on:
        site, why = treatment_site(pathway, provider)
        if why:
            result.reasons.append(why)
        if pathway.decision_to_treat_on is None:
            result.reasons.append("treated without a decision to treat (CANCER TREATMENT PERIOD START DATE)")
        if pathway.referral.first_treatment_modality not in MODALITY_CODES:
            result.reasons.append("first treatment modality not recorded (CANCER TREATMENT MODALITY)")
    if result.refused:
        return result
    fds = clocks.fds
    result.row = [
        patient.nhs_number,
        NHS_NUMBER_PRESENT_NOT_TRACED,
        PRIORITY_TYPE.get(Route(pathway.route), ""),
        clocks.rtt_62.start or fds.start or clock_start_on(pathway),
        pathway.upgraded_on,
        pathway.referral.first_appointment_on,
        fds.stopped_on if fds.status in (rules.ClockStatus.MET, rules.ClockStatus.BREACHED) else None,
        pathway.decision_to_treat_on,
        pathway.treated_on,
        MODALITY_CODES.get(pathway.referral.first_treatment_modality, "") if pathway.treated_on else "",
        provider,
        site,
    ]
    return result


def month_records(month: datetime.date, *, today: datetime.date | None = None) -> Iterator[Record]:
    """Every record of `month`'s return, checked, in pathway order (read in chunks)."""
    today = today or timezone.localdate()
    for pathway in month_pathways(month).iterator(chunk_size=1000):
        yield record(pathway, today=today)
