"""Demo data for the FHIR API. A client token is shown once, to the superuser who issues it in
the admin (README, "FHIR API"), so the demo hands none out. A referral submitted over the API
names its consultant as a directory practitioner with a portal account: the demo links the
demo clinician to an invented demo surgeon of the directory so that a submission can work."""

from directory.models import Practitioner

DEMO_CONSULTANT = "UCLH Surgeon (demo)"


def link_demo_consultant(*, user) -> Practitioner | None:
    """Link `user` to the demo surgeon, if neither is linked yet. Idempotent."""
    if Practitioner.objects.filter(user=user).exists():
        return Practitioner.objects.get(user=user)
    practitioner = Practitioner.objects.filter(name=DEMO_CONSULTANT, user__isnull=True).first()
    if practitioner is None:
        return None
    practitioner.user = user
    practitioner._change_reason = "Demo data: the demo clinician's account, for the FHIR API's demo"
    practitioner.save(update_fields=["user"])
    return practitioner
