"""History pages are read-only for everyone, superusers included (issue 17, finding 1).

simple-history's "view this version" page (/admin/<app>/<model>/<id>/history/<history_id>/) saved
the old version on POST, checking only the view-history permission: as the MDT office a penetration
test re-activated a retired practitioner, edited the service routing reads, turned an approved
policy version back into a draft and moved a referral's status back with no event. Each of those is
below, and a walk over every registered admin with history proves no POST writes anything."""

from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from directory.models import Practitioner, Service
from policies.models import PolicyDocument
from referrals.models import Referral, ReferralEvent
from tests.factories import (
    AcceptedReferralFactory,
    ApprovedPolicyDocumentFactory,
    OrganisationFactory,
    PractitionerFactory,
    ServiceFactory,
)

REFUSED = {403, 405}


class _FormFields(HTMLParser):
    """What a browser would POST from an admin page's object form (id "<model>_form"): every
    field as the page shows it."""

    def __init__(self):
        super().__init__()
        self.inside, self.data = False, []
        self._select: tuple[str, bool] | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = (attrs.get("id") or "").endswith("_form")
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file", "image"}:
            if attrs.get("type") not in {"checkbox", "radio"} or "checked" in attrs:
                self.data.append((name, attrs.get("value", "")))
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in attrs), []
        elif tag == "option" and self._select:
            self._options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data.append((name, ""))

    def handle_data(self, data):
        if self._textarea:
            name, text = self.data.pop()
            self.data.append((name, text + data))

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self.data.extend((name, value) for value in chosen)
            self._select = None


def _revert(client, model, object_id: int, history_id: int):
    """GET the history version's page and POST its form back, as the penetration test did."""
    url = reverse(
        f"admin:{model._meta.app_label}_{model._meta.model_name}_simple_history", args=[object_id, history_id]
    )
    page = client.get(url)
    assert page.status_code == 200, f"{url} should be readable: {page.status_code}"
    fields = _FormFields()
    fields.feed(page.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in fields.data:
        data.setdefault(name, []).append(value)
    return client.post(url, {**data, "_save": "Save"})


def _state(obj) -> tuple[dict, int]:
    """An object's fields as stored, and how many history rows it has."""
    obj = type(obj)._default_manager.get(pk=obj.pk)
    return model_to_dict(obj), obj.history.count()


def test_office_cannot_reactivate_a_retired_practitioner_from_its_history(client, office_user):
    practitioner = PractitionerFactory(phone="020 7946 0001")
    first = practitioner.history.earliest()
    practitioner.active = False
    practitioner.save()
    before = _state(practitioner)
    client.force_login(office_user)

    response = _revert(client, Practitioner, practitioner.pk, first.history_id)

    assert response.status_code in REFUSED
    assert _state(practitioner) == before
    assert Practitioner.objects.get(pk=practitioner.pk).active is False


def test_office_cannot_edit_the_service_routing_reads_from_its_history(client, office_user):
    service = ServiceFactory(name="Sarcoma Service as first named")
    service.organisations.add(OrganisationFactory())
    first = service.history.latest()
    service.name = "Sarcoma Service as approved"
    service.save()
    before = _state(service)
    client.force_login(office_user)

    response = _revert(client, Service, service.pk, first.history_id)

    assert response.status_code in REFUSED
    assert _state(service) == before
    assert Service.objects.get(pk=service.pk).name == "Sarcoma Service as approved"


def test_office_cannot_turn_an_approved_policy_version_back_into_a_draft(client, office_user):
    document = ApprovedPolicyDocumentFactory()
    draft = document.history.earliest()
    document.history.filter(pk=draft.pk).update(status=PolicyDocument.Status.DRAFT)  # its past
    before = _state(document)
    client.force_login(office_user)

    response = _revert(client, PolicyDocument, document.pk, draft.history_id)

    assert response.status_code in REFUSED
    assert _state(document) == before
    assert PolicyDocument.objects.get(pk=document.pk).status == PolicyDocument.Status.APPROVED


def test_office_cannot_move_a_referral_status_back_from_its_history(client, office_user):
    referral = AcceptedReferralFactory()
    received = referral.history.earliest()
    referral.history.filter(pk=received.pk).update(status=Referral.Status.RECEIVED)  # its past
    events = ReferralEvent.objects.count()
    before = _state(referral)
    client.force_login(office_user)

    response = _revert(client, Referral, referral.pk, received.history_id)

    assert response.status_code in REFUSED
    assert _state(referral) == before
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.ACCEPTED
    assert ReferralEvent.objects.count() == events


def test_no_history_page_of_any_admin_writes_on_post_even_for_a_superuser(client, superuser, world):
    """Every model registered with a history admin, with a row in the world: POSTing a version's
    form back is refused and changes neither the record nor its history."""
    client.force_login(superuser)
    walked, wrote = [], []
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, SimpleHistoryAdmin):
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        before = _state(obj)
        response = _revert(client, model, obj.pk, obj.history.earliest().history_id)
        walked.append(model._meta.label_lower)
        if response.status_code not in REFUSED or _state(obj) != before:
            wrote.append(f"{model._meta.label_lower}: {response.status_code}")
    assert wrote == []
    # The walk reached the records the penetration test changed, and patients' own records.
    assert {
        "directory.practitioner",
        "directory.service",
        "policies.policydocument",
        "referrals.referral",
        "referrals.patient",
        "second_opinions.secondopinionrequest",
    } <= set(walked)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_history_pages_answer_only_reads(client, superuser, method):
    practitioner = PractitionerFactory()
    url = reverse(
        "admin:directory_practitioner_simple_history",
        args=[practitioner.pk, practitioner.history.earliest().history_id],
    )
    client.force_login(superuser)

    assert getattr(client, method)(url).status_code == 405
    assert client.get(url).status_code == 200
