from django.urls import path

from . import views

app_name = "referrals"

urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/<int:pk>/", views.patient_detail, name="patient_detail"),
    path("patients/<int:pk>/break-glass/", views.patient_break_glass, name="break_glass"),
    path("referrals/new/", views.referral_intake, name="intake"),
    path("referrals/<int:pk>/transition/", views.referral_transition, name="transition"),
    path("referrals/<int:pk>/surgeon/", views.referral_assign_surgeon, name="assign_surgeon"),
    path("referrals/<int:pk>/first-treatment/", views.referral_first_treatment, name="first_treatment"),
]
