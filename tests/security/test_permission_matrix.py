"""The permission matrix: every URL the portal serves (every route in every urls.py and every
admin view), requested with GET as each persona, against the answer written down below.

A URL name missing from the table fails the test: add a row for it, deciding what each persona
must get. Codes: a number is the status; `L` a redirect to the sign-in page, `A` a redirect to
the admin's sign-in page, `R` any other redirect. Columns, in order: anonymous, outsider (signed
in, no role), clinician, MDT office, SAG member, superuser. Object URLs get ids of objects made
in tests/security/conftest.py (clinician1's patient, referral, discussion and request).

The access-log column (the last test) is read off the pages: every URL that shows clinician1's
patient to a persona must write an access-log row naming that patient."""

import os

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.models import AccessLog
from referrals.models import Patient

PERSONAS = ("anonymous", "outsider", "clinician", "office_user", "sag_member", "superuser")

# fmt: off
MATRIX: dict[str, str] = {
    "admin:app_list": "A A A 200 A 200",
    "admin:auth_user_password_change": "A A A 403 A 200",
    "admin:autocomplete": "A A A 403 A 403",
    "admin:directory_capability_simple_history": "A A A 404 A 404",
    "admin:directory_changerequest_simple_history": "A A A 403 A 200",
    "admin:directory_confirmationrequest_simple_history": "A A A 403 A 200",
    "admin:directory_keycontact_simple_history": "A A A 200 A 200",
    "admin:directory_organisation_simple_history": "A A A 403 A 200",
    "admin:directory_practitioner_simple_history": "A A A 200 A 200",
    "admin:directory_service_simple_history": "A A A 200 A 200",
    "admin:index": "A A A 200 A 200",
    "admin:jsi18n": "A A A 200 A 200",
    "admin:login": "200 200 200 R 200 R",
    "admin:logout": "R R R 405 R 405",
    "admin:otp_totp_totpdevice_config": "A A A 403 A 200",
    "admin:otp_totp_totpdevice_qrcode": "A A A 403 A 200",
    "admin:password_change": "A A A 200 A 200",
    "admin:password_change_done": "A A A 200 A 200",
    "admin:policies_circulationgroup_simple_history": "A A A 403 A 200",
    "admin:policies_policydocument_simple_history": "A A A 200 A 200",
    "admin:policies_policyreviewalert_simple_history": "A A A 404 A 404",
    "admin:policies_policyseries_simple_history": "A A A 403 A 200",
    "admin:referrals_digestsent_simple_history": "A A A 404 A 404",
    "admin:mdt_mdt_simple_history": "A A A 200 A 200",
    "admin:mdt_mdtcalendartoken_simple_history": "A A A 403 A 200",
    "admin:mdt_mdtdiscussion_simple_history": "A A A 200 A 200",
    "admin:mdt_mdtmeeting_simple_history": "A A A 200 A 200",
    "admin:mdt_mdtremindersent_simple_history": "A A A 404 A 404",
    "admin:referrals_patient_simple_history": "A A A 200 A 200",
    "admin:mdt_patientoutcomepreference_simple_history": "A A A 200 A 200",
    "admin:referrals_referral_simple_history": "A A A 200 A 200",
    "admin:referrals_waitingtimealert_simple_history": "A A A 404 A 404",
    "admin:second_opinions_secondopinionreminder_simple_history": "A A A 404 A 404",
    "admin:second_opinions_secondopinionrequest_simple_history": "A A A 200 A 200",
    "admin:second_opinions_secondopiniontransition_simple_history": "A A A 404 A 404",
    "admin:view_on_site": "A A A 404 A 404",
    "directory:change_request_decide": "405 405 405 405 405 405",
    "directory:change_request_detail": "403 403 403 200 200 200",
    "directory:change_request_queue": "403 403 403 200 200 200",
    "directory:change_request_rebase": "405 405 405 405 405 405",
    "directory:confirm_entry": "200 200 200 200 200 200",
    "directory:export_key_contacts": "200 200 200 200 200 200",
    "directory:export_practitioners": "200 200 200 200 200 200",
    "directory:import_changes": "403 403 403 200 200 200",
    "directory:list": "200 200 200 200 200 200",
    "directory:propose_add": "403 403 403 200 200 200",
    "directory:propose_change": "403 403 403 200 200 200",
    "directory:propose_retire": "403 403 403 200 200 200",
    "health": "200 200 200 200 200 200",
    "home": "L 200 200 200 200 200",
    "login": "200 200 200 200 200 200",
    "logout": "405 405 405 405 405 405",
    "mdt:add_to_next": "L 403 403 200 403 200",
    "mdt:attendance_report": "L 403 403 200 200 200",
    "mdt:calendar_feed": "200 200 200 200 200 200",
    "mdt:calendar_token": "L 405 405 405 405 405",
    "mdt:discussion_detail": "L 404 200 200 404 200",
    "mdt:discussion_move": "L 403 403 200 403 200",
    "mdt:discussion_outcome": "L 403 403 200 403 200",
    "mdt:discussion_readiness": "L 405 405 405 405 405",
    "mdt:discussion_send": "L 405 405 405 405 405",
    "mdt:meeting_add_discussion": "L 405 405 405 405 405",
    "mdt:meeting_add_case": "L 403 403 200 403 200",
    "mdt:meeting_attendance": "L 403 403 200 403 200",
    "mdt:meeting_detail": "L 403 403 200 403 200",
    "mdt:meeting_list": "L 403 403 200 403 200",
    "mdt:meeting_print": "L 403 403 200 403 200",
    "mdt:meeting_transition": "L 405 405 405 405 405",
    "mdt:meetings_generate": "L 405 405 405 405 405",
    "mdt:my_mdt": "L 403 200 200 403 403",
    "password_change": "L 200 200 200 200 200",
    "password_change_done": "L 200 200 200 200 200",
    "policies:approve": "L 403 403 403 200 403",
    "policies:create": "L 403 403 200 403 200",
    "policies:detail": "200 200 200 200 200 200",
    "policies:file": "404 404 404 404 404 404",
    "policies:item_add": "405 405 405 405 405 405",
    "policies:item_close": "405 405 405 405 405 405",
    "policies:list": "200 200 200 200 200 200",
    "policies:new_version": "L 403 403 200 403 200",
    "policies:submit": "405 405 405 405 405 405",
    "policies:withdraw": "405 405 405 405 405 405",
    "referrals:assign_surgeon": "405 405 405 405 405 405",
    "referrals:break_glass": "405 405 405 405 405 405",
    "referrals:first_treatment": "405 405 405 405 405 405",
    "referrals:intake": "L 403 403 200 403 200",
    "referrals:patient_detail": "L 404 200 200 404 200",
    "referrals:patient_list": "L 403 200 200 403 200",
    "referrals:transition": "405 405 405 405 405 405",
    "second_opinions:create": "L 403 200 200 403 200",
    "second_opinions:detail": "L 403 200 200 403 200",
    "second_opinions:figures": "L 403 403 200 200 200",
    "second_opinions:how_to_ask": "200 200 200 200 200 200",
    "second_opinions:index": "L R R R R R",
    "second_opinions:mine": "L 403 200 200 403 200",
    "second_opinions:queue": "L 403 403 200 403 200",
    "second_opinions:send_opinion": "405 405 405 405 405 405",
    "second_opinions:transition": "405 405 405 405 405 405",
    "two_factor_setup": "L 200 200 200 200 R",
    "two_factor_verify": "L R R R R 200",
    "admin:directory_diagnosticclinic_simple_history": "A A A 200 A 200",
    "admin:diagnostics_capacitydeclaration_simple_history": "A A A 200 A 200",
    "admin:diagnostics_clinicsurvey_simple_history": "A A A 404 A 404",
    "admin:diagnostics_pathologyreview_simple_history": "A A A 200 A 200",
    "admin:diagnostics_referralreturn_simple_history": "A A A 200 A 200",
    "diagnostic:clinic_override": "405 405 405 405 405 405",
    "diagnostic:dates": "405 405 405 405 405 405",
    "diagnostic:evaluation": "L 403 403 200 200 200",
    "diagnostic:evaluation_csv": "L 403 403 200 200 200",
    "diagnostic:molecular_test_add": "405 405 405 405 405 405",
    "diagnostic:molecular_test_result": "405 405 405 405 405 405",
    "diagnostic:mutual_aid_redirect": "405 405 405 405 405 405",
    "diagnostic:pathology_report": "405 405 405 405 405 405",
    "diagnostic:pathology_request": "405 405 405 405 405 405",
    "diagnostic:referral": "L 403 200 200 403 200",
    "diagnostic:resubmit": "405 405 405 405 405 405",
    "diagnostic:return": "405 405 405 405 405 405",
    "diagnostic:service_backlog": "L 403 403 200 200 200",
    "diagnostic:survey_comparison": "L 403 403 200 200 200",
    "diagnostic:survey_form": "L 403 403 200 403 200",
    "diagnostic:unplanned_excision": "405 405 405 405 405 405",
    "diagnostic:unplanned_excisions": "L 403 403 200 200 200",
    "admin:waiting_times_cancerpathway_simple_history": "A A A 200 A 200",
    "waiting_times:ptl": "L 403 200 200 403 200",
    "waiting_times:ptl_csv": "L 403 200 200 403 200",
    "waiting_times:pathway": "L 403 200 200 403 200",
    "waiting_times:performance": "L 403 403 200 200 200",
    # Without ?month= the download goes back to the performance page with a message.
    "waiting_times:extract_csv": "L 403 403 R 403 R",
    "waiting_times:pathway_dates": "405 405 405 405 405 405",
    "waiting_times:pathway_breach_reason": "405 405 405 405 405 405",
    "waiting_times:pathway_close": "405 405 405 405 405 405",
    "waiting_times:next_action_add": "405 405 405 405 405 405",
    "waiting_times:next_action_done": "405 405 405 405 405 405",
}
# fmt: on

# Model admin views: per registered model, the MDT office's and the superuser's answers for
# changelist, add, change, delete and history (everyone else is sent to the admin's sign-in).
# Object views use the model's first row; where the world has none (axes, alerts and sent-rows)
# the admin answers R, its redirect for a missing object. Append-only models (portal.accesslog,
# portal.outboxmessage, the sent-rows) refuse add and delete even to the superuser.
ADMIN_MODELS: dict[str, tuple[str, str]] = {
    "auth.group": ("403 403 403 403 403", "200 200 200 200 200"),
    "axes.accessattempt": ("403 403 403 403 R", "200 403 R R R"),
    "axes.accessfailurelog": ("403 403 403 403 R", "200 403 R R R"),
    "axes.accesslog": ("403 403 403 403 403", "200 403 200 200 200"),
    "directory.capability": ("200 403 R 403 404", "200 200 R R 404"),
    "directory.changerequest": ("200 403 200 403 403", "200 403 200 403 200"),
    "directory.confirmationrequest": ("200 403 200 403 403", "200 403 200 403 200"),
    "directory.keycontact": ("200 403 200 403 200", "200 200 200 200 200"),
    "directory.organisation": ("200 403 200 403 403", "200 200 200 200 200"),
    "directory.practitioner": ("200 403 200 403 200", "200 200 200 200 200"),
    "directory.service": ("200 403 200 403 200", "200 200 200 200 200"),
    "otp_totp.totpdevice": ("403 403 403 403 403", "200 200 200 200 200"),
    "password_history.passwordhistory": ("403 403 403 403 R", "200 200 R R R"),
    "password_history.userpasswordhistoryconfig": ("403 403 403 403 R", "200 200 R R R"),
    "policies.circulationgroup": ("200 200 200 403 403", "200 200 200 200 200"),
    "policies.policydocument": ("200 403 200 403 200", "200 403 200 200 200"),
    "policies.policyreviewalert": ("200 403 R 403 404", "200 403 R R 404"),
    "policies.policyseries": ("200 403 200 403 403", "200 403 200 200 200"),
    "portal.accesslog": ("403 403 403 403 403", "200 403 200 403 200"),
    "portal.breakglassgrant": ("403 403 403 403 403", "200 403 200 403 200"),
    "portal.outboxmessage": ("403 403 403 403 403", "200 403 200 403 200"),
    "portal.unusedaccountsreport": ("403 403 403 403 R", "200 403 R 403 R"),
    "portal.user": ("403 403 403 403 403", "200 200 200 200 200"),
    "referrals.digestsent": ("403 403 403 403 404", "200 403 R R 404"),
    "mdt.mdt": ("200 200 200 403 200", "200 200 200 200 200"),
    "mdt.mdtcalendartoken": ("403 403 403 403 403", "200 200 200 200 200"),
    "mdt.mdtdiscussion": ("200 403 200 403 200", "200 403 200 200 200"),
    "mdt.mdtmeeting": ("200 200 200 403 200", "200 200 200 200 200"),
    "mdt.mdtremindersent": ("200 403 R 403 404", "200 403 R R 404"),
    "referrals.patient": ("200 200 200 403 200", "200 200 200 200 200"),
    "mdt.patientoutcomepreference": ("200 200 200 403 200", "200 200 200 200 200"),
    "referrals.referral": ("200 403 200 403 200", "200 403 200 200 200"),
    "referrals.waitingtimealert": ("403 403 403 403 404", "200 403 R R 404"),
    "second_opinions.secondopinionreminder": ("200 403 R 403 404", "200 200 R R 404"),
    "second_opinions.secondopinionrequest": ("200 403 200 403 200", "200 403 200 200 200"),
    "directory.diagnosticclinic": ("200 403 200 403 200", "200 200 200 200 200"),
    "diagnostics.capacitydeclaration": ("200 403 200 403 200", "200 200 200 200 200"),
    "diagnostics.clinicsurvey": ("200 403 R 403 404", "200 200 R R 404"),
    "diagnostics.pathologyreview": ("200 403 200 403 200", "200 200 200 200 200"),
    "diagnostics.referralreturn": ("200 403 200 403 200", "200 200 200 200 200"),
    "second_opinions.secondopiniontransition": ("200 403 R 403 404", "200 200 R R 404"),
    # Read-only for everyone: writes go through waiting_times.services.
    "waiting_times.cancerpathway": ("200 403 200 403 200", "200 403 200 403 200"),
    # Written only by the alert sweep; the office reads who was alerted.
    "waiting_times.pathwayalert": ("200 403 R 403 R", "200 403 R 403 R"),
}

ADMIN_MODEL_VIEWS = ("changelist", "add", "change", "delete", "history")


def walk(resolver=None, prefix="", namespace=""):
    """Every URL pattern: (full name or None, route text, pattern)."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from walk(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = namespace + pattern.name if pattern.name else None
            yield name, prefix + str(pattern.pattern), pattern


def admin_model_views() -> dict[str, tuple[str, str]]:
    """URL name -> (model label, view) for the standard views of every registered model."""
    views = {}
    for model in admin.site._registry:
        for view in ADMIN_MODEL_VIEWS:
            views[f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"] = (
                model._meta.label_lower,
                view,
            )
    return views


def url_kwargs(world) -> dict[str, dict]:
    mine, objects = world.mine, world.objects
    return {
        "directory:confirm_entry": {"token": objects["confirmation"].token},
        "directory:propose_add": {"target": "practitioner"},
        "directory:propose_change": {"target": "practitioner", "pk": objects["practitioner"].pk},
        "directory:propose_retire": {"target": "practitioner", "pk": objects["practitioner"].pk},
        "directory:change_request_detail": {"pk": objects["change_request"].pk},
        "directory:change_request_decide": {"pk": objects["change_request"].pk},
        "directory:change_request_rebase": {"pk": objects["change_request"].pk},
        "policies:detail": {"pk": objects["policy"].pk},
        "policies:file": {"pk": objects["policy"].pk},
        "policies:new_version": {"pk": objects["policy"].pk},
        "policies:submit": {"pk": objects["draft_policy"].pk},
        "policies:approve": {"pk": objects["draft_policy"].pk},
        "policies:withdraw": {"pk": objects["draft_policy"].pk},
        "policies:item_add": {"pk": objects["draft_policy"].pk},
        "policies:item_close": {"pk": objects["outstanding_item"].pk},
        "second_opinions:detail": {"pk": mine.second_opinion.pk},
        "second_opinions:transition": {"pk": mine.second_opinion.pk},
        "second_opinions:send_opinion": {"pk": mine.second_opinion.pk},
        "mdt:meeting_detail": {"pk": mine.discussion.meeting_id},
        "mdt:meeting_print": {"pk": mine.discussion.meeting_id},
        "mdt:meeting_add_discussion": {"pk": mine.discussion.meeting_id},
        "mdt:meeting_add_case": {"pk": mine.discussion.meeting_id},
        "mdt:meeting_attendance": {"pk": mine.discussion.meeting_id},
        "mdt:meeting_transition": {"pk": mine.discussion.meeting_id, "action": "close-list"},
        "mdt:discussion_detail": {"pk": mine.discussion.pk},
        "mdt:discussion_outcome": {"pk": mine.discussion.pk},
        "mdt:discussion_send": {"pk": mine.discussion.pk},
        "mdt:discussion_move": {"pk": mine.discussion.pk},
        "mdt:discussion_readiness": {"pk": mine.discussion.pk},
        "mdt:add_to_next": {"referral_id": mine.referral.pk},
        "mdt:calendar_feed": {"token": mine.calendar_token},
        "referrals:patient_detail": {"pk": mine.patient.pk},
        "referrals:break_glass": {"pk": mine.patient.pk},
        **{
            f"waiting_times:{name}": {"pk": mine.pathway.pk}
            for name in (
                "pathway",
                "pathway_dates",
                "pathway_breach_reason",
                "pathway_close",
                "next_action_add",
            )
        },
        "waiting_times:next_action_done": {"pk": objects["next_action"].pk},
        "referrals:transition": {"pk": mine.referral.pk},
        "referrals:assign_surgeon": {"pk": mine.referral.pk},
        "referrals:first_treatment": {"pk": mine.referral.pk},
        **{
            f"diagnostic:{name}": {"pk": mine.referral.pk}
            for name in (
                "referral",
                "clinic_override",
                "return",
                "resubmit",
                "pathology_request",
                "pathology_report",
                "molecular_test_add",
                "dates",
                "unplanned_excision",
                "mutual_aid_redirect",
            )
        },
        "diagnostic:molecular_test_result": {"pk": mine.referral.pk, "test_pk": objects["molecular_test"].pk},
        "diagnostic:survey_form": {"clinic_pk": objects["clinic"].pk, "year": 2026},
        "admin:app_list": {"app_label": "referrals"},
        "admin:auth_user_password_change": {"id": mine.referral.responsible_consultant_id},
        "admin:view_on_site": {
            "content_type_id": ContentType.objects.get_for_model(Patient).pk,
            "object_id": mine.patient.pk,
        },
        "admin:otp_totp_totpdevice_config": {"pk": objects["totp_device"].pk},
        "admin:otp_totp_totpdevice_qrcode": {"pk": objects["totp_device"].pk},
    }


def admin_object_id(label: str) -> int:
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    obj = model._default_manager.order_by("pk").first()
    return obj.pk if obj else 0


def admin_model_of(name: str) -> str | None:
    """The model label an admin URL name belongs to (admin:<app>_<model>_<view>)."""
    for model in admin.site._registry:
        if name.startswith(f"admin:{model._meta.app_label}_{model._meta.model_name}_"):
            return model._meta.label_lower
    return None


def url_for(name: str, pattern, kwargs_by_name: dict, model_views: dict) -> str:
    if name in kwargs_by_name:
        return reverse(name, kwargs=kwargs_by_name[name])
    regex = pattern.pattern.regex
    needed = set(regex.groupindex)
    if not regex.groups:
        return reverse(name)
    # Admin object views (standard or custom): the first object of the model, 0 if none.
    label = model_views[name][0] if name in model_views else admin_model_of(name)
    assert label, f"Give {name} its URL arguments in url_kwargs()"
    object_id = admin_object_id(label)
    if not needed:  # simple_history's view of one history row: (object id, history id)
        model = next(m for m in admin.site._registry if m._meta.label_lower == label)
        row = model.history.filter(id=object_id).order_by("history_id").first()
        return reverse(name, args=[object_id, row.history_id if row else 0])
    return reverse(name, kwargs=dict.fromkeys(needed, object_id))


def expected(name: str, persona: str, model_views: dict) -> str:
    if name in model_views:
        label, view = model_views[name]
        if persona not in {"office_user", "superuser"}:
            return "A"
        office, superuser = ADMIN_MODELS[label]
        row = office if persona == "office_user" else superuser
        return row.split()[ADMIN_MODEL_VIEWS.index(view)]
    return MATRIX[name].split()[PERSONAS.index(persona)]


def answer(response) -> str:
    if response.status_code in {301, 302}:
        location = response["Location"]
        if location.startswith("/admin/login/"):
            return "A"
        if location.startswith("/accounts/login/"):
            return "L"
        return "R"
    return str(response.status_code)


def named_urls() -> dict[str, object]:
    """URL name -> pattern (the first pattern of a name, as reverse() uses)."""
    names = {}
    for name, _, pattern in walk():
        if name is not None:
            names.setdefault(name, pattern)
    return dict(sorted(names.items()))


def test_every_url_is_named_except_the_admins_catch_alls():
    unnamed = [route for name, route, _ in walk() if name is None and not route.startswith("admin/")]
    assert unnamed == [], "Name these URL patterns so the permission matrix can hold them"


def test_every_url_name_has_a_row_in_the_matrix():
    model_views = admin_model_views()
    missing = [name for name in named_urls() if name not in MATRIX and name not in model_views]
    assert missing == [], (
        "Add these URL names to MATRIX in tests/security/test_permission_matrix.py, with the "
        "answer each persona must get: " + ", ".join(missing)
    )
    unlisted_models = sorted({label for label, _ in model_views.values()} - set(ADMIN_MODELS))
    assert unlisted_models == [], (
        "Add these admin-registered models to ADMIN_MODELS in "
        "tests/security/test_permission_matrix.py: " + ", ".join(unlisted_models)
    )
    stale = sorted(set(MATRIX) - set(named_urls()))
    assert stale == [], "These MATRIX rows name no URL any more: remove them: " + ", ".join(stale)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gets_the_expected_answer_from_every_url(persona, world, client, request):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    model_views = admin_model_views()
    kwargs_by_name = url_kwargs(world)
    discover = os.environ.get("MATRIX_DISCOVER")
    wrong = []
    for name, pattern in named_urls().items():
        url = url_for(name, pattern, kwargs_by_name, model_views)
        got = answer(client.get(url))
        if discover:
            print(f"MATRIX {persona} {name} {got}")
            continue
        want = expected(name, persona, model_views)
        if got != want:
            wrong.append(f"{name} ({url}): expected {want}, got {got}")
    assert wrong == [], "\n".join(wrong)


# The access-log column --------------------------------------------------------------------------
# Not written down per URL but read off each page: wherever a persona's page shows clinician1's
# patient (a name or the NHS number, in the body), that request must have written an AccessLog row
# naming the patient for that user (issue 17, finding 3). A page showing patients declares them
# with portal.patient_data.shows_patients (views) or ShowsPatientsAdmin (admins).

# Pages that must show the patient to these personas, so the column cannot pass by seeing nothing.
MUST_SHOW_PATIENT = {
    "clinician": {"referrals:patient_detail", "referrals:patient_list", "second_opinions:detail"},
    "office_user": {
        "referrals:patient_detail",
        "admin:referrals_patient_change",
        "admin:referrals_patient_changelist",
        "admin:second_opinions_secondopinionrequest_changelist",
        "second_opinions:queue",
    },
}


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace").casefold()


def _identifiers(patient) -> list[str]:
    """What names a patient on a page: their names, and the NHS number as stored or displayed."""
    return [
        patient.given_name.casefold(),
        patient.family_name.casefold(),
        patient.nhs_number,
        patient.nhs_number_display,
    ]


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_url_that_shows_a_patient_logs_that_read(persona, world, client, request):
    user = None
    if persona != "anonymous":
        user = request.getfixturevalue(persona)
        client.force_login(user)
    model_views = admin_model_views()
    kwargs_by_name = url_kwargs(world)
    patient = world.mine.patient
    identifiers = _identifiers(patient)
    shown, unlogged = set(), []
    for name, pattern in named_urls().items():
        url = url_for(name, pattern, kwargs_by_name, model_views)
        last = AccessLog.objects.aggregate(last=Max("pk"))["last"] or 0
        body = _body(client.get(url))
        if not any(identifier in body for identifier in identifiers):
            continue
        shown.add(name)
        if (
            user is None
            or not AccessLog.objects.filter(pk__gt=last, user=user, patient_id=patient.pk).exists()
        ):
            unlogged.append(f"{name} ({url})")
    assert not unlogged, (
        "These pages show clinician1's patient but wrote no access-log row for it: declare the "
        "patients they show (portal/patient_data.py):\n" + "\n".join(unlogged)
    )
    assert MUST_SHOW_PATIENT.get(persona, set()) <= shown
