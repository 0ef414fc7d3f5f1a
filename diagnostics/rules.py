"""Pure rules of the sarcoma diagnostic pathway (issue 8): data in, decision out, no database.

- which diagnostic clinic a patient's postcode suggests (longest-prefix match on the catchments);
- what an urgent suspected sarcoma referral is missing (NICE NG12 section 1.11, "Sarcomas");
- who may review sarcoma pathology (the national service specification: a specialist sarcoma
  pathologist);
- which partner service mutual aid suggests while a service has declared reduced capacity;
- each service's backlog, and the evaluation figures per clinic and month (and month by month,
  for the charts).
"""

import datetime
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from directory.rules import outward_code

# NICE NG12 "Suspected cancer: recognition and referral", section 1.11 Sarcomas.
# Bone sarcoma: 1.11.1-1.11.3 (X-ray; in adults, a suspected cancer pathway referral if an X-ray
# suggests the possibility of bone sarcoma). Soft tissue sarcoma: 1.11.4-1.11.7 (adults with an
# unexplained lump that is increasing in size: urgent direct access ultrasound within 2 weeks; a
# suspected cancer pathway referral if the ultrasound suggests soft tissue sarcoma, or is
# uncertain and clinical concern persists; children and young people: within 48 hours).
NG12_BONE = "NICE NG12 1.11.1-1.11.3 (bone sarcoma: X-ray first)"
NG12_SOFT_TISSUE = "NICE NG12 1.11.4-1.11.7 (soft tissue sarcoma: ultrasound within 2 weeks first)"

# The national service specification, as quoted in the spinal pathway's principles.
PATHOLOGY_RULE = (
    "Pathology for all sarcomas must be reviewed by a Specialist Sarcoma Pathologist for diagnostic "
    "confirmation and undertaking any appropriate molecular analysis and genomic testing."
)

FASTER_DIAGNOSIS_DAYS = 28


# Catchment suggestion --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicCatchment:
    clinic_id: int
    name: str
    catchment: tuple[str, ...]


@dataclass(frozen=True)
class ClinicSuggestion:
    clinic_id: int | None
    reason: str

    def as_dict(self) -> dict:
        return {"clinic_id": self.clinic_id, "reason": self.reason}


def suggest_clinic(postcode: str, clinics: Iterable[ClinicCatchment]) -> ClinicSuggestion:
    """The clinic whose catchment holds the postcode's outward code, by longest prefix: for
    "ME14 1AB" a clinic listing "ME14" wins over one listing the whole area "ME". An area entry
    matches only districts of that area ("E" does not match "EC1A"). Ties go to the lower id."""
    outward = outward_code(postcode)
    if not outward:
        return ClinicSuggestion(None, "No postcode recorded, so no diagnostic clinic is suggested.")
    best: tuple[int, int, ClinicCatchment, str] | None = None
    for clinic in clinics:
        for entry in clinic.catchment:
            if not _holds(entry, outward):
                continue
            key = (-len(entry), clinic.clinic_id)
            if best is None or key < best[:2]:
                best = (*key, clinic, entry)
    if best is None:
        return ClinicSuggestion(None, f"No diagnostic clinic's catchment holds postcode district {outward}.")
    clinic, entry = best[2], best[3]
    kind = "district" if entry == outward else "area"
    return ClinicSuggestion(
        clinic.clinic_id, f"Postcode district {outward} is in {clinic.name}'s catchment ({kind} {entry})."
    )


# The sarcoma diagnostic clinics serve the soft tissue sarcoma diagnostic pathway (the seed
# sarcoma-diagnostic-pathway-news.txt: "supporting the London and South East Sarcoma Network's
# (LSESN) clinical advisory group ... on the soft tissue sarcoma diagnostic pathway"). Every other
# pathway has its own first destination, so no clinic is suggested for it (issue 19: a spinal bone
# tumour was sent to a soft-tissue clinic by postcode alone).
SPINAL_BONE_RULE = (
    "the default position is that patients with suspected or confirmed primary bone tumours of the "
    "spine or sacrum should be referred as soon as possible to RNOH for diagnosis and surgical treatment"
)
SPINAL_RULE = (
    "People with suspected sarcomas arising in the spine, sacrum and paraspinal tissues with spine "
    "contact or involvement must be referred to a designated bone sarcoma service"
)
NO_CLINIC_FOR_PATHWAY = {
    "spinal": (
        "No diagnostic clinic: the sarcoma diagnostic clinics assess suspected soft tissue sarcoma, and "
        f'the LSESN spinal sarcoma pathway says "{SPINAL_RULE}"; for a primary bone tumour, '
        f'"{SPINAL_BONE_RULE}".'
    ),
    "bone": (
        "No diagnostic clinic: the sarcoma diagnostic clinics assess suspected soft tissue sarcoma; a "
        f"suspected primary bone tumour goes to the bone sarcoma service for diagnosis ({NG12_BONE})."
    ),
    "mscc": (
        "No diagnostic clinic: suspected metastatic spinal cord compression presenting as an emergency "
        "follows the LSESN MSCC pathway."
    ),
    "children": (
        "No diagnostic clinic: the patient follows the LSESN pathway for children, which says where "
        "they are first assessed."
    ),
}


def suggest_clinic_for_pathway(
    pathway: str, postcode: str, clinics: Iterable[ClinicCatchment]
) -> ClinicSuggestion:
    """The diagnostic clinic for a routed referral: by postcode on the soft tissue pathway (the
    clinics' pathway), none with the reason on every other pathway."""
    if pathway in NO_CLINIC_FOR_PATHWAY:
        return ClinicSuggestion(None, NO_CLINIC_FOR_PATHWAY[pathway])
    return suggest_clinic(postcode, clinics)


def _holds(entry: str, outward: str) -> bool:
    if entry == outward:
        return True
    # An area ("ME", "E") holds a district when the district is the area followed by a digit.
    return entry.isalpha() and outward.startswith(entry) and outward[len(entry) : len(entry) + 1].isdigit()


# Completeness of the urgent suspected sarcoma referral ---------------------------------------------


@dataclass(frozen=True)
class ReferralContent:
    tumour_type: str
    presentation: str
    postcode: str = ""
    referring_clinician: str = ""
    referrer_contact: str = ""
    lump_size_cm: float | None = None
    lump_depth: str = ""
    lump_growing: str = ""
    lump_painful: str = ""
    imaging_done: str = ""
    imaging_result: str = ""


# Imaging that shows a bone: an X-ray (NG12's first test), or cross-sectional imaging already done.
BONE_IMAGING = frozenset({"xray", "mri", "ct"})


def missing_information(content: ReferralContent) -> list[str]:
    """What the network's urgent suspected sarcoma referral still lacks, one plain item each.
    A confirmed sarcoma needs the referrer only; a suspected one needs the features NG12 asks
    about and the imaging it puts first (ultrasound for a soft tissue lump, X-ray for bone; an MRI
    or CT of the bone already done counts as imaging of the bone)."""
    missing = []
    if not content.referring_clinician.strip():
        missing.append("The referring clinician's name.")
    if not content.referrer_contact.strip():
        missing.append("The referrer's telephone or e-mail.")
    if not content.postcode.strip():
        missing.append("The patient's postcode (it chooses the diagnostic clinic).")
    if content.presentation != "suspected":
        return missing
    if content.tumour_type == "bone":
        # NG12 puts an X-ray first because it is what primary care can order; an MRI or CT
        # already done images the bone too, so it is not asked for again (issue 19).
        if content.imaging_done not in BONE_IMAGING:
            missing.append(f"An X-ray of the bone: {NG12_BONE}.")
        elif not content.imaging_result:
            label = "X-ray" if content.imaging_done == "xray" else "imaging"
            missing.append(f"The {label} result: {NG12_BONE}.")
        return missing
    if content.lump_size_cm is None:
        missing.append("The size of the lump in centimetres.")
    for value, label in (
        (content.lump_depth, "Whether the lump is superficial or deep to the fascia."),
        (content.lump_growing, "Whether the lump is increasing in size."),
        (content.lump_painful, "Whether the lump is painful."),
    ):
        if not value:
            missing.append(label)
    if content.imaging_done in ("", "none"):
        missing.append(f"An ultrasound of the lump: {NG12_SOFT_TISSUE}.")
    elif not content.imaging_result:
        missing.append(f"The imaging result: {NG12_SOFT_TISSUE}.")
    return missing


# Specialist pathology review -----------------------------------------------------------------------


def pathologist_refusal(
    *, active: bool, speciality: str, designation_scope: str, is_core_mdt_member: bool
) -> str | None:
    """Who counts as a designated sarcoma pathologist: an active practitioner designated by the SAG
    for sarcoma pathology, or a pathologist who is a core MDT member. None if they may review."""
    if not active:
        return "This practitioner is no longer active in the directory."
    if designation_scope == "pathology" or (speciality == "pathology" and is_core_mdt_member):
        return None
    return (
        "Only a designated sarcoma pathologist (designated for sarcoma pathology, or a core MDT "
        f'pathologist) may review sarcoma pathology. Service specification: "{PATHOLOGY_RULE}"'
    )


def needs_pathology_review(*, presentation: str, designated_pathologist_reported: bool) -> bool:
    """Every suspected or confirmed sarcoma's pathology is reviewed by a specialist sarcoma
    pathologist, and stays needed until a designated sarcoma pathologist has reported: a local
    "not sarcoma" (the diagnosis recorded on the referral) does not end it (issue 16: it used to)."""
    return presentation in ("suspected", "confirmed") and not designated_pathologist_reported


# Mutual aid ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Declaration:
    service_code: str
    partner_code: str
    starts_on: datetime.date
    ends_on: datetime.date
    reason: str


@dataclass(frozen=True)
class MutualAidSuggestion:
    from_code: str
    to_code: str
    reason: str

    def as_dict(self) -> dict:
        return {"from_code": self.from_code, "to_code": self.to_code, "reason": self.reason}


def mutual_aid_suggestions(
    refer_to: Sequence[str], declarations: Iterable[Declaration], on: datetime.date
) -> list[MutualAidSuggestion]:
    """For each service the routing refers to that has reduced capacity declared in force on `on`
    (from and to dates inclusive), the partner service to suggest instead."""
    in_force = [d for d in declarations if d.starts_on <= on <= d.ends_on]
    suggestions = []
    for code in refer_to:
        for declaration in sorted(in_force, key=lambda d: d.starts_on):
            if declaration.service_code == code:
                suggestions.append(
                    MutualAidSuggestion(
                        code,
                        declaration.partner_code,
                        f"{code} has declared reduced capacity from {declaration.starts_on:%d/%m/%Y} to "
                        f"{declaration.ends_on:%d/%m/%Y} ({declaration.reason}): mutual aid suggests "
                        f"{declaration.partner_code}.",
                    )
                )
                break
    return suggestions


# Backlog ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backlog:
    waiting: int
    oldest_received_on: datetime.date | None
    oldest_wait_days: int | None


def backlog(received_dates: Iterable[datetime.date], today: datetime.date) -> Backlog:
    """Referrals waiting for a first appointment (their received dates) and the oldest wait."""
    dates = sorted(received_dates)
    if not dates:
        return Backlog(0, None, None)
    return Backlog(len(dates), dates[0], (today - dates[0]).days)


# Evaluation framework ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationRow:
    """One referral, as the evaluation needs it."""

    clinic: str
    received_on: datetime.date
    first_appointment_on: datetime.date | None = None
    diagnosed_on: datetime.date | None = None
    diagnosis_outcome: str = ""
    returned: bool = False
    unplanned_excision: bool = False


@dataclass(frozen=True)
class MonthFigures:
    clinic: str
    month: str  # "YYYY-MM" of the referral's received date
    received: int
    median_days_to_first_appointment: float | None
    median_days_to_diagnosis: float | None
    diagnosed: int
    diagnosed_within_28: int
    share_within_28: float | None  # of those diagnosed
    sarcoma: int
    share_sarcoma: float | None  # of those with an outcome
    returns: int
    unplanned_excisions: int


CSV_COLUMNS = [
    "clinic",
    "month",
    "referrals received",
    "median days to first appointment",
    "median days to diagnosis",
    "diagnosed",
    "diagnosed within 28 days",
    "share diagnosed within 28 days",
    "diagnosed sarcoma",
    "share diagnosed sarcoma",
    "returned for missing information",
    "unplanned excisions",
]


def _median(values: list[int]) -> float | None:
    return float(statistics.median(values)) if values else None


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def evaluation_figures(rows: Iterable[EvaluationRow]) -> list[MonthFigures]:
    """Per clinic and month of referral: referrals received; median days from referral to first
    appointment and to diagnosis; the 28-day Faster Diagnosis Standard (share of those diagnosed
    within 28 days); the share diagnosed with sarcoma (of those with an outcome); referrals
    returned for missing information; unplanned excisions. Sorted by clinic, then month."""
    groups: dict[tuple[str, str], list[EvaluationRow]] = {}
    for row in rows:
        groups.setdefault((row.clinic, f"{row.received_on:%Y-%m}"), []).append(row)
    result = []
    for (clinic, month), group in sorted(groups.items()):
        to_first = [(r.first_appointment_on - r.received_on).days for r in group if r.first_appointment_on]
        to_diagnosis = [(r.diagnosed_on - r.received_on).days for r in group if r.diagnosed_on]
        within = sum(1 for days in to_diagnosis if days <= FASTER_DIAGNOSIS_DAYS)
        outcomes = [r.diagnosis_outcome for r in group if r.diagnosis_outcome]
        sarcoma = outcomes.count("sarcoma")
        result.append(
            MonthFigures(
                clinic=clinic,
                month=month,
                received=len(group),
                median_days_to_first_appointment=_median(to_first),
                median_days_to_diagnosis=_median(to_diagnosis),
                diagnosed=len(to_diagnosis),
                diagnosed_within_28=within,
                share_within_28=_share(within, len(to_diagnosis)),
                sarcoma=sarcoma,
                share_sarcoma=_share(sarcoma, len(outcomes)),
                returns=sum(1 for r in group if r.returned),
                unplanned_excisions=sum(1 for r in group if r.unplanned_excision),
            )
        )
    return result


def csv_row(figures: MonthFigures) -> list:
    def blank(value):
        return "" if value is None else value

    return [
        figures.clinic,
        figures.month,
        figures.received,
        blank(figures.median_days_to_first_appointment),
        blank(figures.median_days_to_diagnosis),
        figures.diagnosed,
        figures.diagnosed_within_28,
        blank(figures.share_within_28),
        figures.sarcoma,
        blank(figures.share_sarcoma),
        figures.returns,
        figures.unplanned_excisions,
    ]


@dataclass(frozen=True)
class ClinicSeries:
    """One clinic's figures month by month, over every month of the evaluation (None where the
    clinic had nothing to measure that month), for the charts."""

    clinic: str
    received: tuple[int, ...]
    percent_within_28: tuple[float | None, ...]


def evaluation_months(figures: Sequence[MonthFigures]) -> list[str]:
    """Every month ("YYYY-MM") from the first to the last with a referral, none skipped: a chart
    over time keeps its months evenly spaced."""
    if not figures:
        return []
    first, last = min(f.month for f in figures), max(f.month for f in figures)
    year, month = int(first[:4]), int(first[5:])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def clinic_series(figures: Sequence[MonthFigures]) -> list[ClinicSeries]:
    """Per clinic (by name), over evaluation_months: referrals received (0 in a month without
    any) and the per cent of those diagnosed who were diagnosed within 28 days (None when none
    was diagnosed)."""
    months = evaluation_months(figures)
    by_key = {(f.clinic, f.month): f for f in figures}
    series = []
    for clinic in sorted({f.clinic for f in figures}):
        cells = [by_key.get((clinic, month)) for month in months]
        series.append(
            ClinicSeries(
                clinic=clinic,
                received=tuple(cell.received if cell else 0 for cell in cells),
                percent_within_28=tuple(
                    round(100 * cell.share_within_28, 1)
                    if cell and cell.share_within_28 is not None
                    else None
                    for cell in cells
                ),
            )
        )
    return series
