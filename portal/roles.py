"""The portal's roles, as Django groups, and exactly the model permissions each one gets.

The groups are created by a data migration (portal/migrations/0002_roles.py). Permissions only
exist once every app has migrated, so `sync_role_permissions` runs on post_migrate and sets each
group's permissions to exactly the set below: a permission removed here is removed from the group.
Object-level rules (a clinician sees only their own patients) live in each app's QuerySets.
"""

from django.db import models


class Role(models.TextChoices):
    MDT_OFFICE = "MDT office", "MDT office"
    CLINICIAN = "Clinician", "Clinician"
    SAG_MEMBER = "SAG member", "SAG member"


def _crud(app_model: str, *actions: str) -> set[str]:
    app_label, model = app_model.split(".")
    return {f"{app_label}.{action}_{model}" for action in actions}


ALL = ("view", "add", "change", "delete")

ROLE_PERMISSIONS: dict[Role, set[str]] = {
    # Runs the network day to day, much of it in the admin. Proposes directory changes and drafts
    # policies, but never approves them (that is the SAG's four-eyes check).
    Role.MDT_OFFICE: {
        *_crud("directory.organisation", "view"),
        *_crud("directory.service", "view"),
        *_crud("directory.capability", "view"),
        *_crud("directory.practitioner", "view"),
        *_crud("directory.keycontact", "view"),
        # Directory changes are proposed as change requests, never written directly.
        *_crud("directory.changerequest", "view", "add"),
        *_crud("directory.confirmationrequest", "view"),
        *_crud("policies.policydocument", "view", "add", "change"),
        *_crud("policies.outstandingitem", "view", "add", "change"),
        *_crud("policies.circulationgroup", "view", "add", "change"),
        *_crud("policies.policyseries", "view"),
        *_crud("policies.policyreviewalert", "view"),
        *_crud("referrals.patient", "view", "add", "change"),
        *_crud("referrals.referral", "view", "add", "change"),
        *_crud("referrals.hospitalnumber", "view", "add", "change"),
        *_crud("referrals.referralevent", "view"),
        # Reading history in the admin needs the history models' own view permission.
        *_crud("directory.historicalpractitioner", "view"),
        *_crud("directory.historicalkeycontact", "view"),
        *_crud("directory.historicalservice", "view"),
        *_crud("policies.historicalpolicydocument", "view"),
        *_crud("referrals.historicalpatient", "view"),
        *_crud("referrals.historicalreferral", "view"),
        *_crud("referrals.historicalhospitalnumber", "view"),
        *_crud("referrals.historicalreferralevent", "view"),
        *_crud("second_opinions.historicalsecondopinionrequest", "view"),
        *_crud("second_opinions.secondopinionrequest", "view", "add", "change"),
        *_crud("second_opinions.secondopiniontransition", "view"),
        *_crud("second_opinions.secondopinionreminder", "view"),
        "second_opinions.view_second_opinion_figures",
        # MDT meetings: schedules, case lists, attendance, outcomes and what was sent.
        *_crud("mdt.mdt", "view", "add", "change"),
        *_crud("mdt.mdtmeeting", "view", "add", "change"),
        *_crud("mdt.mdtattendance", "view", "add", "change"),
        *_crud("mdt.mdtdiscussion", "view", "add", "change"),
        *_crud("mdt.patientoutcomepreference", "view", "add", "change"),
        *_crud("mdt.mdtremindersent", "view"),
        *_crud("mdt.historicalmdt", "view"),
        *_crud("mdt.historicalmdtmeeting", "view"),
        *_crud("mdt.historicalmdtattendance", "view"),
        *_crud("mdt.historicalmdtdiscussion", "view"),
        *_crud("mdt.historicalpatientoutcomepreference", "view"),
        # Diagnostic pathway (issue 8): records returns, pathology reviews, capacity declarations
        # and clinic surveys, and reads the reports. Clinics change through change requests.
        *_crud("directory.diagnosticclinic", "view"),
        *_crud("directory.historicaldiagnosticclinic", "view"),
        *_crud("diagnostics.referralreturn", "view", "add", "change"),
        *_crud("diagnostics.pathologyreview", "view", "add", "change"),
        *_crud("diagnostics.moleculartest", "view", "add", "change"),
        *_crud("diagnostics.capacitydeclaration", "view", "add", "change"),
        *_crud("diagnostics.clinicsurvey", "view", "add", "change"),
        *_crud("diagnostics.historicalreferralreturn", "view"),
        *_crud("diagnostics.historicalpathologyreview", "view"),
        *_crud("diagnostics.historicalmoleculartest", "view"),
        *_crud("diagnostics.historicalcapacitydeclaration", "view"),
        *_crud("diagnostics.historicalclinicsurvey", "view"),
        "diagnostics.view_diagnostic_figures",
        # Cancer waiting times (issue 18): the PTL, pathway dates and next actions, all through
        # waiting_times.services; the admin only reads them.
        *_crud("waiting_times.cancerpathway", "view", "change"),
        *_crud("waiting_times.nextaction", "view", "add", "change"),
        *_crud("waiting_times.pathwayevent", "view"),
        *_crud("waiting_times.historicalcancerpathway", "view"),
        *_crud("waiting_times.historicalnextaction", "view"),
        # The alerts the daily sweep raised and who they went to (pathway ids, no patient).
        *_crud("waiting_times.pathwayalert", "view"),
        # The performance figures and the national extract (patient-level, so office only).
        "waiting_times.view_cwt_performance",
        "waiting_times.export_cwt_extract",
        # Letters (issue 20): written, checked and sent by the office, through letters.services;
        # the admin only reads them. The print batches of the letters for the post.
        *_crud("letters.letter", "view", "add", "change"),
        *_crud("letters.historicalletter", "view"),
        *_crud("letters.printbatch", "view", "add"),
    },
    # Sees and updates their own patients (object-level checks in the views); no admin. MDT
    # discussions only through object-level checked pages (their patients, cases they present).
    Role.CLINICIAN: {
        *_crud("referrals.patient", "view"),
        *_crud("referrals.referral", "view"),
        # Their own patients' second-opinion requests only (SecondOpinionRequest.objects.visible_to),
        # and a treating clinician may ask for one for their own patient.
        *_crud("second_opinions.secondopinionrequest", "view", "add"),
        # Their own patients' pathology reviews, on the referral's object-level checked page.
        *_crud("diagnostics.pathologyreview", "view"),
        *_crud("diagnostics.moleculartest", "view"),
        # Their own patients' rows of the PTL (CancerPathway.objects.visible_to).
        *_crud("waiting_times.cancerpathway", "view"),
        *_crud("waiting_times.nextaction", "view"),
        # Their own patients' letters (Letter.objects.visible_to), to read.
        *_crud("letters.letter", "view"),
    },
    # Governs the network: approves directory changes and policy versions.
    Role.SAG_MEMBER: {
        *_crud("directory.organisation", "view"),
        *_crud("directory.service", "view"),
        *_crud("directory.capability", "view"),
        *_crud("directory.practitioner", "view"),
        *_crud("directory.keycontact", "view"),
        *_crud("directory.changerequest", "view", "add"),
        "directory.approve_changerequest",
        *_crud("policies.policydocument", "view"),
        "policies.approve_policydocument",
        # Aggregate second-opinion figures only, no patient's request.
        "second_opinions.view_second_opinion_figures",
        # MDT attendance figures (the attendance-over-time page); no case lists.
        *_crud("mdt.mdt", "view"),
        *_crud("mdt.mdtattendance", "view"),
        # Diagnostic pathway: clinics, the evaluation figures, backlogs and the survey comparison
        # (aggregates only, no patient).
        *_crud("directory.diagnosticclinic", "view"),
        *_crud("diagnostics.clinicsurvey", "view"),
        "diagnostics.view_diagnostic_figures",
        # Cancer waiting-time performance figures (aggregates only: no patient, no extract).
        "waiting_times.view_cwt_performance",
    },
}

# Roles whose members work in the Django admin (is_staff is set by seed_demo and by the admin).
STAFF_ROLES = {Role.MDT_OFFICE}


def sync_role_permissions(*args, using: str = "default", **kwargs) -> None:
    """Give each role's group exactly its permissions (those that exist yet)."""
    from django.contrib.auth.models import Group, Permission

    existing = {
        f"{perm.content_type.app_label}.{perm.codename}": perm
        for perm in Permission.objects.using(using).select_related("content_type")
    }
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role.value)
        group.permissions.set([existing[name] for name in sorted(wanted) if name in existing])
