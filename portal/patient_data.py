"""Reading patient data is declared by the view, and the declaration writes the access log.

A page that shows patient-identifiable data says which patients are on it, as a function of what
it renders, and never calls `access_log_record` itself:

    @login_required
    @shows_patients(lambda context: [context["patient"].pk])
    def patient_detail(request, pk):
        ...
        return TemplateResponse(request, "referrals/patient_detail.html", context)

    @admin.register(Referral)
    class ReferralAdmin(ShowsPatientsAdmin, SimpleHistoryAdmin):
        patient_id_field = "patient_id"

The declaration renders the page first (so the ids come from the very objects the template showed,
with no extra query), then writes one `AccessLog` row per patient on it, with the action ("read",
"list", "search" or "breakglass") and the page's path: a path carries ids, never a name or an NHS
number, and query strings (search terms) are left out.

Completeness is checked from both sides: a declared view that returns a 2xx response the
declaration cannot read (a plain `render()`) raises, and the permission matrix
(tests/security/test_permission_matrix.py) requests every URL as every persona and fails where a
page shows a patient's name or NHS number without a row naming that patient."""

from collections.abc import Callable, Iterable, Mapping
from functools import wraps
from operator import attrgetter
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse, TemplateResponse

from .models import AccessLog
from .services import access_log_record

Context = Mapping[str, Any]
PatientsOf = Callable[[Context], Iterable[int | None]]
ActionOf = str | Callable[[HttpRequest, Context], str]


def log_patients_shown(
    request: HttpRequest, response: HttpResponse, *, patients: PatientsOf, action: ActionOf
) -> HttpResponse:
    """Render `response` and record that `request.user` read the patients `patients` finds in its
    context. Redirects and refusals (no page of patient data) pass through unlogged."""
    if not isinstance(response, SimpleTemplateResponse):
        if 200 <= response.status_code < 300:
            raise ImproperlyConfigured(
                f"{request.path}: a view declared to show patients must return a TemplateResponse, "
                "so the access log can read which patients it shows."
            )
        return response
    response.render()
    context = response.context_data or {}
    patient_ids = [pk for pk in patients(context) if pk is not None]
    if patient_ids:
        access_log_record(
            user=request.user,
            patient_ids=patient_ids,
            action=action(request, context) if callable(action) else action,
            page=request.path,
        )
    return response


def shows_patients(patients: PatientsOf, *, action: ActionOf = AccessLog.Action.READ):
    """Declare that a function view shows patient data: `patients` maps the rendered page's context
    to the ids of the patients on it; `action` is an AccessLog action, or a function of the request
    and the context giving one. Put it below `login_required`: only signed-in users are logged."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            return log_patients_shown(request, response, patients=patients, action=action)

        return wrapper

    return decorator


class ShowsPatientsAdmin:
    """A ModelAdmin mixin for records that are patient data: its list (and search), change,
    delete and history pages, and simple-history's version pages, log the patients they show.

    `patient_id_field` is the dotted attribute giving a row's patient id ("pk" on Patient,
    "patient_id" on a Referral, "referral.patient_id" one step further). An object's page that
    shows other patients too (a duplicate's name beside a raw id) says so in
    `patients_on_object_page`."""

    patient_id_field = "patient_id"

    def patient_id_of(self, obj) -> int | None:
        return attrgetter(self.patient_id_field)(obj)

    def patients_on_object_page(self, obj) -> list[int | None]:
        return [self.patient_id_of(obj)]

    def _object_page(self, request, response, key: str) -> HttpResponse:
        def patients(context: Context) -> list[int | None]:
            obj = context.get(key)
            return self.patients_on_object_page(obj) if obj is not None else []

        return log_patients_shown(request, response, patients=patients, action=AccessLog.Action.READ)

    def changelist_view(self, request, extra_context=None):
        def patients(context: Context) -> list[int | None]:
            return [self.patient_id_of(obj) for obj in context["cl"].result_list] if "cl" in context else []

        def action(request, context: Context) -> str:
            return AccessLog.Action.SEARCH if context["cl"].query else AccessLog.Action.LIST

        response = super().changelist_view(request, extra_context)
        return log_patients_shown(request, response, patients=patients, action=action)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return self._object_page(
            request, super().change_view(request, object_id, form_url, extra_context), "original"
        )

    def delete_view(self, request, object_id, extra_context=None):
        return self._object_page(request, super().delete_view(request, object_id, extra_context), "object")

    def history_view(self, request, object_id, extra_context=None):
        return self._object_page(request, super().history_view(request, object_id, extra_context), "object")

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        response = super().history_form_view(request, object_id, version_id, extra_context)
        return self._object_page(request, response, "original")

    def render_history_view(self, request, template, context, **kwargs):
        # simple-history renders its pages with render(); a TemplateResponse keeps the context.
        return TemplateResponse(request, template, context, **kwargs)
