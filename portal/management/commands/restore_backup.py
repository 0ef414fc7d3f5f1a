"""Restore a `dumpdata` backup into an empty, migrated database (README: "Backup and restore").

Loading must not write history of its own: django-simple-history would otherwise record every
restored many-to-many link as a fresh change by nobody. The backup already holds the history
rows, so history is switched off while loading, and the whole restore is one transaction."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings

PORTAL_APPS = {"portal", "directory", "policies", "referrals", "second_opinions"}


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
        self.stdout.write(self.style.SUCCESS("Restored."))
