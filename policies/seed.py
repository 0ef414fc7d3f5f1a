"""Reference data: the spinal sarcoma pathway's document-control summary (shared/seeds)."""

import datetime

from .models import PolicyDocument

SPINAL_PATHWAY_TITLE = "LSESN Pathway for spinal sarcomas, including sacrum and paraspinal tissues"


def load_reference_data(*, owners=()) -> PolicyDocument:
    document, created = PolicyDocument.objects.get_or_create(
        title=SPINAL_PATHWAY_TITLE,
        version_number="2",
        defaults={
            "aims": (
                "To agree the pathway for adult patients presenting with suspected or confirmed "
                "spinal sarcomas within the London and South-East Sarcoma Network"
            ),
            "issued_by": "London and South-East Sarcoma Network (LSESN) Sarcoma Advisory Group (SAG)",
            "circulation": "LSESN SAG: Core members\nTrust Sarcoma Leads\nDesignated Practitioners",
            "authors": "Subgroup of LSESN SAG",
            # The document says "March 2024" and "March 2026": the first of the month is the
            # earliest date each can mean, so the review is never flagged late.
            "version_date": datetime.date(2024, 3, 1),
            "approved_by": "LSESN SAG",
            "approval_date": datetime.date(2024, 3, 22),
            "outstanding_items": "",
            "review_date": datetime.date(2026, 3, 1),
            "storage_location": "https://www.lsesn.nhs.uk/sarcoma.html",
            "status": PolicyDocument.Status.APPROVED,
        },
    )
    if created:
        document.owners.set(owners)
    return document
