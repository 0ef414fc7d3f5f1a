import datetime
import html
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from referrals.models import Patient, Referral, ReferralEvent
from tests.factories import (
    CoreMdtSurgeonFactory,
    DiscussedAtMdtReferralFactory,
    HospitalNumberFactory,
    PatientFactory,
    PractitionerFactory,
    ReceivedReferralFactory,
    ServiceFactory,
    SpinalReferralFactory,
)
from tests.referrals.conftest import search_patients
from waiting_times.services import pathway_create_for_referral

LIST = reverse("referrals:patient_list")
INTAKE = reverse("referrals:intake")


def detail(patient) -> str:
    return reverse("referrals:patient_detail", args=[patient.pk])


@pytest.fixture
def patients(db, clinician, other_clinician):
    """Mine (responsible), mine (care team), and another clinician's."""
    mine = PatientFactory(given_name="Alice", family_name="Arden", nhs_number="9434765919")
    ReceivedReferralFactory(
        patient=mine, responsible_consultant=clinician, received_on=datetime.date(2026, 11, 2)
    )
    team = PatientFactory(given_name="Bashir", family_name="Brook")
    on_team = ReceivedReferralFactory(
        patient=team, responsible_consultant=other_clinician, received_on=datetime.date(2026, 11, 20)
    )
    on_team.care_team.add(clinician)
    theirs = PatientFactory(given_name="Dev", family_name="Dunmore")
    HospitalNumberFactory(patient=theirs, number="RM900")
    ReceivedReferralFactory(
        patient=theirs, responsible_consultant=other_clinician, received_on=datetime.date(2026, 10, 1)
    )
    return {"mine": mine, "team": team, "theirs": theirs}


def names(response) -> set[str]:
    return {row["patient"].family_name for row in response.context["rows"]}


# Object-level isolation --------------------------------------------------------------------------


def test_clinician_lists_only_patients_they_are_responsible_for_or_on_the_care_team_of(
    client, clinician, patients, today
):
    client.force_login(clinician)
    response = client.get(LIST)
    assert response.status_code == 200
    assert names(response) == {"Arden", "Brook"}
    assert "Dunmore" not in response.content.decode()


def test_clinician_cannot_open_another_clinicians_patient(client, clinician, patients, today):
    client.force_login(clinician)
    assert client.get(detail(patients["theirs"])).status_code == 404
    assert client.get(detail(patients["team"])).status_code == 200


def test_clinician_search_does_not_reach_another_clinicians_patient(client, clinician, patients, today):
    client.force_login(clinician)
    assert names(search_patients(client, "Dunmore")) == set()
    assert names(search_patients(client, "RM900")) == set()
    assert names(search_patients(client, "943 476 5919")) == {"Arden"}


def test_clinician_filters_do_not_reach_another_clinicians_patient(client, clinician, patients, today):
    client.force_login(clinician)
    # Dunmore (day 54) is breached but not mine; Arden (day 22) is at risk; Brook (day 4) on track.
    assert names(client.get(LIST, {"clock": "breached"})) == set()
    assert names(client.get(LIST, {"clock": "at_risk"})) == {"Arden"}
    assert names(client.get(LIST, {"status": "received"})) == {"Arden", "Brook"}
    assert names(client.get(LIST, {"status": "closed"})) == set()


def test_mdt_office_sees_and_filters_every_patient(client, office_user, patients, today):
    client.force_login(office_user)
    assert names(client.get(LIST)) == {"Arden", "Brook", "Dunmore"}
    assert names(client.get(LIST, {"clock": "breached"})) == {"Dunmore"}
    assert names(search_patients(client, "RM900")) == {"Dunmore"}
    assert client.get(detail(patients["theirs"])).status_code == 200


def test_user_without_a_role_sees_no_patients(client, outsider, patients):
    client.force_login(outsider)
    assert client.get(LIST).status_code == 403
    assert client.get(detail(patients["mine"])).status_code == 404


def test_anonymous_user_is_sent_to_sign_in(client, patients):
    response = client.get(detail(patients["mine"]))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_list_shows_status_next_event_and_clock_state(client, clinician, patients, today):
    client.force_login(clinician)
    html = search_patients(client, "Arden").content.decode()
    assert "Received" in html
    assert "due 30/11/2026" in html  # the 28-day FDS clock of a referral received on 2 November
    assert "At risk" in html


# Patient page ------------------------------------------------------------------------------------


def test_patient_page_shows_routing_with_reasons_clocks_and_timeline(client, office_user, today):
    referral = SpinalReferralFactory(received_on=datetime.date(2026, 11, 2), transferred_between_trusts=True)
    pathway_create_for_referral(referral=referral)  # as intake does (REFERRAL_INTAKE_STEPS)
    ReferralEvent.objects.create(
        referral=referral,
        actor=office_user,
        from_status="received",
        to_status="triaged",
        reason="Looked at scans",
    )
    client.force_login(office_user)
    html = client.get(detail(referral.patient)).content.decode()
    for reason in referral.routing_decision["reasons"]:
        assert escape(reason) in html  # reasons now quote the pathway, in quotation marks
    assert "28-day" in html
    assert "Looked at scans" in html
    assert "handover by day 38, 10/12/2026" in html
    assert "<script" not in html.split("<main", 1)[-1]  # the head loads NHS.UK frontend's module file only
    assert html.count("<h1") == 1


def test_patient_page_timeline_shows_recorded_changes(client, office_user, today):
    referral = ReceivedReferralFactory()
    referral.referring_clinician = "Dr Who"
    referral.save()
    client.force_login(office_user)
    html = client.get(detail(referral.patient)).content.decode()
    assert " updated</strong>" in html
    assert "Referring clinician set to Dr Who." in html


# Intake ------------------------------------------------------------------------------------------


@pytest.fixture
def intake_data(directory, clinician):
    return {
        "nhs_number": "943 476 5919",
        "given_name": "Alice",
        "family_name": "Arden",
        "date_of_birth": "1968-04-12",
        "sex": "female",
        "key_worker": clinician.pk,
        "received_on": "2026-11-02",
        "presentation": "suspected",
        "tumour_type": "bone",
        "site": "spine",
        "skull_base": "on",
        "responsible_consultant": clinician.pk,
    }


def test_clinician_cannot_open_the_intake_form(client, clinician):
    client.force_login(clinician)
    assert client.get(INTAKE).status_code == 403


def test_checking_routing_shows_the_decision_and_saves_nothing(client, office_user, intake_data, today):
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "check"})
    assert response.status_code == 200
    assert response.context["decision"].pathway == "spinal"
    assert response.context["decision"].surgery_at == "NHNN"
    assert "Routing decision" in response.content.decode()
    assert "Spinal sarcoma" in response.content.decode()  # the pathway's label
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()


def test_saving_after_the_check_takes_the_referral_in(client, office_user, intake_data, today):
    client.force_login(office_user)
    checked = client.post(INTAKE, {**intake_data, "action": "check"})
    fingerprint = re.search(r'name="routing_checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    response = client.post(INTAKE, {**intake_data, "routing_checked": fingerprint, "action": "save"})
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(referral.patient)
    assert referral.routing_decision["surgery_at"] == "NHNN"
    assert referral.patient.nhs_number == "9434765919"
    # The confirmation names the pathway as people read it, never its code.
    label = Referral.Pathway(referral.routing_decision["pathway"]).label
    page = client.get(response["Location"]).content.decode()
    assert f"Referral {referral.pk} taken in: {label} pathway." in html.unescape(page)
    assert f"taken in: {referral.routing_decision['pathway']} pathway" not in page


def test_saving_without_checking_shows_the_routing_first(client, office_user, intake_data, today):
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "save"})
    assert response.status_code == 200
    assert response.context["decision"] is not None
    assert not Referral.objects.exists()


def test_changing_the_case_after_the_check_needs_a_new_check(client, office_user, intake_data, today):
    client.force_login(office_user)
    checked = client.post(INTAKE, {**intake_data, "action": "check"})
    fingerprint = re.search(r'name="routing_checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    changed = {**intake_data, "routing_checked": fingerprint, "action": "save"}
    del changed["skull_base"]
    response = client.post(INTAKE, changed)
    assert response.status_code == 200
    assert response.context["decision"].surgery_at == "RNOH"
    assert not Referral.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("nhs_number", "943 476 5918"),
        ("nhs_number", "943 476 591"),
        ("date_of_birth", "not a date"),
        ("site", "moon"),
    ],
)
def test_bad_intake_input_names_the_field_and_saves_nothing(
    client, office_user, intake_data, field, value, today
):
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, field: value, "action": "save"})
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Referral.objects.exists()
    assert not Patient.objects.exists()


def test_intake_form_defaults_the_received_date_to_today(client, office_user, today):
    """Issue 19 item 6: the received date defaults to today, in the NHS date input's day, month and
    year boxes."""
    client.force_login(office_user)
    content = client.get(INTAKE).content.decode()
    for part, value in (("day", today.day), ("month", today.month), ("year", today.year)):
        box = re.search(rf'<input[^>]*name="received_on_{part}"[^>]*>', content)
        assert box, part
        assert f'value="{value}"' in box.group(0), box.group(0)


def test_intake_form_is_in_sections_a_coordinator_takes_in_order(client, office_user):
    """Issue 19 item 6: patient, referrer, clinical details, imaging, clocks, then the care team;
    each section a fieldset with its legend, each field in the section that holds it."""
    client.force_login(office_user)
    content = client.get(INTAKE).content.decode()
    legends = ["1. Patient", "2. Referrer", "3. Clinical details", "4. Imaging", "5. Waiting-time clocks"]
    positions = [content.index(legend) for legend in [*legends, "6. Care team"]]
    assert positions == sorted(positions)
    assert content.count("<fieldset") >= 6
    assert positions[0] < content.index('name="nhs_number"') < positions[1]
    assert positions[1] < content.index('name="referrer_contact"') < positions[2]
    assert positions[2] < content.index('name="tumour_type"') < positions[3]
    assert positions[3] < content.index('name="imaging_done"') < positions[4]
    assert positions[4] < content.index('name="received_on_day"') < positions[5]  # the NHS date input
    assert 'value="check"' in content  # the two-step flow starts with "check routing"


def test_failed_intake_lists_each_error_at_the_top_with_a_link_to_its_field(
    client, office_user, intake_data, today
):
    """Issue 19 item 6: the error summary at the top of a failed form, each error linking to its
    field, in the order the fields are on the page; nothing is saved."""
    client.force_login(office_user)
    bad = {**intake_data, "nhs_number": "943 476 5918", "received_on": "", "action": "check"}
    del bad["presentation"]
    response = client.post(INTAKE, bad)
    content = response.content.decode()
    assert response.status_code == 200
    summary = content[
        content.index("There is a problem") : content.index("</ul>", content.index("There is a problem"))
    ]
    links = re.findall(r'<a href="#(id_[a-z0-9_]+)">', summary)
    # A date's link goes to its first box (day), the NHS date input's own first input.
    assert links == ["id_nhs_number", "id_presentation", "id_received_on_0"]
    assert content.index("There is a problem") < content.index('name="nhs_number"')
    assert 'id="id_presentation"' in content
    assert 'id="id_received_on_0"' in content
    assert not Referral.objects.exists()


def test_intake_error_from_the_service_is_in_the_summary_too(client, office_user, intake_data, today):
    """A refusal the service makes at "save" (here a hospital number another patient holds at that
    organisation) is listed at the top with a link to its field, and nothing is saved."""
    organisation = HospitalNumberFactory(number="H1").organisation
    client.force_login(office_user)
    data = {**intake_data, "hospital_organisation": organisation.pk, "hospital_number": "H1"}
    checked = client.post(INTAKE, {**data, "action": "check"})
    fingerprint = re.search(r'name="routing_checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    response = client.post(INTAKE, {**data, "routing_checked": fingerprint, "action": "save"})
    content = response.content.decode()
    assert '<a href="#id_hospital_number">This hospital number belongs to another patient' in content
    assert Referral.objects.count() == 0


def test_intake_with_an_existing_nhs_number_says_it_will_use_the_existing_patient(
    client, office_user, intake_data, today
):
    existing = PatientFactory(nhs_number="9434765919", given_name="Alice", family_name="Arden")
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "check"})
    assert response.context["existing_patient"] == existing
    assert "existing patient" in response.content.decode()


def test_intake_logs_the_likely_duplicate_it_shows(client, office_user, intake_data, today):
    from portal.models import AccessLog

    duplicate = PatientFactory(
        nhs_number=None, given_name="Alice", family_name="Arden", date_of_birth="1968-04-12"
    )
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "check"})
    assert response.context["likely_duplicate"] == duplicate
    assert list(AccessLog.objects.values_list("user", "patient_id", "action", "page")) == [
        (office_user.pk, duplicate.pk, "read", INTAKE)
    ]


def test_intake_logs_the_existing_patient_an_nhs_number_names(client, office_user, intake_data, today):
    from portal.models import AccessLog

    existing = PatientFactory(nhs_number="9434765919", given_name="Alice", family_name="Arden")
    client.force_login(office_user)
    client.post(INTAKE, {**intake_data, "action": "check"})
    assert list(AccessLog.objects.values_list("patient_id", "action")) == [(existing.pk, "read")]


# Actions on the patient page ---------------------------------------------------------------------


def test_office_changes_a_status_from_the_patient_page(client, office_user, today):
    referral = ReceivedReferralFactory()
    client.force_login(office_user)
    url = reverse("referrals:transition", args=[referral.pk])
    client.post(url, {"to_status": "triaged", "reason": "ok", "expected_status": "received"})
    referral.refresh_from_db()
    assert referral.status == "triaged"
    assert ReferralEvent.objects.filter(referral=referral).count() == 1


def test_status_change_from_a_stale_page_is_refused(client, office_user, today):
    referral = ReceivedReferralFactory(status="triaged")
    client.force_login(office_user)
    url = reverse("referrals:transition", args=[referral.pk])
    # The page was loaded while the referral was still "received".
    response = client.post(url, {"to_status": "accepted", "expected_status": "received"}, follow=True)
    assert "Another user got there first" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "triaged"


def test_invalid_status_choice_is_reported_naming_the_field(client, office_user, today):
    referral = ReceivedReferralFactory()
    client.force_login(office_user)
    url = reverse("referrals:transition", args=[referral.pk])
    response = client.post(url, {"to_status": "closed", "expected_status": "received"}, follow=True)
    assert "New status:" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "received"


def test_clinician_cannot_change_a_status(client, clinician, today):
    referral = ReceivedReferralFactory(responsible_consultant=clinician)
    client.force_login(clinician)
    url = reverse("referrals:transition", args=[referral.pk])
    assert client.post(url, {"to_status": "triaged", "expected_status": "received"}).status_code == 403
    referral.refresh_from_db()
    assert referral.status == "received"


def test_refused_surgeon_is_reported_with_the_rule(client, office_user, today):
    referral = SpinalReferralFactory()
    surgeon = PractitionerFactory()
    client.force_login(office_user)
    response = client.post(
        reverse("referrals:assign_surgeon", args=[referral.pk]), {"surgeon": surgeon.pk}, follow=True
    )
    assert "designated practitioners" in response.content.decode()
    referral.refresh_from_db()
    assert referral.surgeon is None


def test_first_treatment_form_records_treatment_after_mdt(client, office_user, today):
    referral = DiscussedAtMdtReferralFactory()
    surgeon = CoreMdtSurgeonFactory()
    centre = ServiceFactory(code="LSS")
    client.force_login(office_user)
    client.post(
        reverse("referrals:first_treatment", args=[referral.pk]),
        {
            "treated_on": "2026-11-23",
            "modality": "surgery",
            "practitioner": surgeon.pk,
            "centre": centre.pk,
            "expected_status": "discussed_at_mdt",
        },
    )
    referral.refresh_from_db()
    assert referral.first_treatment_on == datetime.date(2026, 11, 23)
    assert (referral.first_treatment_modality, referral.first_treatment_practitioner) == ("surgery", surgeon)
    assert referral.first_treatment_centre == centre


# Home and admin ----------------------------------------------------------------------------------


def test_office_home_draws_the_standards_chart_with_chartjs_and_the_table_beside_it(
    client, office_user, today
):
    """Issue 19 item 7: the home page's chart is drawn by chart.js (served from this site, no
    inline script: the data is a JSON block), with axis titles, a bar per standard in the NHS
    colours, and the same figures in a table."""
    DiscussedAtMdtReferralFactory(
        received_on=datetime.date(2026, 9, 1),
        diagnosis_communicated_on=datetime.date(2026, 9, 20),
        first_treatment_on=datetime.date(2026, 11, 20),
        decision_to_treat_on=datetime.date(2026, 11, 1),
    )
    client.force_login(office_user)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert "<rect" not in html  # no hand-drawn chart (the header's NHS logo is the page's one SVG)
    assert '<script id="standards-chart-data" type="application/json">' in html
    assert 'data-chart="standards-chart-data"' in html
    assert '<script src="/static/portal/charts.js" defer></script>' in html
    spec = response.context["standards_chart"]
    assert spec["kind"] == "bar"
    assert spec["x_title"] == "Month the clock stopped"
    assert spec["y_title"] == "Clocks meeting the standard"
    assert [dataset["label"] for dataset in spec["datasets"]] == ["28-day FDS", "62-day", "31-day"]
    assert [dataset["colour"] for dataset in spec["datasets"]] == ["#005eb8", "#00a499", "#ffb81c"]
    assert spec["labels"][-3:] == ["Sep 2026", "Oct 2026", "Nov 2026"]
    assert spec["datasets"][0]["data"][-3:] == [100, None, None]  # FDS met in September
    assert spec["datasets"][1]["data"][-1] == 0  # 62-day breached in November
    assert spec["datasets"][2]["data"][-1] == 100  # 31-day met in November
    assert "100% (1 of 1)" in html
    assert "0% (0 of 1)" in html


def test_clinician_home_has_no_chart_but_links_to_my_patients(client, clinician):
    client.force_login(clinician)
    html = client.get(reverse("home")).content.decode()
    assert "<svg" not in html.split("<main", 1)[-1]  # the NHS logo is in the header
    assert LIST in html


def test_admin_finds_a_referral_by_nhs_number_typed_with_spaces(client, office_user, patients):
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_referral_changelist"), {"q": "943 476 5919"}, follow=True)
    assert response.status_code == 200
    assert [r.patient.family_name for r in response.context["cl"].result_list] == ["Arden"]


def test_admin_finds_a_referral_by_hospital_number(client, office_user, patients):
    client.force_login(office_user)
    response = client.get(reverse("admin:referrals_referral_changelist"), {"q": "RM900"}, follow=True)
    assert [r.patient.family_name for r in response.context["cl"].result_list] == ["Dunmore"]


def test_admin_filters_referrals_by_clock_state_and_pathway(client, office_user, patients, today):
    client.force_login(office_user)
    url = reverse("admin:referrals_referral_changelist")
    response = client.get(url, {"clock": "breached"})
    assert [r.patient.family_name for r in response.context["cl"].result_list] == ["Dunmore"]
    assert client.get(url, {"pathway__exact": "spinal"}).status_code == 200


def test_status_filter_does_not_reveal_another_clinicians_referral_of_a_shared_patient(
    client, clinician, other_clinician, today
):
    shared = PatientFactory(family_name="Shared")
    ReceivedReferralFactory(patient=shared, responsible_consultant=clinician)
    ReceivedReferralFactory(patient=shared, responsible_consultant=other_clinician, status="closed")
    client.force_login(clinician)
    assert names(client.get(LIST, {"status": "closed"})) == set()
    assert names(client.get(LIST, {"status": "received"})) == {"Shared"}
    html = client.get(detail(shared)).content.decode()
    assert "Closed" not in html


def test_reading_and_listing_patients_goes_to_the_access_log(client, clinician, patients, today):
    from portal.models import AccessLog

    client.force_login(clinician)
    client.get(LIST)
    search_patients(client, "Arden")
    client.get(detail(patients["mine"]))
    logged = list(AccessLog.objects.order_by("pk").values_list("user", "patient_id", "action"))
    assert sorted(logged[:2]) == sorted(
        [(clinician.pk, patients["mine"].pk, "list"), (clinician.pk, patients["team"].pk, "list")]
    )
    assert logged[2:] == [
        (clinician.pk, patients["mine"].pk, "search"),
        (clinician.pk, patients["mine"].pk, "read"),
    ]
    # A 404 for another clinician's patient reads nothing, so logs nothing.
    client.get(detail(patients["theirs"]))
    assert not AccessLog.objects.filter(patient_id=patients["theirs"].pk).exists()


def test_intake_refused_by_the_service_names_the_field_and_saves_nothing(
    client, office_user, intake_data, today
):
    taken = HospitalNumberFactory(number="RM1")
    client.force_login(office_user)
    data = {**intake_data, "hospital_number": "RM1", "hospital_organisation": taken.organisation.pk}
    checked = client.post(INTAKE, {**data, "action": "check"})
    fingerprint = re.search(r'name="routing_checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    response = client.post(INTAKE, {**data, "routing_checked": fingerprint, "action": "save"})
    assert response.status_code == 200
    assert "belongs to another patient" in str(response.context["form"].errors["hospital_number"])
    assert not Referral.objects.exists()
    assert Patient.objects.count() == 1  # only the owner of RM1


def test_intake_page_groups_fields_and_has_one_heading(client, office_user, directory):
    client.force_login(office_user)
    html = client.get(INTAKE).content.decode()
    assert html.count("<h1") == 1
    assert "<legend" in html
    assert 'for="id_nhs_number"' in html
    assert "<script" not in html.split("<main", 1)[-1]  # the head loads NHS.UK frontend's module file only


FULL_WIDTH_NHS = "\uff19\uff14\uff13 \uff14\uff17\uff16 \uff15\uff19\uff11\uff19"  # 943 476 5919, full width


@pytest.mark.parametrize("action", ["check", "save"])
def test_intake_refuses_an_nhs_number_in_full_width_digits(client, office_user, intake_data, action):
    """Guards issue 17 finding 4: full-width digits passed the check digit test and made a second
    patient whom a search in ASCII digits did not find."""
    PatientFactory(nhs_number="9434765919")
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "nhs_number": FULL_WIDTH_NHS, "action": action})
    assert response.status_code == 200
    assert "0 to 9 and spaces only" in " ".join(response.context["form"].errors["nhs_number"])
    assert Patient.objects.count() == 1
    assert not Referral.objects.exists()


def test_admin_patient_form_refuses_an_nhs_number_in_arabic_indic_digits(client, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:referrals_patient_add"),
        {
            "nhs_number": "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",
            "given_name": "Alice",
            "family_name": "Arden",
            "date_of_birth": "1968-04-12",
            "sex": "female",
            "hospital_numbers-TOTAL_FORMS": "0",
            "hospital_numbers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "nhs_number" in response.context["adminform"].form.errors
    assert not Patient.objects.exists()


def test_patient_search_does_not_take_full_width_digits_for_an_nhs_number(client, office_user):
    PatientFactory(nhs_number="9434765919", family_name="Arden")
    client.force_login(office_user)
    found = search_patients(client, "943 476 5919").context["rows"]
    assert [row["patient"].nhs_number for row in found] == ["9434765919"]
    assert search_patients(client, FULL_WIDTH_NHS).context["rows"] == []


# Issue 16 item 5: intake warns when the pathway the rules follow is no longer the approved one -----


def _spinal_pathway(**changes):
    from policies.seed import load_reference_data

    document = load_reference_data()
    for name, value in changes.items():
        setattr(document, name, value)
    document.save()
    return document


def test_intake_warns_that_the_spinal_pathway_is_past_its_review_date(
    client, office_user, intake_data, today
):
    """Item 5. spinal-sarcoma-pathway-lsesn.txt: "<b>Date of Review</b>	March 2026" """
    _spinal_pathway()  # version 2, review date 01/03/2026, before today (24/11/2026)
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "check"})
    decision = response.context["decision"]
    [warning] = decision.warnings
    assert "version 2" in warning
    assert "date of review (01/03/2026) has passed" in warning
    assert decision.reasons[0] == warning
    assert "Check this decision against the approved pathway." in response.content.decode()
    assert escape(warning) in response.content.decode()


def test_intake_warns_when_a_newer_version_of_the_pathway_is_approved(
    client, office_user, intake_data, today
):
    """Item 5. spinal-sarcoma-pathway-lsesn.txt: "<b>Version Number</b>	2" """
    from policies.models import PolicyDocument

    current = _spinal_pathway(status=PolicyDocument.Status.SUPERSEDED)
    PolicyDocument.objects.create(
        series=current.series,
        title=current.title,
        version_number="3",
        status=PolicyDocument.Status.APPROVED,
        approval_date=datetime.date(2026, 10, 1),
        review_date=datetime.date(2028, 10, 1),
    )
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "check"})
    [warning] = response.context["decision"].warnings
    assert "version 3 is the approved one (approved on 01/10/2026)" in warning


def test_intake_shows_no_warning_while_the_followed_version_is_approved_and_in_date(
    client, office_user, intake_data, today
):
    """Item 5. spinal-sarcoma-pathway-lsesn.txt: "<b>Approval Date</b>	22/03/2024 (SAG Meeting)" """
    _spinal_pathway(review_date=datetime.date(2027, 3, 1))
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "action": "check"})
    assert response.context["decision"].warnings == ()
    assert "Check this decision against the approved pathway." not in response.content.decode()


def test_the_saved_referral_keeps_the_warning_in_its_reasons(client, office_user, intake_data, today):
    """Item 5. spinal-sarcoma-pathway-lsesn.txt: "<b>Date of Review</b>	March 2026" """
    _spinal_pathway()
    client.force_login(office_user)
    checked = client.post(INTAKE, {**intake_data, "action": "check"})
    fingerprint = re.search(r'name="routing_checked" value="([0-9a-f]+)"', checked.content.decode()).group(1)
    client.post(INTAKE, {**intake_data, "routing_checked": fingerprint, "action": "save"})
    decision = Referral.objects.get().routing_decision
    assert decision["warnings"]
    assert decision["reasons"][0] == decision["warnings"][0]
    html = client.get(detail(Referral.objects.get().patient)).content.decode()
    assert "Check this decision against the approved pathway." in html


def test_intake_flags_the_teenage_and_young_adult_band_to_the_office(client, office_user, intake_data, today):
    """Item 4. spinal-sarcoma-pathway-lsesn.txt: "Children/Teenage and Young Adult Principal
    Treatment Centres" """
    client.force_login(office_user)
    response = client.post(INTAKE, {**intake_data, "date_of_birth": "2006-01-01", "action": "check"})
    assert response.context["decision"].teenage_young_adult is True
    assert "TYA age band" in response.content.decode()
    assert "the pathway does not say where" in response.content.decode()
