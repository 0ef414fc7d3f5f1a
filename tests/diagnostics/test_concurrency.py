"""Two office users returning the same incomplete referral at once: the second waits for the
referral's row lock and is told another user got there first. Needs PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from diagnostics import services as ds
from diagnostics.models import ReferralReturn
from tests.factories import CompleteSuspectedReferralFactory
from tests.referrals.test_concurrency import _wait_until_another_session_waits_for_a_lock


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_concurrent_return_waits_for_the_row_and_then_refuses(office_user):
    referral = CompleteSuspectedReferralFactory(lump_depth="")
    outcome: dict[str, object] = {}

    def second_user() -> None:
        try:
            ds.referral_return(referral_id=referral.pk, by=office_user)
            outcome["result"] = "returned"
        except ValidationError as error:
            outcome["result"] = error.messages[0]
        finally:
            connection.close()

    with transaction.atomic():
        ds.referral_return(referral_id=referral.pk, by=office_user)
        other = threading.Thread(target=second_user)
        other.start()
        _wait_until_another_session_waits_for_a_lock()
    other.join(timeout=30)
    assert "got there first" in outcome["result"]
    assert ReferralReturn.objects.filter(referral=referral).count() == 1
