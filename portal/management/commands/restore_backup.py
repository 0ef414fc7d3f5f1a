"""Restore a `dumpdata` backup into an empty, migrated database (README: "Backup and restore").

Loading must not write history of its own: django-simple-history would otherwise record every
restored many-to-many link as a fresh change by nobody. The backup already holds the history
rows, so history is switched off while loading, and the whole restore is one transaction."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

PORTAL_APPS = {
    "portal",
    "directory",
    "policies",
    "referrals",
    "mdt",
    "diagnostics",
    "waiting_times",
    "second_opinions",
    "letters",
}


class Command(BaseCommand):
    help = "Restore a dumpdata backup (JSON) into an empty, migrated database, history included."

    def add_arguments(self, parser) -> None:
        parser.add_argument("backup", help="The file written by the README's dumpdata command.")

    def handle(self, *args, **options) -> None:
        not_empty = [
            model._meta.label
            for model in apps.get_models()
            if model._meta.app_label in PORTAL_APPS and model.objects.exists()
        ]
        if not_empty:
            raise CommandError(
                "Restore only into an empty database (run migrate on a new one). Already holding "
                f"data: {', '.join(sorted(not_empty)[:5])}"
            )
        with transaction.atomic(), override_settings(SIMPLE_HISTORY_ENABLED=False):
            call_command("loaddata", options["backup"], stdout=self.stdout)
            self._refuse_malformed_nhs_numbers()
        self.stdout.write(self.style.SUCCESS("Restored."))

    def _refuse_malformed_nhs_numbers(self) -> None:
        """loaddata skips the model's validators: an NHS number in anything but ten ASCII digits
        (full-width or Arabic-Indic digits, issue 17 finding 4) would make a patient no search
        finds. Such a backup is refused whole, naming the records by id only."""
        from referrals.models import Patient
        from referrals.policy_rules import nhs_number_digits

        wrong = [
            pk
            for pk, number in Patient.objects.exclude(nhs_number=None).values_list("pk", "nhs_number")
            if nhs_number_digits(number) != number
        ]
        if wrong:
            raise CommandError(
                "Nothing was restored: the NHS number of patient record(s) "
                f"{', '.join(map(str, wrong[:10]))} is not ten digits 0 to 9."
            )
