"""The performance figures: per month and provider, each standard's numerator, denominator and
percentage against its threshold, transfers counted half to each provider, breaches counted by
reason; and the page that shows them. "Today" is Tuesday 24 November 2026; the pathways below
stopped their clocks in October 2026. Every figure is counted by hand."""

import datetime
import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import OrganisationFactory, RunningPathwayFactory, ServiceFactory
from waiting_times import performance
from waiting_times.models import BreachReason, CancerPathway
from waiting_times.tracking import Standard

pytestmark = pytest.mark.django_db

D = datetime.date
OCT_1, OCT_31 = D(2026, 10, 1), D(2026, 10, 31)
PERFORMANCE = "/ptl/performance/"


def treated(service, *, received: datetime.date, treated_on: datetime.date, **values) -> CancerPathway:
    """Told and decided a week after the receipt; treated on `treated_on`."""
    week = received + datetime.timedelta(days=7)
    values.setdefault("decision_to_treat_on", max(week, values.get("transferred_on") or week))
    return RunningPathwayFactory(
        referral__service=service,
        first_received_on=received,
        told_on=week,
        outcome="cancer",
        treated_on=treated_on,
        treatment_admitted=True,
        **values,
    )


@pytest.fixture
def network(today):
    """Service LSS and a referring trust R. 62-day clocks treated in October 2026:
    - met: received 1 Sep, treated 15 Oct (day 44);
    - breached: received 1 Aug, treated 20 Oct (day 80), reason: elective capacity;
    - transferred from R on day 30 (1 Oct, received 1 Sep), treated day 50 (21 Oct): met, half each;
    - transferred from R on day 45 (16 Sep, received 2 Aug), treated day 80 (21 Oct), 35 days
      after the transfer: a shared breach, half each, reason: late transfer."""
    lss = ServiceFactory(code="LSS", name="London Sarcoma Service")
    trust = OrganisationFactory(ods_code="RXR")
    treated(lss, received=D(2026, 9, 1), treated_on=D(2026, 10, 15))
    treated(
        lss, received=D(2026, 8, 1), treated_on=D(2026, 10, 20), breach_reason=BreachReason.ELECTIVE_CAPACITY
    )
    treated(
        lss, received=D(2026, 9, 1), treated_on=D(2026, 10, 21), referring_provider=trust,
        transferred_on=D(2026, 10, 1),
    )  # fmt: skip
    treated(
        lss, received=D(2026, 8, 2), treated_on=D(2026, 10, 21), referring_provider=trust,
        transferred_on=D(2026, 9, 16), breach_reason=BreachReason.LATE_TRANSFER,
    )  # fmt: skip
    return lss, trust


def _figure(figures, provider_name: str, standard: Standard) -> performance.Figure:
    return next(f for f in figures if f.provider.name.startswith(provider_name) and f.standard == standard)


def test_62_day_figures_count_a_transfer_half_to_each_provider(network):
    """Department of Health, cancer waiting times statistics: "Where two NHS organisations
    (Cancer Unit and Cancer Centre) are involved in the care of the patient this is taken into
    account by recording half the activity against the unit that initially sees the patient and
    half against the centre that provides the first definitive treatment". A breach is then
    allocated by the National Cancer Breach Allocation Guidance (2016): this one is shared.
    LSS: 1 + 1 + 0.5 + 0.5 = 3 patients, 1 + 0.5 in time, 50%; the trust: 0.5 + 0.5, 0.5 in
    time, 50%; the network: 4 patients, 2 in time."""
    figures = performance.standard_figures(CancerPathway.objects.all(), first=OCT_1, last=OCT_31)
    lss = _figure(figures, "London Sarcoma Service", Standard.RTT_62)
    assert (lss.month, lss.numerator, lss.denominator, lss.percent) == (OCT_1, Decimal("1.5"), 3, 50)
    assert (lss.threshold, lss.meets_threshold) == (85, False)
    trust = _figure(figures, "Test Hospital", Standard.RTT_62)
    assert (trust.numerator, trust.denominator, trust.percent) == (Decimal("0.5"), 1, 50)
    (network,) = [f for f in performance.network_totals(figures) if f.standard == Standard.RTT_62]
    assert (network.numerator, network.denominator) == (2, 4)


def test_31_day_and_fds_figures_count_to_the_provider_that_stopped_the_clock(network):
    """CWT guidance v12.1, 1.1: "Maximum one month (31 days) from: From Decision To
    Treat/Earliest Clinically Appropriate Date to Treatment of cancer": the treating provider's
    decision, so all four 31-day clocks are LSS's, whole. Decided 8 Sep, treated 15 Oct: 37 days;
    8 Aug to 20 Oct: 73; on the transfer 1 Oct to 21 Oct: 20, in time; 16 Sep to 21 Oct: 35.
    One of four. The FDS stopped in August and September (told a week after receipt), so
    October has none."""
    figures = performance.standard_figures(CancerPathway.objects.all(), first=OCT_1, last=OCT_31)
    dtt = _figure(figures, "London Sarcoma Service", Standard.DTT_31)
    assert (dtt.numerator, dtt.denominator, dtt.percent) == (1, 4, 25)
    assert not [f for f in figures if f.standard == Standard.FDS]
    assert not [f for f in figures if f.provider.name.startswith("Test Hospital") and f.standard != "62"]


def test_a_clock_counts_in_the_month_it_stopped(today):
    """CWT guidance v12.1, 1.1: the standards run "to" the treatment (31 and 62 days) or to the
    date the patient is told (FDS): the figure is of the month of that stop. Treated 31 Oct and
    1 Nov 2026: one in each month."""
    lss = ServiceFactory(code="LSS")
    treated(lss, received=D(2026, 10, 1), treated_on=D(2026, 10, 31))
    treated(lss, received=D(2026, 10, 1), treated_on=D(2026, 11, 1))
    figures = performance.standard_figures(CancerPathway.objects.all(), first=OCT_1, last=D(2026, 11, 30))
    months = [(f.month, f.denominator) for f in figures if f.standard == Standard.RTT_62]
    assert months == [(OCT_1, 1), (D(2026, 11, 1), 1)]


def test_a_transfer_out_counts_half_to_the_service_and_half_to_the_treating_provider(today):
    """The same sentence from the other side ("half the activity against the unit that initially
    sees the patient and half against the centre that provides the first definitive
    treatment"): LSS transferred the patient on day 20 to trust T, which treated on day 50, met."""
    lss, other = ServiceFactory(code="LSS"), OrganisationFactory(ods_code="RTT", name="Treating Trust")
    treated(
        lss, received=D(2026, 9, 1), treated_on=D(2026, 10, 21), transfer_out_to=other,
        transferred_out_on=D(2026, 9, 21),
    )  # fmt: skip
    figures = performance.standard_figures(CancerPathway.objects.all(), first=OCT_1, last=OCT_31)
    assert _figure(figures, "Test Sarcoma", Standard.RTT_62).denominator == Decimal("0.5")
    treating = _figure(figures, "Treating Trust", Standard.RTT_62)
    assert (treating.numerator, treating.denominator) == (Decimal("0.5"), Decimal("0.5"))
    assert _figure(figures, "Treating Trust", Standard.DTT_31).denominator == 1


def test_breach_reasons_are_counted_per_month_and_provider(network):
    """Issue 18: "A breached clock needs a breach reason from the national delay-reason list (and
    free text) before the pathway can close; the reasons are counted per month and provider".
    October's 62-day breaches: LSS one for elective capacity and half of the shared late
    transfer; the trust the other half."""
    counts = performance.breach_reasons(CancerPathway.objects.all(), first=OCT_1, last=OCT_31)
    rtt = {(c.provider.name[:4], c.reason): c.count for c in counts if c.standard == Standard.RTT_62}
    assert rtt == {
        ("Lond", "elective_capacity"): 1,
        ("Lond", "late_transfer"): Decimal("0.5"),
        ("Test", "late_transfer"): Decimal("0.5"),
    }


def test_the_figures_are_counted_in_the_database_in_the_same_queries_however_many_pathways(network):
    """Aggregations in the database: six GROUP BY queries and two to name the providers, for 4
    pathways as for 40."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            performance.standard_figures(CancerPathway.objects.all(), first=OCT_1, last=OCT_31)
        return len(queries)

    few = count()
    lss, _ = network
    for _ in range(36):
        treated(lss, received=D(2026, 9, 1), treated_on=D(2026, 10, 15))
    assert count() == few == 8


# The page ---------------------------------------------------------------------------------------


def test_the_office_sees_each_standards_figures_against_its_threshold(client, office_user, network):
    client.force_login(office_user)
    response = client.get(PERFORMANCE, {"until": "2026-10"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "1.5 of 3 (50%)" in html  # LSS, 62-day, by provider
    assert "2 of 4 (50%)" in html  # the whole network, 62-day
    assert "1 of 4 (25%)" in html  # the whole network, 31-day
    assert "Below 85%" in html
    assert response.context["chart"]["standards"][2]["percent"][-1] == 50.0


def test_a_sag_member_sees_the_figures_and_no_patient(client, sag_member, network):
    client.force_login(sag_member)
    response = client.get(PERFORMANCE, {"until": "2026-10"})
    assert response.status_code == 200
    html = response.content.decode()
    for pathway in CancerPathway.objects.select_related("referral__patient"):
        # The name as the portal writes it ("LOWE, Ada"): a bare surname can be part of the page's
        # own words ("Lowe" in "Lower process limit").
        assert str(pathway.referral.patient) not in html
        assert pathway.referral.patient.nhs_number not in html


def test_clinicians_and_outsiders_are_refused_the_figures(client, clinician, outsider, today):
    for user in (clinician, outsider):
        client.force_login(user)
        assert client.get(PERFORMANCE).status_code == 403


def test_one_provider_can_be_chosen(client, office_user, network):
    lss, _ = network
    client.force_login(office_user)
    response = client.get(PERFORMANCE, {"until": "2026-10", "provider": f"s{lss.pk}"})
    assert {f.provider.key for f in response.context["figures"]} == {f"s{lss.pk}"}
    assert response.context["chart"]["standards"][2]["percent"][-1] == 50.0


def test_a_month_that_is_not_one_is_refused_with_a_message(client, office_user, today):
    client.force_login(office_user)
    response = client.get(PERFORMANCE, {"until": "2026-13"})
    assert response.status_code == 200
    assert "Enter a month as YYYY-MM" in response.content.decode()
    assert response.context["until"] == D(2026, 11, 1)


def test_the_chart_is_drawn_by_chartjs_served_from_this_site_with_no_inline_script(
    client, office_user, today
):
    """The house style: "charts come from a kept library, with a table beside them"; the CSP
    allows only this site's scripts, none inline (the JSON data blocks are not scripts)."""
    client.force_login(office_user)
    html = client.get(PERFORMANCE).content.decode()
    assert finders.find("vendor/chart.js/chart.umd.min.js"), "npm ci: chart.js is in package.json"
    assert finders.find("portal/charts.js")
    assert '<script src="/static/vendor/chart.js/chart.umd.min.js" defer></script>' in html
    assert '<script src="/static/portal/charts.js" defer></script>' in html
    scripts = re.findall(r"<script[^>]*>", html)
    assert all('type="application/json"' in tag or " src=" in tag for tag in scripts)
    assert "<table" in html
    assert "cdn" not in html.lower()


def test_each_standard_is_a_making_data_count_xmr_chart_against_its_threshold(client, office_user, network):
    """Issue 19 item 7: monthly performance over time in the "Making Data Count" style: the
    measure, its mean and process limits (mean ± 2.66 x mean moving range) and the operational
    standard. By hand, 62-day: September 100% (one treated on day 45), October 50% (the
    network's); mean 75%, one moving range of 50, limits 75 ± 133 = -58% and 208%."""
    lss, _ = network
    treated(lss, received=D(2026, 8, 1), treated_on=D(2026, 9, 14))
    client.force_login(office_user)
    response = client.get(PERFORMANCE, {"until": "2026-10"})
    rtt = response.context["chart"]["standards"][2]
    assert rtt["percent"][-2:] == [100.0, 50.0]
    datasets = {dataset["label"]: dataset for dataset in rtt["spc"]["datasets"]}
    assert datasets["Mean"]["data"][-1] == 75.0
    # Drawn at the axis's ends (a per cent is 0 to 100); the words give them as computed.
    assert datasets["Process limits"]["data"][-1] == 100.0
    assert datasets["Lower process limit"]["data"][-1] == 0.0
    assert datasets[f"Operational standard ({rtt['threshold']}%)"]["data"][-1] == rtt["threshold"]
    html = response.content.decode()
    assert f'data-chart="{rtt["script_id"]}"' in html
    assert "mean 75.0%, process limits -58.0% to 208.0%" in html
    assert "Common cause variation only" in html


def test_cwt_refresh_recomputes_the_outcomes_of_closed_pathways_after_a_change_of_policy(settings, today):
    """Breach Allocation Guidance (2016): "This guidance provides a clear process on creating local
    breach allocation policies": a network that moves its handover day (CWT_CLOCK_POLICY) runs
    cwt_refresh, and the figures follow, closed pathways included. Transferred on day 30, treated
    on day 70: by day 38 the treating provider's breach (the service's whole); with a handover by
    day 20, a late transfer treated 40 days after it, shared (half)."""
    import io

    from django.core.management import call_command

    pathway = treated(
        ServiceFactory(), received=D(2026, 8, 1), treated_on=D(2026, 10, 10),
        referring_provider=OrganisationFactory(), transferred_on=D(2026, 8, 31),
        closed_at=datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC),
    )  # fmt: skip
    assert (pathway.rtt62_met, pathway.rtt62_service_halves) == (False, 2)
    settings.CWT_CLOCK_POLICY = {"handover_day": 20}
    call_command("cwt_refresh", stdout=io.StringIO())
    pathway.refresh_from_db()
    assert pathway.rtt62_service_halves == 1
