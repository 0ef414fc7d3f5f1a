"""The national extract (`manage.py cwt_extract` and the performance page's download): the
month's records in the CWT data set's layout, each checked before it is written. "Today" is
Tuesday 24 November 2026; the records are October 2026's."""

import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from portal.models import AccessLog
from tests.factories import OrganisationFactory, RunningPathwayFactory, ServiceFactory
from waiting_times.extract import HEADER, month_records

pytestmark = pytest.mark.django_db

D = datetime.date
OCTOBER = D(2026, 10, 1)


@pytest.fixture
def service(today):
    """A service of one organisation, whose ODS code is the provider code."""
    service = ServiceFactory(code="RMH", name="Royal Marsden Sarcoma Unit")
    service.organisations.add(OrganisationFactory(ods_code="RPY", name="The Royal Marsden"))
    return service


def told(service, **values):
    """Received 1 Oct 2026 and told on 20 Oct (day 19): the FDS stopped in October."""
    values = {"first_received_on": D(2026, 10, 1), "told_on": D(2026, 10, 20), "outcome": "cancer", **values}
    return RunningPathwayFactory(referral__service=service, **values)


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_header_spells_the_items_as_the_data_dictionary_does():
    """NHS Data Model and Dictionary, National Cancer Waiting Times Monitoring Data Set: the items
    "NHS NUMBER", "NHS NUMBER STATUS INDICATOR CODE", "PRIORITY TYPE CODE", "CANCER REFERRAL TO
    TREATMENT PERIOD START DATE", "CONSULTANT UPGRADE DATE", "DATE FIRST SEEN"."""
    assert HEADER[:6] == [
        "NHS NUMBER",
        "NHS NUMBER STATUS INDICATOR CODE",
        "PRIORITY TYPE CODE",
        "CANCER REFERRAL TO TREATMENT PERIOD START DATE",
        "CONSULTANT UPGRADE DATE",
        "DATE FIRST SEEN",
    ]
    assert "TREATMENT START DATE (CANCER)" in HEADER
    assert "ORGANISATION SITE IDENTIFIER (OF TREATMENT)" in HEADER


def test_a_record_the_national_system_accepts_is_written_with_each_item(service):
    pathway = told(service, referral__first_appointment_on=D(2026, 10, 6))
    (record,) = month_records(OCTOBER)
    assert not record.refused
    assert dict(zip(HEADER, record.row, strict=True)) == {
        "NHS NUMBER": pathway.referral.patient.nhs_number,
        "NHS NUMBER STATUS INDICATOR CODE": "02",
        "PRIORITY TYPE CODE": "3",
        "CANCER REFERRAL TO TREATMENT PERIOD START DATE": D(2026, 10, 1),
        "CONSULTANT UPGRADE DATE": None,
        "DATE FIRST SEEN": D(2026, 10, 6),
        "CANCER FASTER DIAGNOSIS PATHWAY END DATE": D(2026, 10, 20),
        "CANCER TREATMENT PERIOD START DATE": None,
        "TREATMENT START DATE (CANCER)": None,
        "CANCER TREATMENT MODALITY": "",
        "ORGANISATION IDENTIFIER (CODE OF PROVIDER)": "RPY",
        "ORGANISATION SITE IDENTIFIER (OF TREATMENT)": "",
    }


def test_only_the_months_records_are_in_it(service):
    told(service, first_received_on=D(2026, 9, 1), told_on=D(2026, 9, 20))
    told(service, first_received_on=D(2026, 10, 20), told_on=D(2026, 11, 2))
    inside = told(service)
    assert [record.pathway for record in month_records(OCTOBER)] == [inside]


def test_a_record_without_an_nhs_number_is_refused(service):
    """Data Dictionary, National Cancer Waiting Times Monitoring Data Set: "M = Mandatory: this
    data element is mandatory and the technical process (e.g. submission of the data set,
    production of output etc) cannot be completed without this data element being present", and
    NHS NUMBER is marked M."""
    told(service, referral__patient__nhs_number=None)
    (record,) = month_records(OCTOBER)
    assert record.reasons == ["NHS number missing"]
    assert record.row == []


def test_a_treatment_before_the_clock_start_is_refused_with_the_rules_reason(service):
    """Issue 18: bad input such as "a treatment before the referral" is refused naming the key; the
    national system would refuse a treatment before its period's start (CANCER REFERRAL TO
    TREATMENT PERIOD START DATE). Stored dates the rules refuse (moved from the old fields) are
    listed, not written."""
    told(service, first_received_on=D(2026, 10, 10), treated_on=D(2026, 10, 5), told_on=None, outcome="")
    (record,) = month_records(OCTOBER)
    assert record.reasons == [
        "dates to correct: key 'treated_on' (2026-10-05) is before the referral was received (2026-10-10)"
    ]


def test_a_record_without_a_provider_code_is_refused(today):
    """The provider's ODS code (ORGANISATION IDENTIFIER (CODE OF PROVIDER)) must be known: a
    service of two organisations (the London Sarcoma Service's RRV and RAN) gives none unless
    the CWT_EXTRACT_PROVIDER_CODES setting names it."""
    lss = ServiceFactory(code="LSS", name="London Sarcoma Service")
    lss.organisations.add(OrganisationFactory(ods_code="RRV"), OrganisationFactory(ods_code="RAN"))
    told(lss)
    (record,) = month_records(OCTOBER)
    assert record.reasons == [
        "provider code not known: London Sarcoma Service belongs to 2 organisations (RAN, RRV); "
        "name its code in CWT_EXTRACT_PROVIDER_CODES"
    ]


def test_a_network_names_a_services_provider_code_in_the_settings(settings, today):
    settings.CWT_EXTRACT_PROVIDER_CODES = {"LSS": "RRV"}
    lss = ServiceFactory(code="LSS")
    lss.organisations.add(OrganisationFactory(ods_code="RRV"), OrganisationFactory(ods_code="RAN"))
    told(lss)
    (record,) = month_records(OCTOBER)
    assert record.row[HEADER.index("ORGANISATION IDENTIFIER (CODE OF PROVIDER)")] == "RRV"


def test_a_transfer_without_its_first_receipt_date_is_refused(service):
    """The clock start is "the first provider's receipt": a transfer moved from the old flag does
    not know it, so its CANCER REFERRAL TO TREATMENT PERIOD START DATE would be wrong."""
    told(
        service,
        first_received_on=None,
        transferred_on=D(2026, 10, 1),
        referring_provider=OrganisationFactory(),
    )
    (record,) = month_records(OCTOBER)
    assert record.reasons == ["clock start missing: enter the date the first provider received the referral"]


def test_a_treatment_is_refused_until_its_modality_and_decision_are_recorded(service):
    """Data Dictionary: CANCER TREATMENT MODALITY and CANCER TREATMENT PERIOD START DATE are
    required of a treatment record: a treatment without them is listed, not written. The
    modality is the one recorded with the first treatment on the referral (issue 16)."""
    told(service, decision_to_treat_on=None, treated_on=D(2026, 10, 22), outcome="cancer", route="other")
    (record,) = month_records(OCTOBER)
    assert record.reasons == [
        "treated without a decision to treat (CANCER TREATMENT PERIOD START DATE)",
        "first treatment modality not recorded (CANCER TREATMENT MODALITY)",
    ]


def test_a_treatment_with_its_modality_and_decision_is_written_with_the_national_code(service):
    """Data Dictionary, CANCER TREATMENT MODALITY: surgery is written as its code, 01."""
    pathway = told(
        service, decision_to_treat_on=D(2026, 10, 15), treated_on=D(2026, 10, 22), outcome="cancer"
    )
    pathway.referral.first_treatment_modality = "surgery"
    pathway.referral.save(update_fields=["first_treatment_modality"])
    (record,) = month_records(OCTOBER)
    assert record.reasons == []
    assert "01" in record.row


def test_the_treatment_site_is_the_centre_recorded_with_the_first_treatment(service):
    """Data Dictionary, ORGANISATION SITE IDENTIFIER (OF TREATMENT): the site where the patient
    was treated. Treated at another centre than the referral's service: that centre's code."""
    pathway = told(
        service, decision_to_treat_on=D(2026, 10, 15), treated_on=D(2026, 10, 22), outcome="cancer"
    )
    centre = ServiceFactory(code="RNOH", name="RNOH Sarcoma Unit")
    centre.organisations.add(OrganisationFactory(ods_code="RAN", name="Royal National Orthopaedic Hospital"))
    pathway.referral.first_treatment_modality = "surgery"
    pathway.referral.first_treatment_centre = centre
    pathway.referral.save(update_fields=["first_treatment_modality", "first_treatment_centre"])
    (record,) = month_records(OCTOBER)
    assert record.reasons == []
    row = dict(zip(HEADER, record.row, strict=True))
    assert row["ORGANISATION SITE IDENTIFIER (OF TREATMENT)"] == "RAN"
    assert row["ORGANISATION IDENTIFIER (CODE OF PROVIDER)"] == "RPY"


def test_a_treatment_centre_whose_code_cannot_be_told_refuses_the_record(service):
    pathway = told(
        service, decision_to_treat_on=D(2026, 10, 15), treated_on=D(2026, 10, 22), outcome="cancer"
    )
    shared = ServiceFactory(code="SHARED", name="Shared sarcoma service")
    shared.organisations.add(OrganisationFactory(ods_code="AAA"), OrganisationFactory(ods_code="BBB"))
    pathway.referral.first_treatment_modality = "surgery"
    pathway.referral.first_treatment_centre = shared
    pathway.referral.save(update_fields=["first_treatment_modality", "first_treatment_centre"])
    (record,) = month_records(OCTOBER)
    assert record.refused
    assert record.row == []
    assert any("treatment site code" in reason and "AAA, BBB" in reason for reason in record.reasons)


# The command ------------------------------------------------------------------------------------


def test_the_command_writes_the_csv_and_lists_refused_records_on_stderr(service):
    good = told(service)
    bad = told(service, referral__patient__nhs_number=None)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("cwt_extract", "--month", "2026-10", stdout=out, stderr=err)
    assert refused.value.returncode == 1
    rows = _csv(out.getvalue())
    assert [row["NHS NUMBER"] for row in rows] == [good.referral.patient.nhs_number]
    assert f"Refused: pathway {bad.pk} (referral {bad.referral_id}): NHS number missing" in err.getvalue()
    assert "2026-10: 1 record(s) written, 1 refused." in err.getvalue()


def test_the_command_succeeds_when_every_record_passes(service, tmp_path):
    told(service)
    target = tmp_path / "cwt.csv"
    call_command("cwt_extract", "--month", "2026-10", "--output", str(target), stderr=io.StringIO())
    assert len(_csv(target.read_text())) == 1


@pytest.mark.parametrize("month", ["2026-13", "October", "2026-1", ""])
def test_a_month_that_is_not_yyyy_mm_exits_with_status_2(month, today):
    with pytest.raises(CommandError) as error:
        call_command("cwt_extract", "--month", month, stdout=io.StringIO(), stderr=io.StringIO())
    assert error.value.returncode == 2
    assert "--month" in str(error.value)


def test_every_cell_is_formula_safe(settings, service):
    """The portal's one CSV writer (portal/csv_export.py): a cell starting "=" is prefixed with an
    apostrophe, so it cannot run in a spreadsheet."""
    settings.CWT_EXTRACT_PROVIDER_CODES = {"RMH": "=HYPERLINK(1)"}
    told(service)
    out = io.StringIO()
    call_command("cwt_extract", "--month", "2026-10", stdout=out, stderr=io.StringIO())
    assert _csv(out.getvalue())[0]["ORGANISATION IDENTIFIER (CODE OF PROVIDER)"] == "'=HYPERLINK(1)"


# The page and its download ----------------------------------------------------------------------


def test_the_office_sees_the_refused_records_and_downloads_the_rest(client, office_user, service):
    good = told(service)
    bad = told(service, referral__patient__nhs_number=None)
    client.force_login(office_user)
    html = client.get("/ptl/performance/", {"month": "2026-10"}).content.decode()
    assert "Download the extract for October 2026" in html
    assert "(1 record; 1 refused)" in html
    assert str(bad.referral.patient) in html
    assert "NHS number missing" in html
    assert AccessLog.objects.filter(
        user=office_user, patient_id=bad.referral.patient_id, action="read"
    ).exists()
    response = client.get("/ptl/performance/extract.csv", {"month": "2026-10"})
    assert response["Content-Disposition"] == 'attachment; filename="cwt-extract-2026-10.csv"'
    assert [row["NHS NUMBER"] for row in _csv(response.content.decode())] == [
        good.referral.patient.nhs_number
    ]
    exported = AccessLog.objects.filter(user=office_user, action="export").values_list(
        "patient_id", flat=True
    )
    assert list(exported) == [good.referral.patient_id]


def test_the_sag_sees_no_extract_and_may_not_download_it(client, sag_member, service):
    told(service, referral__patient__nhs_number=None)
    client.force_login(sag_member)
    response = client.get("/ptl/performance/", {"month": "2026-10"})
    assert response.context["extract"] is None
    assert "National extract" not in response.content.decode()
    assert client.get("/ptl/performance/extract.csv", {"month": "2026-10"}).status_code == 403


def test_a_download_without_a_month_goes_back_to_the_page_with_a_message(client, office_user, today):
    client.force_login(office_user)
    response = client.get("/ptl/performance/extract.csv", {"month": "soon"}, follow=True)
    assert response.redirect_chain == [("/ptl/performance/", 302)]
    assert "Enter a month as YYYY-MM" in response.content.decode()


def test_the_page_checks_a_months_records_only_when_asked(client, office_user, service):
    """The figures are aggregates; checking a month's records one by one waits for ?month=."""
    told(service, referral__patient__nhs_number=None)
    client.force_login(office_user)
    response = client.get("/ptl/performance/")
    assert response.context["extract"] == {"month": OCTOBER, "checked": False}
    assert "Check the October 2026 records first" in response.content.decode()
    assert not AccessLog.objects.filter(action="read").exists()
