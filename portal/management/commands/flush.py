"""Django's `flush`, refused under production settings: it empties every table, the access log
included, in one command (issue 17 finding 11). Elsewhere (tests, a developer's machine) it is
Django's own."""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush


class Command(flush.Command):
    def handle(self, **options):
        if settings.PORTAL_PRODUCTION:
            raise CommandError(
                "flush is refused under production settings: it would delete every record and the "
                "access log. Restore into a new, empty database instead (README, Backup and restore)."
            )
        return super().handle(**options)
