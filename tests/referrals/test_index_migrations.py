"""The indexes migrations 0007, 0008 and 0012 build outside a transaction (CONCURRENTLY on PostgreSQL)
exist as the models and the patient search expect, on whichever database the suite runs."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def _indexes(table: str) -> dict:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    return {name: c for name, c in constraints.items() if c["index"]}


def test_the_status_filter_index_carries_the_id_and_replaced_the_old_one():
    indexes = _indexes("referrals_referral")
    assert indexes["referral_status_received_id"]["columns"] == ["status", "received_on", "id"]
    assert "referral_status_received" not in indexes


def test_a_clinicians_referral_ids_have_an_index_of_their_own():
    """The PTL reads a clinician's referral ids from it alone (migration 0012)."""
    assert _indexes("referrals_referral")["referral_consultant_ids"]["columns"] == [
        "responsible_consultant_id",
        "id",
    ]


def test_the_patient_name_keys_index_is_built():
    assert "patient_name_keys" in _indexes("referrals_patient")


@pytest.mark.postgres
def test_the_concurrently_built_indexes_are_valid():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE c.relname IN "
            "('patient_name_keys', 'referral_status_received_id', 'referral_consultant_ids')"
        )
        assert dict(cursor.fetchall()) == {
            "patient_name_keys": True,
            "referral_status_received_id": True,
            "referral_consultant_ids": True,
        }
