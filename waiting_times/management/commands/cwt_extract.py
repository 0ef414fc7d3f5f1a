"""`python manage.py cwt_extract --month YYYY-MM [--output FILE]`: the month's records of the
National Cancer Waiting Times Monitoring Data Set as CSV (waiting_times/extract.py; columns and
their sources in docs/cwt-guidance.md), on stdout or in FILE, through the portal's formula-safe
CSV writer.

Every record is checked first. One the national system would refuse is not written: it is listed
on stderr with its reasons, by pathway and referral id (no patient identifier), and the command
then exits with status 1, after writing the records that passed. A month that is not YYYY-MM
exits with status 2."""

from contextlib import nullcontext

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.csv_export import SafeCsvWriter
from waiting_times.extract import HEADER, month_records
from waiting_times.forms import parse_month


class Command(BaseCommand):
    help = "Write a month's national cancer waiting-times records as CSV; refused records go to stderr."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", required=True, help="The month, YYYY-MM.")
        parser.add_argument("--output", help="Write the CSV to this file instead of stdout.")

    def handle(self, *args, **options) -> None:
        try:
            month = parse_month(options["month"])
        except ValidationError as error:
            raise CommandError(f"--month: {' '.join(error.messages)}", returncode=2) from error
        target = options["output"]
        with open(target, "w", newline="", encoding="utf-8") if target else nullcontext(self.stdout) as out:
            written, refused = self._write(SafeCsvWriter(out), month)
        self.stderr.write(f"{month:%Y-%m}: {written} record(s) written, {refused} refused.")
        if refused:
            raise CommandError(
                f"{refused} record(s) refused: correct them and run the extract again.", returncode=1
            )

    def _write(self, writer: SafeCsvWriter, month) -> tuple[int, int]:
        written = refused = 0
        writer.writerow(HEADER)
        for record in month_records(month):
            if record.refused:
                refused += 1
                pathway = record.pathway
                self.stderr.write(
                    f"Refused: pathway {pathway.pk} (referral {pathway.referral_id}): "
                    + "; ".join(record.reasons)
                )
                continue
            writer.writerow(record.row)
            written += 1
        return written, refused
