from django.urls import path

from . import views

app_name = "diagnostic"

urlpatterns = [
    path("referrals/<int:pk>/", views.referral_diagnostic, name="referral"),
    path("referrals/<int:pk>/clinic/", views.clinic_override, name="clinic_override"),
    path("referrals/<int:pk>/return/", views.referral_return, name="return"),
    path("referrals/<int:pk>/resubmit/", views.referral_resubmit, name="resubmit"),
    path("referrals/<int:pk>/pathology/request/", views.pathology_request, name="pathology_request"),
    path("referrals/<int:pk>/pathology/report/", views.pathology_report, name="pathology_report"),
    path("referrals/<int:pk>/pathology/tests/", views.molecular_test_add, name="molecular_test_add"),
    path(
        "referrals/<int:pk>/pathology/tests/<int:test_pk>/result/",
        views.molecular_test_result,
        name="molecular_test_result",
    ),
    path("referrals/<int:pk>/dates/", views.diagnostic_dates, name="dates"),
    path("referrals/<int:pk>/unplanned-excision/", views.unplanned_excision, name="unplanned_excision"),
    path("referrals/<int:pk>/mutual-aid/", views.mutual_aid_redirect, name="mutual_aid_redirect"),
    path("services/", views.service_backlog, name="service_backlog"),
    path("unplanned-excisions/", views.unplanned_excisions, name="unplanned_excisions"),
    path("evaluation/", views.evaluation, name="evaluation"),
    path("evaluation.csv", views.evaluation_csv, name="evaluation_csv"),
    path("survey/", views.survey_comparison, name="survey_comparison"),
    path("survey/<int:clinic_pk>/<int:year>/", views.survey_form, name="survey_form"),
]
