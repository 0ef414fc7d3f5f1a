from django.urls import path

from . import views

app_name = "fhir_api"

urlpatterns = [
    path("metadata", views.metadata, name="metadata"),
    path("ServiceRequest/$route", views.route, {"resource_type": "ServiceRequest"}, name="route"),
    path("<str:resource_type>", views.resource_type_view, name="type"),
    path("<str:resource_type>/<str:resource_id>", views.read, name="read"),
]
