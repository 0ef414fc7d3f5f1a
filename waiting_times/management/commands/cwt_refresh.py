"""`python manage.py cwt_refresh`: recompute every open pathway's PTL tracking dates (the due,
at-risk and breach dates the list sorts and filters on) from its dates and today's settings. Run it
after changing CWT_CLOCK_POLICY or CWT_AT_RISK_DAY; the services keep them current otherwise."""

from django.core.management.base import BaseCommand

from waiting_times.models import CancerPathway
from waiting_times.services import pathway_refresh_tracking


class Command(BaseCommand):
    help = "Recompute the PTL's stored tracking dates of every open cancer pathway."

    def handle(self, *args, **options) -> None:
        count = 0
        for pathway in CancerPathway.objects.open().order_by("pk").iterator(chunk_size=2000):
            pathway_refresh_tracking(pathway=pathway)
            count += 1
        self.stdout.write(f"Tracking dates recomputed for {count} open pathways.")
