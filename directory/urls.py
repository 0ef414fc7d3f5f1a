from django.urls import path

from . import views

app_name = "directory"

urlpatterns = [
    path("", views.directory_list, name="list"),
    path("practitioners.csv", views.export_practitioners, name="export_practitioners"),
    path("key-contacts.csv", views.export_key_contacts, name="export_key_contacts"),
    path("confirm/<str:token>/", views.confirm_entry, name="confirm_entry"),
    path("propose/<slug:target>/add/", views.propose_add, name="propose_add"),
    path("propose/<slug:target>/<int:pk>/change/", views.propose_change, name="propose_change"),
    path("propose/<slug:target>/<int:pk>/retire/", views.propose_retire, name="propose_retire"),
    path("import/", views.import_changes, name="import_changes"),
    path("changes/", views.change_request_queue, name="change_request_queue"),
    path("changes/<int:pk>/", views.change_request_detail, name="change_request_detail"),
    path("changes/<int:pk>/decide/", views.change_request_decide, name="change_request_decide"),
    path("changes/<int:pk>/rebase/", views.change_request_rebase, name="change_request_rebase"),
]
