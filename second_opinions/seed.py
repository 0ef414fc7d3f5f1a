"""Synthetic demo second-opinion requests for the demo patients (referrals/seed.py), made
through the services so that each carries the policy's decision and its recorded transitions.
Idempotent: nothing is added once any request exists."""

import datetime

from referrals.models import Patient
from referrals.seed import synthetic_nhs_number

from . import services
from .models import SecondOpinionRequest

R = SecondOpinionRequest

# (demo patient serial, days ago, details, steps to take after the request is received)
DEMO_REQUESTS = [
    (
        1,
        20,
        {
            "requested_by": R.RequestedBy.GP,
            "requester_name": "Dr Gita Practice",
            "requester_contact": "gp.practice@example.invalid",
            "current_service": R.CurrentService.OTHER,
            "treating_hospital": "Maidstone Hospital",
            "requested_service": R.RequestedService.LSS,
            "reason": R.Reason.PATIENT_CHOICE,
            "tumour": R.Tumour.SOFT_TISSUE,
        },
        [R.Status.DECIDED, R.Status.RECORDS_REQUESTED],
    ),
    (
        2,
        3,
        {
            "requested_by": R.RequestedBy.PATIENT,
            "requester_name": "Carys Castle",
            "requester_contact": "patient@example.invalid",
            "current_service": R.CurrentService.RMH,
            "requested_service": R.RequestedService.LSS,
            "reason": R.Reason.PATIENT_CHOICE,
            "tumour": R.Tumour.GIST,
        },
        [],
    ),
    (
        3,
        30,
        {
            "requested_by": R.RequestedBy.TREATING_SARCOMA_CLINICIAN,
            "requester_name": "Colin Consultant",
            "requester_contact": "clinician2@example.invalid",
            "current_service": R.CurrentService.LSS,
            "requested_service": R.RequestedService.RMH,
            "reason": R.Reason.MDT_REVIEW,
            "tumour": R.Tumour.SOFT_TISSUE,
        },
        [
            R.Status.DECIDED,
            R.Status.RECORDS_REQUESTED,
            R.Status.RECORDS_RECEIVED,
            R.Status.REVIEWED,
            R.Status.OPINION_SENT,
        ],
    ),
    (
        4,
        5,
        {
            "requested_by": R.RequestedBy.GP,
            "requester_name": "Dr Noor Surgery",
            "requester_contact": "gp.surgery@example.invalid",
            "current_service": R.CurrentService.NONE,
            "requested_service": R.RequestedService.RMH,
            "reason": R.Reason.PATIENT_CHOICE,
            "tumour": R.Tumour.BONE,
        },
        [R.Status.DECIDED],
    ),
]


def load_demo_requests(*, office_user, today: datetime.date) -> None:
    if SecondOpinionRequest.objects.exists():
        return
    for serial, days_ago, details, steps in DEMO_REQUESTS:
        patient = Patient.objects.filter(nhs_number=synthetic_nhs_number(serial)).first()
        if patient is None:
            continue
        request = services.second_opinion_request_create(
            patient=patient,
            details=services.RequestDetails(
                **{
                    "treating_hospital": "",
                    "treating_clinician": "",
                    "standard_management": True,
                    "named_clinician": "",
                    "consent_to_share_records": True,
                    "feedback_to": R.FeedbackTo.BOTH,
                    **details,
                }
            ),
            received_on=today - datetime.timedelta(days=days_ago),
            by=office_user,
            notify=False,
        )
        for step in steps:
            if step == R.Status.OPINION_SENT:
                request = services.second_opinion_request_send_opinion(
                    request_id=request.pk,
                    expected_status=request.status,
                    by=office_user,
                    outcome=R.Outcome.DIFFERS,
                    outcome_differences="Recommends radiotherapy before surgery rather than after.",
                )
            else:
                request = services.TRANSITION_SERVICES[step](
                    request_id=request.pk, expected_status=request.status, by=office_user
                )
