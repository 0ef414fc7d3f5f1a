"""The MDT office's admin for patients and referrals. Status, routing and first treatment change
only through the services (patient page forms), so they are read-only here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import FilteredSelectMultiple
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from simple_history.admin import SimpleHistoryAdmin

from directory.models import DiagnosticClinic
from portal.paging import EstimatedCountPaginator
from portal.patient_data import ShowsPatientsAdmin
from portal.roles import Role

from . import policy_rules, rules, services
from .models import (
    DigestSent,
    HospitalNumber,
    Patient,
    Referral,
    ReferralEvent,
    WaitingTimeAlert,
    WaitingTimeAlertDelivery,
)


def _normalised_search(term: str) -> str:
    """An NHS number typed with spaces searches as its ten ASCII digits."""
    return policy_rules.nhs_number_digits(term) or term


def _is_nhs_number(term: str) -> bool:
    return policy_rules.nhs_number_digits(term) == term


class HospitalNumberInline(admin.TabularInline):
    model = HospitalNumber
    extra = 0
    autocomplete_fields = ("organisation",)


class PatientAdminForm(forms.ModelForm):
    # Wider than the stored 10 digits, so a number typed with spaces can be normalised.
    nhs_number = forms.CharField(label="NHS number", max_length=14, required=False)

    class Meta:
        model = Patient
        fields = [
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "postcode",
            "key_worker",
            "possible_duplicate_of",
        ]

    def clean_nhs_number(self) -> str | None:
        raw = self.cleaned_data["nhs_number"].strip()
        if not raw:
            return None
        try:
            return policy_rules.normalise_nhs_number(raw)
        except ValueError as error:
            raise forms.ValidationError(str(error)) from error


@admin.register(Patient)
class PatientAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "pk"
    form = PatientAdminForm
    list_display = ("family_name", "given_name", "nhs_number", "date_of_birth", "key_worker", "flag")
    list_filter = (
        ("possible_duplicate_of", admin.EmptyFieldListFilter),
        ("merged_into", admin.EmptyFieldListFilter),
    )
    search_fields = ("=nhs_number", "family_name", "given_name", "=hospital_numbers__number")
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    raw_id_fields = ("key_worker", "possible_duplicate_of", "merged_into")
    readonly_fields = ("merged_into",)
    inlines = [HospitalNumberInline]
    actions = ["merge_selected"]

    def patients_on_object_page(self, obj: Patient) -> list[int | None]:
        # The raw-id fields show the duplicate's and the merged record's names beside their ids.
        return [obj.pk, obj.possible_duplicate_of_id, obj.merged_into_id]

    @admin.display(description="Flag")
    def flag(self, obj: Patient) -> str:
        if obj.merged_into_id:
            return f"Merged into {obj.merged_into_id}"
        return f"Likely duplicate of {obj.possible_duplicate_of_id}" if obj.possible_duplicate_of_id else ""

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, _normalised_search(search_term))

    @admin.action(
        description="Merge the two selected records (the older one is kept)", permissions=["change"]
    )
    def merge_selected(self, request, queryset):
        records = list(queryset.order_by("pk"))
        if len(records) != 2:
            self.message_user(request, "Select exactly two patient records to merge.", messages.ERROR)
            return
        keep, merge = records
        try:
            services.patient_merge(keep_id=keep.pk, merge_id=merge.pk, by=request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return
        self.message_user(request, f"Patient record {merge.pk} merged into {keep.pk}.", messages.SUCCESS)


class ReferralEventInline(admin.TabularInline):
    model = ReferralEvent
    extra = 0
    can_delete = False
    fields = ("at", "actor", "from_status", "to_status", "reason")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ClockStateFilter(admin.SimpleListFilter):
    """The worst waiting-time clock of an open referral, today."""

    title = "clock state"
    parameter_name = "clock"

    def lookups(self, request, model_admin):
        return [(state.value, state.value.replace("_", " ").capitalize()) for state in rules.ClockState]

    def queryset(self, request, queryset):
        if self.value() not in {state.value for state in rules.ClockState}:  # none, or not a state
            return queryset
        return queryset.with_clock_state([self.value()], timezone.localdate())


CLOCK_SHORT_NAMES = {"fds_28": "28-day FDS", "rtt_62": "62-day", "dtt_31": "31-day"}


class UserByNameChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class UsersByNameChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


def _clinicians_and(*user_ids):
    """Active clinicians, and whoever the record names now (so a form saved unchanged keeps them
    even if they have left), by name."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__name=Role.CLINICIAN, is_active=True) | Q(pk__in=[pk for pk in user_ids if pk])
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class ReferralAdminForm(forms.ModelForm):
    """The responsible consultant and the care team are chosen by name from the clinicians, not
    typed as user ids."""

    responsible_consultant = UserByNameChoiceField(queryset=get_user_model().objects.none(), required=False)
    care_team = UsersByNameChoiceField(
        queryset=get_user_model().objects.none(),
        required=False,
        widget=FilteredSelectMultiple("care team", is_stacked=False),
    )

    class Meta:
        model = Referral
        fields = "__all__"  # noqa: DJ007 -- the admin chooses the fields (exclude, readonly_fields)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        current = [instance.responsible_consultant_id]
        if instance.pk:
            current += list(instance.care_team.values_list("pk", flat=True))
        for name in ("responsible_consultant", "care_team"):
            if name in self.fields:
                self.fields[name].queryset = _clinicians_and(*current)


def _routing_decision_display(decision: dict) -> str:
    """The stored routing decision as a list of what it says, with its reasons and warnings."""
    if not decision:
        return "No routing decision recorded."
    rows = [
        ("Pathway", decision.get("pathway") or "—"),
        ("Urgent", "Yes" if decision.get("urgent") else "No"),
        ("Refer to", ", ".join(decision.get("refer_to") or []) or "—"),
        ("Surgery at", decision.get("surgery_at") or "—"),
        ("Radiotherapy at", decision.get("radiotherapy_at") or "—"),
        ("MDT that plans the care", decision.get("mdt") or "—"),
        ("Specialist pathology review", "Yes" if decision.get("specialist_pathology_review") else "No"),
    ]
    html = format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))
    if decision.get("reasons"):
        html += format_html(
            "<p>Reasons:</p><ol>{}</ol>",
            format_html_join("", "<li>{}</li>", ((r,) for r in decision["reasons"])),
        )
    if decision.get("warnings"):
        html += format_html(
            "<p>Check against the approved pathway:</p><ul>{}</ul>",
            format_html_join("", "<li>{}</li>", ((w,) for w in decision["warnings"])),
        )
    return html


@admin.register(Referral)
class ReferralAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
    patient_id_field = "patient_id"
    form = ReferralAdminForm
    # What a coordinator sorts and scans by, narrow enough for a 1366-pixel screen.
    list_display = (
        "patient",
        "nhs_number",
        "received_on",
        "status",
        "clock",
        "due_on",
        "responsible_consultant",
    )
    list_display_links = ("patient",)
    list_filter = ("status", "pathway", ClockStateFilter, "tumour_type", "presentation")
    search_fields = (
        "=patient__nhs_number",
        "patient__family_name",
        "patient__given_name",
        "=patient__hospital_numbers__number",
    )
    list_select_related = ("patient", "responsible_consultant")
    # Flat at any size: no COUNT(*) of the whole table (see portal/paging.py).
    show_full_result_count = False
    paginator = EstimatedCountPaginator
    # Stored working data is shown as what it says, never as editable JSON.
    exclude = ("routing_decision", "clinic_suggestion", "mutual_aid_suggestion", "urgent_override_departures")
    # The case as routed at intake, and everything a service changes, are read-only here: the
    # stored routing decision must stay the one made for these facts.
    readonly_fields = (
        "patient",
        "presentation",
        "tumour_type",
        "site",
        "skull_base",
        "transnasal_ccj",
        "suspected_mscc",
        "clinically_urgent",
        "received_on",
        "status",
        "pathway",
        "routing",
        "clinic_suggested",
        "mutual_aid_suggested",
        "surgeon",
        "first_treatment_on",
        "first_treatment_modality",
        "first_treatment_practitioner",
        "first_treatment_centre",
        "mdt_agreed_centre",
        "mdt_agreed_centre_on",
        "mdt_agreement_source",
        "urgent_override_reason",
        "urgent_override_departures_list",
        "urgent_override_flagged_at",
        "redirect_destination",
        "decline_reason",
    )
    inlines = [ReferralEventInline]

    @admin.display(description="NHS number", ordering="patient__nhs_number")
    def nhs_number(self, obj: Referral) -> str:
        return obj.patient.nhs_number_display or "Not known"

    def get_queryset(self, request):
        # The clock that matters, computed by the database: what the Clock and Due columns show
        # and sort by (no query per row).
        return super().get_queryset(request).with_clock_that_matters(timezone.localdate())

    @admin.display(description="Clock", ordering="clock_rank")
    def clock(self, obj: Referral) -> str:
        """The clock that matters today (rules.clock_that_matters of the referral's own clocks:
        the running or breached clock due soonest) and its state. The database computes exactly
        that clock (ReferralQuerySet.with_clock_that_matters, checked against the rules in
        tests/referrals/test_clock_sql.py), and the column shows the annotation it sorts by: the
        state, in the order none running, on track, at risk, breached (clock_rank). Sort by Due
        as well (the admin sorts by several columns) to order each state by its due date."""
        if obj.clock_standard is None:
            return "None running"
        return f"{CLOCK_SHORT_NAMES[obj.clock_standard]}: {obj.matters_state.replace('_', ' ')}"

    @admin.display(description="Due", ordering=F("clock_due_on").asc(nulls_last=True))
    def due_on(self, obj: Referral):
        """The due date of the Clock column's clock, the database's annotation (exactly the rules'
        due date), sorted by it: earliest first, referrals with no clock running last (first in
        the reverse order)."""
        return obj.clock_due_on

    @admin.display(description="Routing decision")
    def routing(self, obj: Referral) -> str:
        return _routing_decision_display(obj.routing_decision or {})

    @admin.display(description="Clinic suggested at intake")
    def clinic_suggested(self, obj: Referral) -> str:
        suggestion = obj.clinic_suggestion or {}
        if not suggestion:
            return "None"
        clinic = DiagnosticClinic.objects.filter(pk=suggestion.get("clinic_id")).first()
        return format_html(
            "{}<br>{}", clinic.name if clinic else "No clinic suggested", suggestion.get("reason", "")
        )

    @admin.display(description="Mutual aid suggested at intake")
    def mutual_aid_suggested(self, obj: Referral) -> str:
        suggestions = [s for s in obj.mutual_aid_suggestion or [] if isinstance(s, dict)]
        if not suggestions:
            return "None"
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((s.get("reason", ""),) for s in suggestions))
        )

    @admin.display(description="Departures from the pathway")
    def urgent_override_departures_list(self, obj: Referral) -> str:
        departures = obj.urgent_override_departures or []
        if not departures:
            return "None"
        return format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((d,) for d in departures)))

    def get_search_results(self, request, queryset, search_term):
        term = _normalised_search(search_term.strip())
        if _is_nhs_number(term):
            # An NHS number names one patient: look it up by its unique index (and as a hospital
            # number, which may be ten digits too) instead of also scanning every name for it.
            # The patient ids are read first: an OR across the join would scan every referral.
            patient_ids = [
                *Patient.objects.filter(nhs_number=term).values_list("pk", flat=True),
                *HospitalNumber.objects.filter(number__iexact=term).values_list("patient_id", flat=True)[
                    :100
                ],
            ]
            return queryset.filter(patient_id__in=patient_ids), False
        return super().get_search_results(request, queryset, term)

    def has_add_permission(self, request) -> bool:
        # New referrals go through the intake page, which routes them before saving.
        return False


class WaitingTimeAlertDeliveryInline(admin.TabularInline):
    """Who each alert went to, and when; a delivery with no time is still pending."""

    model = WaitingTimeAlertDelivery
    fields = readonly_fields = ("recipient", "status", "sent_at", "withdrawn_reason")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WaitingTimeAlert)
class WaitingTimeAlertAdmin(SimpleHistoryAdmin):
    list_display = ("referral", "standard", "kind", "due_on", "sent_at")
    list_filter = ("standard", "kind")
    readonly_fields = ("referral", "standard", "kind", "due_on", "days_elapsed", "sent_at")
    inlines = [WaitingTimeAlertDeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(DigestSent)
class DigestSentAdmin(SimpleHistoryAdmin):
    list_display = ("recipient", "iso_year", "iso_week", "sent_at")
    readonly_fields = ("recipient", "iso_year", "iso_week", "sent_at")

    def has_add_permission(self, request) -> bool:
        return False
