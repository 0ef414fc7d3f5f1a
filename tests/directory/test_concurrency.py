"""Two SAG members approving the same request at the same moment: exactly one applies it.

On PostgreSQL each thread has its own connection and transaction; the request row is locked
(select_for_update) by the first, so the second waits, then sees the request decided."""

import threading

import pytest
from django.db import connection

from directory import services
from directory.models import ChangeRequest


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sag_members_approving_at_once_apply_the_change_exactly_once(
    practitioner, office_user, sag_member, other_sag_member
):
    change_request = services.change_request_propose(
        proposer=office_user,
        kind="change",
        target_type="practitioner",
        target_id=practitioner.pk,
        values={"phone": "020 7946 0999"},
        reason="New direct line.",
        notify=False,
    )
    versions_before = practitioner.history.count()
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(user):
        try:
            start.wait(timeout=30)
            services.change_request_approve(change_request_id=change_request.pk, approver=user)
            outcomes[user.username] = "applied"
        except services.AlreadyDecidedError as error:
            outcomes[user.username] = str(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(user,)) for user in (sag_member, other_sag_member)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["sag", "sag2"]
    applied = [name for name, outcome in outcomes.items() if outcome == "applied"]
    refused = [outcome for outcome in outcomes.values() if outcome != "applied"]
    assert len(applied) == 1
    assert len(refused) == 1
    assert refused[0].startswith("Another SAG member got there first")
    practitioner.refresh_from_db()
    assert practitioner.phone == "020 7946 0999"
    assert practitioner.history.count() == versions_before + 1
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequest.Status.APPLIED
    assert change_request.decided_by.username == applied[0]
