"""`python manage.py cwt_refresh`: recompute every pathway's stored dates from its recorded dates
and today's settings: an open pathway's PTL tracking dates (the due, at-risk and breach dates the
list sorts and filters on), and every pathway's clock outcomes (what the performance figures
count, closed pathways included). Run it after changing CWT_CLOCK_POLICY or CWT_AT_RISK_DAY; the
services keep them current otherwise."""

from django.core.management.base import BaseCommand

from waiting_times.models import CancerPathway
from waiting_times.services import pathway_refresh_tracking


class Command(BaseCommand):
    help = "Recompute the PTL's tracking dates and the figures' clock outcomes of every cancer pathway."

    def handle(self, *args, **options) -> None:
        count = 0
        for pathway in CancerPathway.objects.order_by("pk").iterator(chunk_size=2000):
            pathway_refresh_tracking(pathway=pathway)
            count += 1
        self.stdout.write(f"Tracking dates and outcomes recomputed for {count} pathways.")
