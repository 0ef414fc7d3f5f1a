import pytest

from directory.models import Organisation
from tests.factories import OrganisationFactory, PractitionerFactory


@pytest.fixture
def uclh(db) -> Organisation:
    return OrganisationFactory(
        ods_code="RRV", name="University College London Hospitals NHS Foundation Trust"
    )


@pytest.fixture
def practitioner(uclh):
    return PractitionerFactory(
        name="David Choi",
        organisation=uclh,
        speciality="surgery",
        email="david.choi@nhs.net",
        phone="020 3456 7890",
        designation_scope="spinal_surgery",
    )


def valid_practitioner_values(**overrides) -> dict:
    values = {
        "name": "Antonino Russo",
        "organisation": "RRV",
        "speciality": "surgery",
        "email": "antonino.russo@nhs.net",
        "phone": "",
        "is_core_mdt_member": False,
        "designation_scope": "spinal_surgery",
        "designation_date": "2024-03-22",
        "active": True,
    }
    return {**values, **overrides}
