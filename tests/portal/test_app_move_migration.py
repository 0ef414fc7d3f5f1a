"""Issue 15: the MDT and diagnostic-pathway models moved from referrals/ to mdt/ and diagnostics/.
A database made before the move (a newcomer's var/portal.sqlite3, or a PostgreSQL restored from a
backup) migrates forward without losing a row or a history row, and the roles keep what they could
do (permissions follow their content types)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("referrals", "0008_status_filter_index"),
    ("directory", "0004_diagnostic_clinic"),
    ("portal", "0005_outbox_message"),
]
MDT_MODELS = [
    "Mdt",
    "MdtMeeting",
    "MdtAttendance",
    "PatientOutcomePreference",
    "MdtDiscussion",
    "MdtReminderSent",
    "MdtCalendarToken",
]
DIAGNOSTIC_MODELS = [
    "ReferralReturn",
    "PathologyReview",
    "MolecularTest",
    "CapacityDeclaration",
    "ClinicSurvey",
]


def _history(apps, app_label: str, name: str, obj) -> object:
    """A history row for `obj`, as simple-history would have written it."""
    model = apps.get_model(app_label, name)
    historical = apps.get_model(app_label, f"Historical{name}")
    kept = {f.attname for f in historical._meta.concrete_fields}  # less any excluded_fields
    values = {f.attname: getattr(obj, f.attname) for f in model._meta.concrete_fields if f.attname in kept}
    return historical.objects.create(
        **values, history_date=timezone.now(), history_type="+", history_change_reason=f"made {name}"
    )


def _old_database(apps) -> dict:
    """One row, and one history row, in every table that moves; returns their ids."""
    get = apps.get_model
    user = get("portal", "User").objects.create(username="old-office", email="o@example.invalid")
    org = get("directory", "Organisation").objects.create(name="Old Trust", ods_code="OLD1")
    service = get("directory", "Service").objects.create(name="Old service", code="OLD")
    doctor = get("directory", "Practitioner").objects.create(
        name="Dr Old", organisation=org, speciality="pathology", email="old@example.invalid"
    )
    clinic = get("directory", "DiagnosticClinic").objects.create(name="Old clinic", host_organisation=org)
    patient = get("referrals", "Patient").objects.create(
        given_name="Ada", family_name="Old", date_of_birth=datetime.date(1970, 1, 1)
    )
    referral = get("referrals", "Referral").objects.create(
        patient=patient,
        received_on=datetime.date(2026, 11, 2),
        presentation="suspected",
        tumour_type="soft_tissue",
        site="limb",
    )
    now = timezone.now()
    mdt = get("referrals", "Mdt").objects.create(
        name="Old MDT", code="OLD", service=service, weekday=2, start_time=datetime.time(8)
    )
    mdt.core_members.add(doctor)
    meeting = get("referrals", "MdtMeeting").objects.create(mdt=mdt, starts_at=now, cutoff_at=now)
    rows = {
        "Mdt": mdt,
        "MdtMeeting": meeting,
        "MdtAttendance": get("referrals", "MdtAttendance").objects.create(
            meeting=meeting, practitioner=doctor
        ),
        "PatientOutcomePreference": get("referrals", "PatientOutcomePreference").objects.create(
            patient=patient, recipients="both"
        ),
        "MdtDiscussion": get("referrals", "MdtDiscussion").objects.create(
            meeting=meeting, referral=referral, added_at=now, question="Old question?"
        ),
        "MdtReminderSent": get("referrals", "MdtReminderSent").objects.create(
            kind="case_list",
            object_id=meeting.pk,
            meeting=meeting,
            recipient="old@example.invalid",
            sent_at=now,
        ),
        "MdtCalendarToken": get("referrals", "MdtCalendarToken").objects.create(
            user=user, token="old-token", created_at=now
        ),
        "ReferralReturn": get("referrals", "ReferralReturn").objects.create(
            referral=referral, returned_at=now, returned_by=user, missing=["postcode"]
        ),
        "CapacityDeclaration": get("referrals", "CapacityDeclaration").objects.create(
            service=service,
            partner_service=get("directory", "Service").objects.create(name="P", code="P"),
            starts_on=datetime.date(2026, 11, 1),
            ends_on=datetime.date(2026, 11, 30),
            reason="Old reason",
            declared_by=user,
        ),
        "ClinicSurvey": get("referrals", "ClinicSurvey").objects.create(
            clinic=clinic,
            year=2025,
            referrals_per_year=10,
            sarcomas_diagnosed=1,
            clinics_per_week=1,
            radiologists_wte=1,
            sonographers_wte=1,
            nurse_specialists_wte=1,
            submitted_by=user,
        ),
    }
    review = get("referrals", "PathologyReview").objects.create(
        referral=referral, requested_from=doctor, requested_on=datetime.date(2026, 11, 3)
    )
    rows["PathologyReview"] = review
    rows["MolecularTest"] = get("referrals", "MolecularTest").objects.create(
        review=review, test_name="Old FISH", requested_on=datetime.date(2026, 11, 4)
    )
    histories = {name: _history(apps, "referrals", name, obj).history_id for name, obj in rows.items()}
    historical_mdt = get("referrals", "HistoricalMdt").objects.get(history_id=histories["Mdt"])
    get("referrals", "HistoricalMdt_core_members").objects.create(
        id=mdt.core_members.through.objects.get().pk, history=historical_mdt, mdt=mdt, practitioner=doctor
    )
    # A role holding a permission on a moved model, and a notification still owed by its old name.
    group = get("auth", "Group").objects.create(name="Old role")
    group.permissions.add(
        get("auth", "Permission").objects.get(content_type__app_label="referrals", codename="view_mdt")
    )
    get("portal", "OutboxMessage").objects.create(
        task="referrals.mdt_tasks.mdt_send_cancellations", args=[meeting.pk]
    )
    return {
        "ids": {name: obj.pk for name, obj in rows.items()},
        "histories": histories,
        "doctor": doctor.pk,
    }


def test_an_old_database_migrates_forward_keeping_every_row_history_row_permission_and_owed_task():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = _old_database(executor.loader.project_state(BEFORE).apps)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    from django.apps import apps

    for names, app_label in ((MDT_MODELS, "mdt"), (DIAGNOSTIC_MODELS, "diagnostics")):
        for name in names:
            model = apps.get_model(app_label, name)
            assert model.objects.filter(pk=old["ids"][name]).exists(), name
            history = model.history.get(history_id=old["histories"][name])
            assert history.history_change_reason == f"made {name}"
            assert history.instance.pk == old["ids"][name]
    mdt = apps.get_model("mdt", "Mdt").objects.get(pk=old["ids"]["Mdt"])
    assert list(mdt.core_members.values_list("pk", flat=True)) == [old["doctor"]]
    assert [m.practitioner_id for m in mdt.history.get().core_members.all()] == [old["doctor"]]
    assert apps.get_model("mdt", "MdtDiscussion").objects.get().question == "Old question?"
    assert (
        apps.get_model("diagnostics", "MolecularTest").objects.get().review_id
        == old["ids"]["PathologyReview"]
    )

    from django.contrib.auth.models import Group

    from portal.models import OutboxMessage

    role = Group.objects.get(name="Old role")
    assert [f"{p.content_type.app_label}.{p.codename}" for p in role.permissions.all()] == ["mdt.view_mdt"]
    assert OutboxMessage.objects.get().task == "mdt.tasks.mdt_send_cancellations"
