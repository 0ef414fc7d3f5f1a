"""The PTL and the pathway page: who sees which rows, their order, the filters, the CSV, next
actions from the row, and the access log. "Today" is Tuesday 24 November 2026."""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse

from portal.models import AccessLog
from referrals.models import Referral
from tests.factories import (
    ClosedPathwayFactory,
    DiagnosedPathwayFactory,
    OrganisationFactory,
    RunningPathwayFactory,
    ServiceFactory,
    TransferMissingFirstReceiptPathwayFactory,
    TreatedLatePathwayFactory,
)
from waiting_times.models import NextAction, PathwayEvent

pytestmark = pytest.mark.django_db

D = datetime.date
PTL = "/ptl/"


def _rows(response) -> list:
    return [row.pathway for row in response.context["rows"]]


# Who sees what ----------------------------------------------------------------------------------


def test_clinician_sees_only_their_own_patients_on_the_ptl(client, today, clinician, other_clinician):
    mine = RunningPathwayFactory(referral__responsible_consultant=clinician)
    # A name no page text holds (a random surname can be "Day", as in "Day 22 of 28").
    theirs = RunningPathwayFactory(
        referral__responsible_consultant=other_clinician, referral__patient__family_name="Theirsonly"
    )
    client.force_login(clinician)
    response = client.get(PTL)
    assert _rows(response) == [mine]
    assert theirs.referral.patient.family_name.upper() not in response.content.decode().upper()


def test_clinician_cannot_open_another_clinicians_pathway(client, today, clinician, other_clinician):
    theirs = RunningPathwayFactory(referral__responsible_consultant=other_clinician)
    client.force_login(clinician)
    assert client.get(reverse("waiting_times:pathway", args=[theirs.pk])).status_code == 404


def test_clinician_on_the_care_team_sees_the_pathway(client, today, clinician, other_clinician):
    pathway = RunningPathwayFactory(referral__responsible_consultant=other_clinician)
    pathway.referral.care_team.add(clinician)
    client.force_login(clinician)
    assert _rows(client.get(PTL)) == [pathway]


def test_clinicians_csv_holds_only_their_own_patients(client, today, clinician, other_clinician):
    RunningPathwayFactory(
        referral__responsible_consultant=clinician, referral__patient__family_name="Mineown"
    )
    RunningPathwayFactory(
        referral__responsible_consultant=other_clinician, referral__patient__family_name="Theirsonly"
    )
    client.force_login(clinician)
    text = client.get("/ptl.csv").content.decode()
    assert "MINEOWN" in text
    assert "THEIRSONLY" not in text


def test_mdt_office_sees_every_open_pathway_and_no_closed_one(
    client, today, office_user, clinician, other_clinician
):
    first = RunningPathwayFactory(referral__responsible_consultant=clinician)
    second = RunningPathwayFactory(referral__responsible_consultant=other_clinician)
    ClosedPathwayFactory()
    client.force_login(office_user)
    assert set(_rows(client.get(PTL))) == {first, second}


def test_sag_member_and_outsider_are_refused(client, today, sag_member, outsider):
    for user in (sag_member, outsider):
        client.force_login(user)
        assert client.get(PTL).status_code == 403


def test_every_ptl_read_is_in_the_access_log(client, today, office_user):
    pathways = [RunningPathwayFactory() for _ in range(3)]
    client.force_login(office_user)
    client.get(PTL)
    logged = set(
        AccessLog.objects.filter(user=office_user, action="list").values_list("patient_id", flat=True)
    )
    assert logged == {p.referral.patient_id for p in pathways}
    client.get("/ptl.csv")
    exported = set(
        AccessLog.objects.filter(user=office_user, action="export").values_list("patient_id", flat=True)
    )
    assert exported == logged


def test_no_patient_identifier_in_the_ptl_links(client, today, office_user):
    pathway = RunningPathwayFactory()
    client.force_login(office_user)
    html = client.get(PTL).content.decode()
    assert f"?nhs={pathway.referral.patient.nhs_number}" not in html
    assert f"/{pathway.referral.patient.nhs_number}" not in html


# Order and rows ----------------------------------------------------------------------------------


def test_the_ptl_lists_breaches_first_then_by_days_left(client, today, office_user):
    """Issue 18: "Ordered by days left (breached first)"."""
    later = RunningPathwayFactory(first_received_on=D(2026, 11, 20))  # FDS due 18 Dec
    breached = RunningPathwayFactory(first_received_on=D(2026, 10, 20))  # FDS due 17 Nov: breached
    sooner = RunningPathwayFactory(first_received_on=D(2026, 11, 2))  # FDS due 30 Nov
    treated_late = TreatedLatePathwayFactory()  # 62-day stopped late, waiting for its breach reason
    nothing_due = DiagnosedPathwayFactory(decision_to_treat_on=None, told_on=None, outcome="", route="other")
    client.force_login(office_user)
    assert _rows(client.get(PTL)) == [treated_late, breached, sooner, later, nothing_due]


def test_a_row_shows_day_n_of_the_standard_due_date_days_left_and_status(client, today, office_user):
    """CWT guidance v12.1, 1.1: "Maximum 28 days from: Receipt of urgent referral for suspected
    cancer": received 2 Nov, today (24 Nov) is day 22 of 28, due 30 Nov, 6 days left; at risk
    from day 21 (CWT_AT_RISK_DAY)."""
    RunningPathwayFactory(first_received_on=D(2026, 11, 2))
    client.force_login(office_user)
    response = client.get(PTL)
    (row,) = response.context["rows"]
    assert (row.tracking.clock.days, row.tracking.clock.due, row.tracking.days_left, row.tracking.status) == (
        22,
        D(2026, 11, 30),
        6,
        "at_risk",
    )
    html = response.content.decode()
    assert "Day 22 of 28" in html
    assert "At risk" in html


def test_a_transfer_without_its_first_receipt_date_says_so(client, today, office_user):
    TransferMissingFirstReceiptPathwayFactory(referring_provider=OrganisationFactory(name="Kent Trust"))
    client.force_login(office_user)
    html = client.get(PTL).content.decode()
    assert "First receipt date missing" in html
    assert "Transferred in from Kent Trust" in html


def test_the_ptl_pages_by_keyset(client, today, office_user):
    for i in range(55):
        RunningPathwayFactory(first_received_on=D(2026, 11, 23) - datetime.timedelta(days=i % 20))
    client.force_login(office_user)
    first = client.get(PTL)
    assert len(first.context["rows"]) == 50
    after = first.context["page"].next_after
    second = client.get(f"{PTL}?after={after}")
    seen = _rows(first) + _rows(second)
    assert len(seen) == len(set(seen)) == 55
    # The page links (templates/portal/_keyset_pages.html, shared with the patient list and the
    # SAG's queue).
    assert f'<a href="?after={after}">Next</a>' in first.content.decode()
    back = second.context["page"].previous_before
    html = second.content.decode()
    assert '<a href="?">First</a>' in html
    assert f'<a href="?before={back}">Previous</a>' in html
    assert ">Next</a>" not in html


# Filters ------------------------------------------------------------------------------------------


def test_the_filters_say_any_for_no_filter_never_unknown(client, today, office_user):
    """A coordinator reads "Unknown" as a state of the patient: the yes/no filters offer Any, Yes
    and No, and the lists offer "Any" rather than a row of dashes."""
    client.force_login(office_user)
    form = client.get(PTL).context["filter"].form
    for name in ("at_risk_week", "handover", "next_action_due"):
        assert [label for _value, label in form.fields[name].widget.choices] == ["Any", "Yes", "No"]
    content = client.get(PTL).content.decode()
    for name in ("at_risk_week", "handover", "next_action_due"):
        select = re.search(rf'<select name="{name}".*?</select>', content, flags=re.S).group(0)
        assert ">Unknown<" not in select
        assert '<option value="" selected>Any</option>' in select
    assert ">---------<" not in content


def test_status_filter_finds_breaches_in_the_database(client, today, office_user):
    breached = RunningPathwayFactory(first_received_on=D(2026, 10, 20))
    RunningPathwayFactory(first_received_on=D(2026, 11, 20))
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"status": "breached"})) == [breached]


def test_status_filter_at_risk_matches_what_the_row_shows(client, today, office_user):
    at_risk = RunningPathwayFactory(first_received_on=D(2026, 11, 2))  # day 22 of 28
    RunningPathwayFactory(first_received_on=D(2026, 11, 20))  # day 4
    client.force_login(office_user)
    response = client.get(PTL, {"status": "at_risk"})
    assert _rows(response) == [at_risk]
    assert response.context["rows"][0].tracking.status == "at_risk"


def test_standard_filter(client, today, office_user):
    """CWT guidance v12.1, 1.1: 31 days "From Decision To Treat ... to Treatment of cancer": decided
    on 16 Nov, the 31-day clock (due 17 Dec) is due before the 62-day one (3 Jan) and is tracked."""
    RunningPathwayFactory()
    diagnosed = DiagnosedPathwayFactory()
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"standard": "31"})) == [diagnosed]
    assert _rows(client.get(PTL, {"standard": "62"})) == []


def test_provider_consultant_and_tumour_group_filters(client, today, office_user, clinician):
    service = ServiceFactory()
    wanted = RunningPathwayFactory(
        referral__service=service,
        referral__responsible_consultant=clinician,
        referral__tumour_type=Referral.TumourType.BONE,
    )
    RunningPathwayFactory()
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"provider": service.pk})) == [wanted]
    assert _rows(client.get(PTL, {"consultant": clinician.pk})) == [wanted]
    assert _rows(client.get(PTL, {"tumour_group": "bone"})) == [wanted]


def test_transfer_filters(client, today, office_user):
    missing = TransferMissingFirstReceiptPathwayFactory()
    RunningPathwayFactory()
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"transfer": "in"})) == [missing]
    assert _rows(client.get(PTL, {"transfer": "first_receipt_missing"})) == [missing]


def test_transfers_out_filter(client, today, office_user):
    """A pathway transferred from this provider to another: made, or still to make."""
    made = RunningPathwayFactory(transfer_out_to=OrganisationFactory(), transferred_out_on=D(2026, 11, 20))
    awaiting = RunningPathwayFactory(transfer_out_to=OrganisationFactory())
    TransferMissingFirstReceiptPathwayFactory()  # in, not out
    client.force_login(office_user)
    assert set(_rows(client.get(PTL, {"transfer": "out"}))) == {made, awaiting}
    assert _rows(client.get(PTL, {"transfer": "out_awaiting"})) == [awaiting]
    html = client.get(PTL, {"transfer": "out"}).content.decode()
    assert f"Transferred out to {made.transfer_out_to.name}" in html
    assert f"To be transferred out to {awaiting.transfer_out_to.name}" in html


def test_a_transfer_out_not_yet_made_is_a_handover_due(client, today, office_user):
    """Breach Allocation Guidance (2016): day 38 is "the date by which cancer patients on an inter
    provider (IPT) pathways should be transferred from the referring trust/s to the treating
    trust": here this provider refers. First received 20 Oct: day 38 is 27 Nov."""
    due = RunningPathwayFactory(first_received_on=D(2026, 10, 20), transfer_out_to=OrganisationFactory())
    RunningPathwayFactory(
        first_received_on=D(2026, 10, 20),
        transfer_out_to=OrganisationFactory(),
        transferred_out_on=D(2026, 11, 20),
    )
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"handover": "true"})) == [due]


def test_at_risk_this_week_lists_clocks_at_risk_now_or_within_seven_days(client, today, office_user):
    """Issue 18: the home page starts with "at risk this week". The FDS is at risk from day 21
    (CWT_AT_RISK_DAY): received 2 Nov, at risk since 23 Nov; 9 Nov, from 30 Nov (24 Nov + 6, in
    the week); 10 Nov, from 1 Dec (not yet); 20 Oct, breached (not at risk)."""
    now = RunningPathwayFactory(first_received_on=D(2026, 11, 2))
    within = RunningPathwayFactory(first_received_on=D(2026, 11, 9))
    RunningPathwayFactory(first_received_on=D(2026, 11, 10))
    RunningPathwayFactory(first_received_on=D(2026, 10, 20))
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"at_risk_week": "true"})) == [now, within]
    assert client.get(reverse("home")).context["todays_work"]["at_risk_this_week"] == 2


def test_handover_due_this_week_lists_transfers_not_yet_arrived(client, today, office_user):
    """Breach Allocation Guidance (2016): local policies "should adopt a single maximum handover
    date of day 38, the date by which cancer patients on an inter provider (IPT) pathways should
    be transferred". First received 20 Oct: day 38 is 27 Nov, within the week of 24 Nov."""
    referring = OrganisationFactory()
    due = RunningPathwayFactory(first_received_on=D(2026, 10, 20), referring_provider=referring)
    RunningPathwayFactory(first_received_on=D(2026, 11, 10), referring_provider=referring)  # day 38: 18 Dec
    RunningPathwayFactory(
        first_received_on=D(2026, 10, 20), referring_provider=referring, transferred_on=D(2026, 11, 1)
    )  # arrived
    client.force_login(office_user)
    assert _rows(client.get(PTL, {"handover": "true"})) == [due]


def test_a_refused_filter_shows_no_pathways(client, today, office_user):
    RunningPathwayFactory()
    client.force_login(office_user)
    response = client.get(PTL, {"status": "nonsense"})
    assert response.status_code == 200
    assert _rows(response) == []


# CSV ----------------------------------------------------------------------------------------------


def test_the_csv_has_the_ptl_columns_and_filters(client, today, office_user):
    breached = RunningPathwayFactory(first_received_on=D(2026, 10, 20))
    RunningPathwayFactory(first_received_on=D(2026, 11, 20))
    client.force_login(office_user)
    response = client.get("/ptl.csv", {"status": "breached"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["Patient", "NHS number", "Provider"]
    assert len(rows) == 2
    assert rows[1][0] == str(breached.referral.patient)
    assert rows[1][10] == "Breached"


def test_the_csv_defuses_formulas(client, today, office_user):
    RunningPathwayFactory(
        referral__patient__given_name="=HYPERLINK(1)", referral__patient__family_name="-Minus"
    )
    client.force_login(office_user)
    rows = list(csv.reader(io.StringIO(client.get("/ptl.csv").content.decode())))
    assert rows[1][0] == "'-MINUS, =HYPERLINK(1)"


# Next actions and the pathway page ---------------------------------------------------------------


def test_office_adds_a_next_action_from_the_row_and_marks_it_done(client, today, office_user):
    pathway = RunningPathwayFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("waiting_times:next_action_add", args=[pathway.pk]),
        {
            f"p{pathway.pk}-what": "Book MRI",
            f"p{pathway.pk}-owner": office_user.pk,
            f"p{pathway.pk}-due_on": "2026-11-26",
            "next": "/ptl/?status=at_risk",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/ptl/?status=at_risk"
    action = NextAction.objects.get(pathway=pathway)
    (row,) = client.get(PTL).context["rows"]
    assert row.next_action == action
    client.post(reverse("waiting_times:next_action_done", args=[action.pk]))
    action.refresh_from_db()
    assert action.done_by == office_user


def _row_form(html: str, pathway) -> str:
    action = reverse("waiting_times:next_action_add", args=[pathway.pk])
    return re.search(rf'<form method="post"[^>]*action="{action}".*?</form>', html, re.S).group(0)


def test_the_rows_written_out_form_is_the_next_action_form_and_posts_back(
    client, today, office_user, clinician, other_clinician
):
    """The PTL writes each row's form out (NextActionRowForm, no Django form a row): the names,
    ids and labels must be the ones NextActionForm renders and reads, or an action typed on the
    PTL would be refused or lost."""
    from waiting_times.forms import NextActionForm

    pathway = RunningPathwayFactory(referral__responsible_consultant=clinician)
    client.force_login(office_user)
    shown = _row_form(client.get(PTL).content.decode(), pathway)
    reference = NextActionForm(pathway=pathway, prefix=f"p{pathway.pk}").as_div()
    names = re.compile(r'name="(p\d+-[^"]+)"')
    ids = re.compile(r'id="(id_p\d+-[^"]+)"')
    labels = re.compile(r'<label[^>]*for="([^"]+)"[^>]*>\s*([^<]+?)\s*<')
    assert sorted(names.findall(shown)) == sorted(names.findall(reference))
    assert set(ids.findall(shown)) >= set(ids.findall(reference)) - {f"id_p{pathway.pk}-due_on"}
    assert len(labels.findall(shown)) == 5  # what, owner, and the due date's day, month and year
    assert {f: t.rstrip(":") for f, t in labels.findall(shown)} == {
        f: t.rstrip(":") for f, t in labels.findall(reference)
    }
    offered = set(re.findall(r'<option value="(\d+)"', shown))
    assert offered == {str(office_user.pk), str(clinician.pk)}  # the office and this consultant only
    assert str(other_clinician.pk) not in offered
    posted = {
        f"p{pathway.pk}-what": "Chase histology",
        f"p{pathway.pk}-owner": str(clinician.pk),
        f"p{pathway.pk}-due_on_day": "27",
        f"p{pathway.pk}-due_on_month": "11",
        f"p{pathway.pk}-due_on_year": "2026",
    }
    assert set(posted) == set(names.findall(shown))
    client.post(reverse("waiting_times:next_action_add", args=[pathway.pk]), posted)
    action = NextAction.objects.get(pathway=pathway)
    assert (action.what, action.owner, action.due_on) == ("Chase histology", clinician, D(2026, 11, 27))


def test_clinician_cannot_add_next_actions(client, today, clinician):
    pathway = RunningPathwayFactory(referral__responsible_consultant=clinician)
    client.force_login(clinician)
    response = client.post(
        reverse("waiting_times:next_action_add", args=[pathway.pk]),
        {
            f"p{pathway.pk}-what": "x",
            f"p{pathway.pk}-owner": clinician.pk,
            f"p{pathway.pk}-due_on": "2026-11-26",
        },
    )
    assert response.status_code == 403


def test_the_next_page_link_leaves_the_site_alone(client, today, office_user):
    pathway = RunningPathwayFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("waiting_times:next_action_add", args=[pathway.pk]),
        {
            f"p{pathway.pk}-what": "x",
            f"p{pathway.pk}-owner": office_user.pk,
            f"p{pathway.pk}-due_on": "2026-11-26",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/ptl/"


def _dates_form_data(page) -> dict:
    """The dates form as the page shows it (values as the browser would post them)."""
    initial = page.context["dates_form"].initial
    return {
        k: (v.isoformat() if hasattr(v, "isoformat") else ("" if v is None else v))
        for k, v in initial.items()
    }


def _prefixed(data: dict) -> dict:
    return {f"dates-{name}": value for name, value in data.items()}


def test_office_records_dates_on_the_pathway_page_with_a_reason(client, today, office_user):
    pathway = RunningPathwayFactory()
    client.force_login(office_user)
    page = client.get(reverse("waiting_times:pathway", args=[pathway.pk]))
    data = _dates_form_data(page)
    data.update(
        told_on="2026-11-20", outcome="cancer", reason="Told in clinic.", treatment_admitted="unknown"
    )
    client.post(reverse("waiting_times:pathway_dates", args=[pathway.pk]), _prefixed(data))
    pathway.refresh_from_db()
    assert pathway.told_on == D(2026, 11, 20)
    assert set(PathwayEvent.objects.filter(pathway=pathway).values_list("field", flat=True)) == {
        "told_on",
        "outcome",
    }


def test_a_refused_date_is_shown_naming_the_field(client, today, office_user):
    pathway = DiagnosedPathwayFactory()
    client.force_login(office_user)
    page = client.get(reverse("waiting_times:pathway", args=[pathway.pk]))
    data = _dates_form_data(page)
    data.update(treated_on="2026-10-01", reason="Surgery.", treatment_admitted="unknown")
    response = client.post(
        reverse("waiting_times:pathway_dates", args=[pathway.pk]), _prefixed(data), follow=True
    )
    assert "treated_on" in response.content.decode()
    pathway.refresh_from_db()
    assert pathway.treated_on is None


def test_closing_without_a_breach_reason_is_refused_on_the_page(client, today, office_user):
    pathway = TreatedLatePathwayFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("waiting_times:pathway_close", args=[pathway.pk]), {"close-reason": "Treated."}, follow=True
    )
    assert "before closing" in response.content.decode()
    pathway.refresh_from_db()
    assert pathway.closed_at is None


def test_the_patient_page_shows_the_pathways_clocks_from_the_same_rules(client, today, clinician):
    """The referral page counts as the PTL does: a transfer without its first receipt date says so,
    and the FDS shows day 22 of 28 on 24 Nov for a transfer that reached us on 2 Nov."""
    pathway = TransferMissingFirstReceiptPathwayFactory(referral__responsible_consultant=clinician)
    client.force_login(clinician)
    html = client.get(
        reverse("referrals:patient_detail", args=[pathway.referral.patient_id])
    ).content.decode()
    assert "Cancer waiting times" in html
    assert "First receipt date missing" in html
    assert "22 of 28" in html
    assert reverse("waiting_times:pathway", args=[pathway.pk]) in html


# The home page's work ------------------------------------------------------------------------------


def _todays_work(today, clinician, other_clinician, office_user):
    referring = OrganisationFactory()
    breached = RunningPathwayFactory(
        first_received_on=D(2026, 10, 20), referral__responsible_consultant=clinician
    )
    at_risk = RunningPathwayFactory(
        first_received_on=D(2026, 11, 2), referral__responsible_consultant=other_clinician
    )
    handover = RunningPathwayFactory(
        first_received_on=D(2026, 10, 20),
        referring_provider=referring,
        referral__responsible_consultant=clinician,
    )
    NextAction.objects.create(pathway=at_risk, what="Chase", owner=office_user, due_on=D(2026, 11, 24))
    NextAction.objects.create(pathway=breached, what="Later", owner=office_user, due_on=D(2026, 11, 30))
    return breached, at_risk, handover


def test_office_home_starts_with_todays_work_linking_into_the_filtered_ptl(
    client, today, office_user, clinician, other_clinician
):
    breached, at_risk, handover = _todays_work(today, clinician, other_clinician, office_user)
    client.force_login(office_user)
    response = client.get(reverse("home"))
    # The handover pathway (FDS from 20 Oct) is breached too.
    assert response.context["todays_work"] == {
        "breached": 2,
        "at_risk_this_week": 1,
        "handover_due": 1,
        "next_action_due": 1,
    }
    html = response.content.decode()
    for link in ("?status=breached", "?at_risk_week=true", "?handover=true", "?next_action_due=true"):
        assert f"/ptl/{link}" in html
    assert set(_rows(client.get(PTL, {"status": "breached"}))) == {breached, handover}
    assert _rows(client.get(PTL, {"next_action_due": "true"})) == [at_risk]
    assert _rows(client.get(PTL, {"handover": "true"})) == [handover]


def test_clinicians_home_counts_only_their_own_patients(
    client, today, office_user, clinician, other_clinician
):
    _todays_work(today, clinician, other_clinician, office_user)
    client.force_login(clinician)
    work = client.get(reverse("home")).context["todays_work"]
    assert work == {"breached": 2, "at_risk_this_week": 0, "handover_due": 1, "next_action_due": 0}


def test_sag_members_home_has_no_ptl_counts(client, today, sag_member):
    client.force_login(sag_member)
    assert "todays_work" not in client.get(reverse("home")).context


def test_open_pathways_visible_to_a_clinician_are_their_own_and_their_care_teams_open_ones(
    today, clinician, other_clinician, office_user, sag_member
):
    from waiting_times.models import CancerPathway

    own = RunningPathwayFactory(referral__responsible_consultant=clinician)
    team = RunningPathwayFactory(referral__responsible_consultant=other_clinician)
    team.referral.care_team.add(clinician)
    closed = ClosedPathwayFactory(referral__responsible_consultant=clinician)
    others = RunningPathwayFactory(referral__responsible_consultant=other_clinician)
    assert set(CancerPathway.objects.open_visible_to(clinician)) == {own, team}
    assert set(CancerPathway.objects.visible_to(clinician)) == {own, team, closed}  # the pathway page
    assert set(CancerPathway.objects.open_visible_to(office_user)) == {own, team, others}
    assert list(CancerPathway.objects.open_visible_to(sag_member)) == []


# The rows as the page shows them (templates/jinja2/waiting_times/ptl_rows.html) ------------------


def _row_html(html: str, pathway) -> str:
    """The <tr> of `pathway`'s row."""
    link = reverse("waiting_times:pathway", args=[pathway.pk])
    return next(
        row for row in re.findall(r"<tr class=\"nhsuk-table__row\">.*?</tr>", html, re.S) if link in row
    )


def test_a_row_shows_the_patient_the_clock_and_its_next_action_with_working_links(client, today, office_user):
    """Received on Monday 2 November 2026 by urgent suspected cancer referral, not yet told:
    the 28-day Faster Diagnosis Standard matters now, day 22 of 28 on the 24th, due on
    30 November (start + 28), six days left."""
    pathway = RunningPathwayFactory(
        referral__patient__given_name="Ada", referral__patient__family_name="Lovelace"
    )
    action = NextAction.objects.create(
        pathway=pathway, what="Book MRI", owner=office_user, due_on=D(2026, 11, 26)
    )
    client.force_login(office_user)
    html = client.get(PTL, {"status": "at_risk"}).content.decode()
    row = _row_html(html, pathway)
    patient = pathway.referral.patient
    cells = [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
        for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    ]
    assert f'href="{reverse("referrals:patient_detail", args=[patient.pk])}"' in row
    assert cells[0].startswith(f"{patient} {patient.nhs_number_display} Pathway")
    assert cells[3:7] == ["28-day Faster Diagnosis", "Day 22 of 28", "30/11/2026", "6"]
    assert '<span class="nhsuk-tag nhsuk-tag--orange">At risk</span>' in row
    assert f"Book MRI {office_user}, by 26/11/2026" in cells[8]
    done = re.search(r'<form method="post" novalidate action="([^"]+)">(.*?)</form>', row, re.S)
    assert done.group(1) == reverse("waiting_times:next_action_done", args=[action.pk])
    assert 'name="csrfmiddlewaretoken"' in done.group(2)
    assert 'name="next" value="/ptl/?status=at_risk"' in done.group(2)
    assert cells[9] == "—"  # no breach reason


def test_what_people_typed_is_escaped_on_the_ptl(client, today, office_user):
    pathway = RunningPathwayFactory(referral__patient__family_name="<b>Bold</b>")
    NextAction.objects.create(
        pathway=pathway, what="<script>alert(1)</script>", owner=office_user, due_on=D(2026, 11, 26)
    )
    client.force_login(office_user)
    row = _row_html(client.get(PTL).content.decode(), pathway)
    assert "<script>" not in row
    assert "<b>" not in row
    assert str(pathway.referral.patient).replace("<", "&lt;").replace(">", "&gt;") in row
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in row


@pytest.mark.parametrize(
    ("status", "colour", "label"),
    [
        ("breached", "red", "Breached"),
        ("at_risk", "orange", "At risk"),
        ("running", "green", "Running"),
        ("met", "grey", "Met"),
        ("ended", "grey", "Ended"),
        ("invalid", "red", "Dates to correct"),
        ("not_applicable", "white", "No clock running"),
        ("", "white", "No clock running"),
    ],
)
def test_each_status_is_its_own_tag(status, colour, label):
    from waiting_times.templatetags.waiting_times_tags import status_tag

    assert status_tag(status) == f'<span class="nhsuk-tag nhsuk-tag--{colour}">{label}</span>'
