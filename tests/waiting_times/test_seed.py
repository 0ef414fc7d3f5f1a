"""The demo data shows the PTL doing its job: pathways in every state, transfers before and after
day 38, a handover due this week and a first receipt date missing."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from waiting_times.models import CancerPathway, NextAction, PathwayEvent

pytestmark = pytest.mark.django_db


def test_the_demo_has_pathways_in_every_state_and_seeding_again_adds_none():
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    today = timezone.localdate()
    pathways = list(CancerPathway.objects.open())
    states = {pathway.tracking(today).status for pathway in pathways}
    assert {"running", "at_risk", "breached", "met", "ended"} <= states
    assert (
        set(CancerPathway.objects.open().with_ptl_status(today).values_list("ptl_state", flat=True)) == states
    )
    allocations = {p.tracking(today).clocks.rtt_62.breach_allocation for p in pathways if p.transferred_on}
    assert "referring" in allocations  # transferred after day 38, treated within 24 days
    early = [p for p in pathways if p.transferred_on and (p.transferred_on - p.clock_start_on).days <= 38]
    assert early  # transferred before day 38
    assert CancerPathway.objects.open().handover_due(today).exists()
    assert any(p.is_transfer and p.first_receipt_missing for p in pathways)
    assert any(p.is_transfer_out and p.transferred_out_on is None for p in pathways)  # a handover to make
    assert CancerPathway.objects.filter(transferred_out_on__isnull=False, rtt62_service_halves=1).exists()
    assert NextAction.objects.filter(done_at__isnull=True).exists()
    assert PathwayEvent.objects.filter(reason="Demo data.").exists()
    count = CancerPathway.objects.count()
    call_command("seed_demo", password="demo-password-1", stdout=io.StringIO())
    assert CancerPathway.objects.count() == count
