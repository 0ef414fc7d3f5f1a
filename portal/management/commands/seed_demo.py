"""Load the network's reference data, synthetic demo patients and the demo accounts.

Idempotent: running it twice changes nothing (rows that exist are left alone, and an existing
account keeps its password unless --password names a different one)."""

import os
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from diagnostics.seed import load_diagnostic_clinics, suggest_clinics_for_demo_referrals
from directory.seed import (
    load_demo_change_requests,
    load_demo_core_members,
    load_demo_service_addresses,
    load_signposting_contacts,
)
from directory.seed import load_reference_data as load_directory
from fhir_api.seed import link_demo_consultant
from letters.seed import load_demo_letters
from mdt.seed import load_mdts
from policies.seed import load_reference_data as load_policies
from portal.roles import STAFF_ROLES, Role
from referrals.seed import load_demo_patients
from second_opinions.seed import load_demo_requests as load_second_opinions
from waiting_times.seed import load_demo_pathways

DEMO_ACCOUNTS = [
    # (username, first name, last name, role or None for the superuser)
    ("office", "Olive", "Office", Role.MDT_OFFICE),
    ("clinician1", "Clara", "Clinician", Role.CLINICIAN),
    ("clinician2", "Colin", "Consultant", Role.CLINICIAN),
    ("sag", "Sam", "Adviser", Role.SAG_MEMBER),
    ("admin", "Ada", "Admin", None),
]


class Command(BaseCommand):
    help = "Load reference data, synthetic demo patients and the demo accounts (idempotent)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--password",
            help="Password for the demo accounts (default: $PORTAL_DEMO_PASSWORD, else generated).",
        )

    def handle(self, *args, **options) -> None:
        password = options["password"] or os.environ.get("PORTAL_DEMO_PASSWORD")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)

        with transaction.atomic():
            users, password_set = self._accounts(password, explicit=not generated)
            load_directory()
            load_demo_core_members()
            link_demo_consultant(user=users["clinician1"])
            load_signposting_contacts(proposer=users["office"], approver=users["sag"])
            load_demo_service_addresses(proposer=users["office"], approver=users["sag"])
            load_demo_change_requests(proposer=users["office"])
            load_policies(owners=[users["sag"]])
            load_demo_patients(
                clinicians={1: users["clinician1"], 2: users["clinician2"]},
                today=timezone.localdate(),
            )
            load_second_opinions(office_user=users["office"], today=timezone.localdate())
            load_mdts(office_user=users["office"], demo_cases=True)
            load_diagnostic_clinics(office_user=users["office"])
            load_demo_pathways(
                office_user=users["office"],
                clinicians={1: users["clinician1"], 2: users["clinician2"]},
                today=timezone.localdate(),
            )
            suggest_clinics_for_demo_referrals()
            load_demo_letters(office_user=users["office"], sag_user=users["sag"])

        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        names = ", ".join(username for username, *_ in DEMO_ACCOUNTS)
        if password_set:
            self.stdout.write(f"Demo accounts: {names}")
            self.stdout.write(f"Password for the accounts just set: {password}")
        else:
            self.stdout.write(f"Demo accounts: {names} (existing passwords kept)")

    def _accounts(self, password: str, *, explicit: bool) -> tuple[dict, bool]:
        User = get_user_model()
        users = {}
        password_set = False
        for username, first, last, role in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.invalid",
                    "is_staff": role is None or role in STAFF_ROLES,
                    "is_superuser": role is None,
                },
            )
            # A generated password applies to new accounts only; an explicit one is (re)set
            # only where it differs, so a second run with the same password changes nothing.
            if created or (explicit and not user.check_password(password)):
                user.set_password(password)
                user.save(update_fields=["password"])
                password_set = True
            if role is not None:
                user.groups.add(Group.objects.get(name=role.value))
            users[username] = user
        return users, password_set
