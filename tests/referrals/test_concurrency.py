"""Behaviour that needs the real services: row locks on PostgreSQL. Skipped without them (see
tests/conftest.py). The alert sweep through a real worker: tests/waiting_times/test_concurrency.py."""

import threading
import time

import pytest
from django.db import connection, transaction

from referrals import services
from referrals.models import Referral, ReferralEvent
from tests.factories import ReceivedReferralFactory


def _wait_until_another_session_waits_for_a_lock() -> None:
    """Poll (not a timed assertion) until a second session is blocked on a row lock."""
    deadline = time.monotonic() + 30
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second transition never waited for the row lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_transition_waits_for_the_row_and_then_refuses(office_user):
    referral = ReceivedReferralFactory()
    outcome: dict[str, object] = {}

    def second_user() -> None:
        try:
            services.referral_transition(
                referral_id=referral.pk,
                to_status="declined",
                by=office_user,
                reason="Not a sarcoma",
                expected_status="received",
            )
            outcome["result"] = "moved"
        except services.ReferralConflict as error:
            outcome["result"] = str(error.messages[0])
        finally:
            connection.close()

    with transaction.atomic():
        services.referral_transition(
            referral_id=referral.pk, to_status="triaged", by=office_user, expected_status="received"
        )
        other = threading.Thread(target=second_user)
        other.start()
        _wait_until_another_session_waits_for_a_lock()
    other.join(timeout=60)

    assert "Another user got there first" in outcome["result"]
    referral.refresh_from_db()
    assert referral.status == Referral.Status.TRIAGED
    assert list(ReferralEvent.objects.values_list("to_status", flat=True)) == ["triaged"]
