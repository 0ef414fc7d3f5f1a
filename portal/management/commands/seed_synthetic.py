"""Fill a database with synthetic data at national scale (see portal/synthetic.py).

    python manage.py seed_synthetic --referrals 1000000 --patients 800000 --seed 1

Bulk writes: on PostgreSQL every big table is written with COPY and its simple_history table
gets one "+" historical row per synthetic row in the same COPY; small tables go through
simple_history.utils.bulk_create_with_history; on other databases bulk_create in batches, again
with the historical rows. Deterministic for a given --seed and sizes. A progress line on stderr.
Meant for an empty database (the benchmark's own); it adds to one that has data.
"""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.synthetic import Sizes, seed


class Command(BaseCommand):
    help = "Fill the database with deterministic synthetic patients, referrals, meetings and more."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--referrals", type=int, required=True)
        parser.add_argument("--patients", type=int, help="Default: 80%% of --referrals.")
        parser.add_argument("--clinicians", type=int, default=200)
        parser.add_argument("--practitioners", type=int, default=3000)
        parser.add_argument("--organisations", type=int, default=150)
        parser.add_argument("--years", type=int, default=20, help="How far back referrals go.")
        parser.add_argument("--second-opinions", type=int, help="Default: 1%% of --referrals.")
        parser.add_argument("--policies", type=int, default=200)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, **options) -> None:
        referrals = options["referrals"]
        patients = options["patients"] or max(1, referrals * 4 // 5)
        if referrals < 1 or patients < 1 or options["clinicians"] < 1:
            raise CommandError("--referrals, --patients and --clinicians must be at least 1.")
        if options["practitioners"] < options["clinicians"] or options["organisations"] < 5:
            raise CommandError("--practitioners must be at least --clinicians, --organisations at least 5.")
        sizes = Sizes(
            patients=patients,
            referrals=referrals,
            clinicians=options["clinicians"],
            practitioners=options["practitioners"],
            organisations=options["organisations"],
            years=options["years"],
            second_opinions=options["second_opinions"]
            if options["second_opinions"] is not None
            else referrals // 100,
            policies=options["policies"],
        )
        started = time.monotonic()
        with transaction.atomic():
            counts = seed(sizes=sizes, seed=options["seed"])
        elapsed = time.monotonic() - started
        summary = ", ".join(f"{count} {kind}" for kind, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Seeded {summary} in {elapsed:.0f} s."))
