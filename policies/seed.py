"""Reference data: the spinal sarcoma pathway's document-control summary (shared/seeds)."""

import datetime

from .models import CirculationGroup, PolicyDocument, PolicySeries

SPINAL_PATHWAY_TITLE = "LSESN Pathway for spinal sarcomas, including sacrum and paraspinal tissues"
SPINAL_PATHWAY_CIRCULATION = (
    "LSESN SAG: Core members",
    "LSESN SAG: Trust Sarcoma Leads",
    "LSESN SAG: Designated Practitioners",
)


def load_reference_data(*, owners=()) -> PolicyDocument:
    """The spinal pathway, version 2, approved by the SAG on 22/03/2024, review March 2026.
    Idempotent: an existing version 2 is left alone."""
    document = PolicyDocument.objects.filter(title=SPINAL_PATHWAY_TITLE, version_number="2").first()
    if document is not None:
        return document
    document = PolicyDocument.objects.create(
        series=PolicySeries.objects.create(),
        title=SPINAL_PATHWAY_TITLE,
        version_number="2",
        aims=(
            "To agree the pathway for adult patients presenting with suspected or confirmed "
            "spinal sarcomas within the London and South-East Sarcoma Network"
        ),
        issued_by="London and South-East Sarcoma Network (LSESN) Sarcoma Advisory Group (SAG)",
        authors="Subgroup of LSESN SAG",
        # The document says "March 2024" and "March 2026": the first of the month is the
        # earliest date each can mean, so the review is never flagged late.
        version_date=datetime.date(2024, 3, 1),
        approved_by="LSESN SAG",
        approval_date=datetime.date(2024, 3, 22),
        review_date=datetime.date(2026, 3, 1),
        storage_location="https://www.lsesn.nhs.uk/sarcoma.html",
        status=PolicyDocument.Status.APPROVED,
    )
    document.circulation.set(
        CirculationGroup.objects.get_or_create(name=name)[0] for name in SPINAL_PATHWAY_CIRCULATION
    )
    document.owners.set(owners)
    return document
