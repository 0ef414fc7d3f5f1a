"""Writes of the portal app."""

from collections.abc import Iterable

from .models import AccessLog, User


def access_log_record(*, user: User, patient_ids: Iterable[int], action: str, page: str) -> int:
    """Record that `user` read these patients' data on `page`. Returns the rows written.
    Pages call it through their declaration (portal/patient_data.py), never by hand; `page` is a
    path (ids only), never a query string."""
    rows = [
        AccessLog(user=user, patient_id=patient_id, action=action, page=page[:200])
        for patient_id in dict.fromkeys(patient_ids)
    ]
    # AccessLog has no history by design: it is append-only, so there is no change to record.
    AccessLog.objects.bulk_create(rows)
    return len(rows)
